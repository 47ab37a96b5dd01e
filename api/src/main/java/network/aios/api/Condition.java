package network.aios.api;

import java.time.Instant;
import tools.jackson.databind.node.ObjectNode;

/**
 * A condition in the one form every API answer uses, as Kubernetes shapes them: a {@code type} whose
 * {@code status} is True, False or Unknown (the type never changes with the outcome), a CamelCase
 * {@code reason}, a sentence, when the status last changed, and the generation (document version)
 * it was computed for, when known.
 */
public record Condition(
        String type,
        Status status,
        String reason,
        String message,
        Instant lastTransitionTime,
        Long observedGeneration) {
    public enum Status {
        TRUE("True"),
        FALSE("False"),
        UNKNOWN("Unknown");

        private final String wire;

        Status(String wire) {
            this.wire = wire;
        }

        public String wire() {
            return wire;
        }

        public static Status of(boolean b) {
            return b ? TRUE : FALSE;
        }
    }

    public Condition {
        if (type == null || status == null || reason == null) {
            throw new IllegalArgumentException("a condition has a type, a status and a reason");
        }
    }

    /** The JSON form; absent times and generations are left out. */
    public ObjectNode json() {
        ObjectNode o = Json.object()
                .put("type", type)
                .put("status", status.wire())
                .put("reason", reason)
                .put("message", message);
        if (lastTransitionTime != null) {
            o.put("lastTransitionTime", lastTransitionTime.toString());
        }
        if (observedGeneration != null) {
            o.put("observedGeneration", observedGeneration);
        }
        return o;
    }
}
