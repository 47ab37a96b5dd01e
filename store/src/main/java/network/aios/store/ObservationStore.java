package network.aios.store;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import network.aios.api.Json;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import tools.jackson.databind.JsonNode;

/**
 * What clusters' agents report (heartbeats with the observed inventory, metrics snapshots) and the
 * conditions derived from it. Heartbeats arrive in batches (one statement per batch); a cluster's
 * status moves between {@code live} and {@code degraded} in the same transaction, with an audit row,
 * and without a version bump (the document did not change).
 */
public final class ObservationStore {
    private final Jdbi jdbi;

    public ObservationStore(Database db) {
        this.jdbi = db.jdbi();
    }

    /**
     * The heartbeats of one cluster since the last flush, coalesced; {@code inventoryJson} null: unchanged
     * since the last flush (sent as JSON null: a SQL NULL would fail NOT NULL before ON CONFLICT applies).
     */
    public record Beat(
            String clusterId,
            Instant at,
            String agentVersion,
            String inventoryJson,
            String hash,
            boolean verified,
            String driftJson,
            long heartbeats,
            long verifiedHeartbeats) {
        /** This (later) beat with an earlier one of the same cluster folded in: latest state, summed counts. */
        public Beat after(Beat earlier) {
            return new Beat(
                    clusterId,
                    at,
                    agentVersion,
                    inventoryJson,
                    hash,
                    verified,
                    driftJson,
                    heartbeats + earlier.heartbeats,
                    verifiedHeartbeats + earlier.verifiedHeartbeats);
        }

        /** The same beat without its inventory (the database has it already). */
        public Beat withoutInventory() {
            return new Beat(
                    clusterId, at, agentVersion, null, hash, verified, driftJson, heartbeats, verifiedHeartbeats);
        }
    }

    /** A status change caused by a report or by silence. */
    public record Transition(String clusterId, String status) {}

    /**
     * What a flush did: the status changes, and the clusters whose row has no inventory yet (a beat
     * left it out as known, but the row was new — the cluster was deleted and registered again): their
     * next beat must carry it.
     */
    public record Flushed(List<Transition> transitions, List<String> inventoryMissing) {}

    /** Stores a batch of heartbeats (clusters that are gone are skipped). */
    public Flushed flush(List<Beat> beats, Instant now) {
        if (beats.isEmpty()) {
            return new Flushed(List.of(), List.of());
        }
        int n = beats.size();
        String[] ids = new String[n];
        String[] ats = new String[n]; // ISO-8601, cast in SQL (JDBI has no timestamp arrays)
        String[] versions = new String[n];
        String[] inventories = new String[n];
        String[] hashes = new String[n];
        Boolean[] verified = new Boolean[n];
        String[] drifts = new String[n];
        Long[] counts = new Long[n];
        Long[] verifiedCounts = new Long[n];
        for (int i = 0; i < n; i++) {
            Beat b = beats.get(i);
            ids[i] = b.clusterId();
            ats[i] = b.at().toString();
            versions[i] = b.agentVersion();
            inventories[i] = b.inventoryJson();
            hashes[i] = b.hash();
            verified[i] = b.verified();
            drifts[i] = b.driftJson();
            counts[i] = b.heartbeats();
            verifiedCounts[i] = b.verifiedHeartbeats();
        }
        return jdbi.inTransaction(h -> {
            oneWriterAtATime(h);
            List<String> missing = h
                    .createQuery("""
                    INSERT INTO cluster_observations AS o (cluster_id, last_heartbeat_at, agent_version, inventory,
                        inventory_hash, verified, drift, verified_since, ready, ready_since, heartbeats,
                        verified_heartbeats, accounted_at)
                    SELECT t.id, t.at, t.ver, COALESCE(CAST(t.inv AS jsonb), 'null'::jsonb), t.hash, t.ok, CAST(t.drift AS jsonb), t.at, 'True',
                        t.at, t.n, t.nok, t.at
                    FROM unnest(CAST(:ids AS text[]), CAST(:ats AS timestamptz[]), CAST(:vers AS text[]),
                        CAST(:invs AS text[]), CAST(:hashes AS text[]), CAST(:oks AS boolean[]),
                        CAST(:drifts AS text[]), CAST(:ns AS bigint[]), CAST(:noks AS bigint[]))
                        AS t(id, at, ver, inv, hash, ok, drift, n, nok)
                    WHERE EXISTS (SELECT 1 FROM clusters c WHERE c.id = t.id)
                    ORDER BY t.id
                    ON CONFLICT (cluster_id) DO UPDATE SET
                        last_heartbeat_at = GREATEST(o.last_heartbeat_at, EXCLUDED.last_heartbeat_at),
                        agent_version = EXCLUDED.agent_version,
                        inventory = CASE WHEN EXCLUDED.inventory = 'null'::jsonb THEN o.inventory
                            ELSE EXCLUDED.inventory END,
                        inventory_hash = EXCLUDED.inventory_hash,
                        verified_since = CASE WHEN o.verified = EXCLUDED.verified THEN o.verified_since
                            ELSE EXCLUDED.last_heartbeat_at END,
                        verified = EXCLUDED.verified,
                        drift = EXCLUDED.drift,
                        ready_since = CASE WHEN o.ready = 'True' THEN o.ready_since ELSE EXCLUDED.last_heartbeat_at END,
                        ready = 'True',
                        heartbeats = o.heartbeats + EXCLUDED.heartbeats,
                        verified_heartbeats = o.verified_heartbeats + EXCLUDED.verified_heartbeats
                    RETURNING o.cluster_id, o.inventory = 'null'::jsonb AS missing""")
                    .bind("ids", ids)
                    .bind("ats", ats)
                    .bind("vers", versions)
                    .bind("invs", inventories)
                    .bind("hashes", hashes)
                    .bind("oks", verified)
                    .bind("drifts", drifts)
                    .bind("ns", counts)
                    .bind("noks", verifiedCounts)
                    .map((rs, ctx) -> rs.getBoolean("missing") ? rs.getString("cluster_id") : null)
                    .list()
                    .stream()
                    .filter(java.util.Objects::nonNull)
                    .toList();
            // the health is an input of the status the database computes (V13); a change of status is audited
            List<Transition> changed =
                    statusChanges(h.createQuery("""
                    WITH before AS (SELECT c.id, c.status FROM clusters c
                            JOIN cluster_observations o ON o.cluster_id = c.id
                        WHERE c.id = ANY(CAST(:ids AS text[]))
                            AND c.health <> CASE WHEN o.verified THEN 'healthy' ELSE 'unhealthy' END
                        FOR NO KEY UPDATE OF c)
                    UPDATE clusters c SET health = CASE WHEN o.verified THEN 'healthy' ELSE 'unhealthy' END,
                        updated_at = :now
                    FROM cluster_observations o, before b
                    WHERE o.cluster_id = c.id AND b.id = c.id
                        AND c.health <> CASE WHEN o.verified THEN 'healthy' ELSE 'unhealthy' END
                    RETURNING c.id, c.status, b.status AS was""").bind("ids", ids).bind("now", Timestamp.from(now)));
            audit(h, changed, now);
            return new Flushed(changed, missing);
        });
    }

    /**
     * Ready clusters not yet degraded whose agents' last report, already not Ready, is older than {@code :cutoff}.
     * Few in a network whose clusters heartbeat: V15 indexes them, so the sweep does not scan every cluster.
     */
    static final String STALE_BEFORE_READY = """
            SELECT c.id FROM clusters c JOIN cluster_observations o ON o.cluster_id = c.id
            WHERE c.infra_phase = 'ready' AND c.health <> 'unhealthy' AND o.ready = 'Unknown'
                AND o.last_heartbeat_at < :cutoff""";

    /** Clusters silent since before {@code cutoff}: Ready becomes Unknown, and live ones degraded. */
    public List<Transition> markSilent(Instant cutoff, Instant now) {
        return jdbi.inTransaction(h -> {
            oneWriterAtATime(h);
            java.util.Set<String> silent = new java.util.LinkedHashSet<>(h.createQuery("""
                    UPDATE cluster_observations SET ready = 'Unknown', ready_since = :now
                    WHERE ready = 'True' AND last_heartbeat_at < :cutoff RETURNING cluster_id""")
                    .bind("now", Timestamp.from(now))
                    .bind("cutoff", Timestamp.from(cutoff))
                    .mapTo(String.class)
                    .list());
            // also a cluster whose report was already stale when its infrastructure came back (created again
            // after a removal): its health had started over, and silence must still make it degraded
            silent.addAll(h.createQuery(STALE_BEFORE_READY)
                    .bind("cutoff", Timestamp.from(cutoff))
                    .mapTo(String.class)
                    .list());
            if (silent.isEmpty()) {
                return List.<Transition>of();
            }
            List<Transition> changed = statusChanges(h.createQuery("""
                    WITH before AS (SELECT id, status FROM clusters
                        WHERE id = ANY(CAST(:ids AS text[])) AND health <> 'unhealthy' FOR NO KEY UPDATE)
                    UPDATE clusters c SET health = 'unhealthy', updated_at = :now FROM before b
                    WHERE b.id = c.id AND c.health <> 'unhealthy' RETURNING c.id, c.status, b.status AS was""")
                    .bind("ids", silent.toArray(new String[0]))
                    .bind("now", Timestamp.from(now)));
            audit(h, changed, now);
            List<Transition> all = new ArrayList<>(changed);
            silent.stream()
                    .filter(id -> changed.stream().noneMatch(t -> t.clusterId().equals(id)))
                    .forEach(id -> all.add(new Transition(id, null)));
            return all;
        });
    }

    /**
     * The flush, the silence sweep and the accounting each lock many observation and cluster rows, in orders
     * that differ (the accounting takes every row in the table's physical order): run concurrently, on one
     * replica or several, they deadlocked, and PostgreSQL aborted one of them. One at a time they cannot. A
     * cluster's deletion (its row, then its observation by cascade: the opposite order) takes it first too.
     */
    static void oneWriterAtATime(org.jdbi.v3.core.Handle h) {
        h.execute("SELECT pg_advisory_xact_lock(hashtext('aios-observation-writers'))");
    }

    /** The clusters whose computed status an UPDATE … RETURNING id, status, was changed, with the new one. */
    private static List<Transition> statusChanges(org.jdbi.v3.core.statement.Query q) {
        return q
                .map((rs, ctx) -> rs.getString("status").equals(rs.getString("was"))
                        ? null
                        : new Transition(rs.getString(1), rs.getString(2)))
                .list()
                .stream()
                .filter(java.util.Objects::nonNull)
                .toList();
    }

    /**
     * Adds the time since the last accounting to every cluster's observed time (and to its ready time
     * while Ready), and writes the reputation that history gives:
     * {@code 100 × (0.6 × availability + 0.4 × verification)}, where availability is
     * {@code (ready_s + 1800) / (observed_s + 3600)} and verification
     * {@code (verified_heartbeats + 5) / (heartbeats + 10)} — each starts from a prior of one hour at
     * 50% and ten heartbeats at 50%, so a new cluster neither starts at the top nor at zero.
     */
    /** The reputation the priors alone give (no history yet): what a cluster is registered with. */
    public static final double PRIOR_REPUTATION = 100 * (0.6 * 1800.0 / 3600 + 0.4 * 5.0 / 10);

    public void account(Instant now) {
        jdbi.useTransaction(h -> {
            oneWriterAtATime(h);
            h.createUpdate("""
                    UPDATE cluster_observations SET
                        observed_seconds = observed_seconds + GREATEST(0, EXTRACT(EPOCH FROM (:now - accounted_at))),
                        ready_seconds = ready_seconds + CASE WHEN ready = 'True'
                            THEN GREATEST(0, EXTRACT(EPOCH FROM (:now - accounted_at))) ELSE 0 END,
                        accounted_at = :now
                    WHERE accounted_at < :now""").bind("now", Timestamp.from(now)).execute();
            h.createUpdate("""
                    UPDATE clusters c SET reputation = r.value
                    FROM (SELECT cluster_id, round(CAST(100 * (0.6 * (ready_seconds + 1800) / (observed_seconds + 3600)
                              + 0.4 * (verified_heartbeats + 5.0) / (heartbeats + 10)) AS numeric), 1) AS value
                          FROM cluster_observations) r
                    WHERE r.cluster_id = c.id AND c.reputation IS DISTINCT FROM CAST(r.value AS double precision)""").execute();
        });
    }

    /** The stored observation of a cluster. */
    public record Observation(
            String clusterId,
            Instant lastHeartbeatAt,
            String agentVersion,
            JsonNode inventory,
            boolean verified,
            JsonNode drift,
            Instant verifiedSince,
            String ready,
            Instant readySince,
            long heartbeats,
            long verifiedHeartbeats,
            double observedSeconds,
            double readySeconds,
            JsonNode metrics,
            Instant metricsAt) {}

    public Optional<Observation> get(String clusterId) {
        return jdbi.withHandle(h -> h.createQuery("""
                SELECT cluster_id, last_heartbeat_at, agent_version, inventory::text AS inventory, verified,
                    drift::text AS drift, verified_since, ready, ready_since, heartbeats, verified_heartbeats,
                    observed_seconds, ready_seconds, metrics::text AS metrics, metrics_at
                FROM cluster_observations WHERE cluster_id = :id""")
                .bind("id", clusterId)
                .map((rs, ctx) -> new Observation(
                        rs.getString("cluster_id"),
                        rs.getTimestamp("last_heartbeat_at").toInstant(),
                        rs.getString("agent_version"),
                        Json.MAPPER.readTree(rs.getString("inventory")),
                        rs.getBoolean("verified"),
                        Json.MAPPER.readTree(rs.getString("drift")),
                        rs.getTimestamp("verified_since").toInstant(),
                        rs.getString("ready"),
                        rs.getTimestamp("ready_since").toInstant(),
                        rs.getLong("heartbeats"),
                        rs.getLong("verified_heartbeats"),
                        rs.getDouble("observed_seconds"),
                        rs.getDouble("ready_seconds"),
                        rs.getString("metrics") == null ? null : Json.MAPPER.readTree(rs.getString("metrics")),
                        rs.getTimestamp("metrics_at") == null
                                ? null
                                : rs.getTimestamp("metrics_at").toInstant()))
                .findOne());
    }

    /** Stores a metrics snapshot; false if the cluster has sent no heartbeat yet. */
    public boolean putMetrics(String clusterId, String metricsJson, Instant at) {
        return jdbi.withHandle(h -> h.createUpdate("UPDATE cluster_observations SET metrics = CAST(:m AS jsonb), "
                                + "metrics_at = :at WHERE cluster_id = :id")
                        .bind("m", metricsJson)
                        .bind("at", Timestamp.from(at))
                        .bind("id", clusterId)
                        .execute()
                > 0);
    }

    private static void audit(Handle h, List<Transition> changed, Instant now) {
        for (Transition t : changed) {
            Audit.write(h, now, "health", "cluster.status", t.clusterId(), "{\"status\":\"" + t.status() + "\"}");
        }
    }
}
