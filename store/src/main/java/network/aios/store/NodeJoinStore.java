package network.aios.store;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * External node joins. Every change of state is one conditional update ({@code WHERE state = ...}), audited in
 * the same transaction; a change that moves the cluster's document (a node joined, a node left) updates the
 * document and the join together, or neither.
 */
public final class NodeJoinStore {
    private static final String COLUMNS =
            "id, cluster_id, node_id, node, token_id, token_key_id, token_sealed, policy_version, state,"
                    + " expires_at, created_by, created_at, ended_at, note, secret_state, secret_uid, secret_version";
    private final Jdbi jdbi;

    public NodeJoinStore(Database db) {
        this.jdbi = db.jdbi();
    }

    /** What {@link #insert} did. */
    public enum Insert {
        INSERTED,
        /** The cluster is not registered (any more). */
        NO_CLUSTER,
        /** That node id has a token in flight, or has joined, already. */
        NODE_TAKEN,
        /** The cluster has as many tokens in flight as it may. */
        TOO_MANY
    }

    /** Stores a new join, if the cluster has fewer than {@code maxOpen} tokens in flight and the node id is free. */
    public Insert insert(NodeJoinRecord j, int maxOpen) {
        return jdbi.inTransaction(h -> {
            if (h.createQuery("SELECT 1 FROM clusters WHERE id = :c FOR UPDATE")
                    .bind("c", j.clusterId())
                    .mapTo(Integer.class)
                    .findOne()
                    .isEmpty()) {
                return Insert.NO_CLUSTER;
            }
            int open = h.createQuery("SELECT count(*) FROM node_joins WHERE cluster_id = :c AND state = 'issued'")
                    .bind("c", j.clusterId())
                    .mapTo(Integer.class)
                    .one();
            if (open >= maxOpen) {
                return Insert.TOO_MANY;
            }
            int rows = h.createUpdate("INSERT INTO node_joins (id, cluster_id, node_id, node, token_id, token_key_id,"
                            + " token_sealed, policy_version, state, expires_at, created_by, created_at) VALUES (:id, :c,"
                            + " :node_id, CAST(:node AS jsonb), :token_id, :key, :sealed, :pv, 'issued', :exp, :by, :at)"
                            + " ON CONFLICT DO NOTHING")
                    .bind("id", j.id())
                    .bind("c", j.clusterId())
                    .bind("node_id", j.nodeId())
                    .bind("node", j.node())
                    .bind("token_id", j.tokenId())
                    .bind("key", j.token().keyId())
                    .bind("sealed", j.token().bytes())
                    .bind("pv", j.policyVersion())
                    .bind("exp", Timestamp.from(j.expiresAt()))
                    .bind("by", j.createdBy())
                    .bind("at", Timestamp.from(j.createdAt()))
                    .execute();
            if (rows == 0) {
                return Insert.NODE_TAKEN;
            }
            Audit.write(
                    h,
                    j.createdAt(),
                    j.createdBy(),
                    "cluster.node.token.issue",
                    j.clusterId(),
                    detail(j, "expiresAt", j.expiresAt().toString()));
            return Insert.INSERTED;
        });
    }

    public Optional<NodeJoinRecord> get(String clusterId, String id) {
        return jdbi.withHandle(
                h -> h.createQuery("SELECT " + COLUMNS + " FROM node_joins WHERE cluster_id = :c AND id = :id")
                        .bind("c", clusterId)
                        .bind("id", id)
                        .map(NodeJoinStore::row)
                        .findOne());
    }

    /** A cluster's joins, newest first. */
    public List<NodeJoinRecord> list(String clusterId, int limit) {
        return jdbi.withHandle(h -> h.createQuery("SELECT " + COLUMNS
                        + " FROM node_joins WHERE cluster_id = :c ORDER BY created_at DESC, id LIMIT :n")
                .bind("c", clusterId)
                .bind("n", limit)
                .map(NodeJoinStore::row)
                .list());
    }

    /** Ends a token in flight ({@code issued} to {@code revoked}): the join as it is then; empty when not in flight. */
    public Optional<NodeJoinRecord> revoke(String clusterId, String id, String actor, Instant now) {
        return revoke(clusterId, id, actor, now, null);
    }

    /** As above, with why (kept in the join's note). */
    public Optional<NodeJoinRecord> revoke(String clusterId, String id, String actor, Instant now, String note) {
        return jdbi.inTransaction(h -> {
            Optional<NodeJoinRecord> ended =
                    end(h, clusterId, id, NodeJoinRecord.State.ISSUED, NodeJoinRecord.State.REVOKED, now, note);
            ended.ifPresent(j -> Audit.write(
                    h,
                    now,
                    actor,
                    "cluster.node.token.revoke",
                    clusterId,
                    detail(j, note == null ? null : "note", note)));
            return ended;
        });
    }

    /** Every token in flight past its expiry becomes {@code expired}; the joins so ended. */
    public List<NodeJoinRecord> expire(Instant now) {
        return jdbi.inTransaction(h -> {
            List<NodeJoinRecord> ended = h.createQuery("UPDATE node_joins SET state = 'expired', ended_at = :now"
                            + " WHERE state = 'issued' AND expires_at <= :now RETURNING " + COLUMNS)
                    .bind("now", Timestamp.from(now))
                    .map(NodeJoinStore::row)
                    .list();
            for (NodeJoinRecord j : ended) {
                Audit.write(h, now, "control-plane", "cluster.node.token.expire", j.clusterId(), detail(j, null, null));
            }
            return ended;
        });
    }

    /**
     * A join in flight or joined, with its cluster's last reported inventory (and its hash), whether that report is
     * fresh, and the version of the cluster's document.
     */
    public record Watched(
            NodeJoinRecord join, String inventory, String inventoryHash, boolean fresh, long documentVersion) {}

    /** The joins whose node may appear or leave: issued or joined, on clusters that have reported an inventory. */
    public List<Watched> watched() {
        return jdbi.withHandle(h -> h.createQuery("SELECT j.id, j.cluster_id, j.node_id, j.node, j.token_id,"
                        + " j.token_key_id, j.token_sealed, j.policy_version, j.state, j.expires_at, j.created_by,"
                        + " j.created_at, j.ended_at, j.note, j.secret_state, j.secret_uid, j.secret_version,"
                        + " o.inventory::text AS inventory, o.inventory_hash, o.ready = 'True' AS fresh,"
                        + " c.version AS document_version FROM node_joins j"
                        + " JOIN cluster_observations o ON o.cluster_id = j.cluster_id"
                        + " JOIN clusters c ON c.id = j.cluster_id"
                        + " WHERE j.state IN ('issued', 'joined') ORDER BY j.cluster_id, j.created_at")
                .map((rs, ctx) -> new Watched(
                        row(rs, ctx),
                        rs.getString("inventory"),
                        rs.getString("inventory_hash"),
                        rs.getBoolean("fresh"),
                        rs.getLong("document_version")))
                .list());
    }

    /**
     * The node appeared: the join becomes {@code joined} and, unless {@code next} is null (the document names the
     * node already), the document becomes {@code next} (expected at {@code expectedVersion}) — together, or
     * neither. False when the join was no longer in flight or the document changed meanwhile.
     */
    public boolean joined(NodeJoinRecord j, ClusterRecord next, long expectedVersion, Instant now) {
        return moveDocument(
                j,
                NodeJoinRecord.State.ISSUED,
                NodeJoinRecord.State.JOINED,
                next,
                expectedVersion,
                now,
                "cluster.node.join");
    }

    /** The node left: the join becomes {@code left} and the document {@code next}, together, or neither. */
    public boolean left(NodeJoinRecord j, ClusterRecord next, long expectedVersion, Instant now) {
        return moveDocument(
                j,
                NodeJoinRecord.State.JOINED,
                NodeJoinRecord.State.LEFT,
                next,
                expectedVersion,
                now,
                "cluster.node.leave");
    }

    private boolean moveDocument(
            NodeJoinRecord j,
            NodeJoinRecord.State from,
            NodeJoinRecord.State to,
            ClusterRecord next,
            long expectedVersion,
            Instant now,
            String event) {
        try {
            return jdbi.inTransaction(h -> moveIn(h, j, from, to, next, expectedVersion, now, event));
        } catch (DocumentMoved e) {
            return false; // the join's change is rolled back with it
        }
    }

    /** The document changed under a join's move: the transaction is rolled back. */
    private static final class DocumentMoved extends RuntimeException {
        DocumentMoved() {
            super(null, null, false, false);
        }
    }

    private static boolean moveIn(
            Handle h,
            NodeJoinRecord j,
            NodeJoinRecord.State from,
            NodeJoinRecord.State to,
            ClusterRecord next,
            long expectedVersion,
            Instant now,
            String event) {
        {
            Optional<NodeJoinRecord> moved = end(h, j.clusterId(), j.id(), from, to, now, null);
            if (moved.isEmpty()) {
                return false;
            }
            if (next == null) {
                Audit.write(h, now, "control-plane", event, j.clusterId(), detail(j, null, null));
                return true;
            }
            if (ClusterStore.update(h, next, expectedVersion, "control-plane", event, detail(j, null, null))
                    .isEmpty()) {
                throw new DocumentMoved();
            }
            return true;
        }
    }

    /**
     * Notes why a join did not move the document (a policy refused a node that appeared or left, the node no longer
     * fits); audited only when the note changes, so a refusal is said once, not at every look.
     */
    public void note(NodeJoinRecord j, String note, Instant now) {
        jdbi.useTransaction(h -> {
            int rows = h.createUpdate(
                            "UPDATE node_joins SET note = :note WHERE id = :id AND note IS DISTINCT FROM :note")
                    .bind("id", j.id())
                    .bind("note", note)
                    .execute();
            if (rows > 0 && note != null) {
                Audit.write(h, now, "control-plane", "cluster.node.note", j.clusterId(), detail(j, "note", note));
            }
        });
    }

    // ---- the bootstrap Secret on the member cluster --------------------------------------------------------------

    /** A cluster's joins whose bootstrap Secret is to be made (pending and wanted) or deleted (made, not wanted). */
    public List<NodeJoinRecord> secretWork(String clusterId, Instant now) {
        return jdbi.withHandle(h -> h.createQuery("SELECT " + COLUMNS + " FROM node_joins WHERE cluster_id = :c AND"
                        + " ((secret_state = 'pending' AND state = 'issued' AND expires_at > :now)"
                        + " OR (secret_state = 'created' AND NOT (state = 'issued' AND expires_at > :now)))"
                        + " ORDER BY created_at")
                .bind("c", clusterId)
                .bind("now", Timestamp.from(now))
                .map(NodeJoinStore::row)
                .list());
    }

    /** Whether any cluster has such work; the ids of those clusters. */
    public List<String> clustersWithSecretWork(Instant now) {
        return jdbi.withHandle(h -> h.createQuery("SELECT DISTINCT cluster_id FROM node_joins WHERE"
                        + " (secret_state = 'pending' AND state = 'issued' AND expires_at > :now)"
                        + " OR (secret_state = 'created' AND NOT (state = 'issued' AND expires_at > :now))")
                .bind("now", Timestamp.from(now))
                .mapTo(String.class)
                .list());
    }

    /**
     * The Secret was made, with uid {@code uid} at {@code resourceVersion} (whatever became of the join meanwhile:
     * then it is deleted next, only if still as made).
     */
    public void secretCreated(String id, String uid, String resourceVersion) {
        jdbi.useHandle(h -> h.createUpdate("UPDATE node_joins SET secret_state = 'created', secret_uid = :uid,"
                        + " secret_version = :rv WHERE id = :id AND secret_state = 'pending'")
                .bind("id", id)
                .bind("uid", uid)
                .bind("rv", resourceVersion)
                .execute());
    }

    /** The Secret is gone (deleted, or found gone); a pending one that will never be made is settled too. */
    public void secretDeleted(String id) {
        jdbi.useHandle(h -> h.createUpdate("UPDATE node_joins SET secret_state = 'deleted' WHERE id = :id")
                .bind("id", id)
                .execute());
    }

    private static Optional<NodeJoinRecord> end(
            Handle h,
            String clusterId,
            String id,
            NodeJoinRecord.State from,
            NodeJoinRecord.State to,
            Instant now,
            String note) {
        return h.createQuery("UPDATE node_joins SET state = :to, ended_at = :now, note = :note"
                        + " WHERE cluster_id = :c AND id = :id AND state = :from RETURNING " + COLUMNS)
                .bind("to", to.wire())
                .bind("from", from.wire())
                .bind("now", Timestamp.from(now))
                .bind("note", note)
                .bind("c", clusterId)
                .bind("id", id)
                .map(NodeJoinStore::row)
                .findOne();
    }

    private static String detail(NodeJoinRecord j, String key, String value) {
        tools.jackson.databind.node.ObjectNode d = network.aios.api.Json.object()
                .put("joinId", j.id())
                .put("nodeId", j.nodeId())
                .put("tokenId", j.tokenId());
        if (key != null) {
            d.put(key, value);
        }
        return d.toString();
    }

    private static NodeJoinRecord row(ResultSet rs, org.jdbi.v3.core.statement.StatementContext ctx)
            throws SQLException {
        Timestamp ended = rs.getTimestamp("ended_at");
        return new NodeJoinRecord(
                rs.getString("id"),
                rs.getString("cluster_id"),
                rs.getString("node_id"),
                rs.getString("node"),
                rs.getString("token_id"),
                new Sealed(rs.getString("token_key_id"), rs.getBytes("token_sealed")),
                (Integer) rs.getObject("policy_version"),
                NodeJoinRecord.State.fromWire(rs.getString("state")),
                rs.getTimestamp("expires_at").toInstant(),
                rs.getString("created_by"),
                rs.getTimestamp("created_at").toInstant(),
                ended == null ? null : ended.toInstant(),
                rs.getString("note"),
                NodeJoinRecord.SecretState.fromWire(rs.getString("secret_state")),
                rs.getString("secret_uid"),
                rs.getString("secret_version"));
    }

    // ---- pull mode: what a cluster's pull agent reports about its bootstrap Secrets -----------------------------

    /**
     * The joins of {@code clusterId} whose token has id {@code tokenId} (the Secret {@code bootstrap-token-<id>}),
     * newest first; never another cluster's. Token ids are random, so this is one row but for a rare collision.
     */
    public List<NodeJoinRecord> byTokenId(String clusterId, String tokenId) {
        return jdbi.withHandle(h -> h.createQuery(
                        "SELECT " + COLUMNS
                                + " FROM node_joins WHERE cluster_id = :c AND token_id = :t ORDER BY created_at DESC, id LIMIT 10")
                .bind("c", clusterId)
                .bind("t", tokenId)
                .map(NodeJoinStore::row)
                .list());
    }

    /**
     * The Secret made for join {@code id} of {@code clusterId} is gone, if the row says it was made with uid
     * {@code uid} (a report about another Secret of the same name changes nothing); false when nothing changed.
     */
    public boolean secretGone(String clusterId, String id, String uid) {
        return jdbi.withHandle(h -> h.createUpdate(
                                "UPDATE node_joins SET secret_state = 'deleted' WHERE cluster_id = :c"
                                        + " AND id = :id AND secret_state = 'created' AND secret_uid IS NOT DISTINCT FROM :uid")
                        .bind("c", clusterId)
                        .bind("id", id)
                        .bind("uid", uid)
                        .execute())
                > 0;
    }
}
