package network.aios.server.infra;

import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.List;
import network.aios.api.ClusterDocument;
import network.aios.api.FieldError;
import network.aios.api.kubeconfig.KubeconfigException;
import network.aios.egress.EgressRefusedException;
import network.aios.member.ClusterOps;
import network.aios.member.Kubeconfigs;
import network.aios.member.Preflight;
import network.aios.server.domain.DomainException;
import network.aios.server.engine.ClusterConnector;
import network.aios.store.ClusterRecord;
import tools.jackson.databind.JsonNode;

/**
 * An owner's kubeconfig, before any job is queued with it: parsed once, strictly (no plugins, file
 * paths or proxies), its API server reached through the egress guard, the preflight run with it. Every
 * failure is the owner's to fix, so a 4xx naming the field or the check, never a 500; the kubeconfig's
 * client is closed after each use and nothing of it is kept.
 */
final class OwnerKubeconfigs {
    private final ClusterConnector connector;
    private final boolean allowInsecure;

    OwnerKubeconfigs(ClusterConnector connector, boolean allowInsecure) {
        this.connector = connector;
        this.allowInsecure = allowInsecure;
    }

    static void requirePassed(List<Preflight.Check> checks, String what) {
        if (!Preflight.passed(checks)) {
            List<Preflight.Check> failed = checks.stream()
                    .filter(c -> c.status() == Preflight.Status.FAIL)
                    .toList();
            throw new DomainException(
                    DomainException.Kind.INVALID,
                    "preflight_failed",
                    "the cluster is not ready for " + what + ": "
                            + String.join(
                                    "; ",
                                    failed.stream()
                                            .map(c -> c.name() + ": " + c.message())
                                            .toList()),
                    failed.stream()
                            .map(c -> new FieldError(
                                    "/preflight/" + c.name(),
                                    c.message() + (c.fix() == null ? "" : " (fix: " + c.fix() + ")")))
                            .toList(),
                    null);
        }
    }

    Kubeconfigs.Parsed parse(JsonNode kubeconfig, String pointer) {
        try {
            return Kubeconfigs.parse(kubeconfig, pointer, allowInsecure);
        } catch (KubeconfigException e) {
            throw new DomainException(
                    DomainException.Kind.INVALID,
                    "invalid_kubeconfig",
                    "kube_config_data cannot be used",
                    e.errors(),
                    null);
        }
    }

    void reachable(Kubeconfigs.Parsed parsed) {
        withOwnersKubeconfig(parsed, ClusterOps::version);
    }

    List<Preflight.Check> preflight(Kubeconfigs.Parsed parsed, ClusterRecord cluster) {
        return withOwnersKubeconfig(
                parsed,
                ops -> Preflight.run(
                        ops,
                        ClusterDocument.of(cluster.document()),
                        network.aios.member.desired.Owner.cluster(
                                cluster.id(), network.aios.api.Incarnation.of(cluster.createdAt()))));
    }

    /**
     * Runs {@code call} against the cluster an owner's kubeconfig names, answering what goes wrong as the
     * owner's problem: unreachable, rejected, refused by the egress guard, or unusable credentials (422s).
     */
    <T> T withOwnersKubeconfig(Kubeconfigs.Parsed parsed, java.util.function.Function<ClusterOps, T> call) {
        try (ClusterOps ops = connector.open(parsed.config())) {
            return call.apply(ops);
        } catch (KubernetesClientException e) {
            throw unreachable(parsed, e);
        } catch (DomainException e) {
            throw e;
        } catch (RuntimeException e) {
            throw unusable(e);
        }
    }

    /**
     * The client could not even be built from the kubeconfig (e.g. a client key that is not a key): the
     * owner's input, so a 422, never a 500. The reason is the exception's class, never its text.
     */
    private static DomainException unusable(RuntimeException e) {
        return new DomainException(
                DomainException.Kind.INVALID,
                "invalid_kubeconfig",
                "kube_config_data cannot be used: its credentials could " + "not be loaded ("
                        + e.getClass().getSimpleName() + ")",
                List.of(),
                "check client-certificate-data "
                        + "and client-key-data: base64 of PEM blocks of a matching certificate and key");
    }

    private static DomainException unreachable(Kubeconfigs.Parsed parsed, KubernetesClientException e) {
        java.util.Optional<EgressRefusedException> refused = EgressRefusedException.in(e);
        if (refused.isPresent()) {
            return new DomainException(
                    DomainException.Kind.INVALID,
                    "egress_refused",
                    "the control plane does not connect to the API server at " + parsed.server() + ": "
                            + refused.get().reason(),
                    List.of(),
                    "the network's operator can allow "
                            + "an address range with --egress-allow CIDR (for a test cluster on the control plane's machine)");
        }
        network.aios.member.KubeFailure failure = network.aios.member.KubeFailure.of(e);
        if (failure == network.aios.member.KubeFailure.FORBIDDEN) {
            return new DomainException(
                    DomainException.Kind.INVALID,
                    "kubeconfig_forbidden",
                    "the kubeconfig's identity may not read what the " + "install needs on " + parsed.server()
                            + " (HTTP 403)",
                    List.of(),
                    "use the cluster's admin kubeconfig (kubeadm: /etc/kubernetes/admin.conf) for this one step");
        }
        if (failure == network.aios.member.KubeFailure.UNAUTHORIZED) {
            return new DomainException(
                    DomainException.Kind.INVALID,
                    "kubeconfig_rejected",
                    "the API server at " + parsed.server() + " rejected the kubeconfig's credentials (HTTP "
                            + e.getCode() + ")",
                    List.of(),
                    null);
        }
        return new DomainException(
                DomainException.Kind.INVALID,
                "cluster_unreachable",
                "the API server at " + parsed.server() + " did not answer"
                        + (e.getCode() > 0 ? " (HTTP " + e.getCode() + ")" : ""),
                List.of(),
                "check that the kubeconfig's server address is reachable from the control plane");
    }
}
