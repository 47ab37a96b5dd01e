package network.aios.server.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import network.aios.store.ClusterStore;
import network.aios.store.InfraJob;
import network.aios.store.JobKind;
import network.aios.store.JobReason;
import network.aios.store.JobState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The runner around the steps, against a member cluster in memory: it claims a due job, runs its steps,
 * saves each with what the registry records of a finished one, wakes itself, and stops a step whose lease it
 * lost.
 */
class JobRunnerTest extends StepsFixture {
    JobRunner runner;

    @AfterEach
    void stop() {
        java.util.concurrent.CountDownLatch gate = cluster.applyGate;
        if (gate != null) {
            gate.countDown();
        }
        if (runner != null) {
            runner.close();
        }
    }

    /** One worker: while its step runs, the runner claims nothing else. */
    void start(Duration renew) {
        runner = new JobRunner(store, steps, clock, 1, renew);
        runner.start(new network.aios.server.runtime.Loops(clock));
    }

    InfraJob finished(InfraJob job) {
        network.aios.server.KubeTestCluster.await(
                () -> store.job(job.id()).orElseThrow().finished(), Duration.ofSeconds(30), "the job to finish");
        return store.job(job.id()).orElseThrow();
    }

    @Test
    void aQueuedCreateRunsToReadyOnItsOwnAndTheRegistryShowsIt() throws Exception {
        InfraJob job = queued(JobKind.CREATE);
        start(JobRunner.RENEW);
        InfraJob done = finished(job);
        assertThat(done.state()).as(done.message()).isEqualTo(JobState.READY);
        assertThat(done.adminSealed()).isNull();
        assertThat(new ClusterStore(db).get(id).orElseThrow().status()).isEqualTo("degraded");
        assertThat(store.appliedFingerprint(id)).isPresent();
    }

    @Test
    void aStepThatFailsUnexpectedlyFailsTheJobAndTheClusterTogether() throws Exception {
        cluster.failing.put("apply", new IllegalStateException("a bug"));
        InfraJob job = queued(JobKind.CREATE);
        start(JobRunner.RENEW);
        InfraJob done = finished(job);
        assertThat(done.state()).isEqualTo(JobState.FAILED);
        assertThat(done.reason()).isEqualTo(JobReason.INTERNAL_ERROR);
        assertThat(done.message()).doesNotContain("a bug"); // the log has it; the API says nothing inside
        assertThat(new ClusterStore(db).get(id).orElseThrow().status()).isEqualTo("failed");
    }

    @Test
    void aStepWhoseLeaseIsTakenOverIsInterruptedAndSavesNothing() throws Exception {
        cluster.applyGate = new java.util.concurrent.CountDownLatch(1);
        InfraJob job = queued(JobKind.CREATE);
        start(Duration.ofMillis(50));
        network.aios.server.KubeTestCluster.await(
                () -> cluster.held.get() > 0, Duration.ofSeconds(30), "the step to be held mid-apply");

        // another replica, whose clock is past the runner's lease, takes the job over (the runner's own clock
        // stays put: its renewals keep the lease to T + 15 s, which the other replica's T + 16 s is beyond)
        InfraJob theirs = store.claim(
                        "other-replica", clock.instant().plus(JobRunner.LEASE).plusSeconds(1), JobRunner.LEASE)
                .orElseThrow();
        network.aios.server.KubeTestCluster.await(
                cluster.interruptedInApply::get, Duration.ofSeconds(10), "the held step to be interrupted");

        InfraJob after = store.job(job.id()).orElseThrow();
        assertThat(after.finished()).isFalse();
        assertThat(after.state()).isEqualTo(theirs.state());
        assertThat(after.updatedAt()).isEqualTo(theirs.updatedAt());
        // still the other replica's to save
        assertThat(store.save(theirs, "other-replica", clock.instant().plus(JobRunner.LEASE)))
                .isTrue();
    }
}
