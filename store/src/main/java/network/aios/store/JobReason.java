package network.aios.store;

import java.util.Arrays;

/**
 * Why an infra job is where it is: the one-word cause shown beside its {@link JobState} (as a Kubernetes
 * condition's reason is), with a sentence in the job's message. The wire name is what the API and the database
 * hold; a stored name this code does not know is a bug, not a value to guess at.
 */
public enum JobReason {
    // ---- on the way --------------------------------------------------------------------------------------
    /** Queued, not yet picked up. */
    QUEUED("Queued"),
    /** The API server answered the preflight; bootstrap next. */
    VALIDATED("Validated"),
    /** Waiting for the token controller to fill in the control plane's ServiceAccount token. */
    WAITING_FOR_TOKEN("WaitingForToken"),
    /** The least-privilege identity exists; the owner's kubeconfig is dropped. */
    BOOTSTRAPPED("Bootstrapped"),
    /** The namespace of an earlier removal is still terminating. */
    WAITING_FOR_NAMESPACE("WaitingForNamespace"),
    /** A resync is re-applying the desired state. */
    RESYNCING("Resyncing"),
    /** Every desired object applied; readiness next. */
    APPLIED("Applied"),
    /** Some Deployments are not available yet. */
    WAITING_FOR_DEPLOYMENTS("WaitingForDeployments"),
    /** A removal is deleting, or waiting for the namespace to go. */
    DELETING("Deleting"),
    /** A transient failure (an outage, a 5xx, a timeout): retried with backoff. */
    RETRYING("Retrying"),
    /** A control-plane shutdown interrupted the step; another run resumes it. */
    INTERRUPTED("Interrupted"),

    // ---- done --------------------------------------------------------------------------------------------
    /** Applied and available. */
    READY("Ready"),
    /** A resync found what it reports in its receipt and is done. */
    RESYNCED("Resynced"),
    /** Removed, nothing left behind. */
    REMOVED("Removed"),
    /** Removed, with what could not be deleted named in the receipt. */
    REMOVED_WITH_RESIDUALS("RemovedWithResiduals"),
    /** A removal that found nothing of ours on the cluster. */
    NOTHING_TO_REMOVE("NothingToRemove"),
    /** A later request for the same target replaced this one before it ran. */
    SUPERSEDED("Superseded"),

    // ---- failed ------------------------------------------------------------------------------------------
    /** Deployments still not available when readiness gave up. */
    NOT_READY("NotReady"),
    /** The stored kubeconfig can no longer be opened. */
    INVALID_KUBECONFIG("InvalidKubeconfig"),
    /** The registration was deleted while the job waited. */
    REGISTRATION_GONE("RegistrationGone"),
    /** No credential for the cluster: neither the owner's nor the control plane's own. */
    NO_CREDENTIAL("NoCredential"),
    /** The member cluster refused the control plane's own credential outside a resync. */
    CREDENTIAL_REFUSED("CredentialRefused"),
    /** A resync met a cluster where the infrastructure (and the credential in it) is gone. */
    INFRASTRUCTURE_LOST("InfrastructureLost"),
    /** The kubeconfig reaches another cluster than the one the infrastructure was created on. */
    WRONG_CLUSTER("WrongCluster"),
    /** The cluster already runs another registration's infrastructure. */
    ANOTHER_CLUSTER("AnotherCluster"),
    /** An earlier removal's namespace was still terminating when the wait ran out. */
    NAMESPACE_TERMINATING("NamespaceTerminating"),
    /** The namespace exists and is not ours. */
    NAMESPACE_TAKEN("NamespaceTaken"),
    /** 403 from the member cluster. */
    FORBIDDEN("Forbidden"),
    /** The egress guard refused the API server's address. */
    EGRESS_REFUSED("EgressRefused"),
    /** Transient failures outlasted the retries. */
    UNREACHABLE("Unreachable"),
    /** The member cluster refused a request for good (a 4xx other than the above). */
    REJECTED("Rejected"),
    /** A bug or an unreadable secret: the log says more; the job says nothing that leaks. */
    INTERNAL_ERROR("InternalError");

    private final String wire;

    JobReason(String wire) {
        this.wire = wire;
    }

    public String wire() {
        return wire;
    }

    @Override
    public String toString() {
        return wire;
    }

    public static JobReason fromWire(String s) {
        return Arrays.stream(values())
                .filter(v -> v.wire.equals(s))
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("unknown job reason '" + s + "' in the job store"));
    }
}
