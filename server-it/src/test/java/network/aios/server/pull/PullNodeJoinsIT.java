package network.aios.server.pull;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import network.aios.api.Json;
import network.aios.server.TestServer;
import network.aios.server.TestServer.Answer;
import network.aios.server.security.SecretBox;
import network.aios.store.NodeJoinRecord;
import network.aios.store.NodeJoinStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Pull mode's half of external nodes' bootstrap tokens, on a real PostgreSQL, the agent played by the test: a
 * token admitted for a pull cluster is served to that cluster's agent only (the long poll's revision moves with
 * it), the agent's report makes it recorded as made, a revoked one is served for deletion as it was made, an
 * agent's report touches its own cluster's joins only, and the cluster's join endpoint it reports is kept.
 */
class PullNodeJoinsIT {
    private static final String HASH = "sha256:" + "9f86d081884c7d659a2feaa0c55ad015".repeat(2);

    private TestServer server;
    private String owner;
    private NodeJoinStore nodeJoins;
    private SecretBox box;

    @BeforeEach
    void start() {
        server = new TestServer();
        owner = server.ownerToken("nodes-owner");
        nodeJoins = new NodeJoinStore(server.db);
        // the control plane's own key, from its data folder, as it seals the tokens it issues
        box = SecretBox.fromEnvOrDataDir(System.getenv("AIOS_SECRET_KEY"), server.dataDir);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    /** A registered cluster joined in pull mode and accepted: its agent's credential. */
    private String pulled(String id) {
        Answer a = server.send(
                "POST", "/api/createCluster", TestServer.seedWithId(id).getBytes(StandardCharsets.UTF_8), owner);
        assertThat(a.status()).as(String.valueOf(a.body())).isEqualTo(201);
        String token =
                server.post("/api/v1/clusters/" + id + "/join", "{}", owner).text("/token");
        String credential = server.post(
                        "/api/v1/pull/exchange",
                        "{\"bootstrapToken\": \"" + token + "\", \"clusterUid\": \"uid-" + id + "\"}",
                        null)
                .text("/credential");
        assertThat(server.post("/api/v1/clusters/" + id + "/accept", "{}", server.adminToken)
                        .status())
                .isEqualTo(200);
        return credential;
    }

    private NodeJoinRecord issue(String clusterId, String joinId, String nodeId, String tokenValue) {
        Instant now = Instant.now();
        NodeJoinRecord j = new NodeJoinRecord(
                joinId,
                clusterId,
                nodeId,
                Json.object().put("id", nodeId).toString(),
                tokenValue.substring(0, 6),
                box.seal(tokenValue.getBytes(StandardCharsets.US_ASCII), NodeJoinRecord.sealContext(joinId)),
                null,
                NodeJoinRecord.State.ISSUED,
                now.plus(Duration.ofHours(1)),
                "nodes-owner",
                now,
                null,
                null,
                NodeJoinRecord.SecretState.PENDING,
                null,
                null);
        assertThat(nodeJoins.insert(j, 10)).isEqualTo(NodeJoinStore.Insert.INSERTED);
        return j;
    }

    private NodeJoinRecord row(String clusterId, String joinId) {
        return nodeJoins.get(clusterId, joinId).orElseThrow();
    }

    private Answer report(String credential, String revision, String extra) {
        return server.post(
                "/api/v1/pull/report",
                "{\"revision\": \"" + revision + "\", \"results\": [], \"notReady\": []" + extra + "}",
                credential);
    }

    private static String result(String tokenId, String uid, String rv, String outcome) {
        ObjectNode r = Json.object().put("name", "bootstrap-token-" + tokenId).put("outcome", outcome);
        if (uid != null) {
            r.put("uid", uid).put("resourceVersion", rv);
        }
        return r.toString();
    }

    @Test
    void tokensAreServedToTheirClustersAgentRecordedAsReportedAndDeletedAsMade() {
        String agentA = pulled("nodes-a");
        String agentB = pulled("nodes-b");
        Answer before = server.get("/api/v1/pull/desired", agentA);
        String r0 = before.text("/revision");
        assertThat(before.body().has("nodeJoins"))
                .as("nothing to do: no section")
                .isFalse();

        NodeJoinRecord a = issue("nodes-a", "nj-a", "edge-1", "abc123.0123456789abcdef");
        NodeJoinRecord b = issue("nodes-b", "nj-b", "edge-9", "zzz999.fedcba9876543210");

        // the agent waiting on r0 hears of the token (the long poll looks again within 5 s: no sleep here)
        Answer served = server.send(
                "GET", "/api/v1/pull/desired?waitSeconds=30", null, agentA, "If-None-Match", "\"" + r0 + "\"");
        assertThat(served.status()).as(String.valueOf(served.body())).isEqualTo(200);
        String r1 = served.text("/revision");
        assertThat(r1).isNotEqualTo(r0);
        assertThat(served.headers().firstValue("ETag")).contains("\"" + r1 + "\"");
        JsonNode create = served.body().at("/nodeJoins/create");
        assertThat(create).hasSize(1);
        JsonNode secret = create.get(0);
        assertThat(secret.at("/apiVersion").asString()).isEqualTo("v1");
        assertThat(secret.at("/kind").asString()).isEqualTo("Secret");
        assertThat(secret.at("/type").asString()).isEqualTo("bootstrap.kubernetes.io/token");
        assertThat(secret.at("/metadata/namespace").asString()).isEqualTo("kube-system");
        assertThat(secret.at("/metadata/name").asString()).isEqualTo("bootstrap-token-abc123");
        assertThat(secret.at("/metadata/labels/aios.network~1node-id").asString())
                .isEqualTo("edge-1");
        assertThat(secret.at("/stringData/token-id").asString()).isEqualTo("abc123");
        assertThat(secret.at("/stringData/token-secret").asString()).isEqualTo("0123456789abcdef");
        assertThat(secret.at("/stringData/usage-bootstrap-authentication").asString())
                .isEqualTo("true");
        assertThat(secret.at("/stringData/auth-extra-groups").asString())
                .isEqualTo("system:bootstrappers:kubeadm:default-node-token");
        assertThat(Instant.parse(secret.at("/stringData/expiration").asString()))
                .isBetween(a.expiresAt().minusSeconds(1), a.expiresAt());
        assertThat(served.body().at("/nodeJoins/delete")).isEmpty();
        assertThat(served.body().toString()).as("another cluster's token").doesNotContain("zzz999");
        assertThat(server.get("/api/v1/pull/desired", agentA).text("/revision"))
                .as("stable while the work is")
                .isEqualTo(r1);
        // nowhere but in the answer to the cluster's own agent
        assertThat(server.get("/api/v1/clusters/nodes-a/join", owner).body().toString())
                .doesNotContain("0123456789abcdef");

        // a hostile agent reports another cluster's token as made: that cluster's join does not move
        assertThat(report(agentA, "stale", ", \"nodeJoins\": [" + result("zzz999", "evil", "1", "created") + "]")
                        .status())
                .isEqualTo(200);
        assertThat(row("nodes-b", b.id()).secretState()).isEqualTo(NodeJoinRecord.SecretState.PENDING);

        // made: recorded with the uid and version the API server gave, and no longer asked for
        Answer made = report(
                agentA,
                r1,
                ", \"nodeJoins\": [" + result("abc123", "uid-1", "11", "created")
                        + "], \"clusterInfo\": {\"endpoint\": \"10.1.2.3:6443\", \"caCertHash\": \"" + HASH + "\"}");
        assertThat(made.status()).as(String.valueOf(made.body())).isEqualTo(200);
        assertThat(made.text("/state"))
                .as("the revision served with the token counts as applied")
                .isEqualTo("ready");
        NodeJoinRecord recorded = row("nodes-a", a.id());
        assertThat(recorded.secretState()).isEqualTo(NodeJoinRecord.SecretState.CREATED);
        assertThat(recorded.secretUid()).isEqualTo("uid-1");
        assertThat(recorded.secretVersion()).isEqualTo("11");
        Answer after = server.get("/api/v1/pull/desired", agentA);
        assertThat(after.body().has("nodeJoins")).isFalse();
        assertThat(after.text("/revision")).as("back to the services' own").isEqualTo(r0);

        // the cluster's join endpoint is kept, also through a report that does not repeat it
        assertThat(report(agentA, r0, "").status()).isEqualTo(200);
        JsonNode view = server.get("/api/v1/clusters/nodes-a/join", owner).body();
        assertThat(view.at("/lastReport/clusterInfo/endpoint").asString()).isEqualTo("10.1.2.3:6443");
        assertThat(view.at("/lastReport/clusterInfo/caCertHash").asString()).isEqualTo(HASH);

        // revoked: the Secret is asked to be deleted, only as it was made
        assertThat(nodeJoins.revoke("nodes-a", a.id(), "nodes-owner", Instant.now()))
                .isPresent();
        Answer delete = server.send(
                "GET", "/api/v1/pull/desired?waitSeconds=30", null, agentA, "If-None-Match", "\"" + r0 + "\"");
        assertThat(delete.status()).isEqualTo(200);
        assertThat(delete.text("/revision")).isNotIn(r0, r1);
        assertThat(delete.body().at("/nodeJoins/create")).isEmpty();
        JsonNode del = delete.body().at("/nodeJoins/delete/0");
        assertThat(del.at("/namespace").asString()).isEqualTo("kube-system");
        assertThat(del.at("/name").asString()).isEqualTo("bootstrap-token-abc123");
        assertThat(del.at("/uid").asString()).isEqualTo("uid-1");
        assertThat(del.at("/resourceVersion").asString()).isEqualTo("11");
        String r2 = delete.text("/revision");

        // another cluster's agent cannot settle it, nor can a report about another Secret of that name
        assertThat(report(agentB, r0, ", \"nodeJoins\": [" + result("abc123", "uid-1", "11", "deleted") + "]")
                        .status())
                .isEqualTo(200);
        assertThat(report(agentA, r2, ", \"nodeJoins\": [" + result("abc123", "uid-other", "12", "gone") + "]")
                        .status())
                .isEqualTo(200);
        assertThat(row("nodes-a", a.id()).secretState()).isEqualTo(NodeJoinRecord.SecretState.CREATED);
        // a failure is logged and changes nothing
        assertThat(report(
                                agentA,
                                r2,
                                ", \"nodeJoins\": [{\"name\": \"bootstrap-token-abc123\", \"uid\": \"uid-1\","
                                        + " \"resourceVersion\": \"11\", \"outcome\": \"failed\", \"message\":"
                                        + " \"changed since it was made\"}]")
                        .status())
                .isEqualTo(200);
        assertThat(row("nodes-a", a.id()).secretState()).isEqualTo(NodeJoinRecord.SecretState.CREATED);
        // deleted as made: settled, and asked no more
        assertThat(report(agentA, r2, ", \"nodeJoins\": [" + result("abc123", "uid-1", "11", "deleted") + "]")
                        .status())
                .isEqualTo(200);
        assertThat(row("nodes-a", a.id()).secretState()).isEqualTo(NodeJoinRecord.SecretState.DELETED);
        assertThat(server.get("/api/v1/pull/desired", agentA).text("/revision")).isEqualTo(r0);

        // the other cluster's token is still served to its own agent
        JsonNode forB = server.get("/api/v1/pull/desired", agentB).body();
        assertThat(forB.at("/nodeJoins/create/0/metadata/name").asString()).isEqualTo("bootstrap-token-zzz999");
    }

    @Test
    void badTokenResultsAndClusterInfoAreRefusedByPointer() {
        String agent = pulled("nodes-bad");
        String revision = server.get("/api/v1/pull/desired", agent).text("/revision");
        Answer bad = report(
                agent,
                revision,
                ", \"nodeJoins\": [{\"name\": \"kube-root-ca\", \"outcome\": \"deleted\"},"
                        + " {\"name\": \"bootstrap-token-abc123\", \"outcome\": \"created\"}],"
                        + " \"clusterInfo\": {\"endpoint\": \"https://10.0.0.1:6443\", \"caCertHash\": \"md5:x\"}");
        assertThat(bad.status()).isEqualTo(422);
        assertThat(bad.body().toString())
                .contains(
                        "/nodeJoins/0/name",
                        "/nodeJoins/1/uid",
                        "/nodeJoins/1/resourceVersion",
                        "/clusterInfo/endpoint",
                        "/clusterInfo/caCertHash");
        assertThat(server.get("/api/v1/clusters/nodes-bad/join", owner).body().has("lastReport"))
                .as("nothing of it kept")
                .isFalse();
    }
}
