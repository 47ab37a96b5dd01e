package network.aios.store;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import network.aios.api.Json;
import org.jdbi.v3.core.Jdbi;

/** Policy versions: append-only; the newest version of an action is the one in force. */
public final class PolicyStore {
    private final Jdbi jdbi;

    public PolicyStore(Database db) {
        this.jdbi = db.jdbi();
    }

    /** Appends the next version atomically (concurrent appends get distinct versions or one fails). */
    public PolicyRecord append(String action, Object spec, String actor, Instant at) {
        String json = Json.MAPPER.writeValueAsString(spec);
        return jdbi.inTransaction(h -> {
            h.execute("SELECT pg_advisory_xact_lock(hashtext(?))", "policy:" + action);
            int version = h.createQuery("SELECT coalesce(max(version), 0) + 1 FROM policies WHERE action = :a")
                    .bind("a", action)
                    .mapTo(Integer.class)
                    .one();
            h.createUpdate("INSERT INTO policies (action, version, spec, created_at, created_by) "
                            + "VALUES (:a, :v, CAST(:s AS jsonb), :at, :by)")
                    .bind("a", action)
                    .bind("v", version)
                    .bind("s", json)
                    .bind("at", Timestamp.from(at))
                    .bind("by", actor)
                    .execute();
            Audit.write(h, at, actor, "policy.set", action, "{\"version\":" + version + "}");
            return new PolicyRecord(action, version, Json.MAPPER.readTree(json), at, actor);
        });
    }

    public Optional<PolicyRecord> current(String action) {
        return jdbi.withHandle(h -> h.createQuery("SELECT action, version, spec::text AS spec, created_at, created_by "
                        + "FROM policies WHERE action = :a ORDER BY version DESC LIMIT 1")
                .bind("a", action)
                .map(PolicyStore::row)
                .findOne());
    }

    public Optional<PolicyRecord> get(String action, int version) {
        return jdbi.withHandle(h -> h.createQuery("SELECT action, version, spec::text AS spec, created_at, created_by "
                        + "FROM policies WHERE action = :a AND version = :v")
                .bind("a", action)
                .bind("v", version)
                .map(PolicyStore::row)
                .findOne());
    }

    public List<PolicyRecord> versions(String action) {
        return jdbi.withHandle(h -> h.createQuery("SELECT action, version, spec::text AS spec, created_at, created_by "
                        + "FROM policies WHERE action = :a ORDER BY version")
                .bind("a", action)
                .map(PolicyStore::row)
                .list());
    }

    private static PolicyRecord row(java.sql.ResultSet rs, org.jdbi.v3.core.statement.StatementContext ctx)
            throws java.sql.SQLException {
        return new PolicyRecord(
                rs.getString("action"),
                rs.getInt("version"),
                Json.MAPPER.readTree(rs.getString("spec")),
                rs.getTimestamp("created_at").toInstant(),
                rs.getString("created_by"));
    }
}
