package network.aios.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import network.aios.api.ClusterValidator;
import network.aios.api.Json;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.ObjectNode;

class ClusterStoreIT {
    private static Database db;
    private static ClusterStore store;

    @BeforeAll
    static void open() {
        db = TestPostgres.freshDatabase(4);
        store = new ClusterStore(db);
    }

    @AfterAll
    static void close() {
        db.close();
    }

    static ClusterRecord record(String id, String owner) throws Exception {
        ObjectNode doc =
                (ObjectNode) Json.MAPPER.readTree(Files.readAllBytes(Path.of("..", "examples", "cluster.json")));
        doc.put("id", id);
        ObjectNode normalised = new ClusterValidator().validate(doc).document();
        Instant now = Instant.parse("2026-11-25T12:00:00Z");
        return new ClusterRecord(id, owner, "registered", "live", normalised, 1, now, now, "add_cluster", 1, 0);
    }

    @Test
    void theStatusIsComputedFromTheInfrastructurePhaseAndTheHealthAndWrittenByNoOne() throws Exception {
        store.insert(record("reduced-1", "alice"), "alice").orElseThrow();
        Instant at = Instant.parse("2026-11-30T12:00:00Z");
        assertThat(store.get("reduced-1").orElseThrow().status()).isEqualTo("registered");
        String[][] table = {
            // phase, health, status
            {"PROVISIONING", "unknown", "provisioning"},
            {"READY", "unknown", "degraded"}, // no report yet: nothing verified
            {"READY", "healthy", "live"},
            {"READY", "unhealthy", "degraded"},
            {"FAILED", "unhealthy", "failed"},
            {"DEPROVISIONING", "healthy", "deprovisioning"}
        };
        for (String[] row : table) {
            assertThat(store.setInfra("reduced-1", InfraPhase.valueOf(row[0]), null, "test", at))
                    .isNotNull();
            db.jdbi()
                    .useHandle(h -> h.createUpdate("UPDATE clusters SET health = :h WHERE id = 'reduced-1'")
                            .bind("h", row[1])
                            .execute());
            assertThat(store.get("reduced-1").orElseThrow().status())
                    .as(row[0] + " + " + row[1])
                    .isEqualTo(row[2]);
        }
        // no infrastructure: registered, and the health starts over
        assertThat(store.setInfra("reduced-1", InfraPhase.NONE, null, "test", at))
                .isEqualTo("registered");
        String health = db.jdbi()
                .withHandle(h -> h.createQuery("SELECT health FROM clusters WHERE id = 'reduced-1'")
                        .mapTo(String.class)
                        .one());
        assertThat(health).isEqualTo("unknown");
        // nobody writes the status itself
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> db.jdbi()
                        .useHandle(h -> h.execute("UPDATE clusters SET status = 'live' WHERE id = 'reduced-1'")))
                .hasMessageContaining("generated");
    }

    @Test
    void anOwnersUpdateNeverWritesTheJobsUrlMapAndOnlyReadyTargetsAreResynced() throws Exception {
        ClusterRecord r = store.insert(record("owned-url", "alice"), "alice").orElseThrow();
        Instant at = Instant.parse("2026-11-30T12:00:00Z");
        store.setInfra("owned-url", InfraPhase.READY, "{\"controllerService\": \"https://h:32300\"}", "job", at);
        // an owner's write made from a read taken before the job finished: without urlMap, or with another
        ObjectNode doc = r.document().deepCopy();
        ((ObjectNode) doc.get("config")).putObject("urlMap").put("controllerService", "http://stale:1");
        store.update(
                        new ClusterRecord(
                                r.id(), r.owner(), r.status(), null, doc, 1, r.createdAt(), at, "update", 1, 0),
                        1,
                        "alice")
                .orElseThrow();
        assertThat(store.get("owned-url")
                        .orElseThrow()
                        .document()
                        .at("/config/urlMap/controllerService")
                        .asString())
                .isEqualTo("https://h:32300");
        // resync: only while the infrastructure is ready, never while it is being removed or failed
        JobStore infra = new JobStore(db);
        infra.putApplied("owned-url", "f", at);
        assertThat(infra.dueForResync(at.plusSeconds(600), 100)).contains("owned-url");
        for (InfraPhase notReady : List.of(InfraPhase.DEPROVISIONING, InfraPhase.FAILED, InfraPhase.NONE)) {
            store.setInfra("owned-url", notReady, null, "job", at);
            assertThat(infra.dueForResync(at.plusSeconds(600), 100))
                    .as(notReady.name())
                    .doesNotContain("owned-url");
        }
    }

    @Test
    void aDocumentComesBackInItsOwnersKeyOrderWithTheJobsUrlMapAfterTheirKeys() throws Exception {
        ClusterRecord r = record("key-order", "alice");
        ObjectNode doc = r.document();
        ((ObjectNode) doc.get("clusterMetadata")).putObject("zeta").put("b", 1).put("a", 2);
        store.insert(r, "alice").orElseThrow();
        Instant at = Instant.parse("2026-11-30T12:00:00Z");
        store.setInfra("key-order", InfraPhase.READY, "{\"controllerService\": \"https://h:32300\"}", "job", at);

        ObjectNode back = store.get("key-order").orElseThrow().document();
        assertThat(back.propertyNames()).containsExactlyElementsOf(doc.propertyNames());
        assertThat(back.get("clusterMetadata").propertyNames())
                .containsExactlyElementsOf(doc.get("clusterMetadata").propertyNames());
        assertThat(back.at("/clusterMetadata/zeta").propertyNames()).containsExactly("b", "a");
        assertThat(back.at("/nodes/nodeData/0").propertyNames())
                .containsExactlyElementsOf(doc.at("/nodes/nodeData/0").propertyNames());
        List<String> config = List.copyOf(back.get("config").propertyNames());
        assertThat(config.get(config.size() - 1)).isEqualTo("urlMap");
        assertThat(config.subList(0, config.size() - 1))
                .containsExactlyElementsOf(doc.get("config").propertyNames());
    }

    @Test
    void anOwnersDeleteIsRefusedWhileAJobIsQueuedAndAJobIsNotQueuedForADeletedCluster() throws Exception {
        JobStore infra = new JobStore(db);
        Instant at = Instant.parse("2026-12-01T00:00:00Z");
        store.insert(record("queued-1", "alice"), "alice").orElseThrow();
        infra.insert(TestJobs.queuedCreate("job-queued-1", "queued-1", at), "alice")
                .orElseThrow();
        assertThat(store.deleteIfNoInfra("queued-1", 1, false, "alice", at)).isEqualTo(Deletion.HAS_INFRA);
        assertThat(store.get("queued-1")).isPresent();
        assertThat(store.deleteIfNoInfra("queued-1", 7, false, "alice", at)).isEqualTo(Deletion.STALE);

        store.insert(record("queued-2", "alice"), "alice").orElseThrow();
        assertThat(store.deleteIfNoInfra("queued-2", 1, false, "alice", at)).isEqualTo(Deletion.DELETED);
        assertThat(infra.insert(TestJobs.queuedCreate("job-queued-2", "queued-2", at), "alice"))
                .isEmpty();
        assertThat(infra.job("job-queued-2")).isEmpty();
    }

    @Test
    void aJobQueuedWhileTheRegistrationIsBeingDeletedWaitsAndThenFindsItGone() throws Exception {
        JobStore infra = new JobStore(db);
        Instant at = Instant.parse("2026-12-01T00:00:00Z");
        store.insert(record("racing", "alice"), "alice").orElseThrow();
        try (java.sql.Connection deleting = db.dataSource().getConnection()) {
            deleting.setAutoCommit(false);
            try (var lock = deleting.prepareStatement("SELECT 1 FROM clusters WHERE id = 'racing' FOR UPDATE")) {
                lock.executeQuery().close(); // a delete under way holds the row
            }
            var queued = java.util.concurrent.CompletableFuture.supplyAsync(
                    () -> infra.insert(TestJobs.queuedCreate("job-racing", "racing", at), "alice"));
            awaitBlockedOnALock();
            try (var delete = deleting.prepareStatement("DELETE FROM clusters WHERE id = 'racing'")) {
                assertThat(delete.executeUpdate()).isEqualTo(1);
            }
            deleting.commit();
            assertThat(queued.get(30, java.util.concurrent.TimeUnit.SECONDS)).isEmpty();
        }
        assertThat(infra.job("job-racing")).isEmpty();
    }

    @Test
    void anAddOnIsNotDeletedUnderAQueuedDeploymentNorADeploymentQueuedForADeletedAddOn() throws Exception {
        AddonStore addons = new AddonStore(db);
        JobStore infra = new JobStore(db);
        Instant at = Instant.parse("2026-12-01T00:00:00Z");
        for (String id : List.of("ex-queued", "ex-gone")) {
            TestJobs.executor(addons, id, at);
        }
        infra.insert(TestJobs.queuedCreate("job-ex-queued", "executor/ex-queued", at), "alice")
                .orElseThrow();
        assertThat(addons.deleteIfNoInfra("executor", "ex-queued", "alice", at)).isEqualTo(Deletion.HAS_INFRA);
        assertThat(addons.get("executor", "ex-queued")).isPresent();

        assertThat(addons.deleteIfNoInfra("executor", "ex-gone", "alice", at)).isEqualTo(Deletion.DELETED);
        assertThat(infra.insert(TestJobs.queuedCreate("job-ex-gone", "executor/ex-gone", at), "alice"))
                .isEmpty();
        assertThat(addons.deleteIfNoInfra("executor", "ex-gone", "alice", at)).isEqualTo(Deletion.STALE);
    }

    /** Until some session of this database waits for a row lock (the job insert, behind the delete). */
    private static void awaitBlockedOnALock() throws Exception {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
        try (java.sql.Connection c = db.dataSource().getConnection();
                var q = c.prepareStatement("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                        + "AND wait_event_type = 'Lock'")) {
            while (true) {
                try (var rs = q.executeQuery()) {
                    rs.next();
                    if (rs.getInt(1) > 0) {
                        return;
                    }
                }
                assertThat(System.nanoTime())
                        .as("a session waiting for the lock")
                        .isLessThan(deadline);
                Thread.onSpinWait();
            }
        }
    }

    @Test
    void insertIsRefusedForATakenIdAndKeepsTheFirst() throws Exception {
        assertThat(store.insert(record("dup-1", "alice"), "alice")).isPresent();
        assertThat(store.insert(record("dup-1", "bob"), "bob")).isEmpty();
        assertThat(store.get("dup-1").orElseThrow().owner()).isEqualTo("alice");
    }

    @Test
    void roundTripKeepsTheDocumentAndServerFields() throws Exception {
        ClusterRecord r = record("round-trip", "alice");
        store.insert(r, "alice");
        ClusterRecord back = store.get("round-trip").orElseThrow();
        assertThat(back.document()).isEqualTo(r.document());
        assertThat(back.version()).isEqualTo(1);
        assertThat(back.policyVersion()).isEqualTo(1);
        assertThat(back.createdAt()).isEqualTo(r.createdAt());
    }

    @Test
    void listFiltersAndPages() throws Exception {
        for (int i = 0; i < 5; i++) {
            ClusterRecord r = record("page-" + i, i % 2 == 0 ? "even" : "odd");
            store.insert(r, "t");
        }
        List<ClusterRecord> first = store.list(new ClusterQuery(
                null, "us-west-2", null, List.of("gpu", "ml"), "NVIDIA V100", 3, 48, 196608L, "page-", 2));
        assertThat(first).extracting(ClusterRecord::id).containsExactly("page-0", "page-1");
        List<ClusterRecord> second =
                store.list(new ClusterQuery(null, null, null, null, null, null, null, null, "page-1", 2));
        assertThat(second).extracting(ClusterRecord::id).containsExactly("page-2", "page-3");
        assertThat(store.list(new ClusterQuery("odd", null, null, null, null, null, null, null, "page-", 10)))
                .extracting(ClusterRecord::id)
                .containsExactly("page-1", "page-3");
        assertThat(store.list(new ClusterQuery(null, null, null, null, null, 4, null, null, "page-", 10)))
                .isEmpty();
        assertThat(store.list(new ClusterQuery(null, null, null, List.of("nope"), null, null, null, null, "page-", 10)))
                .isEmpty();
    }

    @Test
    void aPageIsCutByTheBytesOfItsDocumentsAndTheRestFollows() throws Exception {
        for (int i = 0; i < 6; i++) {
            store.insert(record("bytes-" + i, "b"), "t").orElseThrow();
        }
        ClusterQuery all = new ClusterQuery("b", null, null, null, null, null, null, null, null, 100);
        long one = Json.MAPPER
                .writeValueAsString(store.get("bytes-0").orElseThrow().document())
                .length();
        // room for about two documents in both stored forms
        Page<ClusterRecord> first = store.page(all, one * 4 + one / 2);
        assertThat(first.items()).extracting(ClusterRecord::id).containsExactly("bytes-0", "bytes-1");
        assertThat(first.more()).isTrue();
        Page<ClusterRecord> tiny = store.page(all, 1);
        assertThat(tiny.items()).as("the first row always comes").hasSize(1);
        List<String> seen = new java.util.ArrayList<>();
        String after = null;
        Page<ClusterRecord> page;
        do {
            page = store.page(new ClusterQuery("b", null, null, null, null, null, null, null, after, 100), one * 4);
            page.items().forEach(r -> seen.add(r.id()));
            after = page.items().get(page.items().size() - 1).id();
        } while (page.more());
        assertThat(seen).containsExactly("bytes-0", "bytes-1", "bytes-2", "bytes-3", "bytes-4", "bytes-5");
        assertThat(store.page(all, Long.MAX_VALUE - 1).more())
                .as("all six fit: nothing more")
                .isFalse();
    }

    @Test
    void updateAndDeleteNeedTheCurrentVersion() throws Exception {
        ClusterRecord r = record("versioned", "alice");
        store.insert(r, "alice");
        ObjectNode changed = r.document().deepCopy();
        changed.put("regionId", "eu-west-1");
        ClusterRecord next = new ClusterRecord(
                r.id(),
                r.owner(),
                r.status(),
                r.requestedStatus(),
                changed,
                0,
                r.createdAt(),
                Instant.parse("2026-11-25T13:00:00Z"),
                "update_cluster",
                1,
                0);
        assertThat(store.update(next, 7, "alice")).isEmpty();
        assertThat(store.update(next, 1, "alice").orElseThrow().version()).isEqualTo(2);
        assertThat(store.delete("versioned", 1, "alice", Instant.now())).isFalse();
        assertThat(store.delete("versioned", 2, "alice", Instant.now())).isTrue();
        assertThat(store.get("versioned")).isEmpty();
    }
}
