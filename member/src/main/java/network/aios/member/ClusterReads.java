package network.aios.member;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.List;
import java.util.Optional;
import network.aios.member.desired.Owner;

/**
 * The reads {@link Preflight} makes on a member cluster, and nothing more: plain values and model objects,
 * never the client. {@link ClusterOps} extends it, so whoever holds a connection passes it as it is; a fake
 * answers these from memory. A read fails as the client does ({@link KubernetesClientException}, classified by
 * {@link KubeFailure}); {@link #forbidden} tells a refused read from any other failure.
 */
public interface ClusterReads {
    /** The API server's version, or an exception if it does not answer. */
    String version();

    /** Whether the caller may do {@code verb} on {@code resource} (SelfSubjectAccessReview). */
    boolean may(String verb, String group, String resource, String namespace);

    /** The namespace as it is now, or empty. */
    Optional<Owner.NamespaceState> namespace(String name);

    /** The cluster's nodes, as the API server has them (attestation reads them with our own credential). */
    List<Node> nodes();

    /** The Services of every namespace. */
    List<Service> services();

    /** One Service, or empty when it does not exist. */
    Optional<Service> service(String namespace, String name);

    /** Whether the ConfigMap exists. */
    boolean hasConfigMap(String namespace, String name);

    /** One key of a ConfigMap's data; empty when the ConfigMap or the key does not exist. */
    Optional<String> configMapData(String namespace, String name, String key);

    /** Whether the CustomResourceDefinition {@code name} (e.g. {@code mappings.getambassador.io}) is installed. */
    boolean hasCrd(String name);

    /** Whether a read failed because the identity may not make it (a 403, not a namespace terminating). */
    static boolean forbidden(RuntimeException e) {
        return e instanceof KubernetesClientException k && KubeFailure.of(k) == KubeFailure.FORBIDDEN;
    }
}
