package network.aios.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Quotas counted where the write happens, and the job runner's share per owner. */
class QuotaStoreIT {
    private static final Instant T0 = Instant.parse("2026-12-01T00:00:00Z");
    private static final Duration LEASE = Duration.ofSeconds(15);

    private static Database db;
    private static JobStore jobs;
    private static AddonStore addons;
    private static QuotaStore quotas;

    @BeforeAll
    static void open() {
        db = TestPostgres.freshDatabase(2);
        jobs = new JobStore(db);
        addons = new AddonStore(db);
        quotas = new QuotaStore(db);
    }

    @AfterAll
    static void close() {
        db.close();
    }

    @Test
    void anOwnersUnfinishedJobsAreCountedAgainstItsQuotaAndTheAdminsAreNot() {
        quotas.put("q-jobs", new QuotaStore.Quota(null, null, 1, null, null), "admin", T0);
        TestJobs.executor(addons, "qj-1", "q-jobs", T0);
        TestJobs.executor(addons, "qj-2", "q-jobs", T0);
        jobs.insert(job("job-qj-1", "executor/qj-1", "q-jobs"), "q-jobs", false, () -> {}, "q-jobs")
                .orElseThrow();
        assertThatThrownBy(() ->
                        jobs.insert(job("job-qj-2", "executor/qj-2", "q-jobs"), "q-jobs", false, () -> {}, "q-jobs"))
                .isInstanceOfSatisfying(QuotaStore.Exceeded.class, e -> {
                    assertThat(e.quota()).isEqualTo("jobs");
                    assertThat(e.limit()).isEqualTo(1);
                    assertThat(e.retryAfterSeconds()).isPositive();
                });
        assertThat(jobs.job("job-qj-2")).as("nothing written").isEmpty();
        assertThat(jobs.insert(job("job-qj-2", "executor/qj-2", "admin"), "admin", false, () -> {}, null))
                .isPresent();
        assertThat(quotas.usage("q-jobs").jobs()).isEqualTo(1);
        // a new job for the target whose job it supersedes is not refused for that one
        jobs.checkJobQuota("q-jobs", "executor/qj-1");
        assertThatThrownBy(() -> jobs.checkJobQuota("q-jobs", "executor/qj-2")).isInstanceOf(QuotaStore.Exceeded.class);
    }

    @Test
    void anOwnersAddonsStopAtItsQuotaAndTheDefaultAppliesWhereItSetsNone() {
        quotas.put("q-addons", new QuotaStore.Quota(null, 1, null, null, null), "admin", T0);
        assertThat(quotas.effective("q-addons")).isEqualTo(new QuotaStore.Quota(100, 1, 4, 60, 200));
        assertThat(addons.insert(addon("qa-1", "q-addons"), "q-addons", "q-addons"))
                .isPresent();
        assertThatThrownBy(() -> addons.insert(addon("qa-2", "q-addons"), "q-addons", "q-addons"))
                .isInstanceOfSatisfying(
                        QuotaStore.Exceeded.class, e -> assertThat(e.quota()).isEqualTo("addons"));
        assertThat(addons.get("executor", "qa-2")).isEmpty();
        assertThat(quotas.delete("q-addons", "admin", T0)).isTrue();
        assertThat(addons.insert(addon("qa-2", "q-addons"), "q-addons", "q-addons"))
                .isPresent();
    }

    @Test
    void anOwnersRoutesStopAtItsQuotaPerClusterAndTheClusterIsWhatCounts() throws Exception {
        ClusterStore clusters = new ClusterStore(db);
        GatewayRouteStore routes = new GatewayRouteStore(db);
        clusters.insert(ClusterStoreIT.record("qr-1", "q-routes"), "q-routes").orElseThrow();
        clusters.insert(ClusterStoreIT.record("qr-2", "q-routes"), "q-routes").orElseThrow();
        quotas.put("q-routes", new QuotaStore.Quota(null, null, null, null, 2), "admin", T0);
        for (int i = 0; i < 2; i++) {
            assertThat(routes.insert(route("qr-1", "t" + i), "q-routes")).isTrue();
        }
        assertThatThrownBy(() -> routes.insert(route("qr-1", "t2"), "q-routes"))
                .isInstanceOfSatisfying(QuotaStore.Exceeded.class, e -> {
                    assertThat(e.quota()).isEqualTo("routesPerCluster");
                    assertThat(e.retryAfterSeconds()).isZero();
                });
        assertThat(routes.list("qr-1")).hasSize(2);
        assertThat(routes.insert(route("qr-1", "t0"), "q-routes"))
                .as("a route that exists is a conflict, whatever the quota")
                .isFalse();
        assertThat(routes.insert(route("qr-2", "t0"), "q-routes"))
                .as("another cluster, its own count")
                .isTrue();
        assertThat(routes.insert(route("qr-1", "t2"), null))
                .as("the admin is not limited")
                .isTrue();
    }

    static GatewayRouteStore.Route route(String cluster, String id) {
        return new GatewayRouteStore.Route(cluster, "task", id, "/tasks/" + id + "/", "svc", "q-routes", T0);
    }

    @Test
    void theRunnerGivesNoOwnerMoreThanItsShareOfWorkers() {
        Instant at = T0.plusSeconds(3600);
        for (int i = 0; i < 3; i++) {
            TestJobs.executor(addons, "fair-a" + i, "fair-alice", at);
            jobs.insert(job("job-fair-a" + i, "executor/fair-a" + i, "fair-alice", at.minusSeconds(10 - i)), "x")
                    .orElseThrow();
        }
        TestJobs.executor(addons, "fair-b", "fair-bob", at);
        jobs.insert(job("job-fair-b", "executor/fair-b", "fair-bob", at), "x").orElseThrow();
        // alice's jobs are all due before bob's: with a share of one, the second claim still goes to bob
        assertThat(jobs.claim("runner", at, LEASE, 1).orElseThrow().id()).isEqualTo("job-fair-a0");
        assertThat(jobs.claim("runner", at, LEASE, 1).orElseThrow().id()).isEqualTo("job-fair-b");
        assertThat(jobs.claim("runner", at, LEASE, 1))
                .as("both owners hold their share")
                .isEmpty();
        assertThat(jobs.claim("runner", at, LEASE).orElseThrow().id())
                .as("without a share, the next due job")
                .isEqualTo("job-fair-a1");
    }

    static InfraJob job(String id, String target, String by) {
        return job(id, target, by, T0);
    }

    static InfraJob job(String id, String target, String by, Instant at) {
        InfraJob j = TestJobs.queuedCreate(id, target, at);
        return InfraJob.queued(j.id(), j.target(), j.kind(), j.message(), null, by, at);
    }

    static AddonRecord addon(String id, String owner) {
        return TestJobs.executorRecord(id, owner, T0);
    }
}
