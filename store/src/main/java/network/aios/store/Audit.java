package network.aios.store;

import java.sql.Timestamp;
import java.time.Instant;
import org.jdbi.v3.core.Handle;

/** The audit log, always written inside the transaction of the change it records. */
final class Audit {
    private Audit() {}

    static void write(Handle h, Instant at, String actor, String action, String target, String detailJson) {
        h.createUpdate("INSERT INTO audit_log (at, actor, action, target, detail) "
                        + "VALUES (:at, :actor, :action, :target, CAST(:detail AS jsonb))")
                .bind("at", Timestamp.from(at))
                .bind("actor", actor)
                .bind("action", action)
                .bind("target", target)
                .bind("detail", detailJson)
                .execute();
    }
}
