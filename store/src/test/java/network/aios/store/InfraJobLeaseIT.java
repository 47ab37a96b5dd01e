package network.aios.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A job's lease: renewed while its runner works, lost for good once the job was ended by someone else; and a
 * finished job saved with what the registry records of it, in one transaction.
 */
class InfraJobLeaseIT {
    private static final Duration LEASE = Duration.ofSeconds(15);
    private static final Instant T0 = Instant.parse("2026-12-01T00:00:00Z");

    private static Database db;
    private static JobStore store;
    private static AddonStore addons;

    @BeforeAll
    static void open() {
        db = TestPostgres.freshDatabase(2);
        store = new JobStore(db);
        addons = new AddonStore(db);
        TestJobs.executor(addons, "renewed", T0);
        TestJobs.executor(addons, "cancelled", T0);
        TestJobs.executor(addons, "outcome", T0);
        TestJobs.executor(addons, "lost", T0);
        TestJobs.executor(addons, "crashed", T0);
    }

    @AfterAll
    static void close() {
        db.close();
    }

    @Test
    void aRenewedLeaseKeepsTheJobFromBeingCancelledOrClaimedByAnother() {
        store.insert(TestJobs.queuedCreate("job-renewed", "executor/renewed", T0), "alice")
                .orElseThrow();
        InfraJob mine = store.claim("runner-a", T0, LEASE).orElseThrow();
        assertThat(mine.id()).isEqualTo("job-renewed");

        assertThat(store.renew("job-renewed", "runner-a", T0.plusSeconds(10), LEASE))
                .isTrue();
        // past the first lease, but within the renewed one: nobody may take it or end it
        assertThat(store.claim("runner-b", T0.plusSeconds(20), LEASE)).isEmpty();
        assertThat(store.cancelIfIdle("job-renewed", JobReason.SUPERSEDED, "removal", T0.plusSeconds(20)))
                .isFalse();
        assertThat(store.save(
                        mine.next(JobState.READY, JobReason.READY, null).finishedAt(T0.plusSeconds(21)),
                        "runner-a",
                        T0.plusSeconds(21)))
                .isTrue();
    }

    @Test
    void aStepWhoseJobWasCancelledAfterItsLeaseExpiredSavesNothing() {
        store.insert(TestJobs.queuedCreate("job-cancelled", "executor/cancelled", T0), "alice")
                .orElseThrow();
        InfraJob mine = store.claim("runner-a", T0, LEASE).orElseThrow();
        // the runner stalls past its lease; a removal ends the waiting create
        assertThat(store.cancelIfIdle("job-cancelled", JobReason.SUPERSEDED, "removal", T0.plusSeconds(16)))
                .isTrue();

        assertThat(store.renew("job-cancelled", "runner-a", T0.plusSeconds(17), LEASE))
                .isFalse();
        assertThat(store.save(mine.next(JobState.READY, JobReason.READY, null), "runner-a", T0.plusSeconds(18)))
                .isFalse();
        InfraJob after = store.job("job-cancelled").orElseThrow();
        assertThat(after.state()).isEqualTo(JobState.FAILED);
        assertThat(after.reason()).isEqualTo(JobReason.SUPERSEDED);
        assertThat(store.claim("runner-b", T0.plusSeconds(60), LEASE)).isEmpty();
    }

    private static String phase(String id) {
        return addons.get("executor", id).orElseThrow().infraStatus();
    }

    @Test
    void aJobIsQueuedWithItsPhaseAndAFinishedOneSavedWithItsRegistryWritesOrNeither() {
        store.insert(
                        TestJobs.queuedCreate("job-outcome", "executor/outcome", T0),
                        "alice",
                        false,
                        () -> addons.setInfra("outcome", "provisioning", false, null, "alice", T0))
                .orElseThrow();
        assertThat(phase("outcome")).isEqualTo("provisioning");
        InfraJob mine = store.claim("runner-a", T0, LEASE).orElseThrow();
        InfraJob ready = mine.next(JobState.READY, JobReason.READY, null).finishedAt(T0.plusSeconds(1));

        // the registry write is made, then something fails before the job is saved: neither stays
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> store.save(ready, "runner-a", T0.plusSeconds(1), () -> {
                            addons.setInfra("outcome", "ready", true, "http://10.0.0.9:32400", "infra-job", T0);
                            throw new IllegalStateException("unsealing failed");
                        }))
                .hasMessageContaining("unsealing failed");
        assertThat(phase("outcome")).isEqualTo("provisioning");
        InfraJob after = store.job("job-outcome").orElseThrow();
        assertThat(after.finished()).isFalse();
        assertThat(after.state()).isEqualTo(JobState.PENDING);

        // still the runner's: the same outcome saves, both together
        assertThat(store.save(
                        ready,
                        "runner-a",
                        T0.plusSeconds(2),
                        () -> addons.setInfra("outcome", "ready", true, "http://10.0.0.9:32400", "infra-job", T0)))
                .isTrue();
        assertThat(phase("outcome")).isEqualTo("ready");
        assertThat(store.job("job-outcome").orElseThrow().state()).isEqualTo(JobState.READY);
    }

    @Test
    void anOutcomeWhoseLeaseWasLostWritesNothingToTheRegistry() {
        store.insert(TestJobs.queuedCreate("job-lost", "executor/lost", T0), "alice")
                .orElseThrow();
        InfraJob mine = store.claim("runner-a", T0, LEASE).orElseThrow();
        // runner-a stalls past its lease; runner-b takes the job over
        InfraJob theirs = store.claim("runner-b", T0.plusSeconds(16), LEASE).orElseThrow();
        java.util.concurrent.atomic.AtomicBoolean wrote = new java.util.concurrent.atomic.AtomicBoolean();

        assertThat(store.save(
                        mine.next(JobState.FAILED, JobReason.REJECTED, null).finishedAt(T0.plusSeconds(17)),
                        "runner-a",
                        T0.plusSeconds(17),
                        () -> wrote.set(true)))
                .isFalse();
        assertThat(wrote).isFalse();
        assertThat(store.job("job-lost").orElseThrow().finished()).isFalse();
        // runner-b's outcome is the one that counts (and ends the job, so other tests' claims do not find it)
        assertThat(store.save(
                        theirs.next(JobState.READY, JobReason.READY, null).finishedAt(T0.plusSeconds(18)),
                        "runner-b",
                        T0.plusSeconds(18),
                        () -> wrote.set(true)))
                .isTrue();
        assertThat(wrote).isTrue();
    }

    @Test
    void nothingIsWrittenAlongsideAJobForATargetNoLongerRegistered() {
        java.util.concurrent.atomic.AtomicBoolean wrote = new java.util.concurrent.atomic.AtomicBoolean();
        assertThat(store.insert(
                        TestJobs.queuedCreate("job-unregistered", "executor/never-registered", T0),
                        "alice",
                        false,
                        () -> wrote.set(true)))
                .isEmpty();
        assertThat(wrote).isFalse();
    }

    @Test
    void aControlPlaneThatIsTheDatabasesOnlyUserTakesBackWhatItsCrashLeftLeased() {
        store.insert(TestJobs.queuedCreate("job-crashed", "executor/crashed", T0), "alice")
                .orElseThrow();
        assertThat(store.claim("runner-before-the-crash", T0, LEASE)).isPresent();
        assertThat(store.claim("runner-after-the-restart", T0.plusSeconds(1), LEASE))
                .as("leased until T0 + 15 s")
                .isEmpty();

        assertThat(store.releaseLeases()).isPositive();
        InfraJob resumed = store.claim("runner-after-the-restart", T0.plusSeconds(1), LEASE)
                .orElseThrow();
        assertThat(resumed.id()).isEqualTo("job-crashed");
        assertThat(store.save(
                        resumed.next(JobState.READY, JobReason.READY, null).finishedAt(T0.plusSeconds(2)),
                        "runner-after-the-restart",
                        T0.plusSeconds(2)))
                .isTrue();
    }
}
