package network.aios.store;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/** The control plane's signing keys by purpose; the private key arrives here sealed. */
public final class SigningKeyStore {
    private final Jdbi jdbi;

    public SigningKeyStore(Database db) {
        this.jdbi = db.jdbi();
    }

    public record Row(String purpose, byte[] publicKey, String keyId, byte[] sealedPrivate, Instant createdAt) {}

    public Optional<Row> get(String purpose) {
        return jdbi.withHandle(h -> h.createQuery("SELECT purpose, public_key, key_id, sealed_private, created_at "
                        + "FROM signing_keys WHERE purpose = :p")
                .bind("p", purpose)
                .map((rs, ctx) -> new Row(
                        rs.getString(1),
                        rs.getBytes(2),
                        rs.getString(3),
                        rs.getBytes(4),
                        rs.getTimestamp(5).toInstant()))
                .findOne());
    }

    /** Stores {@code row} unless a key for its purpose exists (another replica won); returns the one in force. */
    public Row insertIfAbsent(Row row) {
        jdbi.useHandle(h -> h.createUpdate("INSERT INTO signing_keys (purpose, public_key, key_id, sealed_private, "
                        + "created_at) VALUES (:p, :pub, :kid, :priv, :at) ON CONFLICT (purpose) DO NOTHING")
                .bind("p", row.purpose())
                .bind("pub", row.publicKey())
                .bind("kid", row.keyId())
                .bind("priv", row.sealedPrivate())
                .bind("at", Timestamp.from(row.createdAt()))
                .execute());
        return get(row.purpose()).orElseThrow();
    }
}
