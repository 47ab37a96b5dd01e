package network.aios.store;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import network.aios.api.Json;
import network.aios.api.TargetKey;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.StatementContext;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;

/**
 * Infra jobs (with leases) and what they record of what was applied; the inventory of created objects and the
 * sealed cluster credentials through {@link #inventory()} and {@link #credentials()}, and the external nodes'
 * join tokens a job puts on a cluster through {@link #nodeJoins()}.
 */
public final class JobStore {
    private static final String JOB_COLUMNS = "id, cluster_id, kind, state, reason, message, progress_done, "
            + "progress_total, attempts, admin_key_id, admin_sealed, receipt::text AS receipt, requested_by, next_run_at, "
            + "created_at, updated_at, finished_at";

    private final Jdbi jdbi;
    private final InventoryStore inventory;
    private final CredentialStore credentials;
    private final NodeJoinStore nodeJoins;

    public JobStore(Database db) {
        this.jdbi = db.jdbi();
        this.nodeJoins = new NodeJoinStore(db);
        this.inventory = new InventoryStore(jdbi);
        this.credentials = new CredentialStore(jdbi);
    }

    /** What the jobs made on member clusters. */
    public InventoryStore inventory() {
        return inventory;
    }

    /** External nodes' join tokens, whose Secrets a cluster's apply makes and deletes. */
    public NodeJoinStore nodeJoins() {
        return nodeJoins;
    }

    /** The control plane's own sealed credentials for member clusters. */
    public CredentialStore credentials() {
        return credentials;
    }

    /**
     * Inserts a job; empty if the target already has an unfinished one, or is no longer registered. The
     * registration's row is share-locked meanwhile, so an owner's delete either happens before (and this sees
     * it gone) or waits and then sees the job ({@link ClusterStore#deleteIfNoInfra},
     * {@link AddonStore#deleteIfNoInfra}).
     */
    public Optional<InfraJob> insert(InfraJob j, String actor) {
        return insert(j, actor, false);
    }

    /** As above; {@code deleteCluster}: a removal after which the registration is deleted too. */
    public Optional<InfraJob> insert(InfraJob j, String actor, boolean deleteCluster) {
        return insert(j, actor, deleteCluster, () -> {});
    }

    /**
     * As above, with {@code alongside}: what the registry records about the queued job (the target's phase),
     * written in the same transaction, so a runner can never finish the job before its phase is written and
     * then see that phase overwrite its outcome. Store calls made by {@code alongside} on this thread join the
     * transaction (one Jdbi, thread-scoped handles); it is not run if nothing is inserted.
     */
    public Optional<InfraJob> insert(InfraJob j, String actor, boolean deleteCluster, Runnable alongside) {
        return insert(j, actor, deleteCluster, alongside, null);
    }

    /**
     * As above, counted against {@code quotaOwner}'s quota of unfinished jobs (null: not limited); see
     * {@link QuotaStore}.
     */
    public Optional<InfraJob> insert(
            InfraJob j, String actor, boolean deleteCluster, Runnable alongside, String quotaOwner) {
        try {
            return jdbi.inTransaction(h -> {
                QuotaStore.within(h, quotaOwner, "jobs");
                if (!registered(h, TargetKey.parse(j.key()))) {
                    // the registration is gone (or going: a delete holds its row, and this waited for it)
                    return Optional.<InfraJob>empty();
                }
                insertJob(h, j, deleteCluster, "");
                alongside.run();
                Audit.write(
                        h, j.createdAt(), actor, "infra." + j.kind().wire(), j.key(), "{\"job\":\"" + j.id() + "\"}");
                return Optional.of(j);
            });
        } catch (UnableToExecuteStatementException e) {
            if (e.getCause() instanceof SQLException s && "23505".equals(s.getSQLState())) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /**
     * Throws {@link QuotaStore.Exceeded} if {@code owner} (null: not limited) may have no more unfinished jobs,
     * not counting {@code target}'s own (the one a new job for it supersedes).
     */
    public void checkJobQuota(String owner, String target) {
        if (owner != null) {
            jdbi.useTransaction(h -> QuotaStore.within(h, owner, "jobs", target));
        }
    }

    /** Whether the target's registration exists, share-locking its row until the transaction ends. */
    private static boolean registered(org.jdbi.v3.core.Handle h, TargetKey t) {
        return (t.isCluster()
                        ? h.createQuery("SELECT 1 FROM clusters WHERE id = :id FOR KEY SHARE")
                        : h.createQuery("SELECT 1 FROM addons WHERE kind = :k AND id = :id FOR KEY SHARE")
                                .bind("k", t.addon().wire()))
                .bind("id", t.id())
                .mapTo(Integer.class)
                .findOne()
                .isPresent();
    }

    /** One INSERT of a job, with {@code onConflict} appended; the number of rows inserted. */
    private static int insertJob(org.jdbi.v3.core.Handle h, InfraJob j, boolean deleteCluster, String onConflict) {
        return h.createUpdate("INSERT INTO infra_jobs (id, cluster_id, kind, state, reason, message, admin_key_id, "
                        + "admin_sealed, requested_by, next_run_at, created_at, updated_at, delete_cluster, target_owner) "
                        + "VALUES (:id, :cluster, :kind, :state, :reason, :message, :keyId, :sealed, :by, :next, :at, :at, "
                        + ":deleteCluster, coalesce((SELECT owner FROM clusters WHERE id = :cluster), "
                        + "(SELECT owner FROM addons WHERE kind || '/' || id = :cluster)))" + onConflict)
                .bind("id", j.id())
                .bind("cluster", j.key())
                .bind("kind", j.kind().wire())
                .bind("state", j.state().wire())
                .bind("reason", j.reason().wire())
                .bind("message", j.message())
                .bind("keyId", j.adminKeyId())
                .bind("sealed", j.adminSealed())
                .bind("by", j.requestedBy())
                .bind("next", Timestamp.from(j.nextRunAt()))
                .bind("at", Timestamp.from(j.createdAt()))
                .bind("deleteCluster", deleteCluster)
                .execute();
    }

    public Optional<InfraJob> job(String id) {
        return jdbi.withHandle(h -> h.createQuery("SELECT " + JOB_COLUMNS + " FROM infra_jobs WHERE id = :id")
                .bind("id", id)
                .map(JobStore::jobRow)
                .findOne());
    }

    public boolean deletesCluster(String jobId) {
        return jdbi.withHandle(h -> h.createQuery("SELECT delete_cluster FROM infra_jobs WHERE id = :id")
                .bind("id", jobId)
                .mapTo(Boolean.class)
                .findOne()
                .orElse(false));
    }

    /** Whether the cluster has recorded objects or a job under way (one query). */
    public boolean hasInfra(String clusterId) {
        return jdbi.withHandle(h -> h.createQuery("SELECT exists(SELECT 1 FROM infra_inventory WHERE cluster_id = :c) "
                        + "OR exists(SELECT 1 FROM infra_jobs WHERE cluster_id = :c AND finished_at IS NULL) "
                        + "OR exists(SELECT 1 FROM cluster_joins WHERE cluster_id = :c AND state IN (<joined>))")
                .bind("c", clusterId)
                .bindList("joined", List.of(JoinState.ACCEPTED.wire(), JoinState.REMOVING.wire()))
                .mapTo(Boolean.class)
                .one());
    }

    public Optional<InfraJob> activeJob(String clusterId) {
        return jdbi.withHandle(h -> h.createQuery(
                        "SELECT " + JOB_COLUMNS + " FROM infra_jobs " + "WHERE cluster_id = :c AND finished_at IS NULL")
                .bind("c", clusterId)
                .map(JobStore::jobRow)
                .findOne());
    }

    /** The latest job that made the target Ready (a create, or a resync that repaired something). */
    public Optional<InfraJob> latestReadyJob(String clusterId) {
        return jdbi.withHandle(h -> h.createQuery("SELECT " + JOB_COLUMNS + " FROM infra_jobs "
                        + "WHERE cluster_id = :c AND state = :ready AND finished_at IS NOT NULL "
                        + "ORDER BY created_at DESC LIMIT 1")
                .bind("c", clusterId)
                .bind("ready", JobState.READY.wire())
                .map(JobStore::jobRow)
                .findOne());
    }

    public Optional<InfraJob> latestJob(String clusterId) {
        return jdbi.withHandle(h -> h.createQuery("SELECT " + JOB_COLUMNS + " FROM infra_jobs "
                        + "WHERE cluster_id = :c ORDER BY created_at DESC LIMIT 1")
                .bind("c", clusterId)
                .map(JobStore::jobRow)
                .findOne());
    }

    /** The receipt of the last finished resync of {@code key} that kept one (one that found nothing left none). */
    public Optional<tools.jackson.databind.JsonNode> lastResyncReceipt(String key) {
        return jdbi.withHandle(h -> h.createQuery("SELECT receipt::text FROM infra_jobs WHERE cluster_id = :c AND "
                                + "kind = :resync AND finished_at IS NOT NULL AND receipt IS NOT NULL "
                                + "ORDER BY finished_at DESC LIMIT 1")
                        .bind("c", key)
                        .bind("resync", JobKind.RESYNC.wire())
                        .mapTo(String.class)
                        .findOne())
                .map(Json.MAPPER::readTree);
    }

    /**
     * Claims one due, unfinished job for {@code owner} until {@code now + lease}; a job whose lease
     * expired (its runner died) is claimable again, so a restart resumes it.
     */
    public Optional<InfraJob> claim(String owner, Instant now, Duration lease) {
        return claim(owner, now, lease, Integer.MAX_VALUE);
    }

    /**
     * As above, passing over the jobs of a registration owner that already has {@code perOwner} jobs under a
     * live lease (on any runner): one owner's jobs against slow clusters hold that many workers, never all.
     * Concurrent claims may let an owner pass it by one for a moment.
     */
    public Optional<InfraJob> claim(String owner, Instant now, Duration lease, int perOwner) {
        String fair = perOwner == Integer.MAX_VALUE
                ? ""
                : "AND (SELECT count(*) FROM infra_jobs r WHERE r.finished_at IS NULL AND r.lease_until >= :now "
                        + "AND r.target_owner IS NOT DISTINCT FROM j.target_owner) < " + perOwner + " ";
        return jdbi.inTransaction(h -> h.createQuery("UPDATE infra_jobs SET lease_owner = :owner, lease_until = :until "
                        + "WHERE id = (SELECT id FROM infra_jobs j WHERE finished_at IS NULL AND next_run_at <= :now "
                        + "AND (lease_until IS NULL OR lease_until < :now) " + fair + "ORDER BY next_run_at LIMIT 1 "
                        + "FOR UPDATE SKIP LOCKED) RETURNING " + JOB_COLUMNS)
                .bind("owner", owner)
                .bind("until", Timestamp.from(now.plus(lease)))
                .bind("now", Timestamp.from(now))
                .map(JobStore::jobRow)
                .findOne());
    }

    /**
     * Persists a step's outcome and releases the lease, if {@code owner} still holds it and nobody ended the
     * job meanwhile (a removal cancelling it): a step that lost its job saves nothing.
     */
    public boolean save(InfraJob j, String owner, Instant now) {
        return jdbi.withHandle(h -> update(h, j, owner, now));
    }

    /**
     * Persists a step's outcome together with what the registry records of it ({@code alongside}: the target's
     * phase, its URLs, what was made ready, what a removal forgets), in one transaction: both or neither. The
     * registration's row is locked first (the order {@link #insert} and the owner's delete use), then the
     * job's; nothing is written if {@code owner} no longer holds the job. {@code alongside} may complete the
     * job's receipt before it is written.
     */
    public boolean save(InfraJob j, String owner, Instant now, Runnable alongside) {
        // both or neither, so a deadlock (a heartbeat flush holding the observation row a deleted registration
        // cascades to) or a serialization failure is simply tried again
        for (int attempt = 1; ; attempt++) {
            try {
                return saveOnce(j, owner, now, alongside);
            } catch (org.jdbi.v3.core.JdbiException e) {
                if (attempt >= 3 || !retryable(e)) {
                    throw e;
                }
            }
        }
    }

    /** A deadlock or a serialization failure: the transaction was rolled back and may be tried again. */
    private static boolean retryable(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException s && ("40P01".equals(s.getSQLState()) || "40001".equals(s.getSQLState()))) {
                return true;
            }
        }
        return false;
    }

    private boolean saveOnce(InfraJob j, String owner, Instant now, Runnable alongside) {
        return jdbi.inTransaction(h -> {
            TargetKey t = TargetKey.parse(j.key());
            (t.isCluster()
                            ? h.createQuery("SELECT 1 FROM clusters WHERE id = :id FOR UPDATE")
                            : h.createQuery("SELECT 1 FROM addons WHERE kind = :k AND id = :id FOR UPDATE")
                                    .bind("k", t.addon().wire()))
                    .bind("id", t.id())
                    .mapTo(Integer.class)
                    .findOne();
            boolean held = h.createQuery("SELECT 1 FROM infra_jobs WHERE id = :id AND lease_owner = :owner "
                            + "AND finished_at IS NULL FOR UPDATE")
                    .bind("id", j.id())
                    .bind("owner", owner)
                    .mapTo(Integer.class)
                    .findOne()
                    .isPresent();
            if (!held) {
                return false;
            }
            alongside.run();
            return update(h, j, owner, now);
        });
    }

    private static boolean update(org.jdbi.v3.core.Handle h, InfraJob j, String owner, Instant now) {
        return h.createUpdate("UPDATE infra_jobs SET state = :state, reason = :reason, "
                                + "message = :message, progress_done = :done, progress_total = :total, attempts = :attempts, "
                                + "admin_key_id = :keyId, admin_sealed = :sealed, receipt = CAST(:receipt AS jsonb), "
                                + "next_run_at = :next, updated_at = :now, finished_at = :finished, lease_owner = NULL, "
                                + "lease_until = NULL WHERE id = :id AND lease_owner = :owner AND finished_at IS NULL")
                        .bind("state", j.state().wire())
                        .bind("reason", j.reason().wire())
                        .bind("message", j.message())
                        .bind("done", j.progressDone())
                        .bind("total", j.progressTotal())
                        .bind("attempts", j.attempts())
                        .bind("keyId", j.adminKeyId())
                        .bind("sealed", j.adminSealed())
                        .bind("receipt", j.receipt() == null ? null : Json.MAPPER.writeValueAsString(j.receipt()))
                        .bind("next", Timestamp.from(j.nextRunAt()))
                        .bind("now", Timestamp.from(now))
                        .bind("finished", j.finishedAt() == null ? null : Timestamp.from(j.finishedAt()))
                        .bind("id", j.id())
                        .bind("owner", owner)
                        .execute()
                == 1;
    }

    /**
     * Ends an unfinished job that no runner holds right now (a removal supersedes a create that is
     * waiting). False if it is running at this moment or already finished.
     */
    public boolean cancelIfIdle(String jobId, JobReason reason, String message, Instant now) {
        return jdbi.withHandle(h -> h.createUpdate(
                                "UPDATE infra_jobs SET state = :failed, reason = :reason, "
                                        + "message = :message, finished_at = :now, updated_at = :now, admin_key_id = NULL, "
                                        + "admin_sealed = NULL, lease_owner = NULL, lease_until = NULL "
                                        + "WHERE id = :id AND finished_at IS NULL AND (lease_until IS NULL OR lease_until < :now)")
                        .bind("failed", JobState.FAILED.wire())
                        .bind("reason", reason.wire())
                        .bind("message", message)
                        .bind("now", Timestamp.from(now))
                        .bind("id", jobId)
                        .execute()
                == 1);
    }

    /**
     * Makes a job waiting for readiness due now (a watch saw its Deployments change); no effect on a job
     * that is due already, running, or past that state.
     */
    public boolean runNow(String key, Instant now) {
        return jdbi.withHandle(h -> h.createUpdate("UPDATE infra_jobs SET next_run_at = :now WHERE cluster_id = :key "
                                + "AND finished_at IS NULL AND state = :waiting AND next_run_at > :now")
                        .bind("key", key)
                        .bind("waiting", JobState.WAITING_READY.wire())
                        .bind("now", Timestamp.from(now))
                        .execute()
                == 1);
    }

    /**
     * Ends every lease at once: for a control plane that knows it is the database's only user (embedded), any
     * lease it finds when it starts was its own before a crash, and its jobs can resume now rather than when
     * the lease runs out. The number of jobs released.
     */
    public int releaseLeases() {
        return jdbi.withHandle(h -> h.createUpdate("UPDATE infra_jobs SET lease_owner = NULL, lease_until = NULL "
                        + "WHERE finished_at IS NULL AND lease_owner IS NOT NULL")
                .execute());
    }

    /**
     * Keeps {@code owner}'s lease on a job it is running; false if the lease was lost (it expired and another
     * runner claimed the job, or the job was ended meanwhile).
     */
    public boolean renew(String jobId, String owner, Instant now, Duration lease) {
        return jdbi.withHandle(h -> h.createUpdate("UPDATE infra_jobs SET lease_until = :until "
                                + "WHERE id = :id AND lease_owner = :owner AND finished_at IS NULL")
                        .bind("until", Timestamp.from(now.plus(lease)))
                        .bind("id", jobId)
                        .bind("owner", owner)
                        .execute()
                == 1);
    }

    /** Progress inside a step; renews the lease, so a long step that is making progress keeps its job. */
    public void progress(
            String jobId,
            String owner,
            JobState state,
            int done,
            int total,
            String message,
            Instant now,
            Duration lease) {
        jdbi.useHandle(h -> h.createUpdate("UPDATE infra_jobs SET state = :state, progress_done = :done, "
                        + "progress_total = :total, message = :message, updated_at = :now, lease_until = :until "
                        + "WHERE id = :id AND lease_owner = :owner AND finished_at IS NULL")
                .bind("state", state.wire())
                .bind("done", done)
                .bind("total", total)
                .bind("message", message)
                .bind("now", Timestamp.from(now))
                .bind("until", Timestamp.from(now.plus(lease)))
                .bind("id", jobId)
                .bind("owner", owner)
                .execute());
    }

    /** Whether an add-on is deployed by the control plane: marked so, or with objects recorded or a job under way. */
    public boolean deployed(AddonRecord a) {
        return a.infraStatus() != null
                || network.aios.api.AddonKind.fromWire(a.kind())
                        .filter(network.aios.api.AddonKind::deployable)
                        .map(k -> hasInfra(k.infraKey(a.id())))
                        .orElse(false);
    }

    /** The fingerprint of the desired state the target was last made ready with. */
    public Optional<String> appliedFingerprint(String key) {
        return jdbi.withHandle(h -> h.createQuery("SELECT fingerprint FROM infra_applied WHERE target = :t")
                .bind("t", key)
                .mapTo(String.class)
                .findOne());
    }

    public void putApplied(String key, String fingerprint, Instant at) {
        jdbi.useHandle(h -> h.createUpdate("INSERT INTO infra_applied (target, fingerprint, applied_at, synced_at) "
                        + "VALUES (:t, :f, :at, :at) ON CONFLICT (target) DO UPDATE SET fingerprint = :f, "
                        // an apply asked for meanwhile (wantApply) is still wanted: it may have come after this one
                        // read
                        + "applied_at = :at, synced_at = CASE WHEN infra_applied.synced_at = '-infinity' "
                        + "THEN infra_applied.synced_at ELSE :at END")
                .bind("t", key)
                .bind("f", fingerprint)
                .bind("at", java.sql.Timestamp.from(at))
                .execute());
    }

    /**
     * Targets whose infrastructure is ready (a cluster's phase, an add-on's infra status: never one
     * failed, being removed or removed) and not resynced, nor asked to be, since {@code cutoff}; oldest
     * first.
     */
    public List<String> dueForResync(Instant cutoff, int limit) {
        return jdbi.withHandle(h -> h.createQuery("""
                        SELECT target FROM infra_applied a
                        WHERE coalesce(synced_at, applied_at) < :cutoff
                            AND NOT EXISTS (SELECT 1 FROM infra_jobs j WHERE j.cluster_id = a.target
                                AND j.finished_at IS NULL)
                            AND (EXISTS (SELECT 1 FROM clusters c WHERE c.id = a.target AND c.infra_phase = :ready)
                                OR EXISTS (SELECT 1 FROM addons d WHERE d.kind || '/' || d.id = a.target
                                    AND d.infra_status = :ready))
                        ORDER BY coalesce(synced_at, applied_at) LIMIT :limit""")
                .bind("cutoff", Timestamp.from(cutoff))
                .bind("ready", InfraPhase.READY.wire())
                .bind("limit", limit)
                .mapTo(String.class)
                .list());
    }

    /**
     * Queues a resync job if its target is still due and has no job under way, and marks the target
     * asked (so one that keeps failing is retried once per interval, not on every scan). One
     * transaction; false if another replica or a user's job got there first. Not audited: only what
     * a resync repairs is.
     */
    public boolean scheduleResync(InfraJob j, Instant cutoff) {
        return jdbi.inTransaction(h -> {
            int due = h.createUpdate("UPDATE infra_applied SET synced_at = :at WHERE target = :t AND "
                            + "coalesce(synced_at, applied_at) < :cutoff")
                    .bind("at", Timestamp.from(j.createdAt()))
                    .bind("t", j.key())
                    .bind("cutoff", Timestamp.from(cutoff))
                    .execute();
            if (due == 0) {
                return false;
            }
            // the failed resyncs before this one are not history worth keeping: the new one says the same
            // so are the ones a desired-state change queued that found nothing to repair, once nobody is likely to
            // be following them (ten minutes; the periodic ones leave no row at all)
            h.createUpdate("DELETE FROM infra_jobs WHERE cluster_id = :t AND kind = :resync AND finished_at IS NOT NULL"
                            + " AND (state = :failed OR state = :ready AND receipt IS NULL AND finished_at < :old)")
                    .bind("t", j.key())
                    .bind("resync", JobKind.RESYNC.wire())
                    .bind("failed", JobState.FAILED.wire())
                    .bind("ready", JobState.READY.wire())
                    .bind("old", Timestamp.from(j.createdAt().minus(java.time.Duration.ofMinutes(10))))
                    .execute();
            if (insertJob(h, j, false, " ON CONFLICT (cluster_id) WHERE finished_at IS NULL DO NOTHING") == 1) {
                return true;
            }
            // a job got there first: nothing queued, and the target is not marked (an apply wanted stays wanted)
            h.rollback();
            return false;
        });
    }

    /**
     * Asks for the target's desired state to be applied again as soon as nothing else runs on it (its desired state
     * changed: a gateway route added or removed): it is due for a resync whatever the interval. False when the
     * target has no infrastructure made ready (nothing to apply to).
     */
    public boolean wantApply(String key) {
        return jdbi.withHandle(h -> h.createUpdate("UPDATE infra_applied SET synced_at = '-infinity' WHERE target = :t")
                        .bind("t", key)
                        .execute())
                > 0;
    }

    /** Whether an apply is wanted and not yet queued ({@link #wantApply}). */
    public boolean applyWanted(String key) {
        return jdbi.withHandle(h -> h.createQuery(
                        "SELECT exists(SELECT 1 FROM infra_applied WHERE target = :t AND synced_at = '-infinity')")
                .bind("t", key)
                .mapTo(Boolean.class)
                .one());
    }

    /** Forgets a finished job (a resync that found nothing to repair). */
    public void deleteJob(String id) {
        jdbi.useHandle(h -> h.createUpdate("DELETE FROM infra_jobs WHERE id = :id AND finished_at IS NOT NULL")
                .bind("id", id)
                .execute());
    }

    /** An audit row written by the job machinery (what a resync repaired). */
    public void audit(Instant at, String actor, String action, String target, String detailJson) {
        jdbi.useHandle(h -> Audit.write(h, at, actor, action, target, detailJson));
    }

    public void dropApplied(String key) {
        jdbi.useHandle(h -> h.createUpdate("DELETE FROM infra_applied WHERE target = :t")
                .bind("t", key)
                .execute());
    }

    private static InfraJob jobRow(ResultSet rs, StatementContext ctx) throws SQLException {
        String receipt = rs.getString("receipt");
        String keyId = rs.getString("admin_key_id");
        byte[] sealed = rs.getBytes("admin_sealed");
        return new InfraJob(
                rs.getString("id"),
                TargetKey.parse(rs.getString("cluster_id")),
                JobKind.fromWire(rs.getString("kind")),
                new InfraJob.Status(
                        JobState.fromWire(rs.getString("state")),
                        JobReason.fromWire(rs.getString("reason")),
                        rs.getString("message"),
                        new InfraJob.Progress(rs.getInt("progress_done"), rs.getInt("progress_total")),
                        rs.getInt("attempts"),
                        receipt == null ? null : Json.MAPPER.readTree(receipt)),
                sealed == null ? null : new InfraJob.Admin(keyId, sealed),
                rs.getString("requested_by"),
                new InfraJob.Schedule(
                        instant(rs, "created_at"),
                        instant(rs, "updated_at"),
                        instant(rs, "next_run_at"),
                        instant(rs, "finished_at")));
    }

    private static Instant instant(ResultSet rs, String col) throws SQLException {
        Timestamp t = rs.getTimestamp(col);
        return t == null ? null : t.toInstant();
    }
}
