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

    /** The same job in a new state, with its reason and message. */
    public InfraJob next(String newState, String newReason, String newMessage) {
        return new InfraJob(id, clusterId, kind, newState, newReason, newMessage, progressDone, progressTotal, attempts,
                adminKeyId, adminSealed, receipt, requestedBy, nextRunAt, createdAt, updatedAt, finishedAt);
    }

    public InfraJob withProgress(int done, int total) {
        return new InfraJob(id, clusterId, kind, state, reason, message, done, total, attempts, adminKeyId,
                adminSealed, receipt, requestedBy, nextRunAt, createdAt, updatedAt, finishedAt);
    }

    public InfraJob withAttempts(int n) {
        return new InfraJob(id, clusterId, kind, state, reason, message, progressDone, progressTotal, n, adminKeyId,
                adminSealed, receipt, requestedBy, nextRunAt, createdAt, updatedAt, finishedAt);
    }

    public InfraJob withReceipt(JsonNode r) {
        return new InfraJob(id, clusterId, kind, state, reason, message, progressDone, progressTotal, attempts,
                adminKeyId, adminSealed, r, requestedBy, nextRunAt, createdAt, updatedAt, finishedAt);
    }

    /** Without the owner's kubeconfig: once it has done its one job, it is forgotten. */
    public InfraJob withoutAdmin() {
        return new InfraJob(id, clusterId, kind, state, reason, message, progressDone, progressTotal, attempts, null,
                null, receipt, requestedBy, nextRunAt, createdAt, updatedAt, finishedAt);
    }

    /** Due again at {@code at}. */
    public InfraJob runAt(Instant at) {
        return new InfraJob(id, clusterId, kind, state, reason, message, progressDone, progressTotal, attempts,
                adminKeyId, adminSealed, receipt, requestedBy, at, createdAt, updatedAt, finishedAt);
    }

    public InfraJob finishedAt(Instant at) {
        return new InfraJob(id, clusterId, kind, state, reason, message, progressDone, progressTotal, attempts,
                adminKeyId, adminSealed, receipt, requestedBy, nextRunAt, createdAt, updatedAt, at);
    }
}
