package network.aios.agent;

import java.time.Instant;
import java.util.List;
import network.aios.api.Json;
import tools.jackson.databind.node.ObjectNode;

/**
 * What {@code GET /status} of the pull role shows: its state, the cluster it joined as, the last revision
 * applied and the last report. Written by the role's loop, read by HTTP threads; nothing secret is ever put
 * here (no token, no credential, no object contents).
 */
final class PullStatus {
    private volatile String state = "starting";
    private volatile String clusterId;
    private volatile String lastRevision;
    private volatile Instant lastAppliedAt;
    private volatile Instant lastReportAt;
    private volatile int lastReportStatus;
    private volatile String infrastructure;
    private volatile List<String> notReady = List.of();
    private volatile Instant credentialStoredAt;
    private volatile String lastProblem;

    void state(String s) {
        state = s;
    }

    String state() {
        return state;
    }

    void clusterId(String id) {
        if (id != null && !id.isBlank()) {
            clusterId = id;
        }
    }

    void applied(String revision, Instant at) {
        lastRevision = revision;
        lastAppliedAt = at;
    }

    void reported(Instant at, int httpStatus, String infrastructureState, List<String> notReadyNow) {
        lastReportAt = at;
        lastReportStatus = httpStatus;
        if (infrastructureState != null) {
            infrastructure = infrastructureState;
        }
        notReady = List.copyOf(notReadyNow);
    }

    void credentialStored(Instant at) {
        credentialStoredAt = at;
    }

    /** A short description of what went wrong last (a class name or an HTTP status), null once it went well. */
    void problem(String p) {
        lastProblem = p;
    }

    ObjectNode view() {
        ObjectNode o = Json.object()
                .put("role", "pull")
                .put("state", state)
                .put("clusterId", clusterId)
                .put("lastRevision", lastRevision)
                .put("lastAppliedAt", str(lastAppliedAt))
                .put("lastReportAt", str(lastReportAt))
                .put("credentialStoredAt", str(credentialStoredAt))
                .put("infrastructure", infrastructure)
                .put("lastProblem", lastProblem);
        if (lastReportAt != null) {
            o.put("lastReportStatus", lastReportStatus);
        }
        o.set("notReady", Json.tree(notReady));
        return o;
    }

    private static String str(Instant i) {
        return i == null ? null : i.toString();
    }
}
