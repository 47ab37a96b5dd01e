package network.aios.agent;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;

/**
 * Does what a desired set says on the member cluster, with the agent's own identity: applies the waves in
 * order (server-side apply as the set's field manager, taking over conflicting fields), prunes by the set's
 * rule, deletes everything the rule selects on removal, and reads the Deployments' readiness. One object
 * failing is reported and does not stop the others.
 */
final class PullApplier {
    private static final Logger LOG = LoggerFactory.getLogger(PullApplier.class);
    private final KubernetesClient kube;

    PullApplier(KubernetesClient kube) {
        this.kube = kube;
    }

    /** The waves applied in order, then the prune: one result per object. */
    List<PullResult> apply(PullDesired desired) {
        List<PullResult> out = new ArrayList<>();
        for (PullDesired.Wave wave : desired.waves()) {
            for (JsonNode object : wave.objects()) {
                out.add(applyOne(object, desired.fieldManager()));
            }
        }
        out.addAll(delete(desired, PullOutcome.PRUNED));
        return out;
    }

    /** Removal: everything of this registration's the prune rule selects is deleted. */
    List<PullResult> remove(PullDesired desired) {
        return delete(desired, PullOutcome.DELETED);
    }

    /** The set's Deployments that are not available, as the report says them. */
    List<String> notReady(PullDesired desired) {
        String ns = desired.prune().namespace();
        return PullReadiness.notReady(
                desired.deployments(),
                name -> kube.apps().deployments().inNamespace(ns).withName(name).get());
    }

    private PullResult applyOne(JsonNode object, String fieldManager) {
        String apiVersion = object.path("apiVersion").asString("");
        String kind = object.path("kind").asString("");
        String namespace = object.path("metadata").path("namespace").asString(null);
        String name = object.path("metadata").path("name").asString("");
        try {
            GenericKubernetesResource desired =
                    kube.getKubernetesSerialization().convertValue(object, GenericKubernetesResource.class);
            GenericKubernetesResource before = kube.resource(desired).get();
            GenericKubernetesResource after = kube.resource(desired)
                    .fieldManager(fieldManager)
                    .forceConflicts()
                    .serverSideApply();
            return PullResult.of(
                    after,
                    PullOutcome.ofApply(
                            before == null ? null : before.getMetadata().getResourceVersion(),
                            after.getMetadata().getResourceVersion()));
        } catch (RuntimeException e) { // the API server's refusal, or an object fabric8 cannot read: this one fails
            LOG.warn("apply {} {}/{} failed: {}", kind, namespace, name, e.getMessage());
            return PullResult.failed(apiVersion, kind, namespace, name, e.getMessage());
        }
    }

    /** Deletes what the prune rule selects, each reported with {@code outcome} (or failed). */
    private List<PullResult> delete(PullDesired desired, PullOutcome outcome) {
        PullPrune rule = desired.prune();
        List<PullPrune.Named> named = desired.named();
        List<PullResult> out = new ArrayList<>();
        if (rule.namespace() == null || rule.stamp() == null || rule.stamp().isBlank()) {
            if (!rule.kinds().isEmpty()) {
                LOG.warn("the desired set's prune rule has no namespace or no stamp: nothing is pruned");
            }
            return out;
        }
        for (PullPrune.Kind kind : rule.kinds()) {
            List<GenericKubernetesResource> listed;
            try {
                listed = kube.genericKubernetesResources(kind.apiVersion(), kind.kind())
                        .inNamespace(rule.namespace())
                        .withLabels(rule.selector())
                        .list()
                        .getItems();
            } catch (KubernetesClientException e) {
                LOG.warn(
                        "cannot list {} {} in {} to prune: {}",
                        kind.apiVersion(),
                        kind.kind(),
                        rule.namespace(),
                        e.getMessage());
                continue;
            }
            for (GenericKubernetesResource o : rule.select(kind, named, listed)) {
                out.add(deleteOne(kind, o, outcome));
            }
        }
        return out;
    }

    private PullResult deleteOne(PullPrune.Kind kind, GenericKubernetesResource o, PullOutcome outcome) {
        String ns = o.getMetadata().getNamespace();
        String name = o.getMetadata().getName();
        try {
            kube.genericKubernetesResources(kind.apiVersion(), kind.kind())
                    .inNamespace(ns)
                    .withName(name)
                    .delete();
            LOG.info("{} {} {}/{}", outcome.wire(), kind.kind(), ns, name);
            return new PullResult(
                    kind.apiVersion(),
                    kind.kind(),
                    ns,
                    name,
                    o.getMetadata().getUid(),
                    o.getMetadata().getResourceVersion(),
                    o.getMetadata().getGeneration(),
                    outcome.wire(),
                    null);
        } catch (KubernetesClientException e) {
            LOG.warn("delete {} {}/{} failed: {}", kind.kind(), ns, name, e.getMessage());
            return PullResult.failed(kind.apiVersion(), kind.kind(), ns, name, e.getMessage());
        }
    }
}
