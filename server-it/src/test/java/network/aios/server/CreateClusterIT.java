package network.aios.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import network.aios.server.TestServer.Answer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** POST /api/createCluster over HTTP against the real PostgreSQL. */
class CreateClusterIT {
    static TestServer server;

    @BeforeAll
    static void start() {
        server = new TestServer();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void seedFileVerbatimIsRegisteredWithBasicAuthLikeTheSeedsCurl() {
        Answer a = server.send(
                "POST",
                "/api/createCluster",
                TestServer.example("cluster.json"),
                null,
                "Authorization",
                TestServer.basic("admin", server.adminToken));
        assertThat(a.status()).isEqualTo(201);
        assertThat(a.text("/id")).isEqualTo("cluster-west-vision-001");
        assertThat(a.text("/status")).isEqualTo("registered");
        assertThat(a.text("/system/requestedStatus")).isEqualTo("live");
        assertThat(a.text("/system/owner")).isEqualTo("admin");
        assertThat(a.body().get("reputation").asDouble())
                .as("the priors' 50: a new cluster starts at neither end")
                .isEqualTo(50.0);
        assertThat(a.body().at("/system/version").asLong()).isEqualTo(1);
        assertThat(a.body().at("/gpus/memory").asLong()).isEqualTo(49152);
        assertThat(a.headers().firstValue("ETag")).contains("\"1\"");
        assertThat(a.headers().firstValue("Location")).contains("/api/v1/clusters/cluster-west-vision-001");

        Answer again = server.get("/api/v1/clusters/cluster-west-vision-001", server.adminToken);
        // status and urlMap change without a new version: no cache may serve the document without asking
        assertThat(again.headers().firstValue("Cache-Control")).contains("no-cache");
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.body().at("/clusterMetadata/miscContactInfo/slack").asString())
                .isEqualTo("#ml-infra");
    }

    @Test
    void curlDashDOfTheCommentedFileGetsA400ThatSuggestsDataBinary() {
        String flattened = new String(TestServer.example("cluster.json"), StandardCharsets.UTF_8)
                .replace("cluster-west-vision-001", "flat-commented")
                .replace("\n", "");
        Answer a = server.post("/api/createCluster", flattened, server.adminToken);
        assertThat(a.status()).isEqualTo(400);
        assertThat(a.text("/error/code")).isEqualTo("malformed_json");
        assertThat(a.text("/error/message")).contains("line 1, column");
        assertThat(a.text("/error/hint")).contains("--data-binary");
        assertThat(server.get("/api/v1/clusters/flat-commented", server.adminToken)
                        .status())
                .isEqualTo(404);
    }

    @Test
    void curlDashDOfTheUncommentedFileWorks() {
        String flattened = new String(TestServer.example("cluster-nocomments.json"), StandardCharsets.UTF_8)
                .replace("cluster-west-vision-001", "flat-plain")
                .replace("\n", "");
        assertThat(server.post("/api/createCluster", flattened, server.adminToken)
                        .status())
                .isEqualTo(201);
    }

    @Test
    void everyValidationErrorComesBackAsAPointer() {
        String doc = TestServer.seedWithId("Bad_ID")
                .replace("\"count\": 48", "\"count\": 47")
                .replace("\"policyExecutionMode\": \"local\"", "\"policyExecutionMode\": \"anywhere\"");
        Answer a = server.post("/api/createCluster", doc, server.adminToken);
        assertThat(a.status()).isEqualTo(422);
        assertThat(a.text("/error/code")).isEqualTo("validation_failed");
        List<String> paths = new ArrayList<>();
        a.body().at("/error/details").forEach(d -> paths.add(d.get("path").asString()));
        assertThat(paths).containsExactlyInAnyOrder("/id", "/vcpus/count", "/config/policyExecutionMode");
    }

    @Test
    void malformedJsonIs400WithLineAndColumn() {
        Answer a = server.post("/api/createCluster", "{\n \"id\": \"x\",\n oops\n}", server.adminToken);
        assertThat(a.status()).isEqualTo(400);
        assertThat(a.text("/error/message")).contains("line 3");
    }

    @Test
    void nonObjectAndEmptyBodiesAreClientErrors() {
        assertThat(server.post("/api/createCluster", "[]", server.adminToken).status())
                .isEqualTo(422);
        assertThat(server.post("/api/createCluster", "", server.adminToken).status())
                .isEqualTo(400);
        assertThat(server.post("/api/createCluster", "\"text\"", server.adminToken)
                        .status())
                .isEqualTo(422);
        assertThat(server.post("/api/createCluster", "{\"id\": 1e999}", server.adminToken)
                        .status())
                .isEqualTo(422);
    }

    @Test
    void envelopeIsAcceptedAndItsErrorsPointIntoIt() {
        String inner = new String(TestServer.example("cluster-nocomments.json"), StandardCharsets.UTF_8)
                .replace("cluster-west-vision-001", "enveloped");
        String env = "{\"header\":{\"templateUri\":\"Parser/V1\",\"mode\":\"cluster\"},\"body\":{\"spec\":{\"values\":"
                + inner + "}}}";
        assertThat(server.post("/api/createCluster", env, server.adminToken).status())
                .isEqualTo(201);
        Answer bad =
                server.post("/api/createCluster", env.replace("\"regionId\": \"us-west-2\",", ""), server.adminToken);
        assertThat(bad.status()).isEqualTo(422);
        assertThat(bad.body().at("/error/details/0/path").asString()).isEqualTo("/body/spec/values/regionId");
    }

    @Test
    void duplicateIdIs409AndTheFirstDocumentStays() {
        assertThat(server.post("/api/createCluster", TestServer.seedWithId("dup"), server.adminToken)
                        .status())
                .isEqualTo(201);
        Answer second = server.post(
                "/api/createCluster",
                TestServer.seedWithId("dup").replace("us-west-2", "eu-west-1"),
                server.adminToken);
        assertThat(second.status()).isEqualTo(409);
        assertThat(server.get("/api/v1/clusters/dup", server.adminToken).text("/regionId"))
                .isEqualTo("us-west-2");
    }

    @Test
    void sixtyFourConcurrentCreatesOfOneIdYieldOne201AndSixtyThree409s() throws Exception {
        String doc = TestServer.seedWithId("race-64");
        ExecutorService pool = Executors.newFixedThreadPool(64);
        try {
            List<Callable<Integer>> calls = new ArrayList<>();
            for (int i = 0; i < 64; i++) {
                calls.add(() -> server.post("/api/createCluster", doc, server.adminToken)
                        .status());
            }
            List<Integer> statuses = new ArrayList<>();
            for (Future<Integer> f : pool.invokeAll(calls)) {
                statuses.add(f.get());
            }
            assertThat(statuses).filteredOn(s -> s == 201).hasSize(1);
            assertThat(statuses).filteredOn(s -> s == 409).hasSize(63);
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void dryRunRunsEverythingButTheWrite() {
        Answer a = server.post("/api/createCluster?dryRun=true", TestServer.seedWithId("dry"), server.adminToken);
        assertThat(a.status()).isEqualTo(200);
        assertThat(a.body().get("dryRun").asBoolean()).isTrue();
        assertThat(server.get("/api/v1/clusters/dry", server.adminToken).status())
                .isEqualTo(404);
        assertThat(server.post("/api/createCluster?dryRun=true", TestServer.seedWithId("Bad!"), server.adminToken)
                        .status())
                .isEqualTo(422);
    }

    @Test
    void oversizedBodyIs413() {
        String big = "{\"id\":\"big\",\"padding\":\"" + "x".repeat(1_100_000) + "\"}";
        Answer a = server.post("/api/createCluster", big, server.adminToken);
        assertThat(a.status()).isEqualTo(413);
        assertThat(a.text("/error/code")).isEqualTo("payload_too_large");
    }

    @Test
    void unauthenticatedAndBadTokensAre401() {
        Answer none = server.post("/api/createCluster", TestServer.seedWithId("anon"), null);
        assertThat(none.status()).isEqualTo(401);
        assertThat(none.headers().firstValue("WWW-Authenticate"))
                .hasValueSatisfying(v -> assertThat(v).contains("Basic"));
        assertThat(server.post(
                                "/api/createCluster",
                                TestServer.seedWithId("anon"),
                                "aios_0000000000000000_" + "A".repeat(43))
                        .status())
                .isEqualTo(401);
        assertThat(server.send(
                                "GET",
                                "/api/v1/clusters",
                                null,
                                null,
                                "Authorization",
                                TestServer.basic("admin", "wrong"))
                        .status())
                .isEqualTo(401);
        assertThat(server.get("/healthz", null).status()).isEqualTo(200);
    }

    @Test
    void unknownRoutesAnswerInTheErrorShape() {
        Answer a = server.get("/api/v1/nothing-here", server.adminToken);
        assertThat(a.status()).isEqualTo(404);
        assertThat(a.text("/error/code")).isEqualTo("not_found");
    }

    @Test
    void garbageNeverCausesA500() {
        List<String> bodies = List.of(
                "{",
                "}",
                "null",
                "0",
                "{\"nodes\":null}",
                "{\"nodes\":{\"nodeData\":{}}}",
                "{\"nodes\":{\"nodeData\":[null,1,\"x\",[]]}}",
                "{\"gpus\":[],\"memory\":{}}",
                "{\"id\":\"a\",\"regionId\":\"r\",\"nodes\":{\"nodeData\":[{\"id\":\"n\",\"vcpus\":{\"count\":1},"
                        + "\"memory\":1,\"gpus\":{\"gpus\":[{\"memory\":-1}]}}]},\"storage\":7}",
                "\u0000\u0001",
                "{\"a\":1,\"a\":2}",
                "[".repeat(5000));
        for (String b : bodies) {
            int status = server.post("/api/createCluster", b, server.adminToken).status();
            assertThat(status)
                    .as("body %s", b.length() > 40 ? b.substring(0, 40) : b)
                    .isBetween(400, 499);
        }
    }
}
