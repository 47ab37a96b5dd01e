package network.aios.store;

import java.util.Arrays;

/** Where an infra job is, shaped like Kubernetes phases; the wire name is what the API and the database hold. */
public enum JobState {
    PENDING("Pending", false),
    BOOTSTRAPPING("Bootstrapping", false),
    APPLYING("Applying", false),
    WAITING_READY("WaitingReady", false),
    READY("Ready", true),
    REMOVING("Removing", false),
    WAITING_NAMESPACE("WaitingNamespaceDeletion", false),
    REMOVED("Removed", true),
    FAILED("Failed", true);

    private final String wire;
    private final boolean terminal;

    JobState(String wire, boolean terminal) {
        this.wire = wire;
        this.terminal = terminal;
    }

    public String wire() {
        return wire;
    }

    /** Whether a job in this state is finished (Ready, Removed, Failed). */
    public boolean terminal() {
        return terminal;
    }

    public static JobState fromWire(String s) {
        return Arrays.stream(values())
                .filter(v -> v.wire.equals(s))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown job state " + s));
    }
}
