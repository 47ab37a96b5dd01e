package network.aios.store;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/** API tokens by id; secrets are hashed before they get here. */
public final class TokenStore {
    private static final String COLUMNS = "id, name, secret_hash, role, created_at, revoked_at, cluster_id";
    private final Jdbi jdbi;

    public TokenStore(Database db) {
        this.jdbi = db.jdbi();
    }

    /** False if a token with that name exists already. */
    public boolean insert(TokenRecord t, String actor) {
        return jdbi.inTransaction(h -> {
            int rows = h.createUpdate("INSERT INTO api_tokens (" + COLUMNS + ") VALUES "
                            + "(:id, :name, :hash, :role, :created, NULL, :cluster) ON CONFLICT DO NOTHING")
                    .bind("id", t.id())
                    .bind("name", t.name())
                    .bind("hash", t.secretHash())
                    .bind("role", t.role())
                    .bind("created", Timestamp.from(t.createdAt()))
                    .bind("cluster", t.clusterId())
                    .execute();
            if (rows > 0) {
                Audit.write(h, t.createdAt(), actor, "token.create", t.name(), null);
            }
            return rows > 0;
        });
    }

    public Optional<TokenRecord> get(String id) {
        return jdbi.withHandle(h -> h.createQuery("SELECT " + COLUMNS + " FROM api_tokens WHERE id = :id")
                .bind("id", id)
                .map(TokenStore::row)
                .findOne());
    }

    public List<TokenRecord> list() {
        return jdbi.withHandle(h -> h.createQuery("SELECT " + COLUMNS + " FROM api_tokens ORDER BY name")
                .map(TokenStore::row)
                .list());
    }

    /** The role of the token named {@code name} (revoked or not: a name is never reused), if there is one. */
    public Optional<String> roleOf(String name) {
        return jdbi.withHandle(h -> h.createQuery("SELECT role FROM api_tokens WHERE name = :n")
                .bind("n", name)
                .mapTo(String.class)
                .findOne());
    }

    public boolean anyAdmin() {
        return jdbi.withHandle(h -> h.createQuery(
                        "SELECT exists(SELECT 1 FROM api_tokens WHERE role = 'admin' AND revoked_at IS NULL)")
                .mapTo(Boolean.class)
                .one());
    }

    public boolean revoke(String name, String actor, Instant at) {
        return jdbi.inTransaction(h -> {
            int rows = h.createUpdate("UPDATE api_tokens SET revoked_at = :at WHERE name = :n AND revoked_at IS NULL")
                    .bind("at", Timestamp.from(at))
                    .bind("n", name)
                    .execute();
            if (rows > 0) {
                Audit.write(h, at, actor, "token.revoke", name, null);
            }
            return rows > 0;
        });
    }

    public void revokeAgents(String clusterId, Instant at) {
        revokeAgents(clusterId, at, () -> {});
    }

    /**
     * As above; {@code committed} runs once the revocation is committed: at once, or when the transaction
     * this call joined commits (a cache of verified tokens must not be refilled from the old row meanwhile).
     */
    public void revokeAgents(String clusterId, Instant at, Runnable committed) {
        jdbi.useHandle(h -> {
            h.createUpdate("UPDATE api_tokens SET revoked_at = :at WHERE cluster_id = :c "
                            + "AND role = 'agent' AND revoked_at IS NULL")
                    .bind("at", Timestamp.from(at))
                    .bind("c", clusterId)
                    .execute();
            if (h.isInTransaction()) {
                h.afterCommit(committed);
            }
        });
    }

    private static TokenRecord row(java.sql.ResultSet rs, org.jdbi.v3.core.statement.StatementContext ctx)
            throws java.sql.SQLException {
        Timestamp revoked = rs.getTimestamp("revoked_at");
        return new TokenRecord(
                rs.getString("id"),
                rs.getString("name"),
                rs.getBytes("secret_hash"),
                rs.getString("role"),
                rs.getTimestamp("created_at").toInstant(),
                revoked == null ? null : revoked.toInstant(),
                rs.getString("cluster_id"));
    }
}
