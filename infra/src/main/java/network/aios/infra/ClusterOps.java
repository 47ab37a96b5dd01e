package network.aios.infra;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectAccessReviewBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * What the control plane does on one member cluster, over the fabric8 client: check access, apply
 * (server-side apply, one field manager), observe readiness, delete. No retries here: the job loop
 * owns the one retry policy.
 */
public final class ClusterOps implements AutoCloseable {
    private final KubernetesClient client;

    /** A client for one member cluster, its connections made through {@code http} (the egress guard's). */
    public ClusterOps(Config config, io.fabric8.kubernetes.client.http.HttpClient.Factory http) {
        this.client = new KubernetesClientBuilder().withConfig(config).withHttpClientFactory(http).build();
    }

    public KubernetesClient client() {
        return client;
    }

    /** The API server's version, or an exception if it does not answer. */
    public String version() {
        return client.getKubernetesVersion().getGitVersion();
    }

    /** Whether the caller may do {@code verb} on {@code resource} (SelfSubjectAccessReview). */
    public boolean may(String verb, String group, String resource, String namespace) {
        SelfSubjectAccessReview review = new SelfSubjectAccessReviewBuilder().withNewSpec()
                .withNewResourceAttributes().withVerb(verb).withGroup(group).withResource(resource)
                .withNamespace(namespace).endResourceAttributes().endSpec().build();
        return Boolean.TRUE.equals(client.authorization().v1().selfSubjectAccessReview().create(review)
                .getStatus().getAllowed());
    }

    public ObjectRef apply(HasMetadata desired) {
        HasMetadata applied = client.resource(desired).fieldManager(InfraNames.FIELD_MANAGER).forceConflicts()
                .serverSideApply();
        return ObjectRef.of(applied);
    }

    /** The control plane's ServiceAccount token, once the token controller has filled it in. */
    public Optional<String> controlPlaneToken() {
        return controlPlaneToken(InfraNames.NAMESPACE);
    }

    /** As above, for the identity the control plane set up in {@code namespace} (an add-on's). */
    public Optional<String> controlPlaneToken(String namespace) {
        Secret s = client.secrets().inNamespace(namespace).withName(InfraNames.CONTROL_PLANE_TOKEN_SECRET).get();
        if (s == null || s.getData() == null || s.getData().get("token") == null) {
            return Optional.empty();
        }
        return Optional.of(new String(Base64.getDecoder().decode(s.getData().get("token")), StandardCharsets.UTF_8));
    }

    /** Deployments of ours not yet available, as "name (available/desired)". Empty when all are ready. */
    public List<String> notReady() {
        return notReady(InfraNames.NAMESPACE, java.util.Arrays.stream(AgentRole.values()).map(InfraNames::workload)
                .toList());
    }

    /** As above, for the named Deployments in {@code namespace}. */
    public List<String> notReady(String namespace, List<String> deployments) {
        List<String> waiting = new ArrayList<>();
        for (String name : deployments) {
            Deployment d = client.apps().deployments().inNamespace(namespace).withName(name).get();
            int want = d == null || d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
            int have = d == null || d.getStatus() == null || d.getStatus().getAvailableReplicas() == null ? 0
                    : d.getStatus().getAvailableReplicas();
            if (have < want) {
                waiting.add(name + " (" + have + "/" + want + " available)");
            }
        }
        return waiting;
    }

    /** The outcome of deleting one object. */
    public enum Deletion { DELETED, ALREADY_GONE }

    public Deletion delete(ObjectRef ref) {
        List<io.fabric8.kubernetes.api.model.StatusDetails> details;
        if (ref.apiVersion().startsWith(InfraNames.MAPPING_GROUP + "/")) {
            details = client.genericKubernetesResources(ref.apiVersion(), ref.kind()).inNamespace(ref.namespace())
                    .withName(ref.name()).delete();
        } else {
            GenericKubernetesResource g = new GenericKubernetesResource();
            g.setApiVersion(ref.apiVersion());
            g.setKind(ref.kind());
            g.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMetaBuilder().withName(ref.name())
                    .withNamespace(ref.namespace()).build());
            details = client.resource(g).delete();
        }
        return details == null || details.isEmpty() ? Deletion.ALREADY_GONE : Deletion.DELETED;
    }

    /** True once the namespace is gone, or our access to see it went with it (its token Secret lived there). */
    public boolean namespaceGone() {
        return namespaceGone(InfraNames.NAMESPACE);
    }

    public boolean namespaceGone(String namespace) {
        try {
            return client.namespaces().withName(namespace).get() == null;
        } catch (KubernetesClientException e) {
            if (e.getCode() == 401 || e.getCode() == 403) {
                return true;
            }
            throw e;
        }
    }

    @Override
    public void close() {
        client.close();
    }
}
