package network.aios.store;

import java.time.Instant;
import network.aios.api.TargetKey;
import tools.jackson.databind.JsonNode;

/**
 * A persisted infra job, as values: what it works on ({@link TargetKey}: a cluster, or a deployable add-on), its kind,
 * where it stands ({@link Status}), when it runs ({@link Schedule}), and the owner's kubeconfig ({@link Admin},
 * sealed) until it is dropped. Changed copies come from the withers: a job is never assembled field by field.
 */
public record InfraJob(
        String id, TargetKey target, JobKind kind, Status status, Admin admin, String requestedBy, Schedule schedule) {

    /** Where a job stands: its state, why (an UpperCamel reason and a sentence), how far, after how many failures. */
    public record Status(
            JobState state, JobReason reason, String message, Progress progress, int attempts, JsonNode receipt) {
        public Status {
            progress = progress == null ? Progress.NONE : progress;
        }

        /** A job just queued. */
        public static Status queued(String message) {
            return new Status(JobState.PENDING, JobReason.QUEUED, message, Progress.NONE, 0, null);
        }
    }

    /** Objects done of the objects to do (0 of 0 until the job knows). */
    public record Progress(int done, int total) {
        public static final Progress NONE = new Progress(0, 0);
    }

    /** When a job was queued and last changed, when it is due next, and when it finished (null: not yet). */
    public record Schedule(Instant createdAt, Instant updatedAt, Instant nextRunAt, Instant finishedAt) {
        /** Queued at {@code now}, due at once. */
        public static Schedule queued(Instant now) {
            return new Schedule(now, now, now, null);
        }
    }

    /** The owner's kubeconfig, sealed by the network's key {@code keyId}. */
    public record Admin(String keyId, byte[] sealed) {
        @Override
        public String toString() {
            return "Admin[sealed with " + keyId + "]";
        }
    }

    /** A job queued at {@code now}: due at once; {@code admin} may be null (the control plane's own credential). */
    public static InfraJob queued(
            String id, TargetKey target, JobKind kind, String message, Admin admin, String requestedBy, Instant now) {
        return new InfraJob(id, target, kind, Status.queued(message), admin, requestedBy, Schedule.queued(now));
    }

    // ---- reads --------------------------------------------------------------------------------------------

    /** The stored form of {@link #target()}: a cluster id, or {@code <kind>/<id>}. */
    public String key() {
        return target.toString();
    }

    public JobState state() {
        return status.state();
    }

    public JobReason reason() {
        return status.reason();
    }

    public String message() {
        return status.message();
    }

    public int progressDone() {
        return status.progress().done();
    }

    public int progressTotal() {
        return status.progress().total();
    }

    public int attempts() {
        return status.attempts();
    }

    public JsonNode receipt() {
        return status.receipt();
    }

    public String adminKeyId() {
        return admin == null ? null : admin.keyId();
    }

    public byte[] adminSealed() {
        return admin == null ? null : admin.sealed();
    }

    public Instant nextRunAt() {
        return schedule.nextRunAt();
    }

    public Instant createdAt() {
        return schedule.createdAt();
    }

    public Instant updatedAt() {
        return schedule.updatedAt();
    }

    public Instant finishedAt() {
        return schedule.finishedAt();
    }

    public boolean finished() {
        return schedule.finishedAt() != null;
    }

    // ---- changed copies -------------------------------------------------------------------------------------

    private InfraJob with(Status s) {
        return new InfraJob(id, target, kind, s, admin, requestedBy, schedule);
    }

    private InfraJob with(Schedule s) {
        return new InfraJob(id, target, kind, status, admin, requestedBy, s);
    }

    /** The same job in a new state, with its reason and message. */
    public InfraJob next(JobState newState, JobReason newReason, String newMessage) {
        return with(
                new Status(newState, newReason, newMessage, status.progress(), status.attempts(), status.receipt()));
    }

    public InfraJob withProgress(int done, int total) {
        return with(new Status(
                status.state(),
                status.reason(),
                status.message(),
                new Progress(done, total),
                status.attempts(),
                status.receipt()));
    }

    public InfraJob withAttempts(int n) {
        return with(
                new Status(status.state(), status.reason(), status.message(), status.progress(), n, status.receipt()));
    }

    public InfraJob withReceipt(JsonNode r) {
        return with(
                new Status(status.state(), status.reason(), status.message(), status.progress(), status.attempts(), r));
    }

    /** Without the owner's kubeconfig: once it has done its one job, it is forgotten. */
    public InfraJob withoutAdmin() {
        return new InfraJob(id, target, kind, status, null, requestedBy, schedule);
    }

    /** Due again at {@code at}. */
    public InfraJob runAt(Instant at) {
        return with(new Schedule(schedule.createdAt(), schedule.updatedAt(), at, schedule.finishedAt()));
    }

    public InfraJob finishedAt(Instant at) {
        return with(new Schedule(schedule.createdAt(), schedule.updatedAt(), schedule.nextRunAt(), at));
    }

    /** As stored after a change at {@code at}. */
    public InfraJob updatedAt(Instant at) {
        return with(new Schedule(schedule.createdAt(), at, schedule.nextRunAt(), schedule.finishedAt()));
    }
}
