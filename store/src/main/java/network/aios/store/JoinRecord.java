package network.aios.store;

import java.time.Instant;

/**
 * A pull-mode join as stored: never the bootstrap token (only its secret's hash) nor the pull credential (only its
 * token's name). {@code report} is the agent's last report, as JSON text.
 */
public record JoinRecord(
        String id,
        String clusterId,
        byte[] secretHash,
        JoinState state,
        boolean acceptByPolicy,
        Instant expiresAt,
        String createdBy,
        Instant createdAt,
        Instant requestedAt,
        String clusterUid,
        String credentialName,
        String decidedBy,
        Instant decidedAt,
        String reason,
        String appliedRevision,
        Instant reportedAt,
        String report,
        String previousCredential) {
    @Override
    public String toString() {
        return "JoinRecord[" + id + " " + clusterId + " " + state + "]";
    }
}
