package network.aios.api;

import java.util.Arrays;
import java.util.Optional;

/** The lifecycle of a cluster in the network. The server owns it; clients may only request one. */
public enum ClusterStatus {
    REGISTERED,
    PROVISIONING,
    LIVE,
    DEGRADED,
    DEPROVISIONING,
    FAILED;

    public String wire() {
        return name().toLowerCase();
    }

    public static Optional<ClusterStatus> fromWire(String value) {
        return Arrays.stream(values()).filter(s -> s.wire().equals(value)).findFirst();
    }

    public static String known() {
        return String.join(
                ", ", Arrays.stream(values()).map(ClusterStatus::wire).toList());
    }
}
