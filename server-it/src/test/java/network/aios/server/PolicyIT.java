package network.aios.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import network.aios.server.TestServer.Answer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The network pre-check policy as the Parser applies it: deny, allow, versions, dry run, executor failure. */
class PolicyIT {
    TestServer server;

    @BeforeEach
    void start() {
        server = new TestServer();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private Answer setPolicy(String action, String json) {
        return server.send(
                "PUT", "/api/v1/policies/" + action, json.getBytes(StandardCharsets.UTF_8), server.adminToken);
    }

    @Test
    void denyAnswers403WithEveryFailedRuleAndWritesNothing() {
        assertThat(setPolicy("add_cluster", """
                {"rules": [
                  {"expression": "cluster_data.gpus.count >= 4", "message": "at least 4 GPUs"},
                  {"expression": "cluster_data.regionId.startsWith('us-')", "message": "US regions only"},
                  {"expression": "size(cluster_data.tags) > 0", "message": "tags needed"}]}""").status()).isEqualTo(201);
        Answer a = server.post(
                "/api/createCluster",
                TestServer.seedWithId("too-small").replace("us-west-2", "eu-west-1"),
                server.adminToken);
        assertThat(a.status()).isEqualTo(403);
        assertThat(a.text("/error/code")).isEqualTo("policy_denied");
        assertThat(a.text("/error/message"))
                .contains("at least 4 GPUs", "US regions only")
                .doesNotContain("tags needed");
        assertThat(server.get("/api/v1/clusters/too-small", server.adminToken).status())
                .isEqualTo(404);
    }

    @Test
    void admittedClusterRecordsThePolicyVersion() {
        setPolicy("add_cluster", "{\"rules\":[{\"expression\":\"cluster_data.gpus.count >= 1\",\"message\":\"GPU\"}]}");
        setPolicy(
                "add_cluster",
                "{\"rules\":[{\"expression\":\"cluster_data.gpus.count >= 2\",\"message\":\"2 GPUs\"}]}");
        Answer a = server.post("/api/createCluster", TestServer.seedWithId("admitted"), server.adminToken);
        assertThat(a.status()).isEqualTo(201);
        assertThat(a.body().at("/system/admittedBy/action").asString()).isEqualTo("add_cluster");
        assertThat(a.body().at("/system/admittedBy/policyVersion").asInt()).isEqualTo(2);
        Answer versions = server.get("/api/v1/policies/add_cluster/versions", server.adminToken);
        assertThat(versions.body().at("/items").size()).isEqualTo(2);
        assertThat(server.get("/api/v1/policies/add_cluster/versions/1", server.adminToken)
                        .body()
                        .at("/rules/0/message")
                        .asString())
                .isEqualTo("GPU");
        assertThat(server.get("/api/v1/policies/add_cluster", server.adminToken)
                        .body()
                        .get("version")
                        .asInt())
                .isEqualTo(2);
    }

    @Test
    void invalidPoliciesAre422WithPointers() {
        Answer a = setPolicy(
                "add_cluster",
                "{\"rules\":[{\"expression\":\"cluster_data.gpus.count >=\",\"message\":\"m\"},"
                        + "{\"expresion\":\"true\"}]}");
        assertThat(a.status()).isEqualTo(422);
        assertThat(a.body().at("/error/details/0/path").asString()).startsWith("/rules/1");
        Answer b = setPolicy(
                "add_cluster", "{\"rules\":[{\"expression\":\"cluster_data.gpus.count >=\",\"message\":\"m\"}]}");
        assertThat(b.body().at("/error/details/0/path").asString()).isEqualTo("/rules/0/expression");
        assertThat(setPolicy("no_such_action", "{}").status()).isEqualTo(404);
        assertThat(server.get("/api/v1/policies/add_cluster", server.adminToken)
                        .body()
                        .get("version")
                        .isNull())
                .isTrue();
    }

    @Test
    void dryRunEvaluatesAGivenOrTheCurrentPolicyWithoutStoringIt() {
        String doc = new String(TestServer.example("cluster-nocomments.json"), StandardCharsets.UTF_8);
        Answer given = server.post(
                "/api/v1/policies/add_cluster/dry-run",
                "{\"cluster_data\":" + doc
                        + ",\"policy\":{\"rules\":[{\"expression\":\"cluster_data.memory > 1000000\",\"message\":\"1 TB\"}]}}",
                server.adminToken);
        assertThat(given.status()).isEqualTo(200);
        assertThat(given.body().get("allowed").asBoolean()).isFalse();
        assertThat(given.text("/reasons/0")).isEqualTo("1 TB");
        Answer current = server.post(
                "/api/v1/policies/add_cluster/dry-run", "{\"cluster_data\":" + doc + "}", server.adminToken);
        assertThat(current.body().get("allowed").asBoolean()).isTrue();
        assertThat(server.get("/api/v1/policies/add_cluster/versions", server.adminToken)
                        .body()
                        .at("/items")
                        .size())
                .isZero();
    }

    @Test
    void ownersCheckTheirDocumentAgainstThePolicyInForceButCannotTryOne() {
        String owner = server.ownerToken("dave");
        String doc = new String(TestServer.example("cluster-nocomments.json"), StandardCharsets.UTF_8);
        Answer dry = server.post("/api/v1/policies/add_cluster/dry-run", "{\"cluster_data\":" + doc + "}", owner);
        assertThat(dry.status()).isEqualTo(403);
        Answer tryOne = server.post(
                "/api/v1/policies/add_cluster/check",
                "{\"cluster_data\":" + doc + ",\"policy\":{\"executor\":{\"url\":\"http://127.0.0.1:1/run\"}}}",
                owner);
        assertThat(tryOne.status()).isEqualTo(422);
        assertThat(tryOne.text("/error/details/0/path")).isEqualTo("/policy");
        Answer check = server.post("/api/v1/policies/add_cluster/check", "{\"cluster_data\":" + doc + "}", owner);
        assertThat(check.status()).isEqualTo(200);
        assertThat(check.body().get("allowed").asBoolean()).isTrue();
    }

    @Test
    void aPolicyUsesOnlyAnExecutorTheAdminRegisteredOrTheOwnerItNames() {
        String mallory = server.ownerToken("mallory-exec");
        // an owner registers the id first: the admin's policy naming it is refused, not silently bound to it
        assertThat(server.post(
                                "/executor",
                                "{\"executor_id\":\"squatted\",\"executor_public_url\":" + "\"http://127.0.0.1:1\"}",
                                mallory)
                        .status())
                .isEqualTo(201);
        Answer refused =
                setPolicy("add_cluster", "{\"executor\":{\"executorId\":\"squatted\",\"policyRuleUri\":\"p\"}}");
        assertThat(refused.status()).isEqualTo(422);
        assertThat(refused.text("/error/details/0/path")).isEqualTo("/executor/executorId");
        // naming the owner is the admin's explicit trust
        assertThat(setPolicy(
                                "add_cluster",
                                "{\"executor\":{\"executorId\":\"squatted\",\"owner\":\"mallory-exec\","
                                        + "\"policyRuleUri\":\"p\"}}")
                        .status())
                .isEqualTo(201);
        // a policy set before the id was registered does not follow a look-alike registered later
        setPolicy("add_cluster", "{\"executor\":{\"executorId\":\"later\",\"policyRuleUri\":\"p\"}}");
        assertThat(server.post(
                                "/executor",
                                "{\"executor_id\":\"later\",\"executor_public_url\":" + "\"http://127.0.0.1:1\"}",
                                mallory)
                        .status())
                .isEqualTo(201);
        Answer a = server.post("/api/createCluster", TestServer.seedWithId("not-squatted"), server.adminToken);
        assertThat(a.status()).isEqualTo(502);
        assertThat(a.text("/error/message")).contains("not registered by the network admin");
        setPolicy("add_cluster", "{\"rules\":[]}");
    }

    @Test
    void onlyTheAdminSetsPolicies() {
        String owner = server.ownerToken("carol");
        Answer a = server.send(
                "PUT", "/api/v1/policies/add_cluster", "{\"rules\":[]}".getBytes(StandardCharsets.UTF_8), owner);
        assertThat(a.status()).isEqualTo(403);
        assertThat(server.get("/api/v1/policies/add_cluster", owner).status()).isEqualTo(200);
    }

    @Test
    void unreachableExecutorIs502NotADenial() throws Exception {
        HttpServer down = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        down.createContext("/", ex -> {
            ex.sendResponseHeaders(503, -1);
            ex.close();
        });
        down.start();
        try {
            setPolicy(
                    "add_cluster",
                    "{\"executor\":{\"url\":\"http://127.0.0.1:"
                            + down.getAddress().getPort()
                            + "/run\",\"policyRuleUri\":\"p:1\",\"timeoutMillis\":2000}}");
            Answer a = server.post("/api/createCluster", TestServer.seedWithId("exec-down"), server.adminToken);
            assertThat(a.status()).isEqualTo(502);
            assertThat(a.text("/error/code")).isEqualTo("policy_executor_failed");
            assertThat(server.get("/api/v1/clusters/exec-down", server.adminToken)
                            .status())
                    .isEqualTo(404);
        } finally {
            down.stop(0);
        }
    }

    @Test
    void updateAndRemovePoliciesGuardThoseActions() {
        server.post("/api/createCluster", TestServer.seedWithId("guarded"), server.adminToken);
        setPolicy(
                "update_cluster",
                "{\"rules\":[{\"expression\":\"cluster_data.regionId == old_cluster_data.regionId\","
                        + "\"message\":\"region is fixed\"}]}");
        setPolicy(
                "remove_cluster",
                "{\"rules\":[{\"expression\":\"!('production' in cluster_data.tags)\","
                        + "\"message\":\"production clusters stay\"}]}");
        Answer move = server.send(
                "PATCH",
                "/api/v1/clusters/guarded",
                "{\"regionId\":\"eu-west-1\"}".getBytes(StandardCharsets.UTF_8),
                server.adminToken);
        assertThat(move.status()).isEqualTo(403);
        assertThat(move.text("/error/message")).contains("region is fixed");
        Answer del = server.send("DELETE", "/api/v1/clusters/guarded", null, server.adminToken);
        assertThat(del.status()).isEqualTo(403);
        assertThat(del.text("/error/message")).contains("production clusters stay");
        assertThat(server.get("/api/v1/clusters/guarded", server.adminToken).status())
                .isEqualTo(200);
    }

    @Test
    void startingPolicyComesFromTheConfigFileOnce() throws Exception {
        Path file = Files.createTempFile("policies", ".yaml");
        Files.writeString(file, """
                add_cluster:
                  rules:
                    - name: gpu-required
                      expression: cluster_data.gpus.count >= 100
                      message: the network only admits clusters with 100+ GPUs
                """);
        try (TestServer seeded = new TestServer(file)) {
            Answer a = seeded.post("/api/createCluster", TestServer.seedWithId("small"), seeded.adminToken);
            assertThat(a.status()).isEqualTo(403);
            assertThat(a.text("/error/message")).contains("100+ GPUs");
            assertThat(seeded.get("/api/v1/policies/add_cluster", seeded.adminToken)
                            .text("/createdBy"))
                    .isEqualTo("policy-file");
        }
    }
}
