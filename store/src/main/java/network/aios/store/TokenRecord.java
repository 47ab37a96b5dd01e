package network.aios.store;

import java.time.Instant;

/** An API token as stored: never the secret, only its hash. */
public record TokenRecord(String id, String name, byte[] secretHash, String role, Instant createdAt, Instant revokedAt) {
    public boolean active() {
        return revokedAt == null;
    }
}
