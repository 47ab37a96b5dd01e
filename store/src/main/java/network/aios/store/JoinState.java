package network.aios.store;

import java.util.Arrays;

/** Where a pull-mode join stands (docs/PULL.md). */
public enum JoinState {
    /** The bootstrap token is out, not used yet. */
    ISSUED,
    /** The agent exchanged the token and waits for acceptance. */
    REQUESTED,
    ACCEPTED,
    REFUSED,
    /** The token ran out unused (a request the agent made waits for the admin without an end). */
    EXPIRED,
    REVOKED,
    /** The infrastructure is being removed: the agent is told to remove what it applied. */
    REMOVING,
    REMOVED;

    public String wire() {
        return name().toLowerCase();
    }

    public static JoinState fromWire(String s) {
        return Arrays.stream(values())
                .filter(v -> v.wire().equals(s))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown join state " + s));
    }

    /** A join that still holds the cluster (one at most per cluster). */
    public boolean live() {
        return this == ISSUED || this == REQUESTED || this == ACCEPTED || this == REMOVING;
    }
}
