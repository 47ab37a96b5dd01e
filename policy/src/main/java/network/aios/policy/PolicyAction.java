package network.aios.policy;

import java.util.Arrays;
import java.util.Optional;

/** The network actions a pre-check policy guards, named as the AIOS documentation names them. */
public enum PolicyAction {
    ADD_CLUSTER,
    UPDATE_CLUSTER,
    REMOVE_CLUSTER,
    /**
     * Whether an external node may join ({@code aios node join-token}): rules see the document as it would be with
     * the node ({@code cluster_data}, totals summed again), as it is ({@code old_cluster_data}), and the node
     * ({@code node_data}).
     */
    ADD_NODE,
    /**
     * Whether a joined external node that left the cluster leaves the document too: {@code cluster_data} without
     * it, {@code old_cluster_data} with it, {@code node_data} the node; a deny keeps it (and the drift shows).
     */
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
