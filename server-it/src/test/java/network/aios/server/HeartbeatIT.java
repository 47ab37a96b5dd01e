package network.aios.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import network.aios.api.Json;
import network.aios.server.TestServer.Answer;
import network.aios.store.ClusterStore;
import network.aios.store.InfraPhase;
import network.aios.store.ObservationStore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** Heartbeats as an agent sends them: who may send them, what they verify, what silence does. */
class HeartbeatIT {
    static final Duration GRACE = Duration.ofSeconds(2);

    /**
     * How long a test waits for what must happen: generous, because these tests say that it happens, not how
     * soon (detection within grace + 5 s is HeartbeatBench's figure, measured where a loaded machine cannot
     * fail a build).
     */
    static final Duration EVENTUALLY = Duration.ofSeconds(60);

    static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.configured(c -> c.withHeartbeatGrace(GRACE));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /** A cluster registered and marked live as its infrastructure job would, and its agents' token. */
    static String liveCluster(String id) {
        assertThat(server.post("/api/createCluster", TestServer.seedWithId(id), server.adminToken)
                        .status())
                .isEqualTo(201);
        new ClusterStore(server.db).setInfra(id, network.aios.store.InfraPhase.READY, null, "test", Instant.now());
        return server.cp.tokens().issueAgent(id, "test").token();
    }

    static ObjectNode node(String name, String nodeId, int cpu, long memMb, int gpus, String product) {
        ObjectNode n = Json.object().put("name", name).put("nodeId", nodeId).put("ready", true);
        n.putObject("capacity")
                .put("vcpus", cpu)
                .put("memoryMB", memMb)
                .put("ephemeralStorageMB", 100000)
                .put("gpus", gpus);
        n.putObject("gpu").put("product", product).put("count", gpus);
        return n;
    }

    /** The seed's two nodes as the cluster reports them; {@code secondId} relabels the second. */
    static String beat(String secondId) {
        ObjectNode body = Json.object();
        body.putObject("agent").put("role", "controller").put("version", "test");
        ArrayNode nodes = body.putObject("inventory").putArray("nodes");
        nodes.add(node("worker-node-1", "node-1", 32, 128_500, 2, "NVIDIA-A100-SXM4-40GB"));
        nodes.add(node("worker-node-2", secondId, 16, 64_200, 1, "Tesla-V100-PCIE-16GB"));
        return body.toString();
    }

    static JsonNode health(String id) {
        return server.get("/api/v1/clusters/" + id + "/health", server.adminToken)
                .body();
    }

    static String condition(JsonNode health, int i) {
        return health.at("/conditions/" + i + "/type").asString() + "="
                + health.at("/conditions/" + i + "/status").asString();
    }

    @Test
    void aTruthfulClusterIsReadyAndVerifiedADriftedOneDegradedWithTheDiff() {
        String token = liveCluster("hb-truthful");
        Answer ok = server.post("/api/v1/clusters/hb-truthful/heartbeat", beat("node-2"), token);
        assertThat(ok.status()).as(ok.body().toString()).isEqualTo(200);
        assertThat(ok.body().get("inventoryVerified").asBoolean()).isTrue();
        JsonNode h = health("hb-truthful");
        assertThat(condition(h, 0)).isEqualTo("Ready=True");
        assertThat(condition(h, 1)).isEqualTo("InventoryVerified=True");
        assertThat(h.at("/observed/nodes/1/gpu/product").asString()).isEqualTo("Tesla-V100-PCIE-16GB");

        Answer drifted = server.post("/api/v1/clusters/hb-truthful/heartbeat", beat("node-9"), token);
        assertThat(drifted.body().get("inventoryVerified").asBoolean()).isFalse();
        JsonNode d = health("hb-truthful");
        assertThat(condition(d, 1)).isEqualTo("InventoryVerified=False");
        assertThat(d.at("/drift").toString())
                .contains("/nodes/nodeData/1/id", "no node labelled nodeID=node-2", "nodeID=node-9");
        assertThat(server.get("/api/v1/clusters/hb-truthful", server.adminToken).text("/status"))
                .isEqualTo("degraded");

        server.post("/api/v1/clusters/hb-truthful/heartbeat", beat("node-2"), token);
        assertThat(condition(health("hb-truthful"), 1)).isEqualTo("InventoryVerified=True");
        assertThat(server.get("/api/v1/clusters/hb-truthful", server.adminToken).text("/status"))
                .isEqualTo("live");
    }

    @Test
    void aSilentClusterBecomesUnknownAndDegradedThenRecovers() {
        String token = liveCluster("hb-silent");
        assertThat(server.post("/api/v1/clusters/hb-silent/heartbeat", beat("node-2"), token)
                        .status())
                .isEqualTo(200);
        KubeTestCluster.await(
                () -> condition(health("hb-silent"), 0).equals("Ready=Unknown"),
                EVENTUALLY,
                "Ready to become Unknown after the grace");
        KubeTestCluster.await(
                () -> server.get("/api/v1/clusters/hb-silent", server.adminToken)
                        .text("/status")
                        .equals("degraded"),
                EVENTUALLY,
                "the silent cluster to be degraded");
        assertThat(health("hb-silent").at("/conditions/0/reason").asString()).isEqualTo("HeartbeatMissing");
        server.post("/api/v1/clusters/hb-silent/heartbeat", beat("node-2"), token);
        assertThat(condition(health("hb-silent"), 0)).isEqualTo("Ready=True");
        assertThat(server.get("/api/v1/clusters/hb-silent", server.adminToken).text("/status"))
                .isEqualTo("live");
    }

    @Test
    void aClusterSilentWhenItsInfrastructureComesBackIsDegradedNotLive() {
        String token = liveCluster("hb-recreated");
        assertThat(server.post("/api/v1/clusters/hb-recreated/heartbeat", beat("node-2"), token)
                        .status())
                .isEqualTo(200);
        KubeTestCluster.await(
                () -> condition(health("hb-recreated"), 0).equals("Ready=Unknown"),
                EVENTUALLY,
                "Ready to become Unknown after the grace");
        // the infrastructure is removed and created again; the agents stay silent
        ClusterStore clusters = new ClusterStore(server.db);
        assertThat(clusters.setInfra("hb-recreated", InfraPhase.NONE, null, "test", Instant.now()))
                .isEqualTo("registered");
        assertThat(clusters.setInfra("hb-recreated", InfraPhase.READY, null, "test", Instant.now()))
                .as("nothing reported since it came back: degraded at once, never live")
                .isEqualTo("degraded");
        KubeTestCluster.await(
                () -> server.get("/api/v1/clusters/hb-recreated", server.adminToken)
                        .text("/status")
                        .equals("degraded"),
                EVENTUALLY,
                "the still silent cluster to be degraded");
    }

    @Test
    void anAgentCredentialActsForItsOwnClusterAndNothingElse() {
        String a = liveCluster("hb-cluster-a");
        liveCluster("hb-cluster-b");
        Answer other = server.post("/api/v1/clusters/hb-cluster-b/heartbeat", beat("node-2"), a);
        assertThat(other.status()).isEqualTo(403);
        assertThat(other.text("/error/message")).contains("'hb-cluster-a' only");
        assertThat(server.post("/api/createCluster", TestServer.seedWithId("by-an-agent"), a)
                        .status())
                .isEqualTo(403);
        assertThat(server.get("/api/v1/clusters/hb-cluster-a", a).status()).isEqualTo(403);
        // nor does anyone else report for a cluster
        assertThat(server.post("/api/v1/clusters/hb-cluster-a/heartbeat", beat("node-2"), server.adminToken)
                        .status())
                .isEqualTo(403);
    }

    @Test
    void aCommandCarriesACommandNotAPayloadAndWhatIsAuditedIsBounded() {
        server.post("/api/createCluster", TestServer.seedWithId("hb-commands"), server.adminToken);
        String big = "{\"command\": \"block\", \"blockId\": \"b1\", \"body\": \"" + "x".repeat(200_000) + "\"}";
        Answer refused = server.post("/api/v1/clusters/hb-commands/commands", big, server.adminToken);
        assertThat(refused.status()).isEqualTo(422);
        assertThat(refused.text("/error/details/0/path")).isEqualTo("/body");
        Answer small = server.post(
                "/api/v1/clusters/hb-commands/commands",
                "{\"command\": \"block\", \"blockId\": \"b1\", \"body\": {\"n\": 1}}",
                server.adminToken);
        assertThat(small.status()).as(small.body().toString()).isEqualTo(201);
        // an agent's record of what it did reaches the audit log bounded
        String token = liveCluster("hb-audited");
        Answer recorded = server.post(
                "/api/v1/clusters/hb-audited/audit",
                "{\"at\": \"2026-12-03T12:00:00Z\", \"by\": \"admin\", \"command\": \"block\", \"status\": 200,"
                        + " \"request\": {}, \"result\": {\"out\": \"" + "y".repeat(300_000) + "\"}}",
                token);
        assertThat(recorded.status()).as(String.valueOf(recorded.body())).isEqualTo(202);
        JsonNode rows = server.get("/api/v1/audit?cluster=hb-audited&action=mgmt", server.adminToken)
                .body()
                .path("items");
        assertThat(rows.size()).isEqualTo(1);
        assertThat(rows.get(0).toString().length()).isLessThan(12_000);
        assertThat(rows.get(0).at("/detail/truncated").asBoolean()).isTrue();
    }

    @Test
    void aMalformedHeartbeatIsRefusedAtItsField() {
        String token = liveCluster("hb-malformed");
        Answer bad = server.post(
                "/api/v1/clusters/hb-malformed/heartbeat", "{\"inventory\": {\"nodes\": [{\"capacity\": 3}]}}", token);
        assertThat(bad.status()).isEqualTo(422);
        assertThat(bad.body().at("/error/details").toString())
                .contains("/inventory/nodes/0/name", "/inventory/nodes/0/capacity");
    }

    @Test
    void metricsAreServedAtTheAiosPathsWithTheirTimes() {
        String token = liveCluster("hb-metrics");
        String snapshot = "{\"clusterId\": \"hb-metrics\", \"observedAt\": \"" + Instant.now() + "\", \"metricsApi\": "
                + "\"absent\", \"nodes\": [{\"name\": \"worker-node-1\", \"nodeId\": \"node-1\", \"cpu\": {\"capacity\": 32,"
                + " \"requested\": 1.5, \"usage\": null}}], \"cluster\": {\"cpu\": {\"capacity\": 32}}}";
        assertThat(server.post("/api/v1/clusters/hb-metrics/metrics", snapshot, token)
                        .status())
                .isEqualTo(409);
        server.post("/api/v1/clusters/hb-metrics/heartbeat", beat("node-2"), token);
        assertThat(server.post("/api/v1/clusters/hb-metrics/metrics", snapshot, token)
                        .status())
                .isEqualTo(202);
        JsonNode m =
                server.get("/cluster-metrics/hb-metrics", server.adminToken).body();
        assertThat(m.get("metricsApi").asString()).isEqualTo("absent");
        assertThat(m.get("stale").asBoolean()).isFalse();
        assertThat(m.hasNonNull("receivedAt")).isTrue();
        JsonNode n = server.get("/cluster-metrics/node/hb-metrics/node-1", server.adminToken)
                .body();
        assertThat(n.at("/cpu/requested").asDouble()).isEqualTo(1.5);
        assertThat(server.get("/cluster-metrics/node/hb-metrics/node-7", server.adminToken)
                        .status())
                .isEqualTo(404);
        String owner = server.ownerToken("someone-else");
        assertThat(server.get("/cluster-metrics/hb-metrics", owner).status()).isEqualTo(404);
    }

    @Test
    void reputationComesFromHistoryNotFromTheOwner() {
        String token = liveCluster("hb-reputation");
        assertThat(server.get("/api/v1/clusters/hb-reputation", server.adminToken)
                        .body()
                        .get("reputation")
                        .asDouble())
                .as("the priors alone")
                .isEqualTo(50.0);
        server.post("/api/v1/clusters/hb-reputation/heartbeat", beat("node-2"), token);
        KubeTestCluster.await(
                () -> server.get("/api/v1/clusters/hb-reputation", server.adminToken)
                                .body()
                                .get("reputation")
                                .asDouble()
                        > 50.0,
                Duration.ofSeconds(15),
                "the reputation to be computed");
        double r = server.get("/api/v1/clusters/hb-reputation", server.adminToken)
                .body()
                .get("reputation")
                .asDouble();
        // one verified heartbeat over the priors (5 of 10): above the prior, whatever the time spent observing;
        // availability is at most 1, which bounds it above (no timing in either bound)
        assertThat(health("hb-reputation").at("/reputationInputs/verification").asDouble())
                .isEqualTo(0.545);
        assertThat(r).isGreaterThan(ObservationStore.PRIOR_REPUTATION);
        assertThat(r).isLessThanOrEqualTo(100 * (0.6 + 0.4 * 6.0 / 11));
        assertThat(health("hb-reputation").at("/reputationInputs/formula").asString())
                .contains("0.6", "0.4");
    }

    @Test
    void aClusterDeletedAndRegisteredAgainGetsItsInventoryBack() {
        String first = liveCluster("hb-reborn");
        server.post("/api/v1/clusters/hb-reborn/heartbeat", beat("node-2"), first);
        assertThat(health("hb-reborn").at("/observed/nodes").size()).isEqualTo(2);
        // deleted through another replica: this one still remembers it stored that inventory
        ClusterStore store = new ClusterStore(server.db);
        assertThat(store.delete(
                        "hb-reborn", store.get("hb-reborn").orElseThrow().version(), "other-replica", Instant.now()))
                .isTrue();
        String second = liveCluster("hb-reborn");
        // the control plane remembers it stored this inventory; the new row must still get it
        server.post("/api/v1/clusters/hb-reborn/heartbeat", beat("node-2"), second);
        health("hb-reborn");
        server.post("/api/v1/clusters/hb-reborn/heartbeat", beat("node-2"), second);
        assertThat(health("hb-reborn").at("/observed/nodes").size()).isEqualTo(2);
    }

    @org.junit.jupiter.api.Test
    void aClusterThatFloodsHeartbeatsIsToldToSlowDown() {
        String token = liveCluster("hb-flood");
        int limited = 0;
        for (int i = 0; i < 30; i++) {
            Answer a = server.post("/api/v1/clusters/hb-flood/heartbeat", beat("node-2"), token);
            if (a.status() == 429) {
                limited++;
                assertThat(a.text("/error/code")).isEqualTo("too_many_heartbeats");
            } else {
                assertThat(a.status()).isEqualTo(200);
            }
        }
        // 30 back-to-back requests span a few one-second windows at most: most of them are refused
        assertThat(limited).isGreaterThanOrEqualTo(10);
    }
}
