package network.aios.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A job's lease: renewed while its runner works, lost for good once the job was ended by someone else. */
class InfraJobLeaseIT {
    private static final Duration LEASE = Duration.ofSeconds(15);
    private static final Instant T0 = Instant.parse("2026-12-01T00:00:00Z");

    private static Database db;
    private static InfraStore store;

    @BeforeAll
    static void open() {
        db = TestPostgres.freshDatabase(2);
        store = new InfraStore(db);
        AddonStore addons = new AddonStore(db);
        TestJobs.executor(addons, "renewed", T0);
        TestJobs.executor(addons, "cancelled", T0);
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
        assertThat(store.cancelIfIdle("job-renewed", "Superseded", "removal", T0.plusSeconds(20)))
                .isFalse();
        assertThat(store.save(
                        mine.toBuilder()
                                .state(JobState.READY)
                                .finishedAt(T0.plusSeconds(21))
                                .build(),
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
        assertThat(store.cancelIfIdle("job-cancelled", "Superseded", "removal", T0.plusSeconds(16)))
                .isTrue();

        assertThat(store.renew("job-cancelled", "runner-a", T0.plusSeconds(17), LEASE))
                .isFalse();
        assertThat(store.save(mine.toBuilder().state(JobState.READY).build(), "runner-a", T0.plusSeconds(18)))
                .isFalse();
        InfraJob after = store.job("job-cancelled").orElseThrow();
        assertThat(after.state()).isEqualTo(JobState.FAILED);
        assertThat(after.reason()).isEqualTo("Superseded");
        assertThat(store.claim("runner-b", T0.plusSeconds(60), LEASE)).isEmpty();
    }
}
