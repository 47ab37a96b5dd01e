package network.aios.store;

import java.time.Instant;
import org.jdbi.v3.core.Jdbi;

/** Audit rows for things that happen outside the control plane's own writes (commands run by agents). */
public final class AuditStore {
    private final Jdbi jdbi;

    public AuditStore(Database db) {
        this.jdbi = db.jdbi();
    }

    public void record(Instant at, String actor, String action, String target, String detailJson) {
        jdbi.useHandle(h -> Audit.write(h, at, actor, action, target, detailJson));
    }
}
