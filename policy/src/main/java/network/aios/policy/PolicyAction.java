package network.aios.policy;

import java.util.Arrays;
import java.util.Optional;

/** The network actions a pre-check policy guards, named as the AIOS documentation names them. */
public enum PolicyAction {
    ADD_CLUSTER,
    UPDATE_CLUSTER,
    REMOVE_CLUSTER,
    /** Reserved: accepted and stored, not yet evaluated by any flow. */
    ADD_NODE,
    /** Reserved: accepted and stored, not yet evaluated by any flow. */
    REMOVE_NODE,
    /**
     * Whether a pull-mode join is admitted without the admin's accept, when its owner asked for that
     * ({@code aios cluster join --accept-by-policy}); with no such policy in force, the admin decides.
     */
    ACCEPT_CLUSTER;

    public String wire() {
        return name().toLowerCase();
    }

    public static Optional<PolicyAction> fromWire(String s) {
        return Arrays.stream(values()).filter(a -> a.wire().equals(s)).findFirst();
    }

    public static String known() {
        return String.join(", ", Arrays.stream(values()).map(PolicyAction::wire).toList());
    }
}
