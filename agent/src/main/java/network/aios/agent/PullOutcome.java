package network.aios.agent;

import java.util.Locale;
import java.util.Objects;

/** What the pull agent did to one object, as the report names it ({@code docs/PULL.md}). */
enum PullOutcome {
    CREATED,
    PATCHED,
    UNCHANGED,
    PRUNED,
    DELETED,
    FAILED;

    /** The report's word for it: {@code created}, {@code patched}, ... */
    String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * An apply's outcome from the object's resourceVersion before it (null: it did not exist) and after it: the
     * API server writes a new resourceVersion exactly when the object changed, so the two say what happened
     * without comparing contents (which defaulting and other managers' fields would make unreliable).
     */
    static PullOutcome ofApply(String resourceVersionBefore, String resourceVersionAfter) {
        if (resourceVersionBefore == null) {
            return CREATED;
        }
        return Objects.equals(resourceVersionBefore, resourceVersionAfter) ? UNCHANGED : PATCHED;
    }
}
