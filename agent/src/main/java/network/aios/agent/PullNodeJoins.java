package network.aios.agent;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.StatusDetails;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import network.aios.member.desired.NodeJoin;
import network.aios.member.desired.NodeJoinWork;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;

/**
 * External nodes' bootstrap tokens on this cluster (docs/PULL.md, {@code nodeJoins}): the agent makes the Secrets
 * the desired state names and deletes those it names, each only as it was made (a resourceVersion precondition),
 * and reads where nodes join ({@code kube-public/cluster-info}). Its identity may create and delete Secrets in
 * {@code kube-system} but not read them, so only what the API server answers a create is known of a Secret: this
 * process remembers what it made, which is how a create repeated after a lost report is recognised. It touches
 * only {@code bootstrap.kubernetes.io/token} Secrets named {@code bootstrap-token-<id>} in {@code kube-system},
 * whatever it is sent. Runs on the pull loop's thread only.
 */
final class PullNodeJoins {
    private static final Logger LOG = LoggerFactory.getLogger(PullNodeJoins.class);
    static final String TOKEN_TYPE = "bootstrap.kubernetes.io/token";
    static final String CLUSTER_INFO_NAMESPACE = "kube-public";
    static final String CLUSTER_INFO = "cluster-info";
    private static final Pattern NAME = Pattern.compile("bootstrap-token-[a-z0-9]{6}");
    /** A bound on what is remembered (the control plane asks for far fewer tokens at a time). */
    private static final int MAX_REMEMBERED = 1000;

    private static final int MAX_MESSAGE = 1000;

    private final KubernetesClient kube;
    /** The Secrets this process made and has not deleted: name to uid and resourceVersion, as created. */
    private final Map<String, Made> made = new LinkedHashMap<>();

    PullNodeJoins(KubernetesClient kube) {
        this.kube = kube;
    }

    /** What the desired state asks ({@code nodeJoins}); read leniently, checked before anything is done. */
    record Work(List<JsonNode> create, List<Delete> delete) {
        static final Work NONE = new Work(List.of(), List.of());

        Work {
            create = create == null ? List.of() : List.copyOf(create);
            delete = delete == null ? List.of() : List.copyOf(delete);
        }

        boolean isEmpty() {
            return create.isEmpty() && delete.isEmpty();
        }
    }

    /** A Secret to delete if it is still as made. */
    record Delete(String namespace, String name, String uid, String resourceVersion) {}

    /** One line of the report's {@code nodeJoins}. */
    record Result(String name, String uid, String resourceVersion, String outcome, String message) {}

    private record Made(String uid, String resourceVersion) {}

    /** Does the work: one result per Secret named as the control plane accepts names; the rest is logged. */
    List<Result> apply(Work work) {
        List<Result> out = new ArrayList<>();
        for (JsonNode object : work.create()) {
            create(object).ifPresent(out::add);
        }
        for (Delete d : work.delete()) {
            delete(d).ifPresent(out::add);
        }
        return out;
    }

    private Optional<Result> create(JsonNode object) {
        String name = object.path("metadata").path("name").asString("");
        if (!NAME.matcher(name).matches()) {
            LOG.warn("nodeJoins.create names no bootstrap token Secret ('{}'): not made", clip(name));
            return Optional.empty();
        }
        if (!"v1".equals(object.path("apiVersion").asString(""))
                || !"Secret".equals(object.path("kind").asString(""))
                || !NodeJoin.NAMESPACE.equals(
                        object.path("metadata").path("namespace").asString(""))
                || !TOKEN_TYPE.equals(object.path("type").asString(""))) {
            return Optional.of(failed(
                    name,
                    "refused: not a v1 Secret of type " + TOKEN_TYPE + " in " + NodeJoin.NAMESPACE
                            + " (the agent makes nothing else for node joins)"));
        }
        String tokenSecret = tokenSecret(object);
        try {
            Secret desired = kube.getKubernetesSerialization().convertValue(object, Secret.class);
            Secret created = kube.secrets()
                    .inNamespace(NodeJoin.NAMESPACE)
                    .resource(desired)
                    .create();
            String uid = created.getMetadata().getUid();
            String rv = created.getMetadata().getResourceVersion();
            remember(name, new Made(uid, rv));
            LOG.info("made {}/{} (an external node's join token)", NodeJoin.NAMESPACE, name);
            return Optional.of(new Result(name, uid, rv, "created", null));
        } catch (KubernetesClientException e) {
            if (e.getCode() == 409) {
                Made m = made.get(name);
                if (m != null) { // made by this process, its report lost: said again
                    return Optional.of(new Result(name, m.uid(), m.resourceVersion(), "created", null));
                }
                return Optional.of(failed(
                        name,
                        "a Secret of this name exists already and was not made by this agent process; this identity"
                                + " cannot read Secrets in " + NodeJoin.NAMESPACE + ", so it is left alone (delete it,"
                                + " or revoke the token; an expired bootstrap token is deleted by the cluster's token"
                                + " cleaner)"));
            }
            LOG.warn("cannot make {}/{}: {}", NodeJoin.NAMESPACE, name, message(e, tokenSecret));
            return Optional.of(failed(name, message(e, tokenSecret)));
        } catch (RuntimeException e) { // an object fabric8 cannot read: nothing was sent
            return Optional.of(failed(name, "not made: " + e.getClass().getSimpleName()));
        }
    }

    private Optional<Result> delete(Delete d) {
        if (d.name() == null || !NAME.matcher(d.name()).matches() || !NodeJoin.NAMESPACE.equals(d.namespace())) {
            LOG.warn(
                    "nodeJoins.delete names no bootstrap token Secret in {} ('{}/{}'): nothing deleted",
                    NodeJoin.NAMESPACE,
                    clip(d.namespace()),
                    clip(d.name()));
            return Optional.empty();
        }
        try {
            var secret = kube.secrets().inNamespace(NodeJoin.NAMESPACE).withName(d.name());
            List<StatusDetails> details = d.resourceVersion() == null
                    ? secret.delete()
                    : secret.lockResourceVersion(d.resourceVersion()).delete();
            made.remove(d.name());
            if (details == null || details.isEmpty()) {
                return Optional.of(new Result(d.name(), d.uid(), d.resourceVersion(), "gone", null));
            }
            LOG.info("deleted {}/{} (an external node's join token)", NodeJoin.NAMESPACE, d.name());
            return Optional.of(new Result(d.name(), d.uid(), d.resourceVersion(), "deleted", null));
        } catch (KubernetesClientException e) {
            if (e.getCode() == 404) {
                made.remove(d.name());
                return Optional.of(new Result(d.name(), d.uid(), d.resourceVersion(), "gone", null));
            }
            String why = e.getCode() == 409
                    ? "changed since it was made (resourceVersion " + d.resourceVersion()
                            + " is not the Secret's): left in place"
                    : message(e, null);
            LOG.warn("cannot delete {}/{}: {}", NodeJoin.NAMESPACE, d.name(), why);
            return Optional.of(new Result(d.name(), d.uid(), d.resourceVersion(), "failed", clip(why)));
        }
    }

    /**
     * Where external nodes join: the API endpoint and CA pin from {@code kube-public/cluster-info} (kubeadm's own
     * discovery document); empty when it is absent, unreadable by this identity, or not one kubeadm would take.
     */
    Optional<NodeJoin.ClusterInfo> clusterInfo() {
        ConfigMap cm;
        try {
            cm = kube.configMaps()
                    .inNamespace(CLUSTER_INFO_NAMESPACE)
                    .withName(CLUSTER_INFO)
                    .get();
        } catch (KubernetesClientException e) {
            LOG.debug("{}/{} cannot be read: HTTP {}", CLUSTER_INFO_NAMESPACE, CLUSTER_INFO, e.getCode());
            return Optional.empty();
        }
        if (cm == null || cm.getData() == null) {
            return Optional.empty();
        }
        return NodeJoin.clusterInfo(cm.getData().get("kubeconfig")).flatMap(PullNodeJoins::wellFormed);
    }

    /** As the control plane takes it: {@code host:port} (443, https's, when the server named no port). */
    static Optional<NodeJoin.ClusterInfo> wellFormed(NodeJoin.ClusterInfo info) {
        if (!NodeJoinWork.caCertHashWellFormed(info.caCertHash())) {
            return Optional.empty();
        }
        if (NodeJoinWork.endpointWellFormed(info.endpoint())) {
            return Optional.of(info);
        }
        String withPort = info.endpoint() + ":443";
        return NodeJoinWork.endpointWellFormed(withPort)
                ? Optional.of(new NodeJoin.ClusterInfo(withPort, info.caCertHash()))
                : Optional.empty();
    }

    private void remember(String name, Made m) {
        made.remove(name);
        made.put(name, m);
        while (made.size() > MAX_REMEMBERED) {
            made.remove(made.keySet().iterator().next());
        }
    }

    private static Result failed(String name, String message) {
        return new Result(name, null, null, "failed", clip(message));
    }

    /** The API server's answer, said without the token's secret (were an admission webhook to echo the object). */
    private static String message(KubernetesClientException e, String tokenSecret) {
        String status = e.getStatus() == null ? null : e.getStatus().getMessage();
        String text = "HTTP " + e.getCode() + (status == null ? "" : ": " + status);
        return tokenSecret == null || tokenSecret.isEmpty() ? text : text.replace(tokenSecret, "****************");
    }

    private static String tokenSecret(JsonNode object) {
        JsonNode s = object.path("stringData").path("token-secret");
        if (s.isString()) {
            return s.asString();
        }
        JsonNode d = object.path("data").path("token-secret");
        if (d.isString()) {
            try {
                return new String(
                        java.util.Base64.getDecoder().decode(d.asString()), java.nio.charset.StandardCharsets.US_ASCII);
            } catch (IllegalArgumentException e) {
                return null;
            }
        }
        return null;
    }

    /** At most {@value #MAX_MESSAGE} characters, no control characters: what the report accepts. */
    private static String clip(String s) {
        if (s == null) {
            return null;
        }
        String t = s.replaceAll("\\p{Cntrl}", " ");
        return t.length() > MAX_MESSAGE ? t.substring(0, MAX_MESSAGE) : t;
    }
}
