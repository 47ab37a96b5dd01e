package network.aios.store;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * What each owner may hold and do at once: the network's default ({@link #DEFAULT}) and the admin's
 * overrides per owner. Counting against a quota and inserting happen in one transaction that holds the
 * owner's advisory lock ({@link #within}), so concurrent requests of one owner cannot both take the last
 * unit.
 */
public final class QuotaStore {
    /** The row holding the network's default; no owner can be named so. */
    public static final String DEFAULT = "*";

    /** The quotas an owner has, each field null where its row does not set one. */
    public record Quota(
            Integer clusters, Integer addons, Integer jobs, Integer commandsPerMinute, Integer routesPerCluster) {
        /** This, with what it leaves unset taken from {@code dflt}. */
        public Quota over(Quota dflt) {
            return new Quota(
                    clusters != null ? clusters : dflt.clusters,
                    addons != null ? addons : dflt.addons,
                    jobs != null ? jobs : dflt.jobs,
                    commandsPerMinute != null ? commandsPerMinute : dflt.commandsPerMinute,
                    routesPerCluster != null ? routesPerCluster : dflt.routesPerCluster);
        }
    }

    /** One row: an owner's override, or the default. */
    public record Row(String owner, Quota quota, Instant updatedAt, String updatedBy) {}

    /** What an owner holds now, counted the way the quotas are enforced. */
    public record Usage(long clusters, long addons, long jobs) {}

    /** A request that would take an owner past a quota; nothing was written. */
    public static final class Exceeded extends RuntimeException {
        private final String quota;
        private final long limit;
        private final String owner;
        private final long retryAfterSeconds;

        /** {@code retryAfterSeconds}: when it frees by itself (a rate, jobs that finish); 0: it does not. */
        public Exceeded(String quota, long limit, String owner, long retryAfterSeconds) {
            super(owner + " holds its quota of " + limit + " " + quota, null, false, false);
            this.quota = quota;
            this.limit = limit;
            this.owner = owner;
            this.retryAfterSeconds = retryAfterSeconds;
        }

        public long retryAfterSeconds() {
            return retryAfterSeconds;
        }

        /** The quota's name as the API spells it ({@code clusters}, {@code addons}, {@code jobs}, …). */
        public String quota() {
            return quota;
        }

        public long limit() {
            return limit;
        }

        public String owner() {
            return owner;
        }
    }

    private final Jdbi jdbi;

    public QuotaStore(Database db) {
        this.jdbi = db.jdbi();
    }

    /** The quota in force for {@code owner}: its override over the default. */
    public Quota effective(String owner) {
        return jdbi.withHandle(h -> effective(h, owner));
    }

    static Quota effective(Handle h, String owner) {
        List<Row> rows = h.createQuery(
                        "SELECT * FROM owner_quotas WHERE owner IN (:owner, '*') ORDER BY owner = '*' DESC")
                .bind("owner", owner)
                .map((rs, ctx) -> row(rs))
                .list();
        Quota dflt = rows.get(0).quota();
        return rows.size() > 1 ? rows.get(1).quota().over(dflt) : dflt;
    }

    /** The default first, then every owner's override by name. */
    public List<Row> all() {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM owner_quotas ORDER BY owner = '*' DESC, owner")
                .map((rs, ctx) -> row(rs))
                .list());
    }

    public Optional<Row> get(String owner) {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM owner_quotas WHERE owner = :owner")
                .bind("owner", owner)
                .map((rs, ctx) -> row(rs))
                .findOne());
    }

    /** Sets {@code owner}'s row (or the default's) whole, audited. */
    public Row put(String owner, Quota q, String actor, Instant at) {
        return jdbi.inTransaction(h -> {
            h.createUpdate("INSERT INTO owner_quotas (owner, clusters, addons, jobs, commands_per_minute, "
                            + "routes_per_cluster, updated_at, updated_by) VALUES (:owner, :c, :a, :j, :m, :r, :at, :by) "
                            + "ON CONFLICT (owner) DO UPDATE SET clusters = :c, addons = :a, jobs = :j, "
                            + "commands_per_minute = :m, routes_per_cluster = :r, updated_at = :at, updated_by = :by")
                    .bind("owner", owner)
                    .bind("c", q.clusters())
                    .bind("a", q.addons())
                    .bind("j", q.jobs())
                    .bind("m", q.commandsPerMinute())
                    .bind("r", q.routesPerCluster())
                    .bind("at", Timestamp.from(at))
                    .bind("by", actor)
                    .execute();
            Audit.write(h, at, actor, "quota.set", owner, network.aios.api.Json.MAPPER.writeValueAsString(q));
            return new Row(owner, q, at, actor);
        });
    }

    /** Drops an owner's override (the default then applies); false if it had none. */
    public boolean delete(String owner, String actor, Instant at) {
        return jdbi.inTransaction(h -> {
            boolean gone = h.createUpdate("DELETE FROM owner_quotas WHERE owner = :owner AND owner <> '*'")
                            .bind("owner", owner)
                            .execute()
                    > 0;
            if (gone) {
                Audit.write(h, at, actor, "quota.delete", owner, null);
            }
            return gone;
        });
    }

    public Usage usage(String owner) {
        return jdbi.withHandle(
                h -> new Usage(count(h, "clusters", owner), count(h, "addons", owner), count(h, "jobs", owner)));
    }

    /**
     * Inside an open transaction: takes {@code owner}'s quota lock (until the transaction ends), then throws
     * {@link Exceeded} if one more of {@code what} would pass its quota. Null owner: not limited (the admin).
     */
    static void within(Handle h, String owner, String what) {
        within(h, owner, what, null);
    }

    /**
     * As above; {@code scope}: the cluster, for a quota per cluster ({@code routes}); for {@code jobs}, a target
     * whose own unfinished job is not counted (null: every job counts).
     */
    static void within(Handle h, String owner, String what, String scope) {
        if (owner == null) {
            return;
        }
        h.createQuery("SELECT pg_advisory_xact_lock(hashtext('aios-quota:' || :owner))")
                .bind("owner", owner)
                .mapTo(String.class)
                .one();
        Quota q = effective(h, owner);
        Integer limit = switch (what) {
            case "clusters" -> q.clusters();
            case "addons" -> q.addons();
            case "jobs" -> q.jobs();
            case "routes" -> q.routesPerCluster();
            default -> throw new IllegalArgumentException(what);
        };
        if (limit == null) {
            return;
        }
        long used = what.equals("routes")
                ? h.createQuery("SELECT count(*) FROM gateway_routes WHERE cluster_id = :c")
                        .bind("c", scope)
                        .mapTo(Long.class)
                        .one()
                : what.equals("jobs") && scope != null
                        ? h.createQuery("SELECT count(*) FROM infra_jobs WHERE requested_by = :owner "
                                        + "AND finished_at IS NULL AND cluster_id <> :target")
                                .bind("owner", owner)
                                .bind("target", scope)
                                .mapTo(Long.class)
                                .one()
                        : count(h, what, owner);
        if (used >= limit) {
            // unfinished jobs finish by themselves: worth asking again soon; registrations stay until deleted
            throw new Exceeded(
                    what.equals("routes") ? "routesPerCluster" : what,
                    limit,
                    owner,
                    what.equals("jobs") && limit > 0 ? 10 : 0);
        }
    }

    /**
     * Throws {@link Exceeded} if one more of {@code what} would pass {@code owner}'s quota now (null owner: never);
     * a check ahead of the write (a dry run; before a request changes anything else), which the write repeats.
     */
    public void check(String owner, String what) {
        if (owner != null) {
            jdbi.useTransaction(h -> within(h, owner, what));
        }
    }

    private static long count(Handle h, String what, String owner) {
        String sql = switch (what) {
            case "clusters" -> "SELECT count(*) FROM clusters WHERE owner = :owner";
            case "addons" -> "SELECT count(*) FROM addons WHERE owner = :owner";
            // the jobs an owner asked for and that have not finished (repairs the network runs are not its)
            case "jobs" -> "SELECT count(*) FROM infra_jobs WHERE requested_by = :owner AND finished_at IS NULL";
            default -> throw new IllegalArgumentException(what);
        };
        return h.createQuery(sql).bind("owner", owner).mapTo(Long.class).one();
    }

    private static Row row(java.sql.ResultSet rs) throws java.sql.SQLException {
        return new Row(
                rs.getString("owner"),
                new Quota(
                        (Integer) rs.getObject("clusters"),
                        (Integer) rs.getObject("addons"),
                        (Integer) rs.getObject("jobs"),
                        (Integer) rs.getObject("commands_per_minute"),
                        (Integer) rs.getObject("routes_per_cluster")),
                rs.getTimestamp("updated_at").toInstant(),
                rs.getString("updated_by"));
    }
}
