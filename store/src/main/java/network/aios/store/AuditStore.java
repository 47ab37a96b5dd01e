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
     * continue below (from the previous page). At most {@code limit} rows, and no more than about
     * {@code pageBytes} of them.
     */
    public Page<Entry> query(
            String target,
            String actor,
            String action,
            Instant since,
            Instant until,
            Long before,
            int limit,
            long pageBytes) {
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
        // the page ends where its rows pass the byte budget (the first row always comes): the database cuts it,
        // so a page of large rows never reaches this process whole
        String paged =
                Page.budgeted(sql.toString(), "seq DESC", ROW_OVERHEAD + " + coalesce(octet_length(p.detail), 0)");
        return jdbi.withHandle(h -> {
            long[] fetched = {0};
            var q = h.createQuery(paged).bind("limit", limit).bind("budget", pageBytes);
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
            java.util.List<Entry> rows = q.map((rs, ctx) -> {
                        fetched[0] = rs.getLong("fetched");
                        return new Entry(
                                rs.getLong("seq"),
                                rs.getTimestamp("at").toInstant(),
                                rs.getString("actor"),
                                rs.getString("action"),
                                rs.getString("target"),
                                rs.getString("detail"));
                    })
                    .list();
            return Page.of(rows, fetched[0], limit);
        });
    }

    /** What a row costs a page besides its detail (time, names, JSON punctuation), for the byte budget. */
    static final int ROW_OVERHEAD = 256;

    public void record(Instant at, String actor, String action, String target, String detailJson) {
        jdbi.useHandle(h -> Audit.write(h, at, actor, action, target, detailJson));
    }
}
