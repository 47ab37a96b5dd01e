package network.aios.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The silence sweep over a network of ready clusters that heartbeat: it finds the few silent ones through
 * indexes, not by scanning every cluster once a second.
 */
class SilenceSweepIT {
    private static final Instant NOW = Instant.parse("2026-12-01T12:00:00Z");
    private static final int CLUSTERS = 5000;

    private static Database db;

    @BeforeAll
    static void network() {
        db = TestPostgres.freshDatabase(2);
        db.jdbi().useHandle(h -> {
            h.createUpdate("""
                    INSERT INTO clusters (id, owner, region_id, document, tags, gpu_models, gpu_count, vcpus,
                        memory_mb, version, created_at, updated_at, infra_phase, health)
                    SELECT 'c-' || i, 'alice', 'us-west-2', '{}'::jsonb, '{}', '{}', 0, 0, 0, 1, :now, :now,
                        'ready', 'healthy' FROM generate_series(1, :n) i""")
                    .bind("now", Timestamp.from(NOW))
                    .bind("n", CLUSTERS)
                    .execute();
            // every cluster heartbeat a second ago, but two: their report was already stale (not Ready)
            h.createUpdate("""
                    INSERT INTO cluster_observations (cluster_id, last_heartbeat_at, inventory, inventory_hash,
                        verified, drift, verified_since, ready, ready_since, accounted_at)
                    SELECT 'c-' || i, CASE WHEN i <= 2 THEN CAST(:old AS timestamptz) ELSE CAST(:recent AS timestamptz) END, '{}'::jsonb, 'h', true,
                        '{}'::jsonb, :now, CASE WHEN i <= 2 THEN 'Unknown' ELSE 'True' END, :now, :now
                    FROM generate_series(1, :n) i""")
                    .bind("old", Timestamp.from(NOW.minusSeconds(600)))
                    .bind("recent", Timestamp.from(NOW.minusSeconds(1)))
                    .bind("now", Timestamp.from(NOW))
                    .bind("n", CLUSTERS)
                    .execute();
            h.execute("ANALYZE clusters");
            h.execute("ANALYZE cluster_observations");
        });
    }

    @AfterAll
    static void close() {
        db.close();
    }

    @Test
    void staleReportsOfReadyClustersAreFoundThroughAnIndexAndDegradeJustThoseClusters() {
        List<String> lines = db.jdbi()
                .withHandle(h -> h.createQuery("EXPLAIN " + ObservationStore.STALE_BEFORE_READY)
                        .bind("cutoff", Timestamp.from(NOW.minusSeconds(30)))
                        .mapTo(String.class)
                        .list());
        String plan = String.join("\n", lines);
        assertThat(plan).as(plan).contains("cluster_observations_not_ready").doesNotContain("Seq Scan");

        List<ObservationStore.Transition> silent = new ObservationStore(db).markSilent(NOW.minusSeconds(30), NOW);
        assertThat(silent).extracting(ObservationStore.Transition::clusterId).containsExactlyInAnyOrder("c-1", "c-2");
        assertThat(new ClusterStore(db).get("c-1").orElseThrow().status()).isEqualTo("degraded");
        assertThat(new ClusterStore(db).get("c-3").orElseThrow().status()).isEqualTo("live");
    }
}
