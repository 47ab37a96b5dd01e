package network.aios.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import network.aios.api.Json;
import network.aios.server.TestServer.Answer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** The seed's add-on registrations, replayed with curl exactly as written (host and port pointed here). */
class AddonsIT {
    static TestServer server;

    @BeforeAll
    static void start() {
        server = new TestServer();
        assertThat(server.send("POST", "/api/createCluster", TestServer.example("cluster.json"), server.adminToken)
                        .status())
                .isEqualTo(201);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static String seedCurl(String path) throws Exception {
        return SeedCurl.pointed(server, "POST", path);
    }

    static JsonNode curl(String command) throws Exception {
        Path dir = Files.createTempDirectory("seed-curl");
        Files.copy(Path.of("..", "examples", "container-registry-entry.json"), dir.resolve("entry.json"));
        Files.copy(Path.of("..", "examples", "executor.json"), dir.resolve("executor.json"));
        return SeedCurl.run(command, dir);
    }

    @Test
    void theSeedsCurlCommandsRegisterEachKind() throws Exception {
        JsonNode asset = curl(seedCurl("/asset_registry"));
        assertThat(asset.get("id").asString()).startsWith("asset-registry-");
        assertThat(asset.get("asset_registry_name").asString()).isEqualTo("ResNet Models registry");
        JsonNode inference = curl(seedCurl("/inference_server"));
        assertThat(inference.at("/inference_server_metadata/gpu_available").asBoolean())
                .isTrue();
        JsonNode registry = curl(seedCurl("/container_registry"));
        assertThat(registry.get("cluster_id").asString()).isEqualTo("cluster-west-vision-001");

        Answer got = server.get("/asset_registry/" + asset.get("id").asString(), server.adminToken);
        assertThat(got.status()).isEqualTo(200);
        assertThat(got.text("/asset_registry_public_url")).isEqualTo("http://192.168.0.106:31700");
        // the same name again is a conflict
        assertThat(curl(seedCurl("/asset_registry")).at("/error/status").asInt())
                .isEqualTo(409);
    }

    @Test
    void listFiltersAndValidation() {
        for (String name : List.of("a", "b", "c")) {
            assertThat(server.post(
                                    "/inference_server",
                                    "{\"inference_server_name\":\"srv-" + name
                                            + "\",\"inference_server_public_url\":\"http://10.0.0.1:31500\",\"inference_server_tags\":[\"nlp\""
                                            + (name.equals("c") ? ",\"vision\"" : "")
                                            + "],\"inference_server_metadata\":{\"" + name + "\":1}}",
                                    server.adminToken)
                            .status())
                    .isEqualTo(201);
        }
        assertThat(names(server.get("/inference_server?tag=nlp&tag=vision", server.adminToken)))
                .containsExactly("srv-c");
        assertThat(names(server.get("/inference_server?metadataKey=b", server.adminToken)))
                .containsExactly("srv-b");
        Answer bad = server.post("/inference_server", "{\"inference_server_public_url\":\"nope\"}", server.adminToken);
        assertThat(bad.status()).isEqualTo(422);
        assertThat(bad.body().at("/error/details/0/path").asString()).isEqualTo("/inference_server_name");
        Answer unknownCluster = server.post(
                "/container_registry",
                "{\"container_registry_name\":\"x\","
                        + "\"container_registry_public_url\":\"https://x:5000\",\"cluster_id\":\"no-such-cluster\"}",
                server.adminToken);
        assertThat(unknownCluster.status()).isEqualTo(422);
        assertThat(unknownCluster.body().at("/error/details/0/path").asString()).isEqualTo("/cluster_id");
    }

    @Test
    void ownersSeeTheirOwnAndBoundClustersAreProtected() {
        String erin = server.ownerToken("erin");
        Answer mine = server.post(
                "/asset_registry",
                "{\"asset_registry_name\":\"erin-assets\","
                        + "\"asset_registry_public_url\":\"http://10.1.1.1:31700\"}",
                erin);
        assertThat(mine.status()).isEqualTo(201);
        assertThat(names(server.get("/asset_registry", erin))).containsExactly("erin-assets");
        String frank = server.ownerToken("frank");
        assertThat(server.get("/asset_registry/" + mine.text("/id"), frank).status())
                .isEqualTo(404);
        assertThat(server.send("DELETE", "/asset_registry/" + mine.text("/id"), null, frank)
                        .status())
                .isEqualTo(404);
        assertThat(server.send("DELETE", "/asset_registry/" + mine.text("/id"), null, erin)
                        .status())
                .isEqualTo(200);

        server.post("/api/createCluster", TestServer.seedWithId("hosts-addons"), server.adminToken);
        Answer bound = server.post(
                "/container_registry",
                "{\"container_registry_name\":\"bound\","
                        + "\"container_registry_public_url\":\"https://r:5000\",\"cluster_id\":\"hosts-addons\"}",
                server.adminToken);
        assertThat(bound.status()).isEqualTo(201);
        Answer refused = server.send("DELETE", "/api/v1/clusters/hosts-addons", null, server.adminToken);
        assertThat(refused.status()).isEqualTo(409);
        assertThat(refused.text("/error/message")).contains("add-on");
        assertThat(refused.text("/error/message")).contains("?cascade=true");
        assertThat(refused.text("/error/next/path")).isEqualTo("/api/v1/clusters/hosts-addons?cascade=true");
        // with the flag, the cluster and the add-ons bound to it go together
        Answer cascaded = server.send("DELETE", "/api/v1/clusters/hosts-addons?cascade=true", null, server.adminToken);
        assertThat(cascaded.status()).as(cascaded.body().toString()).isEqualTo(200);
        assertThat(cascaded.body().get("addonsDeleted").toString())
                .as("the answer says what went with it")
                .isEqualTo("[\"container_registry " + bound.text("/id") + "\"]");
        assertThat(server.get("/container_registry/" + bound.text("/id"), server.adminToken)
                        .status())
                .isEqualTo(404);
        assertThat(server.get("/api/v1/clusters/hosts-addons", server.adminToken)
                        .status())
                .isEqualTo(404);
    }

    @Test
    void theSeedsExecutorRegistrationKeepsItsIdAndARegisteredExecutorJudgesTheNetworksPolicy() throws Exception {
        JsonNode executor = curl(seedCurl("/executor"));
        assertThat(executor.get("id").asString()).isEqualTo("executor-001");
        assertThat(executor.at("/system/infra/status").asString()).isEqualTo("none");
        assertThat(executor.at("/system/infra/internalUrl").asString())
                .isEqualTo("http://executor-001.policies-system.svc.cluster.local:10250");
        assertThat(executor.get("publicUrl").isNull()).isTrue();
        assertThat(curl(seedCurl("/executor")).at("/error/status").asInt()).isEqualTo(409);

        // an executor that runs somewhere the owner already knows, on loopback: it denies, saying why
        HttpServer judge = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        AtomicReference<JsonNode> asked = new AtomicReference<>();
        judge.createContext("/run", ex -> {
            asked.set(Json.MAPPER.readTree(ex.getRequestBody().readAllBytes()));
            byte[] b = "{\"allowed\": false, \"reason\": \"the judge says no\"}".getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, b.length);
            ex.getResponseBody().write(b);
            ex.close();
        });
        judge.start();
        try {
            Answer registered = server.post(
                    "/executor",
                    "{\"executor_id\": \"judge\", \"executor_public_url\": " + "\"http://127.0.0.1:"
                            + judge.getAddress().getPort() + "\"}",
                    server.adminToken);
            assertThat(registered.status()).isEqualTo(201);
            assertThat(server.send(
                                    "PUT",
                                    "/api/v1/policies/add_cluster",
                                    ("{\"rules\": [], \"executor\": "
                                                    + "{\"executorId\": \"judge\", \"policyRuleUri\": \"policies/admission:v1\"}}")
                                            .getBytes(StandardCharsets.UTF_8),
                                    server.adminToken)
                            .status())
                    .isEqualTo(201);
            Answer denied =
                    server.post("/api/createCluster", TestServer.seedWithId("judged-cluster"), server.adminToken);
            assertThat(denied.status()).isEqualTo(403);
            assertThat(denied.text("/error/message")).contains("the judge says no");
            assertThat(asked.get().get("policy_rule_uri").asString()).isEqualTo("policies/admission:v1");
            assertThat(asked.get().at("/input_data/cluster_data/id").asString()).isEqualTo("judged-cluster");

            // an executor that is registered but not deployed has no URL: the check fails, it does not deny
            server.send(
                    "PUT",
                    "/api/v1/policies/add_cluster",
                    "{\"rules\": [], \"executor\": {\"executorId\": \"executor-001\"}}"
                            .getBytes(StandardCharsets.UTF_8),
                    server.adminToken);
            Answer failed =
                    server.post("/api/createCluster", TestServer.seedWithId("judged-cluster"), server.adminToken);
            assertThat(failed.status()).isEqualTo(502);
            assertThat(failed.text("/error/message")).contains("executor-001");
        } finally {
            server.send(
                    "PUT",
                    "/api/v1/policies/add_cluster",
                    "{\"rules\": []}".getBytes(StandardCharsets.UTF_8),
                    server.adminToken);
            judge.stop(0);
        }
    }

    @Test
    void aSplitRunnerWithoutItsHostOrWithABadKubeconfigIsRefusedAndNothingIsStored() throws Exception {
        Answer noHost = server.post(
                "/split-runner",
                "{\"cluster_k8s_config\": {\"apiVersion\": \"v1\"}, " + "\"split_runner_tags\": [\"a\"]}",
                server.adminToken);
        assertThat(noHost.status()).isEqualTo(422);
        assertThat(noHost.body().at("/error/details/0/path").asString()).isEqualTo("/split_runner_public_host");
        Answer badKubeconfig = server.post(
                "/split-runner",
                "{\"cluster_k8s_config\": {\"apiVersion\": \"v1\"}, "
                        + "\"split_runner_public_host\": \"192.168.0.106\"}",
                server.adminToken);
        assertThat(badKubeconfig.status()).isEqualTo(422);
        assertThat(badKubeconfig.text("/error/code")).isEqualTo("invalid_kubeconfig");
        assertThat(badKubeconfig.body().at("/error/details/0/path").asString()).startsWith("/cluster_k8s_config");
        assertThat(server.get("/split-runner", server.adminToken)
                        .body()
                        .get("items")
                        .size())
                .isZero();
        // registries are not deployed: no infra paths for them
        assertThat(server.post("/asset_registry/x/create-infra", "{}", server.adminToken)
                        .status())
                .isEqualTo(404);
    }

    static List<String> names(Answer a) {
        List<String> out = new ArrayList<>();
        a.body()
                .get("items")
                .forEach(i -> out.add(
                        i.get("inference_server_name") != null
                                ? i.get("inference_server_name").asString()
                                : i.get("asset_registry_name").asString()));
        return out;
    }
}
