package network.aios.store;

import java.time.Instant;

/** Infra jobs, and the registrations they are for, for store tests. */
final class TestJobs {
    private TestJobs() {}

    /** A create job for {@code target}, queued at {@code at}, due at once. */
    static InfraJob queuedCreate(String id, String target, Instant at) {
        return InfraJob.queued(
                id, network.aios.api.TargetKey.parse(target), JobKind.CREATE, "create queued", null, "alice", at);
    }

    /** Registers executor {@code id} (owner alice): a job's target must be registered to be queued. */
    static void executor(AddonStore addons, String id, Instant at) {
        executor(addons, id, "alice", at);
    }

    /** Registers executor {@code id} for {@code owner}. */
    static void executor(AddonStore addons, String id, String owner, Instant at) {
        addons.insert(executorRecord(id, owner, at), owner).orElseThrow();
    }

    /** Executor {@code id} of {@code owner}, as registered at {@code at}. */
    static AddonRecord executorRecord(String id, String owner, Instant at) {
        return new AddonRecord(
                id,
                "executor",
                id,
                owner,
                null,
                null,
                java.util.List.of(),
                network.aios.api.Json.object().put("executor_id", id),
                1,
                at,
                at,
                null,
                null);
    }
}
