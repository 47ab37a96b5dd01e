package network.aios.server.infra;

/** Job states, shaped like Kubernetes phases. */
final class JobStates {
    static final String PENDING = "Pending";
    static final String VALIDATING = "Validating";
    static final String BOOTSTRAPPING = "Bootstrapping";
    static final String APPLYING = "Applying";
    static final String WAITING_READY = "WaitingReady";
    static final String READY = "Ready";
    static final String REMOVING = "Removing";
    static final String WAITING_NAMESPACE = "WaitingNamespaceDeletion";
    static final String REMOVED = "Removed";
    static final String FAILED = "Failed";

    private JobStates() {}
}
