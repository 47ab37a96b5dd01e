package network.aios.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
                .status()).isEqualTo(201);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /** The seed's curl command that posts to {@code path}, with its URL pointed at this server. */
    static String seedCurl(String path) throws Exception {
        String md = Files.readString(Path.of("..", "..", "shared", "seed", "onboarding-cluster.md"));
        Matcher m = Pattern.compile("```sh\\n(curl -X POST [^\\n]*" + Pattern.quote(path) + "[^`]*?)```", Pattern.DOTALL)
                .matcher(md);
        assertThat(m.find()).as("the seed has a curl for " + path).isTrue();
        String base = "http://admin:" + server.adminToken + "@127.0.0.1:" + server.cp.port();
        return m.group(1).replaceFirst("(\"?)(<[^>]+>|http://[^/\" ]+)" + Pattern.quote(path), "$1" + base + path);
    }

    static JsonNode curl(String command) throws Exception {
        Path dir = Files.createTempDirectory("seed-curl");
        Files.copy(Path.of("..", "examples", "container-registry-entry.json"), dir.resolve("entry.json"));
        Process p = new ProcessBuilder("bash", "-c", command.strip() + " -s").directory(dir.toFile()).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).isZero();
        return Json.parse(out);
    }

    @Test
    void theSeedsCurlCommandsRegisterEachKind() throws Exception {
        JsonNode asset = curl(seedCurl("/asset_registry"));
        assertThat(asset.get("id").asString()).startsWith("asset-registry-");
        assertThat(asset.get("asset_registry_name").asString()).isEqualTo("ResNet Models registry");
        JsonNode inference = curl(seedCurl("/inference_server"));
        assertThat(inference.at("/inference_server_metadata/gpu_available").asBoolean()).isTrue();
        JsonNode registry = curl(seedCurl("/container_registry"));
        assertThat(registry.get("cluster_id").asString()).isEqualTo("cluster-west-vision-001");

        Answer got = server.get("/asset_registry/" + asset.get("id").asString(), server.adminToken);
        assertThat(got.status()).isEqualTo(200);
        assertThat(got.text("/asset_registry_public_url")).isEqualTo("http://192.168.0.106:31700");
        // the same name again is a conflict
        assertThat(curl(seedCurl("/asset_registry")).at("/error/status").asInt()).isEqualTo(409);
    }

    @Test
    void listFiltersAndValidation() {
        for (String name : List.of("a", "b", "c")) {
            assertThat(server.post("/inference_server", "{\"inference_server_name\":\"srv-" + name
                    + "\",\"inference_server_public_url\":\"http://10.0.0.1:31500\",\"inference_server_tags\":[\"nlp\""
                    + (name.equals("c") ? ",\"vision\"" : "") + "],\"inference_server_metadata\":{\"" + name + "\":1}}",
                    server.adminToken).status()).isEqualTo(201);
        }
        assertThat(names(server.get("/inference_server?tag=nlp&tag=vision", server.adminToken))).containsExactly("srv-c");
        assertThat(names(server.get("/inference_server?metadataKey=b", server.adminToken))).containsExactly("srv-b");
        Answer bad = server.post("/inference_server", "{\"inference_server_public_url\":\"nope\"}", server.adminToken);
        assertThat(bad.status()).isEqualTo(422);
        assertThat(bad.body().at("/error/details/0/path").asString()).isEqualTo("/inference_server_name");
        Answer unknownCluster = server.post("/container_registry", "{\"container_registry_name\":\"x\","
                + "\"container_registry_public_url\":\"https://x:5000\",\"cluster_id\":\"no-such-cluster\"}",
                server.adminToken);
        assertThat(unknownCluster.status()).isEqualTo(422);
        assertThat(unknownCluster.body().at("/error/details/0/path").asString()).isEqualTo("/cluster_id");
    }

    @Test
    void ownersSeeTheirOwnAndBoundClustersAreProtected() {
        String erin = server.ownerToken("erin");
        Answer mine = server.post("/asset_registry", "{\"asset_registry_name\":\"erin-assets\","
                + "\"asset_registry_public_url\":\"http://10.1.1.1:31700\"}", erin);
        assertThat(mine.status()).isEqualTo(201);
        assertThat(names(server.get("/asset_registry", erin))).containsExactly("erin-assets");
        String frank = server.ownerToken("frank");
        assertThat(server.get("/asset_registry/" + mine.text("/id"), frank).status()).isEqualTo(404);
        assertThat(server.send("DELETE", "/asset_registry/" + mine.text("/id"), null, frank).status()).isEqualTo(404);
        assertThat(server.send("DELETE", "/asset_registry/" + mine.text("/id"), null, erin).status()).isEqualTo(200);

        server.post("/api/createCluster", TestServer.seedWithId("hosts-addons"), server.adminToken);
        Answer bound = server.post("/container_registry", "{\"container_registry_name\":\"bound\","
                + "\"container_registry_public_url\":\"https://r:5000\",\"cluster_id\":\"hosts-addons\"}", server.adminToken);
        assertThat(bound.status()).isEqualTo(201);
        Answer refused = server.send("DELETE", "/api/v1/clusters/hosts-addons", null, server.adminToken);
        assertThat(refused.status()).isEqualTo(409);
        assertThat(refused.text("/error/message")).contains("add-on");
        server.send("DELETE", "/container_registry/" + bound.text("/id"), null, server.adminToken);
        assertThat(server.send("DELETE", "/api/v1/clusters/hosts-addons", null, server.adminToken).status()).isEqualTo(200);
    }

    static List<String> names(Answer a) {
        List<String> out = new ArrayList<>();
        a.body().get("items").forEach(i -> out.add(i.get("inference_server_name") != null
                ? i.get("inference_server_name").asString() : i.get("asset_registry_name").asString()));
        return out;
    }
}
