package network.aios.cli;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import network.aios.api.Json;
import network.aios.member.LocalKubeconfig;
import network.aios.member.NodeInventory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The owner's own cluster, for the owner's helpers ({@code aios cluster init}, {@code aios cluster label-nodes}):
 * reached with the owner's kubeconfig read on their machine as kubectl reads it ({@link LocalKubeconfig}: certificate
 * files, exec plugins), directly; nothing goes to the control plane. The one class of the CLI that may use {@link
 * LocalKubeconfig} ({@code NoOwnerTextToFabric8CliTest}).
 */
final class OwnerCluster implements AutoCloseable {
    private final KubernetesClient client;

    private OwnerCluster(KubernetesClient client) {
        this.client = client;
    }

    static OwnerCluster open(Path kubeconfig) {
        Path file = kubeconfig.getNameCount() > 1 && kubeconfig.startsWith("~")
                ? Path.of(System.getProperty("user.home")).resolve(kubeconfig.subpath(1, kubeconfig.getNameCount()))
                : kubeconfig;
        Config config;
        try {
            config = LocalKubeconfig.load(file);
        } catch (UncheckedIOException e) {
            throw new CliException(
                    "cannot read --kubeconfig " + kubeconfig + ": " + ClusterCommands.reason(e.getCause()), 2);
        } catch (IllegalArgumentException e) {
            throw new CliException(e.getMessage(), 2);
        }
        // a person waits: an unreachable cluster is said after seconds, not after the client's ten backoffs
        config.setConnectionTimeout(10_000);
        config.setRequestRetryBackoffLimit(2);
        return new OwnerCluster(new KubernetesClientBuilder().withConfig(config).build());
    }

    List<Node> nodes() {
        try {
            return client.nodes().list().getItems();
        } catch (KubernetesClientException e) {
            throw failure("list the nodes", e);
        }
    }

    /** kubeadm's version of the cluster (kube-system/kubeadm-config), or null when it is not there or not readable. */
    String kubeadmVersion() {
        try {
            ConfigMap cm = client.configMaps()
                    .inNamespace("kube-system")
                    .withName("kubeadm-config")
                    .get();
            return cm == null || cm.getData() == null
                    ? null
                    : DocumentDraft.kubeadmVersion(cm.getData().get("ClusterConfiguration"));
        } catch (KubernetesClientException e) {
            if (e.getCode() == 403 || e.getCode() == 404) {
                return null;
            }
            throw failure("read kube-system/kubeadm-config", e);
        }
    }

    /** Sets node {@code node}'s {@code nodeID} label: a JSON merge patch of its labels, nothing else. */
    void labelNodeId(String node, String nodeId) {
        ObjectNode patch = Json.object();
        patch.putObject("metadata").putObject("labels").put(NodeInventory.NODE_ID_LABEL, nodeId);
        try {
            client.nodes()
                    .withName(node)
                    .patch(PatchContext.of(PatchType.JSON_MERGE), Json.MAPPER.writeValueAsString(patch));
        } catch (KubernetesClientException e) {
            throw failure("label node " + node + " nodeID=" + nodeId, e);
        }
    }

    private CliException failure(String what, KubernetesClientException e) {
        String why = e.getStatus() != null && e.getStatus().getMessage() != null
                ? e.getCode() + " " + e.getStatus().getMessage()
                : e.getCause() != null && e.getCause().getMessage() != null
                        ? e.getCause().getMessage()
                        : e.getMessage();
        return new CliException(
                "cannot " + what + " on the cluster at "
                        + client.getConfiguration().getMasterUrl() + ": " + why,
                1);
    }

    @Override
    public void close() {
        client.close();
    }
}
