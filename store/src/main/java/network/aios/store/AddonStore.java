package network.aios.store;

import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import network.aios.api.Json;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.StatementContext;
import tools.jackson.databind.node.ObjectNode;

/** Add-on registrations; names are unique per kind. */
public final class AddonStore {
    private static final String COLUMNS =
            "id, kind, name, owner, cluster_id, public_url, tags, document::text AS document, "
                    + "version, created_at, updated_at, health_status, health_message, health_checked_at, last_seen_at, infra_status";
    private final Jdbi jdbi;

    public AddonStore(Database db) {
        this.jdbi = db.jdbi();
    }

    /** Empty if the kind already has an add-on of that name. */
    public Optional<AddonRecord> insert(AddonRecord a, String actor) {
        return insert(a, actor, null);
    }

    /** As above, counted against {@code quotaOwner}'s add-on quota (null: not limited); see {@link QuotaStore}. */
    public Optional<AddonRecord> insert(AddonRecord a, String actor, String quotaOwner) {
        return jdbi.inTransaction(h -> {
            QuotaStore.within(h, quotaOwner, "addons");
            int rows = h.createUpdate(
                            "INSERT INTO addons (id, kind, name, owner, cluster_id, public_url, tags, document, "
                                    + "version, created_at, updated_at) VALUES (:id, :kind, :name, :owner, :cluster, :url, "
                                    + "CAST(:tags AS text[]), CAST(:doc AS jsonb), 1, :at, :at) ON CONFLICT DO NOTHING")
                    .bind("id", a.id())
                    .bind("kind", a.kind())
                    .bind("name", a.name())
                    .bind("owner", a.owner())
                    .bind("cluster", a.clusterId())
                    .bind("url", a.publicUrl())
                    .bind("tags", a.tags().toArray(new String[0]))
                    .bind("doc", Json.MAPPER.writeValueAsString(a.document()))
                    .bind("at", Timestamp.from(a.createdAt()))
                    .execute();
            if (rows == 0) {
                return Optional.<AddonRecord>empty();
            }
            Audit.write(h, a.createdAt(), actor, a.kind() + ".create", a.id(), null);
            return Optional.of(a);
        });
    }

    public Optional<AddonRecord> get(String kind, String id) {
        return jdbi.withHandle(h -> h.createQuery("SELECT " + COLUMNS + " FROM addons WHERE kind = :k AND id = :id")
                .bind("k", kind)
                .bind("id", id)
                .map(AddonStore::row)
                .findOne());
    }

    /** Filters: owner (null = any), every tag, cluster, a metadata key present; ordered by id after {@code after}. */
    public List<AddonRecord> list(
            String kind, String owner, List<String> tags, String cluster, String metadataKey, String after, int limit) {
        return page(kind, owner, tags, cluster, metadataKey, after, limit, Long.MAX_VALUE)
                .items();
    }

    /** As {@link #list}, and no more rows than about {@code pageBytes} of documents (see {@link Page#budgeted}). */
    public Page<AddonRecord> page(
            String kind,
            String owner,
            List<String> tags,
            String cluster,
            String metadataKey,
            String after,
            int limit,
            long pageBytes) {
        StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + " FROM addons WHERE kind = :k");
        if (owner != null) {
            sql.append(" AND owner = :owner");
        }
        if (!tags.isEmpty()) {
            sql.append(" AND tags @> CAST(:tags AS text[])");
        }
        if (cluster != null) {
            sql.append(" AND cluster_id = :cluster");
        }
        if (metadataKey != null) {
            sql.append(" AND jsonb_exists(document -> (:k || '_metadata'), :mkey)");
        }
        if (after != null) {
            sql.append(" AND id > :after");
        }
        sql.append(" ORDER BY id LIMIT :limit");
        boolean budgeted = pageBytes != Long.MAX_VALUE;
        long[] fetched = {0};
        List<AddonRecord> rows = jdbi.withHandle(h -> {
            var q = h.createQuery(
                            budgeted ? Page.budgeted(sql.toString(), "id", "octet_length(p.document)") : sql.toString())
                    .bind("k", kind)
                    .bind("owner", owner)
                    .bind("tags", tags.toArray(new String[0]))
                    .bind("cluster", cluster)
                    .bind("mkey", metadataKey)
                    .bind("after", after)
                    .bind("limit", limit);
            if (budgeted) {
                q.bind("budget", pageBytes);
            }
            return q.map((rs, ctx) -> {
                        if (budgeted) {
                            fetched[0] = rs.getLong("fetched");
                        }
                        return row(rs, ctx);
                    })
                    .list();
        });
        return budgeted ? Page.of(rows, fetched[0], limit) : new Page<>(rows, rows.size() == limit);
    }

    /** The outcome of a replace. */
    public enum Replaced {
        OK,
        STALE,
        NAME_TAKEN
    }

    /** Replaces the registration if it is still at {@code expectedVersion}. */
    public Replaced replace(AddonRecord a, long expectedVersion, String actor, Instant at) {
        try {
            return replaceOrStale(a, expectedVersion, actor, at) ? Replaced.OK : Replaced.STALE;
        } catch (org.jdbi.v3.core.statement.UnableToExecuteStatementException e) {
            if (e.getCause() instanceof SQLException s && "23505".equals(s.getSQLState())) {
                return Replaced.NAME_TAKEN;
            }
            throw e;
        }
    }

    private boolean replaceOrStale(AddonRecord a, long expectedVersion, String actor, Instant at) {
        return jdbi.inTransaction(h -> {
            int rows = h.createUpdate("UPDATE addons SET name = :name, cluster_id = :cluster, public_url = :url, "
                            + "tags = CAST(:tags AS text[]), document = CAST(:doc AS jsonb), version = version + 1, "
                            + "updated_at = :at WHERE kind = :kind AND id = :id AND version = :v")
                    .bind("name", a.name())
                    .bind("cluster", a.clusterId())
                    .bind("url", a.publicUrl())
                    .bind("tags", a.tags().toArray(new String[0]))
                    .bind("doc", Json.MAPPER.writeValueAsString(a.document()))
                    .bind("at", Timestamp.from(at))
                    .bind("kind", a.kind())
                    .bind("id", a.id())
                    .bind("v", expectedVersion)
                    .execute();
            if (rows > 0) {
                Audit.write(h, at, actor, a.kind() + ".update", a.id(), null);
            }
            return rows > 0;
        });
    }

    /**
     * An owner's delete: only while the add-on has no infrastructure (status, inventory, an unfinished job).
     * The row is locked before the check, so a deployment being queued at the same moment either committed
     * first (and the check sees it) or waits for this and then finds no registration.
     */
    public Deletion deleteIfNoInfra(String kind, String id, String actor, Instant at) {
        return jdbi.inTransaction(h -> {
            Optional<String> status = h.createQuery(
                            "SELECT coalesce(infra_status, '') FROM addons WHERE kind = :k AND id = :id FOR UPDATE")
                    .bind("k", kind)
                    .bind("id", id)
                    .mapTo(String.class)
                    .findOne();
            if (status.isEmpty()) {
                return Deletion.STALE;
            }
            String key = kind + "/" + id;
            if (!status.get().isEmpty()
                    || h.createQuery(
                                    "SELECT exists(SELECT 1 FROM infra_inventory WHERE cluster_id = :key) "
                                            + "OR exists(SELECT 1 FROM infra_jobs WHERE cluster_id = :key AND finished_at IS NULL)")
                            .bind("key", key)
                            .mapTo(Boolean.class)
                            .one()) {
                return Deletion.HAS_INFRA;
            }
            h.createUpdate("DELETE FROM addons WHERE kind = :k AND id = :id")
                    .bind("k", kind)
                    .bind("id", id)
                    .execute();
            Audit.write(h, at, actor, kind + ".delete", id, null);
            return Deletion.DELETED;
        });
    }

    public boolean delete(String kind, String id, String actor, Instant at) {
        return jdbi.inTransaction(h -> {
            int rows = h.createUpdate("DELETE FROM addons WHERE kind = :k AND id = :id")
                    .bind("k", kind)
                    .bind("id", id)
                    .execute();
            if (rows > 0) {
                Audit.write(h, at, actor, kind + ".delete", id, null);
            }
            return rows > 0;
        });
    }

    /** Every add-on (for the health probe): id, kind and URL are what it needs. */
    public List<AddonRecord> all() {
        return jdbi.withHandle(h -> h.createQuery("SELECT " + COLUMNS + " FROM addons ORDER BY id")
                .map(AddonStore::row)
                .list());
    }

    /** Records a probe; {@code up} also moves last_seen_at. */
    public void recordHealth(String id, boolean up, String message, Instant at) {
        jdbi.useHandle(h -> h.createUpdate("UPDATE addons SET health_status = :s, health_message = :m, "
                        + "health_checked_at = :at, last_seen_at = CASE WHEN :up THEN :at ELSE last_seen_at END "
                        + "WHERE id = :id")
                .bind("s", up ? "up" : "down")
                .bind("m", message)
                .bind("at", Timestamp.from(at))
                .bind("up", up)
                .bind("id", id)
                .execute());
    }

    /**
     * Records the state of the add-on's deployment ({@code status} null: nothing deployed) and, if
     * {@code setUrl}, the URL it is reached at (null: none). No version bump: the registration did not change.
     */
    public void setInfra(String id, String status, boolean setUrl, String publicUrl, String actor, Instant at) {
        jdbi.useTransaction(h -> {
            // audited when something changed: a resync that finds the same state leaves no row
            int rows = h.createUpdate("UPDATE addons SET infra_status = :s, public_url = CASE WHEN :set THEN :url "
                            + "ELSE public_url END WHERE id = :id AND (infra_status IS DISTINCT FROM :s "
                            + "OR (:set AND public_url IS DISTINCT FROM :url))")
                    .bind("s", status)
                    .bind("set", setUrl)
                    .bind("url", publicUrl)
                    .bind("id", id)
                    .execute();
            if (rows > 0) {
                Audit.write(
                        h,
                        at,
                        actor,
                        "addon.infra",
                        id,
                        "{\"status\": \"" + (status == null ? "removed" : status) + "\"}");
            }
        });
    }

    /** The add-ons that say they run on the cluster. */
    public List<AddonRecord> onCluster(String clusterId) {
        return jdbi.withHandle(
                h -> h.createQuery("SELECT " + COLUMNS + " FROM addons WHERE cluster_id = :c ORDER BY id")
                        .bind("c", clusterId)
                        .map(AddonStore::row)
                        .list());
    }

    /** How many add-ons say they run on the cluster (a cluster with bound add-ons is not deleted silently). */
    public long countOnCluster(String clusterId) {
        return jdbi.withHandle(h -> h.createQuery("SELECT count(*) FROM addons WHERE cluster_id = :c")
                .bind("c", clusterId)
                .mapTo(Long.class)
                .one());
    }

    private static AddonRecord row(ResultSet rs, StatementContext ctx) throws SQLException {
        Array tags = rs.getArray("tags");
        return new AddonRecord(
                rs.getString("id"),
                rs.getString("kind"),
                rs.getString("name"),
                rs.getString("owner"),
                rs.getString("cluster_id"),
                rs.getString("public_url"),
                Arrays.asList((String[]) tags.getArray()),
                (ObjectNode) Json.MAPPER.readTree(rs.getString("document")),
                rs.getLong("version"),
                rs.getTimestamp("created_at").toInstant(),
                rs.getTimestamp("updated_at").toInstant(),
                new AddonRecord.Health(
                        rs.getString("health_status"),
                        rs.getString("health_message"),
                        instant(rs, "health_checked_at"),
                        instant(rs, "last_seen_at")),
                rs.getString("infra_status"));
    }

    private static Instant instant(ResultSet rs, String col) throws SQLException {
        Timestamp t = rs.getTimestamp(col);
        return t == null ? null : t.toInstant();
    }
}
