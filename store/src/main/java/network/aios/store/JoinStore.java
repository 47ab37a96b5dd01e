package network.aios.store;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.jdbi.v3.core.Jdbi;

/**
 * Pull-mode joins. Every change of state is one conditional update ({@code WHERE state IN (...)}): of two
 * requests racing for the same join (two exchanges of one token, an accept and a refusal) one changes it and
 * the other finds it changed. Each change is audited in the same transaction.
 */
public final class JoinStore {
    private static final String COLUMNS =
            "id, cluster_id, secret_hash, state, accept_by_policy, expires_at, created_by,"
                    + " created_at, requested_at, cluster_uid, credential_name, decided_by, decided_at, reason,"
                    + " applied_revision, reported_at, report, previous_credential";
    private final Jdbi jdbi;

    public JoinStore(Database db) {
        this.jdbi = db.jdbi();
    }

    /** Stores a new join; false when the cluster has a live one already (or is not registered). */
    public boolean insert(JoinRecord j) {
        return jdbi.inTransaction(h -> {
            if (h.createQuery("SELECT 1 FROM clusters WHERE id = :c FOR UPDATE")
                    .bind("c", j.clusterId())
                    .mapTo(Integer.class)
                    .findOne()
                    .isEmpty()) {
                return false;
            }
            int rows = h.createUpdate("INSERT INTO cluster_joins (id, cluster_id, secret_hash, state, accept_by_policy,"
                            + " expires_at, created_by, created_at) VALUES (:id, :c, :hash, :state, :abp, :exp, :by, :at)"
                            + " ON CONFLICT DO NOTHING")
                    .bind("id", j.id())
                    .bind("c", j.clusterId())
                    .bind("hash", j.secretHash())
                    .bind("state", j.state().wire())
                    .bind("abp", j.acceptByPolicy())
                    .bind("exp", Timestamp.from(j.expiresAt()))
                    .bind("by", j.createdBy())
                    .bind("at", Timestamp.from(j.createdAt()))
                    .execute();
            if (rows > 0) {
                Audit.write(
                        h,
                        j.createdAt(),
                        j.createdBy(),
                        "cluster.join.issue",
                        j.clusterId(),
                        "{\"joinId\": \"" + j.id() + "\", \"expiresAt\": \"" + j.expiresAt() + "\"}");
            }
            return rows > 0;
        });
    }

    public Optional<JoinRecord> get(String id) {
        return jdbi.withHandle(h -> h.createQuery("SELECT " + COLUMNS + " FROM cluster_joins WHERE id = :id")
                .bind("id", id)
                .map((rs, ctx) -> row(rs))
                .findOne());
    }

    /** The cluster's most recent join, live or not. */
    public Optional<JoinRecord> latest(String clusterId) {
        return jdbi.withHandle(h -> h.createQuery("SELECT " + COLUMNS
                        + " FROM cluster_joins WHERE cluster_id = :c ORDER BY created_at DESC, id LIMIT 1")
                .bind("c", clusterId)
                .map((rs, ctx) -> row(rs))
                .findOne());
    }

    /** The join the credential of this name was issued for (its current one, or the one a rotation replaced). */
    public Optional<JoinRecord> byCredential(String credentialName) {
        return jdbi.withHandle(h -> h.createQuery("SELECT " + COLUMNS
                        + " FROM cluster_joins WHERE credential_name = :n OR previous_credential = :n")
                .bind("n", credentialName)
                .map((rs, ctx) -> row(rs))
                .findOne());
    }

    /**
     * Moves a join from one of {@code from} to {@code to}; {@code decidedBy} and {@code reason} recorded when given.
     * False when it was in none of them (another request changed it first).
     */
    public boolean transition(
            String id, Set<JoinState> from, JoinState to, String actor, String reason, Instant at, String event) {
        return jdbi.inTransaction(h -> {
            Optional<String> cluster = h.createQuery("UPDATE cluster_joins SET state = :to,"
                            + " decided_by = COALESCE(:by, decided_by), decided_at = CASE WHEN CAST(:by AS text) IS NULL THEN"
                            + " decided_at ELSE CAST(:at AS timestamptz) END, reason = COALESCE(:reason, reason)"
                            + " WHERE id = :id AND state IN (<from>) RETURNING cluster_id")
                    .bind("to", to.wire())
                    .bind("by", actor)
                    .bind("at", Timestamp.from(at))
                    .bind("reason", reason)
                    .bind("id", id)
                    .bindList("from", from.stream().map(JoinState::wire).toList())
                    .mapTo(String.class)
                    .findOne();
            cluster.ifPresent(c ->
                    Audit.write(h, at, actor == null ? "pull-agent" : actor, event, c, "{\"joinId\": \"" + id + "\"}"));
            return cluster.isPresent();
        });
    }

    /**
     * The bootstrap token's one use: an issued, unexpired join becomes {@code to} (requested, or accepted by
     * policy) with the cluster's uid and the name of the credential issued for it. False when it was used,
     * expired or revoked meanwhile (the caller then revokes the credential it made).
     */
    public boolean exchange(String id, String clusterUid, String credentialName, JoinState to, String by, Instant at) {
        return jdbi.inTransaction(h -> {
            Optional<String> cluster = h.createQuery("UPDATE cluster_joins SET state = :to, requested_at = :at,"
                            + " cluster_uid = :uid, credential_name = :cred,"
                            + " decided_by = :by, decided_at = CASE WHEN CAST(:by AS text) IS NULL THEN NULL ELSE CAST(:at AS timestamptz) END"
                            + " WHERE id = :id AND state = :issued AND expires_at > :at RETURNING cluster_id")
                    .bind("to", to.wire())
                    .bind("at", Timestamp.from(at))
                    .bind("uid", clusterUid)
                    .bind("cred", credentialName)
                    .bind("by", by)
                    .bind("id", id)
                    .bind("issued", JoinState.ISSUED.wire())
                    .mapTo(String.class)
                    .findOne();
            cluster.ifPresent(c -> Audit.write(
                    h,
                    at,
                    "pull-agent",
                    to == JoinState.ACCEPTED ? "cluster.join.accepted_by_policy" : "cluster.join.request",
                    c,
                    "{\"joinId\": \"" + id + "\"}"));
            return cluster.isPresent();
        });
    }

    /** Issued joins whose token ran out become expired; their ids. */
    public List<String> expire(Instant now) {
        return jdbi.inTransaction(h -> {
            List<String> ids = h.createQuery("UPDATE cluster_joins SET state = :expired WHERE state = :issued"
                            + " AND expires_at <= :now RETURNING id || ' ' || cluster_id")
                    .bind("expired", JoinState.EXPIRED.wire())
                    .bind("issued", JoinState.ISSUED.wire())
                    .bind("now", Timestamp.from(now))
                    .mapTo(String.class)
                    .list();
            for (String idAndCluster : ids) {
                String[] p = idAndCluster.split(" ", 2);
                Audit.write(h, now, "control-plane", "cluster.join.expire", p[1], "{\"joinId\": \"" + p[0] + "\"}");
            }
            return ids.stream().map(s -> s.split(" ", 2)[0]).toList();
        });
    }

    /** The agent's last report (JSON text) and the revision it applied. */
    public void report(String id, String appliedRevision, String report, Instant at) {
        jdbi.useHandle(h -> h.createUpdate("UPDATE cluster_joins SET applied_revision = :rev, reported_at = :at,"
                        + " report = CAST(:report AS jsonb) WHERE id = :id")
                .bind("rev", appliedRevision)
                .bind("at", Timestamp.from(at))
                .bind("report", report)
                .bind("id", id)
                .execute());
    }

    /** Keeps the cluster's services' secrets (sealed) with the join. */
    public void putAgentSecrets(String id, Sealed sealed) {
        jdbi.useHandle(
                h -> h.createUpdate("UPDATE cluster_joins SET agents_key_id = :k, agents_sealed = :s WHERE id = :id")
                        .bind("k", sealed.keyId())
                        .bind("s", sealed.bytes())
                        .bind("id", id)
                        .execute());
    }

    /** Forgets the services' secrets (the join ended). */
    public void dropAgentSecrets(String id) {
        jdbi.useHandle(h -> h.createUpdate(
                        "UPDATE cluster_joins SET agents_key_id = NULL, agents_sealed = NULL WHERE id = :id")
                .bind("id", id)
                .execute());
    }

    /** The services' secrets kept with the join, if any. */
    public Optional<Sealed> agentSecrets(String id) {
        return jdbi.withHandle(
                h -> h.createQuery("SELECT agents_key_id, agents_sealed FROM cluster_joins WHERE id = :id"
                                + " AND agents_sealed IS NOT NULL")
                        .bind("id", id)
                        .map((rs, ctx) -> new Sealed(rs.getString(1), rs.getBytes(2)))
                        .findOne());
    }

    /**
     * A rotation: {@code next} becomes the join's credential if {@code presented} is its current one (which is kept
     * as the previous until {@code next} is first used) or its previous one (the agent lost the answer to an earlier
     * rotation: that rotation's credential, never used, is given back to be revoked). Empty when {@code presented} is
     * neither any more (another rotation won): nothing changed. Otherwise the credential that is no longer the
     * join's, if any, to be revoked.
     */
    public Optional<Optional<String>> rotate(String id, String presented, String next) {
        return jdbi.inTransaction(h -> {
            Optional<JoinRecord> j = h.createQuery(
                            "SELECT " + COLUMNS + " FROM cluster_joins WHERE id = :id FOR UPDATE")
                    .bind("id", id)
                    .map((rs, ctx) -> row(rs))
                    .findOne();
            if (j.isEmpty()) {
                return Optional.empty();
            }
            JoinRecord r = j.get();
            if (presented.equals(r.credentialName())) {
                h.createUpdate("UPDATE cluster_joins SET previous_credential = credential_name, credential_name = :next"
                                + " WHERE id = :id")
                        .bind("next", next)
                        .bind("id", id)
                        .execute();
                return Optional.of(Optional.ofNullable(r.previousCredential())); // an older one, now dropped
            }
            if (presented.equals(r.previousCredential())) {
                h.createUpdate("UPDATE cluster_joins SET credential_name = :next WHERE id = :id")
                        .bind("next", next)
                        .bind("id", id)
                        .execute();
                return Optional.of(Optional.ofNullable(r.credentialName())); // the lost rotation's, never used
            }
            return Optional.empty();
        });
    }

    /** The join's current credential was used: the one it replaced is dropped; its name, to be revoked. */
    public Optional<String> retirePrevious(String id, String current) {
        return jdbi.inTransaction(h -> {
            Optional<String> old = h.createQuery("SELECT previous_credential FROM cluster_joins WHERE id = :id"
                            + " AND credential_name = :cur AND previous_credential IS NOT NULL FOR UPDATE")
                    .bind("id", id)
                    .bind("cur", current)
                    .mapTo(String.class)
                    .findOne();
            old.ifPresent(o -> h.createUpdate("UPDATE cluster_joins SET previous_credential = NULL WHERE id = :id")
                    .bind("id", id)
                    .execute());
            return old;
        });
    }

    private static JoinRecord row(ResultSet rs) throws SQLException {
        return new JoinRecord(
                rs.getString("id"),
                rs.getString("cluster_id"),
                rs.getBytes("secret_hash"),
                JoinState.fromWire(rs.getString("state")),
                rs.getBoolean("accept_by_policy"),
                instant(rs, "expires_at"),
                rs.getString("created_by"),
                instant(rs, "created_at"),
                instant(rs, "requested_at"),
                rs.getString("cluster_uid"),
                rs.getString("credential_name"),
                rs.getString("decided_by"),
                instant(rs, "decided_at"),
                rs.getString("reason"),
                rs.getString("applied_revision"),
                instant(rs, "reported_at"),
                rs.getString("report"),
                rs.getString("previous_credential"));
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        Timestamp t = rs.getTimestamp(column);
        return t == null ? null : t.toInstant();
    }
}
