package network.aios.store;

import java.util.Arrays;

/** What an infra job does: create (or upgrade) a target's infrastructure, remove it, or resync it. */
public enum JobKind {
    CREATE("create"),
    REMOVE("remove"),
    /** Re-apply a ready target's desired state, repairing what was changed or deleted on the cluster. */
    RESYNC("resync");

    private final String wire;

    JobKind(String wire) {
        this.wire = wire;
    }

    public String wire() {
        return wire;
    }

    /** Create and resync bring a target to Ready; remove to Removed. */
    public boolean applies() {
        return this != REMOVE;
    }

    public static JobKind fromWire(String s) {
        return Arrays.stream(values())
                .filter(v -> v.wire.equals(s))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown job kind " + s));
    }
}
