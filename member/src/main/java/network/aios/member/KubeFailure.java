package network.aios.member;

import io.fabric8.kubernetes.client.KubernetesClientException;

/**
 * The one classification of a failed call to a member cluster's API server: what the job loop
 * retries, what it reports, and how the API answers when a request fails there.
 */
public enum KubeFailure {
    /** This control plane is shutting down mid-call: repeat the step, do not count it. */
    INTERRUPTED,
    /** Not reached, 5xx, 429, or a namespace still terminating: worth retrying. */
    TRANSIENT,
    /** 401: the credentials were refused. */
    UNAUTHORIZED,
    /**
     * The egress guard refused the address (loopback, link-local, metadata, a denied range): the operator's
     * policy, which no retry changes.
     */
    EGRESS_REFUSED,
    /** 403: the identity may not do it. */
    FORBIDDEN,
    /** Any other answer: final. */
    REJECTED;

    public static KubeFailure of(KubernetesClientException e) {
        if (rootCause(e).equals("InterruptedException")) {
            return INTERRUPTED;
        }
        if (network.aios.egress.EgressRefusedException.in(e).isPresent()) {
            return EGRESS_REFUSED;
        }
        int code = e.getCode();
        // a namespace left terminating by an earlier removal refuses new content until it is gone
        boolean terminating =
                code == 403 && e.getMessage() != null && e.getMessage().contains("being terminated");
        if (code <= 0 || code == 429 || code >= 500 || terminating) {
            return TRANSIENT;
        }
        return code == 401 ? UNAUTHORIZED : code == 403 ? FORBIDDEN : REJECTED;
    }

    /** As {@link #describe(KubernetesClientException)} for a failed call to a member cluster; else the class. */
    public static String describeAny(RuntimeException e) {
        return e instanceof KubernetesClientException k
                ? describe(k)
                : e.getClass().getSimpleName();
    }

    /** What happened, in a phrase that leaks nothing: "could not be reached (…)" or "answered 422: …". */
    public static String describe(KubernetesClientException e) {
        java.util.Optional<network.aios.egress.EgressRefusedException> refused =
                network.aios.egress.EgressRefusedException.in(e);
        if (refused.isPresent()) {
            return "the control plane does not connect to the API server's address: "
                    + refused.get().reason()
                    + " (the network's operator can allow an address range with --egress-allow CIDR)";
        }
        int code = e.getCode();
        return code <= 0
                ? "the API server could not be reached (" + rootCause(e) + ")"
                : "the API server answered " + code
                        + (e.getStatus() != null && e.getStatus().getMessage() != null
                                ? ": " + e.getStatus().getMessage()
                                : "");
    }

    static String rootCause(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getClass().getSimpleName();
    }
}
