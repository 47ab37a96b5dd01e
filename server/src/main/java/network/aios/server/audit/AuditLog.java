package network.aios.server.audit;

import java.time.Instant;
import network.aios.server.auth.Principal;
import network.aios.store.AuditStore;

/** Reading the audit log: the admin's, filtered and paged, newest first. Writes happen with each change. */
public final class AuditLog {
    private final AuditStore store;

    public AuditLog(AuditStore store) {
        this.store = store;
    }

    /** Entries matching every filter given (nulls match all), older than {@code before} when set. */
    /** The most one page of the audit log carries (rows' details are up to 8 KiB each). */
    public static final long PAGE_BYTES = 1024 * 1024;

    public network.aios.store.Page<AuditStore.Entry> query(
            Principal who,
            String cluster,
            String actor,
            String action,
            Instant since,
            Instant until,
            Long before,
            int limit) {
        Principal.requireAdmin(who);
        return store.query(cluster, actor, action, since, until, before, limit, PAGE_BYTES);
    }
}
