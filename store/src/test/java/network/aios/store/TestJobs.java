package network.aios.store;

import java.time.Instant;

/** Infra jobs for store tests. */
final class TestJobs {
    private TestJobs() {}

    /** A create job for {@code target}, queued at {@code at}, due at once. */
    static InfraJob queuedCreate(String id, String target, Instant at) {
        return InfraJob.builder()
                .id(id)
                .clusterId(target)
                .kind(JobKind.CREATE)
                .state(JobState.PENDING)
                .reason("Queued")
                .message("create queued")
                .requestedBy("alice")
                .nextRunAt(at)
                .createdAt(at)
                .updatedAt(at)
                .build();
    }
}
