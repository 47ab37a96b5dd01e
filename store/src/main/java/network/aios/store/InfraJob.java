package network.aios.store;

import java.time.Instant;
import network.aios.api.TargetKey;
import tools.jackson.databind.JsonNode;

/**
 * A persisted infra job. {@code clusterId} is the target's key (a cluster id, or {@code <kind>/<id>}
 * for an add-on: see {@link #target()}). {@code adminSealed} is the owner's kubeconfig, sealed, until
 * dropped. Changed copies are made with {@link #toBuilder()} or the withers built on it.
 */
public record InfraJob(
        String id,
        String clusterId,
        JobKind kind,
        JobState state,
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

    public TargetKey target() {
        return TargetKey.parse(clusterId);
    }

    /** The same job in a new state, with its reason and message. */
    public InfraJob next(JobState newState, String newReason, String newMessage) {
        return toBuilder().state(newState).reason(newReason).message(newMessage).build();
    }

    public InfraJob withProgress(int done, int total) {
        return toBuilder().progressDone(done).progressTotal(total).build();
    }

    public InfraJob withAttempts(int n) {
        return toBuilder().attempts(n).build();
    }

    public InfraJob withReceipt(JsonNode r) {
        return toBuilder().receipt(r).build();
    }

    /** Without the owner's kubeconfig: once it has done its one job, it is forgotten. */
    public InfraJob withoutAdmin() {
        return toBuilder().adminKeyId(null).adminSealed(null).build();
    }

    /** Due again at {@code at}. */
    public InfraJob runAt(Instant at) {
        return toBuilder().nextRunAt(at).build();
    }

    public InfraJob finishedAt(Instant at) {
        return toBuilder().finishedAt(at).build();
    }

    public Builder toBuilder() {
        return new Builder()
                .id(id)
                .clusterId(clusterId)
                .kind(kind)
                .state(state)
                .reason(reason)
                .message(message)
                .progressDone(progressDone)
                .progressTotal(progressTotal)
                .attempts(attempts)
                .adminKeyId(adminKeyId)
                .adminSealed(adminSealed)
                .receipt(receipt)
                .requestedBy(requestedBy)
                .nextRunAt(nextRunAt)
                .createdAt(createdAt)
                .updatedAt(updatedAt)
                .finishedAt(finishedAt);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Every field by name. */
    public static final class Builder {
        private String id;
        private String clusterId;
        private JobKind kind;
        private JobState state;
        private String reason;
        private String message;
        private int progressDone;
        private int progressTotal;
        private int attempts;
        private String adminKeyId;
        private byte[] adminSealed;
        private JsonNode receipt;
        private String requestedBy;
        private Instant nextRunAt;
        private Instant createdAt;
        private Instant updatedAt;
        private Instant finishedAt;

        public Builder id(String v) {
            id = v;
            return this;
        }

        public Builder clusterId(String v) {
            clusterId = v;
            return this;
        }

        public Builder kind(JobKind v) {
            kind = v;
            return this;
        }

        public Builder state(JobState v) {
            state = v;
            return this;
        }

        public Builder reason(String v) {
            reason = v;
            return this;
        }

        public Builder message(String v) {
            message = v;
            return this;
        }

        public Builder progressDone(int v) {
            progressDone = v;
            return this;
        }

        public Builder progressTotal(int v) {
            progressTotal = v;
            return this;
        }

        public Builder attempts(int v) {
            attempts = v;
            return this;
        }

        public Builder adminKeyId(String v) {
            adminKeyId = v;
            return this;
        }

        public Builder adminSealed(byte[] v) {
            adminSealed = v;
            return this;
        }

        public Builder receipt(JsonNode v) {
            receipt = v;
            return this;
        }

        public Builder requestedBy(String v) {
            requestedBy = v;
            return this;
        }

        public Builder nextRunAt(Instant v) {
            nextRunAt = v;
            return this;
        }

        public Builder createdAt(Instant v) {
            createdAt = v;
            return this;
        }

        public Builder updatedAt(Instant v) {
            updatedAt = v;
            return this;
        }

        public Builder finishedAt(Instant v) {
            finishedAt = v;
            return this;
        }

        public InfraJob build() {
            return new InfraJob(
                    id,
                    clusterId,
                    kind,
                    state,
                    reason,
                    message,
                    progressDone,
                    progressTotal,
                    attempts,
                    adminKeyId,
                    adminSealed,
                    receipt,
                    requestedBy,
                    nextRunAt,
                    createdAt,
                    updatedAt,
                    finishedAt);
        }
    }
}
