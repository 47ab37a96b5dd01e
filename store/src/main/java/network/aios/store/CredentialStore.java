package network.aios.store;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/**
 * The control plane's own credential for each member cluster (and deployed add-on), sealed at rest: one row
 * per target, replaced when it changes, dropped on removal. Reached through {@link JobStore#credentials()}.
 */
public final class CredentialStore {
    private final Jdbi jdbi;

    CredentialStore(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    public void put(String clusterId, Sealed s, Instant at) {
        jdbi.useHandle(h -> h.createUpdate("INSERT INTO cluster_credentials (cluster_id, key_id, sealed, created_at) "
                        + "VALUES (:c, :k, :s, :at) ON CONFLICT (cluster_id) DO UPDATE SET key_id = :k, sealed = :s, "
                        + "created_at = :at")
                .bind("c", clusterId)
                .bind("k", s.keyId())
                .bind("s", s.bytes())
                .bind("at", Timestamp.from(at))
                .execute());
    }

    public Optional<Sealed> get(String clusterId) {
        return jdbi.withHandle(
                h -> h.createQuery("SELECT key_id, sealed FROM cluster_credentials WHERE cluster_id = :c")
                        .bind("c", clusterId)
                        .map((rs, ctx) -> new Sealed(rs.getString("key_id"), rs.getBytes("sealed")))
                        .findOne());
    }

    public void drop(String clusterId) {
        jdbi.useHandle(h -> h.createUpdate("DELETE FROM cluster_credentials WHERE cluster_id = :c")
                .bind("c", clusterId)
                .execute());
    }
}
