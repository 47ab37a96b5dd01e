package network.aios.store;

import java.time.Instant;

/** An API token as stored: never the secret, only its hash. Agent tokens name the one cluster they act for. */
public record TokenRecord(
        String id,
        String name,
        byte[] secretHash,
        String role,
        Instant createdAt,
        Instant revokedAt,
        String clusterId) {
    public boolean active() {
        return revokedAt == null;
    }
}
