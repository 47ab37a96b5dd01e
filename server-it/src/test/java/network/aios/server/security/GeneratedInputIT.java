package network.aios.server.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;
import network.aios.api.Json;
import network.aios.server.TestServer;
import network.aios.server.TestServer.Answer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Generated bodies for every write endpoint: valid ones mutated (fields dropped, values swapped for odd
 * strings with U+0000 or lone surrogates, huge or negative numbers, deep nesting, wrong types, new keys),
 * and the JSON text itself broken (truncated, bytes flipped, keys doubled). Whatever arrives: never a
 * 5xx, always the error shape, JSON pointers on 422s, and a cluster the server accepted can be read back.
 * Seeded, so a failure names the seed and replays exactly.
 */
class GeneratedInputIT {
    static final int MUTANTS_PER_ENDPOINT = 120;
    static TestServer server;
    static String agent;

    record Endpoint(String method, String path, Supplier<JsonNode> valid, Supplier<String> token, String... headers) {}

    @BeforeAll
    static void start() {
        server = new TestServer();
        assertThat(server.post("/api/createCluster", TestServer.seedWithId("gen-a"), server.adminToken)
                        .status())
                .isEqualTo(201);
        agent = server.cp.tokens().issueAgent("gen-a", "test").token();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static List<Endpoint> endpoints() {
        Supplier<String> admin = () -> server.adminToken;
        JsonNode seed = Json.parse(new String(TestServer.example("cluster-nocomments.json"), StandardCharsets.UTF_8));
        return List.of(
                new Endpoint("POST", "/api/createCluster", () -> seed, admin),
                new Endpoint(
                        "PATCH",
                        "/api/v1/clusters/gen-a",
                        () -> Json.object()
                                .set("tags", Json.MAPPER.createArrayNode().add("x")),
                        admin),
                new Endpoint("PUT", "/api/v1/clusters/gen-a", () -> seed(seed, "gen-a"), admin, "If-Match", "\"999\""),
                new Endpoint(
                        "POST",
                        "/clusters/query",
                        () -> Json.parse("{\"query\":{\"regionId\":\"us-west-2\","
                                + "\"minGpus\":1,\"tags\":[\"vision\"],\"limit\":5}}"),
                        admin),
                new Endpoint(
                        "POST",
                        "/api/v1/policies/add_cluster/check",
                        () -> Json.object().set("cluster_data", seed),
                        admin),
                new Endpoint(
                        "POST",
                        "/api/v1/policies/add_cluster/dry-run",
                        () -> Json.parse("{\"policy\":{\"rules\":"
                                        + "[{\"expression\":\"cluster_data.gpus.count >= 1\",\"message\":\"m\"}]}}")
                                .deepCopy(),
                        admin),
                new Endpoint(
                        "POST",
                        "/api/v1/tokens",
                        () -> Json.parse("{\"name\":\"gen-owner\",\"role\":\"owner\"}"),
                        admin),
                new Endpoint(
                        "POST",
                        "/container_registry",
                        () -> Json.parse(
                                "{\"container_registry_name\":\"r\","
                                        + "\"container_registry_public_url\":\"http://10.0.0.5:5000\",\"container_registry_tags\":"
                                        + "[\"a\"],\"container_registry_metadata\":{\"k\":\"v\"},\"container_registry_storage_mb\":10}"),
                        admin),
                new Endpoint(
                        "POST",
                        "/asset_registry",
                        () -> Json.parse("{\"asset_registry_name\":\"a\","
                                + "\"asset_registry_public_url\":\"http://10.0.0.6:9000\"}"),
                        admin),
                new Endpoint(
                        "POST",
                        "/inference_server",
                        () -> Json.parse("{\"inference_server_name\":\"i\","
                                + "\"inference_server_public_url\":\"http://10.0.0.7:8000\",\"cluster_id\":\"gen-a\"}"),
                        admin),
                new Endpoint(
                        "POST",
                        "/executor",
                        () -> Json.parse(
                                "{\"executor_name\":\"e\",\"executor_metadata\":{}," + "\"executor_tags\":[\"t\"]}"),
                        admin),
                new Endpoint(
                        "POST",
                        "/api/v1/clusters/gen-a/routes",
                        () -> Json.parse("{\"kind\":\"task\",\"id\":\"t1\"," + "\"service\":\"svc.ns:80\"}"),
                        admin),
                new Endpoint(
                        "POST",
                        "/api/v1/clusters/gen-a/heartbeat",
                        () -> Json.parse("{\"agent\":{\"role\":\"controller\","
                                + "\"version\":\"t\"},\"inventory\":{\"nodes\":[{\"name\":\"w1\",\"nodeId\":\"node-1\","
                                + "\"ready\":true,\"capacity\":{\"vcpus\":32,\"memoryMB\":128500,\"gpus\":2},\"gpu\":"
                                + "{\"product\":\"NVIDIA-A100-SXM4-40GB\",\"count\":2}}]}}"),
                        () -> agent),
                new Endpoint(
                        "POST",
                        "/api/v1/clusters/gen-a/metrics",
                        () -> Json.parse("{\"nodes\":[{\"nodeId\":" + "\"node-1\",\"cpu\":{\"capacity\":4}}]}"),
                        () -> agent),
                new Endpoint(
                        "POST",
                        "/api/v1/clusters/gen-a/audit",
                        () -> Json.parse("{\"command\":\"cordon\"," + "\"by\":\"admin\",\"node\":\"node-1\"}"),
                        () -> agent),
                new Endpoint(
                        "PUT",
                        "/api/v1/policies/remove_node",
                        () -> Json.parse("{\"rules\":[{\"expression\":" + "\"true\",\"message\":\"m\"}]}"),
                        admin));
    }

    static JsonNode seed(JsonNode seed, String id) {
        ObjectNode c = (ObjectNode) seed.deepCopy();
        c.put("id", id);
        return c;
    }

    @Test
    void noBodyMakesAnyWriteEndpointFail() {
        List<String> wrong = new ArrayList<>();
        int sent = 0;
        int accepted = 0;
        for (Endpoint e : endpoints()) {
            for (int i = 0; i < MUTANTS_PER_ENDPOINT; i++) {
                long seed = 31L * e.path().hashCode() + i;
                Random r = new Random(seed);
                byte[] body = mutant(e.valid().get(), r);
                Answer a = server.send(e.method(), e.path(), body, e.token().get(), e.headers());
                sent++;
                String problem = problem(a);
                if (problem != null) {
                    wrong.add(e.method() + " " + e.path() + " seed " + seed + ": " + a.status() + " " + problem + " <- "
                            + abbreviate(new String(body, StandardCharsets.UTF_8)));
                    continue;
                }
                if (a.status() / 100 == 2) {
                    accepted++;
                    if (e.path().equals("/api/createCluster")) {
                        String id = a.body().path("id").asString();
                        Answer back = server.get("/api/v1/clusters/" + id, server.adminToken);
                        if (back.status() != 200) {
                            wrong.add(
                                    "cluster " + id + " accepted (seed " + seed + ") but reads back " + back.status());
                        }
                    }
                }
            }
        }
        assertThat(wrong).as(sent + " bodies sent, " + accepted + " accepted").isEmpty();
        assertThat(accepted).as("some mutants are valid and stored").isPositive();
    }

    /** Null when the answer is acceptable for any input; else what is wrong with it. */
    static String problem(Answer a) {
        if (a.status() >= 500) {
            return "server error";
        }
        if (a.status() >= 400) {
            JsonNode err = a.body() == null ? null : a.body().get("error");
            if (err == null
                    || !err.path("code").isString()
                    || !err.path("message").isString()
                    || err.path("status").asInt() != a.status()) {
                return "no error body";
            }
            if (a.status() == 422) {
                for (JsonNode d : err.path("details")) {
                    String p = d.path("path").asString("");
                    if (!p.isEmpty() && !p.startsWith("/")) {
                        return "a detail path that is not a JSON pointer: " + p;
                    }
                }
            }
        }
        return null;
    }

    static byte[] mutant(JsonNode valid, Random r) {
        JsonNode doc = valid.deepCopy();
        int edits = 1 + r.nextInt(3);
        for (int i = 0; i < edits; i++) {
            doc = mutate(doc, r);
        }
        String text = Json.MAPPER.writeValueAsString(doc);
        switch (r.nextInt(10)) {
            case 0: // truncated
                return text.substring(0, r.nextInt(Math.max(1, text.length()))).getBytes(StandardCharsets.UTF_8);
            case 1: { // a byte flipped
                byte[] b = text.getBytes(StandardCharsets.UTF_8);
                b[r.nextInt(b.length)] = (byte) r.nextInt(256);
                return b;
            }
            case 2: // a key doubled
                return text.replaceFirst("\\{\"([^\"]+)\":", "{\"$1\":1,\"$1\":")
                        .getBytes(StandardCharsets.UTF_8);
            case 3: // nested far too deep
                return ("[".repeat(3000) + text + "]".repeat(3000)).getBytes(StandardCharsets.UTF_8);
            default:
                return text.getBytes(StandardCharsets.UTF_8);
        }
    }

    static JsonNode mutate(JsonNode node, Random r) {
        List<JsonNode> containers = new ArrayList<>();
        collect(node, containers);
        JsonNode target = containers.get(r.nextInt(containers.size()));
        if (target instanceof ObjectNode o) {
            List<String> names = new ArrayList<>();
            o.properties().forEach(e -> names.add(e.getKey()));
            int what = r.nextInt(4);
            if (what == 0 && !names.isEmpty()) {
                o.remove(names.get(r.nextInt(names.size())));
            } else if (what == 1 || names.isEmpty()) {
                o.set(oddString(r), oddValue(r));
            } else {
                o.set(names.get(r.nextInt(names.size())), oddValue(r));
            }
        } else if (target instanceof ArrayNode a) {
            if (a.size() > 0 && r.nextBoolean()) {
                a.set(r.nextInt(a.size()), oddValue(r));
            } else {
                a.add(oddValue(r));
            }
        }
        return node;
    }

    static void collect(JsonNode n, List<JsonNode> out) {
        if (n.isContainer()) {
            out.add(n);
            for (Iterator<JsonNode> it = n.values().iterator(); it.hasNext(); ) {
                collect(it.next(), out);
            }
        }
    }

    static JsonNode oddValue(Random r) {
        JsonNodeFactory f = Json.MAPPER.getNodeFactory();
        switch (r.nextInt(12)) {
            case 0:
                return f.stringNode(oddString(r));
            case 1:
                return f.numberNode(new java.math.BigInteger("9".repeat(1 + r.nextInt(400))));
            case 2:
                return f.numberNode(-1 - r.nextInt(1000));
            case 3:
                return f.numberNode(r.nextDouble() * 1e300);
            case 4:
                return f.nullNode();
            case 5:
                return f.booleanNode(r.nextBoolean());
            case 6:
                return Json.object();
            case 7:
                return Json.MAPPER.createArrayNode().add(oddString(r));
            case 8: {
                JsonNode deep = f.stringNode("x");
                for (int i = 0; i < 200; i++) {
                    deep = Json.MAPPER.createArrayNode().add(deep);
                }
                return deep;
            }
            case 9:
                return f.numberNode(Long.MIN_VALUE);
            case 10:
                return f.numberNode(new java.math.BigDecimal("1e-400"));
            default:
                return f.stringNode("x".repeat(r.nextInt(70_000)));
        }
    }

    static String oddString(Random r) {
        String[] parts = {
            "\u0000",
            "\ud800",
            "\udc00",
            "a\u0000b",
            "\uffff",
            "\u202e",
            "😀",
            "../../etc/passwd",
            "' OR 1=1 --",
            "${jndi:ldap://x}",
            "%00",
            "\\",
            "\"",
            "<script>",
            "node-1",
            "",
            " ",
            "\n",
            "~1/~0",
            "ü",
            "\u200b",
            "NaN",
            "-0",
            "1e999"
        };
        StringBuilder sb = new StringBuilder();
        int n = 1 + r.nextInt(3);
        for (int i = 0; i < n; i++) {
            sb.append(parts[r.nextInt(parts.length)]);
        }
        return sb.toString();
    }

    static String abbreviate(String s) {
        return s.length() > 300 ? s.substring(0, 300) + "..." : s;
    }
}
