package network.aios.server.audit;

import java.time.Instant;
import java.util.List;
import network.aios.server.auth.Principal;
import network.aios.store.AuditStore;

/** Reading the audit log: the admin's, filtered and paged, newest first. Writes happen with each change. */
public final class AuditLog {
    private final AuditStore store;

    public AuditLog(AuditStore store) {
        this.store = store;
    }

    /** Entries matching every filter given (nulls match all), older than {@code before} when set. */
    public List<AuditStore.Entry> query(
            Principal who,
            String cluster,
            String actor,
            String action,
            Instant since,
            Instant until,
            Long before,
            int limit) {
        Principal.requireAdmin(who);
        return store.query(cluster, actor, action, since, until, before, limit);
    }
}
