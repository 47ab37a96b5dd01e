package network.aios.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;
import network.aios.api.ClusterDocument;
import network.aios.api.Json;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.Query;
import tools.jackson.databind.node.ObjectNode;

/** Clusters in PostgreSQL. Every write is one transaction together with its audit entry. */
public final class ClusterStore {
    private static final String COLUMNS =
            "id, owner, status, requested_status, document::text AS document, document_text, version, "
                    + "created_at, updated_at, policy_action, policy_version, reputation";

    private final Jdbi jdbi;
    private final DataSource dataSource;

    public ClusterStore(Database db) {
        this.jdbi = db.jdbi();
        this.dataSource = db.dataSource();
    }

    private static final String INSERT = """
            WITH ins AS (
                INSERT INTO clusters (id, owner, region_id, requested_status, document, document_text, tags,
                    gpu_models, gpu_count, vcpus, memory_mb, policy_action, policy_version, reputation, version,
                    created_at, updated_at)
                VALUES (?, ?, ?, ?, CAST(? AS jsonb), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (id) DO NOTHING
                RETURNING id)
            INSERT INTO audit_log (at, actor, action, target)
            SELECT ?, ?, 'cluster.create', id FROM ins""";

    /**
     * Inserts a new cluster and its audit entry in one statement (both commit, or neither); empty if
     * the id is taken (the caller answers 409). Plain JDBC: this is the registration hot path, and
     * the benchmark showed JDBI's per-statement binding costing a third of its throughput.
     */
    public Optional<ClusterRecord> insert(ClusterRecord c, String actor) {
        try (Connection conn = dataSource.getConnection()) {
            return insert(conn, c, actor);
        } catch (SQLException e) {
            throw new StoreException("could not insert cluster " + c.id(), e);
        }
    }

    /**
     * As above, counted against {@code quotaOwner}'s cluster quota in the same transaction (null: not limited,
     * the plain insert): {@link QuotaStore.Exceeded} if it holds its quota already.
     */
    public Optional<ClusterRecord> insert(ClusterRecord c, String actor, String quotaOwner) {
        if (quotaOwner == null) {
            return insert(c, actor);
        }
        try {
            return jdbi.inTransaction(h -> {
                if (h.createQuery("SELECT 1 FROM clusters WHERE id = :id")
                        .bind("id", c.id())
                        .mapTo(Integer.class)
                        .findOne()
                        .isPresent()) {
                    return Optional.<ClusterRecord>empty(); // the id is taken: a 409 whatever the quota
                }
                QuotaStore.within(h, quotaOwner, "clusters");
                return insert(h.getConnection(), c, actor);
            });
        } catch (SQLException e) {
            throw new StoreException("could not insert cluster " + c.id(), e);
        }
    }

    private static Optional<ClusterRecord> insert(Connection conn, ClusterRecord c, String actor) throws SQLException {
        ClusterDocument typed = ClusterDocument.of(c.document());
        try (PreparedStatement ps = conn.prepareStatement(INSERT)) {
            Timestamp updated = Timestamp.from(c.updatedAt());
            int i = 0;
            ps.setString(++i, c.id());
            ps.setString(++i, c.owner());
            ps.setString(++i, typed.regionId());
            // status is not written: the database computes it (registered, until infrastructure exists)
            ps.setString(++i, c.requestedStatus());
            String doc = Json.MAPPER.writeValueAsString(c.document());
            ps.setString(++i, doc);
            ps.setString(++i, doc);
            ps.setArray(++i, conn.createArrayOf("text", typed.tagsOrEmpty().toArray()));
            ps.setArray(++i, conn.createArrayOf("text", typed.gpuModels().toArray()));
            ps.setInt(++i, typed.gpus().count());
            ps.setInt(++i, typed.vcpus().count());
            ps.setLong(++i, typed.memory());
            ps.setString(++i, c.policyAction());
            ps.setObject(++i, c.policyVersion(), Types.INTEGER);
            ps.setDouble(++i, c.reputation());
            ps.setLong(++i, c.version());
            ps.setTimestamp(++i, Timestamp.from(c.createdAt()));
            ps.setTimestamp(++i, updated);
            ps.setTimestamp(++i, updated);
            ps.setString(++i, actor);
            return ps.executeUpdate() == 0 ? Optional.empty() : Optional.of(c);
        }
    }

    public Optional<ClusterRecord> get(String id) {
        return jdbi.withHandle(h -> h.createQuery("SELECT " + COLUMNS + " FROM clusters WHERE id = :id")
                .bind("id", id)
                .map(ClusterStore::row)
                .findOne());
    }

    public long count() {
        return jdbi.withHandle(h ->
                h.createQuery("SELECT count(*) FROM clusters").mapTo(Long.class).one());
    }

    public List<ClusterRecord> list(ClusterQuery q) {
        return page(q, Long.MAX_VALUE).items();
    }

    /**
     * At most {@code q.limit()} clusters, and no more of them than about {@code pageBytes} of documents as read
     * (both stored forms; the first row always comes): the database cuts the page, so large documents never reach this process by the
     * hundred.
     */
    public Page<ClusterRecord> page(ClusterQuery q, long pageBytes) {
        StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + " FROM clusters WHERE true");
        return jdbi.withHandle(h -> {
            if (q.owner() != null) {
                sql.append(" AND owner = :owner");
            }
            if (q.region() != null) {
                sql.append(" AND region_id = :region");
            }
            if (q.status() != null) {
                sql.append(" AND status = :status");
            }
            if (q.tags() != null && !q.tags().isEmpty()) {
                sql.append(" AND tags @> CAST(:tags AS text[])");
            }
            if (q.gpuModel() != null) {
                sql.append(" AND gpu_models @> ARRAY[CAST(:model AS text)]");
            }
            if (q.minGpus() != null) {
                sql.append(" AND gpu_count >= :minGpus");
            }
            if (q.minVcpus() != null) {
                sql.append(" AND vcpus >= :minVcpus");
            }
            if (q.minMemoryMb() != null) {
                sql.append(" AND memory_mb >= :minMemory");
            }
            if (q.after() != null) {
                sql.append(" AND id > :after");
            }
            sql.append(" ORDER BY id LIMIT :limit");
            String paged = pageBytes == Long.MAX_VALUE
                    ? sql.toString()
                    : Page.budgeted(
                            sql.toString(),
                            "id",
                            "octet_length(p.document) + coalesce(octet_length(p.document_text), 0)");
            Query query = h.createQuery(paged)
                    .bind("owner", q.owner())
                    .bind("region", q.region())
                    .bind("status", q.status())
                    .bind("tags", q.tags() == null ? new String[0] : q.tags().toArray(new String[0]))
                    .bind("model", q.gpuModel())
                    .bind("minGpus", q.minGpus())
                    .bind("minVcpus", q.minVcpus())
                    .bind("minMemory", q.minMemoryMb())
                    .bind("after", q.after())
                    .bind("limit", q.limit());
            if (pageBytes == Long.MAX_VALUE) {
                List<ClusterRecord> rows = query.map(ClusterStore::row).list();
                return new Page<>(rows, rows.size() == q.limit());
            }
            long[] fetched = {0};
            List<ClusterRecord> rows = query.bind("budget", pageBytes)
                    .map((rs, ctx) -> {
                        fetched[0] = rs.getLong("fetched");
                        return row(rs, ctx);
                    })
                    .list();
            return Page.of(rows, fetched[0], q.limit());
        });
    }

    /**
     * Replaces the document if the stored version is {@code expectedVersion}. Empty when the cluster
     * is gone or the version moved on (the caller tells which by reading again). {@code config.urlMap}
     * is the infrastructure jobs' and stays what the row has in the same statement, whatever the
     * document says: a job finishing between an owner's read and write is not undone.
     */
    public Optional<ClusterRecord> update(ClusterRecord next, long expectedVersion, String actor) {
        return jdbi.inTransaction(h -> update(h, next, expectedVersion, actor, "cluster.update", null));
    }

    /**
     * The update of {@link #update(ClusterRecord, long, String)} inside a caller's transaction, audited as {@code
     * event} with {@code detail} (JSON text or null): a change of the document made together with another write.
     */
    static Optional<ClusterRecord> update(
            org.jdbi.v3.core.Handle h,
            ClusterRecord next,
            long expectedVersion,
            String actor,
            String event,
            String detail) {
        ClusterDocument typed = ClusterDocument.of(next.document());
        int rows = h.createUpdate("""
                UPDATE clusters SET region_id = :region, requested_status = :requested,
                    document = CASE WHEN document #> '{config,urlMap}' IS NULL
                        THEN CAST(:doc AS jsonb) #- '{config,urlMap}'
                        ELSE jsonb_set(CAST(:doc AS jsonb), '{config}',
                            coalesce(CAST(:doc AS jsonb) -> 'config', '{}'::jsonb)
                                || jsonb_build_object('urlMap', document #> '{config,urlMap}')) END,
                    document_text = :doc, tags = :tags, gpu_models = :models, gpu_count = :gpus,
                    vcpus = :vcpus, memory_mb = :memory, policy_action = :paction, policy_version = :pversion,
                    version = version + 1, updated_at = :updated
                WHERE id = :id AND version = :expected""")
                .bind("id", next.id())
                .bind("region", typed.regionId())
                .bind("requested", next.requestedStatus())
                .bind("doc", Json.MAPPER.writeValueAsString(next.document()))
                .bind("tags", typed.tagsOrEmpty().toArray(new String[0]))
                .bind("models", typed.gpuModels().toArray(new String[0]))
                .bind("gpus", typed.gpus().count())
                .bind("vcpus", typed.vcpus().count())
                .bind("memory", typed.memory())
                .bind("paction", next.policyAction())
                .bind("pversion", next.policyVersion())
                .bind("updated", Timestamp.from(next.updatedAt()))
                .bind("expected", expectedVersion)
                .execute();
        if (rows == 0) {
            return Optional.<ClusterRecord>empty();
        }
        Audit.write(h, next.updatedAt(), actor, event, next.id(), detail);
        return h.createQuery("SELECT " + COLUMNS + " FROM clusters WHERE id = :id")
                .bind("id", next.id())
                .map(ClusterStore::row)
                .findOne();
    }

    /**
     * Records where the cluster's infrastructure is, and the document's {@code config.urlMap} (removed
     * when {@code urlMapJson} is null). Not the document's version: that counts the owner's changes
     * only, so their If-Match stays valid while jobs run. With no infrastructure the health is
     * forgotten (a new one starts from unknown). Returns the status the database computes.
     */
    public String setInfra(String id, InfraPhase phase, String urlMapJson, String actor, Instant at) {
        return jdbi.inTransaction(h -> {
            // audited when something changed: a resync that finds the same status and urlMap leaves no row
            var changed = h.createQuery("""
                    WITH before AS (SELECT id, status, infra_phase, document #> '{config,urlMap}' AS url
                        FROM clusters WHERE id = :id FOR NO KEY UPDATE)
                    UPDATE clusters c SET infra_phase = :phase, updated_at = :at,
                        health = CASE WHEN :phase = 'none' THEN 'unknown' ELSE health END,
                        document = CASE WHEN CAST(:url AS jsonb) IS NULL THEN document #- '{config,urlMap}'
                            ELSE jsonb_set(document, '{config}', coalesce(document->'config', '{}'::jsonb)
                                || jsonb_build_object('urlMap', CAST(:url AS jsonb))) END
                    FROM before b WHERE c.id = b.id
                    RETURNING c.status, b.status IS DISTINCT FROM c.status OR b.infra_phase IS DISTINCT FROM :phase
                        OR b.url IS DISTINCT FROM c.document #> '{config,urlMap}' AS changed""")
                    .bind("phase", phase.wire())
                    .bind("at", Timestamp.from(at))
                    .bind("url", urlMapJson)
                    .bind("id", id)
                    .map((rs, ctx) -> java.util.Map.entry(rs.getString("status"), rs.getBoolean("changed")))
                    .findOne();
            String status = changed.map(java.util.Map.Entry::getKey).orElse(null);
            if (changed.map(java.util.Map.Entry::getValue).orElse(false)) {
                Audit.write(
                        h,
                        at,
                        actor,
                        "cluster.status",
                        id,
                        "{\"status\":\"" + status + "\",\"infra\":\"" + phase.wire() + "\"}");
            }
            return status;
        });
    }

    /** Deletes the cluster if it still has {@code expectedVersion}; false if it is gone or changed. */
    /**
     * An owner's delete: only at {@code expectedVersion} and only while the cluster has no infrastructure and
     * no unfinished job. The row is locked before the check, so a job being queued at the same moment either
     * committed first (and the check sees it) or waits for this and then finds no registration.
     */
    public Deletion deleteIfNoInfra(String id, long expectedVersion, boolean withAddons, String actor, Instant at) {
        return jdbi.inTransaction(h -> {
            ObservationStore.oneWriterAtATime(h); // before the row: its observation goes with it (cascade)
            Optional<Long> version = h.createQuery("SELECT version FROM clusters WHERE id = :id FOR UPDATE")
                    .bind("id", id)
                    .mapTo(Long.class)
                    .findOne();
            if (version.isEmpty() || version.get() != expectedVersion) {
                return Deletion.STALE;
            }
            if (h.createQuery("SELECT exists(SELECT 1 FROM infra_inventory WHERE cluster_id = :id) "
                            + "OR exists(SELECT 1 FROM infra_jobs WHERE cluster_id = :id AND finished_at IS NULL) "
                            // a pull-mode join its agent may act on (accepted, or being removed) is infrastructure too
                            + "OR exists(SELECT 1 FROM cluster_joins WHERE cluster_id = :id AND state IN (<joined>))")
                    .bind("id", id)
                    .bindList("joined", List.of(JoinState.ACCEPTED.wire(), JoinState.REMOVING.wire()))
                    .mapTo(Boolean.class)
                    .one()) {
                return Deletion.HAS_INFRA;
            }
            return deleteRow(h, id, expectedVersion, withAddons, actor, at) ? Deletion.DELETED : Deletion.STALE;
        });
    }

    public boolean delete(String id, long expectedVersion, String actor, Instant at) {
        return delete(id, expectedVersion, false, actor, at);
    }

    /**
     * As above; {@code withAddons} also deletes the add-on registrations bound to it, in the same
     * transaction, each with its audit row.
     */
    public boolean delete(String id, long expectedVersion, boolean withAddons, String actor, Instant at) {
        return jdbi.inTransaction(h -> {
            ObservationStore.oneWriterAtATime(h); // before the row: its observation goes with it (cascade)
            return deleteRow(h, id, expectedVersion, withAddons, actor, at);
        });
    }

    private static boolean deleteRow(
            org.jdbi.v3.core.Handle h, String id, long expectedVersion, boolean withAddons, String actor, Instant at) {
        int rows = h.createUpdate("DELETE FROM clusters WHERE id = :id AND version = :v")
                .bind("id", id)
                .bind("v", expectedVersion)
                .execute();
        if (rows > 0) {
            // every credential that acted for this registration dies with it (agents', a pull agent's): a later
            // registration of the same id is another's, and must not hear from this one's
            h.createUpdate("UPDATE api_tokens SET revoked_at = :at WHERE cluster_id = :id AND revoked_at IS NULL")
                    .bind("at", java.sql.Timestamp.from(at))
                    .bind("id", id)
                    .execute();
            if (withAddons) {
                for (String addon : h.createQuery(
                                "DELETE FROM addons WHERE cluster_id = :id RETURNING kind || ' ' || id")
                        .bind("id", id)
                        .mapTo(String.class)
                        .list()) {
                    Audit.write(
                            h,
                            at,
                            actor,
                            addon.substring(0, addon.indexOf(' ')) + ".delete",
                            addon.substring(addon.indexOf(' ') + 1),
                            "{\"cascadeFrom\": \"" + id + "\"}");
                }
            }
            Audit.write(h, at, actor, "cluster.delete", id, null);
        }
        return rows > 0;
    }

    /** The stored document in the order its owner wrote it, when that text is kept (see V14). */
    private static ObjectNode document(String jsonb, String asWritten) {
        ObjectNode stored = (ObjectNode) Json.MAPPER.readTree(jsonb);
        return asWritten == null ? stored : Json.orderedLike(stored, Json.MAPPER.readTree(asWritten));
    }

    private static ClusterRecord row(ResultSet rs, org.jdbi.v3.core.statement.StatementContext ctx)
            throws SQLException {
        int pv = rs.getInt("policy_version");
        Integer policyVersion = rs.wasNull() ? null : pv;
        return new ClusterRecord(
                rs.getString("id"),
                rs.getString("owner"),
                rs.getString("status"),
                rs.getString("requested_status"),
                document(rs.getString("document"), rs.getString("document_text")),
                rs.getLong("version"),
                rs.getTimestamp("created_at").toInstant(),
                rs.getTimestamp("updated_at").toInstant(),
                rs.getString("policy_action"),
                policyVersion,
                rs.getDouble("reputation"));
    }
}
