package network.aios.store;

import java.time.Instant;
import org.jdbi.v3.core.Jdbi;

/** Audit rows for things that happen outside the control plane's own writes (commands run by agents). */
public final class AuditStore {
    private final Jdbi jdbi;

    public AuditStore(Database db) {
        this.jdbi = db.jdbi();
    }

    /** One row of the audit log; {@code seq} orders them and pages through them. */
    public record Entry(long seq, Instant at, String actor, String action, String target, String detailJson) {}

    /**
     * Newest first. Each filter is optional: {@code target} exact, {@code actor} exact, {@code action} a prefix
     * ("mgmt." for every command), {@code since}/{@code until} inclusive/exclusive, {@code before} the seq to
     * continue below (from the previous page).
     */
    public java.util.List<Entry> query(
            String target, String actor, String action, Instant since, Instant until, Long before, int limit) {
        StringBuilder sql = new StringBuilder(
                "SELECT seq, at, actor, action, target, detail::text AS detail " + "FROM audit_log WHERE true");
        if (target != null) {
            sql.append(" AND target = :target");
        }
        if (actor != null) {
            sql.append(" AND actor = :actor");
        }
        if (action != null) {
            sql.append(" AND starts_with(action, :action)");
        }
        if (since != null) {
            sql.append(" AND at >= :since");
        }
        if (until != null) {
            sql.append(" AND at < :until");
        }
        if (before != null) {
            sql.append(" AND seq < :before");
        }
        sql.append(" ORDER BY seq DESC LIMIT :limit");
        return jdbi.withHandle(h -> {
            var q = h.createQuery(sql.toString()).bind("limit", limit);
            if (target != null) {
                q.bind("target", target);
            }
            if (actor != null) {
                q.bind("actor", actor);
            }
            if (action != null) {
                q.bind("action", action);
            }
            if (since != null) {
                q.bind("since", java.sql.Timestamp.from(since));
            }
            if (until != null) {
                q.bind("until", java.sql.Timestamp.from(until));
            }
            if (before != null) {
                q.bind("before", before);
            }
            return q.map((rs, ctx) -> new Entry(
                            rs.getLong("seq"),
                            rs.getTimestamp("at").toInstant(),
                            rs.getString("actor"),
                            rs.getString("action"),
                            rs.getString("target"),
                            rs.getString("detail")))
                    .list();
        });
    }

    public void record(Instant at, String actor, String action, String target, String detailJson) {
        jdbi.useHandle(h -> Audit.write(h, at, actor, action, target, detailJson));
    }
}
