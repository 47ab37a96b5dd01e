package network.aios.store;

import java.sql.Timestamp;
import java.time.Instant;
import org.jdbi.v3.core.Handle;

/** The audit log, always written inside the transaction of the change it records. */
final class Audit {
    private Audit() {}

    /**
     * The most an audit row's detail may take. What owners and agents send reaches the audit log (a command's
     * arguments, an agent's record of what it did); larger details are kept truncated, and say so, so that
     * nobody can grow the log by megabytes a request or make reading a page of it take the heap.
     */
    public static final int MAX_DETAIL_BYTES = 8192;

    /** How much of a truncated detail is kept (as text, in {@code head}). */
    static final int TRUNCATED_HEAD_CHARS = 2048;

    static void write(Handle h, Instant at, String actor, String action, String target, String detailJson) {
        h.createUpdate("INSERT INTO audit_log (at, actor, action, target, detail) "
                        + "VALUES (:at, :actor, :action, :target, CAST(:detail AS jsonb))")
                .bind("at", Timestamp.from(at))
                .bind("actor", actor)
                .bind("action", action)
                .bind("target", target)
                .bind("detail", bounded(detailJson))
                .execute();
    }

    /** The detail as stored: itself up to {@link #MAX_DETAIL_BYTES}, else a visible truncation of it. */
    static String bounded(String detailJson) {
        if (detailJson == null) {
            return null;
        }
        int bytes = detailJson.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        if (bytes <= MAX_DETAIL_BYTES) {
            return detailJson;
        }
        return network.aios.api.Json.MAPPER.writeValueAsString(network.aios.api.Json.object()
                .put("truncated", true)
                .put("bytes", bytes)
                .put("head", detailJson.substring(0, Math.min(TRUNCATED_HEAD_CHARS, detailJson.length()))));
    }
}
