package network.aios.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import network.aios.api.Json;
import network.aios.api.NodeChange;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.ObjectNode;

class NodeJoinStoreIT {
    static final Instant T0 = Instant.parse("2026-12-03T12:00:00Z");
    private static Database db;
    private static NodeJoinStore joins;
    private static ClusterStore clusters;

    @BeforeAll
    static void open() {
        db = TestPostgres.freshDatabase(4);
        joins = new NodeJoinStore(db);
        clusters = new ClusterStore(db);
    }

    @AfterAll
    static void close() {
        db.close();
    }

    static NodeJoinRecord join(String id, String cluster, String node, Instant expires) {
        return new NodeJoinRecord(
                id,
                cluster,
                node,
                node(node).toString(),
                "tok" + id.substring(id.length() - 3),
                new Sealed("k1", new byte[] {1, 2, 3}),
                null,
                NodeJoinRecord.State.ISSUED,
                expires,
                "alice",
                T0,
                null,
                null,
                NodeJoinRecord.SecretState.PENDING,
                null,
                null);
    }

    static ObjectNode node(String id) {
        ObjectNode n = Json.object().put("id", id).put("memory", 1024);
        n.putObject("vcpus").put("count", 2);
        return n;
    }

    @Test
    void oneTokenInFlightPerNodeAndABoundPerCluster() throws Exception {
        clusters.insert(ClusterStoreIT.record("nj-a", "alice"), "alice").orElseThrow();
        assertThat(joins.insert(join("j-a01", "nj-a", "edge-1", T0.plusSeconds(600)), 2))
                .isEqualTo(NodeJoinStore.Insert.INSERTED);
        assertThat(joins.insert(join("j-a02", "nj-a", "edge-1", T0.plusSeconds(600)), 2))
                .isEqualTo(NodeJoinStore.Insert.NODE_TAKEN);
        assertThat(joins.insert(join("j-a03", "nj-a", "edge-2", T0.plusSeconds(600)), 2))
                .isEqualTo(NodeJoinStore.Insert.INSERTED);
        assertThat(joins.insert(join("j-a04", "nj-a", "edge-3", T0.plusSeconds(600)), 2))
                .isEqualTo(NodeJoinStore.Insert.TOO_MANY);
        assertThat(joins.insert(join("j-a05", "nj-none", "edge-3", T0.plusSeconds(600)), 2))
                .isEqualTo(NodeJoinStore.Insert.NO_CLUSTER);
        assertThat(joins.revoke("nj-a", "j-a01", "alice", T0.plusSeconds(1))).isPresent();
        assertThat(joins.revoke("nj-a", "j-a01", "alice", T0.plusSeconds(2)).isPresent())
                .as("once")
                .isFalse();
        assertThat(joins.insert(join("j-a06", "nj-a", "edge-1", T0.plusSeconds(600)), 2))
                .as("a revoked token frees its node id")
                .isEqualTo(NodeJoinStore.Insert.INSERTED);
    }

    @Test
    void expiryEndsTokensInFlightAndTheirSecretsBecomeWorkToDelete() throws Exception {
        clusters.insert(ClusterStoreIT.record("nj-b", "alice"), "alice").orElseThrow();
        joins.insert(join("j-b01", "nj-b", "edge-1", T0.plusSeconds(60)), 5);
        assertThat(joins.secretWork("nj-b", T0)).extracting(NodeJoinRecord::id).containsExactly("j-b01");
        joins.secretCreated("j-b01", "uid-1", "41");
        assertThat(joins.secretWork("nj-b", T0))
                .as("made and wanted: nothing to do")
                .isEmpty();
        assertThat(joins.expire(T0.plusSeconds(59))).isEmpty();
        assertThat(joins.expire(T0.plusSeconds(60)))
                .extracting(NodeJoinRecord::id)
                .containsExactly("j-b01");
        assertThat(joins.secretWork("nj-b", T0.plusSeconds(61)))
                .singleElement()
                .satisfies(j -> assertThat(j.secretVersion()).isEqualTo("41"));
        assertThat(joins.clustersWithSecretWork(T0.plusSeconds(61))).contains("nj-b");
        joins.secretDeleted("j-b01");
        assertThat(joins.secretWork("nj-b", T0.plusSeconds(61))).isEmpty();
    }

    @Test
    void aJoinMovesTheDocumentWithItOrNotAtAll() throws Exception {
        ClusterRecord c =
                clusters.insert(ClusterStoreIT.record("nj-c", "alice"), "alice").orElseThrow();
        NodeJoinRecord j = join("j-c01", "nj-c", "edge-1", T0.plusSeconds(600));
        joins.insert(j, 5);
        ObjectNode grown = NodeChange.add(c.document(), node("edge-1"), "/node").document();
        ClusterRecord next = new ClusterRecord(
                c.id(),
                c.owner(),
                c.status(),
                c.requestedStatus(),
                grown,
                c.version(),
                c.createdAt(),
                T0.plusSeconds(5),
                c.policyAction(),
                c.policyVersion(),
                c.reputation());
        assertThat(joins.joined(j, next, c.version() + 7, T0.plusSeconds(5)))
                .as("the document moved meanwhile")
                .isFalse();
        assertThat(joins.get("nj-c", "j-c01").orElseThrow().state()).isEqualTo(NodeJoinRecord.State.ISSUED);
        assertThat(joins.joined(j, next, c.version(), T0.plusSeconds(5))).isTrue();
        assertThat(joins.get("nj-c", "j-c01").orElseThrow().state()).isEqualTo(NodeJoinRecord.State.JOINED);
        ClusterRecord after = clusters.get("nj-c").orElseThrow();
        assertThat(after.version()).isEqualTo(c.version() + 1);
        assertThat(after.document().at("/nodes/count").asInt()).isEqualTo(3);
        assertThat(joins.joined(j, next, after.version(), T0.plusSeconds(6)))
                .as("once")
                .isFalse();
        Integer audited = db.jdbi()
                .withHandle(h -> h.createQuery(
                                "SELECT count(*) FROM audit_log WHERE action = 'cluster.node.join' AND target = 'nj-c'")
                        .mapTo(Integer.class)
                        .one());
        assertThat(audited).isEqualTo(1);
    }
}
