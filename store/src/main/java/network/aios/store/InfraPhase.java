package network.aios.store;

/**
 * Where a cluster's own infrastructure is, as the infra jobs set it: one input of the cluster's
 * status (the other is its health). The status itself is computed by the database (V13), never
 * written: {@code none} → registered; {@code ready} → live, or degraded while unhealthy; otherwise
 * the phase's own name.
 */
public enum InfraPhase {
    NONE,
    PROVISIONING,
    READY,
    FAILED,
    DEPROVISIONING;

    public String wire() {
        return name().toLowerCase();
    }
}
