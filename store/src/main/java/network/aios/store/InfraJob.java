package network.aios.store;

import java.time.Instant;
import tools.jackson.databind.JsonNode;

/** A persisted infra job. {@code adminSealed} is the owner's kubeconfig, sealed, until dropped. */
public record InfraJob(
        String id,
        String clusterId,
        String kind,
        String state,
        String reason,
        String message,
        int progressDone,
        int progressTotal,
        int attempts,
        String adminKeyId,
        byte[] adminSealed,
        JsonNode receipt,
        String requestedBy,
        Instant nextRunAt,
        Instant createdAt,
        Instant updatedAt,
        Instant finishedAt) {

    public boolean finished() {
        return finishedAt != null;
    }

    /** The same job with a new state, progress and message; the caller decides what else changes. */
    public InfraJob next(String newState, String newReason, String newMessage) {
        return new InfraJob(id, clusterId, kind, newState, newReason, newMessage, progressDone, progressTotal, attempts,
                adminKeyId, adminSealed, receipt, requestedBy, nextRunAt, createdAt, updatedAt, finishedAt);
    }
}
