package network.aios.server.engine;

import io.fabric8.kubernetes.client.KubernetesClientException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import network.aios.member.ClusterOps;
import network.aios.member.KubeFailure;
import network.aios.member.desired.InfraNames;
import network.aios.member.desired.NodeJoin;
import network.aios.member.desired.ObjectRef;
import network.aios.member.desired.Owner;
import network.aios.server.security.SecretBox;
import network.aios.store.NodeJoinRecord;
import network.aios.store.NodeJoinStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Push mode's half of external node joins: with the control plane's own credential, makes the bootstrap-token
 * Secret of each token in flight (created once, never patched: the identity may create and delete Secrets in
 * {@code kube-system}, nothing more; owned by the AIOS namespace, so removing the infrastructure takes it) and
 * deletes those no longer wanted (the node joined, the token expired or was revoked), each only as it was made
 * (its resourceVersion as a precondition; by name alone when it was found made but could not be read). Runs in a
 * job's apply step, under its lease. A token the cluster refuses, or one this replica cannot open, is named in the
 * job's receipt and tried again by the next apply; it never fails the apply.
 */
final class NodeJoinSecrets {
    private static final Logger LOG = LoggerFactory.getLogger(NodeJoinSecrets.class);

    private final NodeJoinStore joins;
    private final SecretBox box;
    private final Clock clock;

    NodeJoinSecrets(NodeJoinStore joins, SecretBox box, Clock clock) {
        this.joins = joins;
        this.box = box;
        this.clock = clock;
    }

    void sync(ClusterOps ops, String clusterId, Repairs repairs) {
        String namespaceUid = null;
        for (NodeJoinRecord j : joins.secretWork(clusterId, clock.instant())) {
            ObjectRef ref = new ObjectRef("v1", "Secret", NodeJoin.NAMESPACE, NodeJoin.secretName(j.tokenId()), null);
            try {
                if (j.secretState() == NodeJoinRecord.SecretState.PENDING) {
                    if (namespaceUid == null) {
                        namespaceUid = ops.namespace(InfraNames.NAMESPACE)
                                .map(Owner.NamespaceState::uid)
                                .orElse(null);
                    }
                    NodeJoin.Token token = NodeJoin.Token.parse(
                            new String(box.open(j.token(), j.sealContext()), StandardCharsets.US_ASCII));
                    ClusterOps.Applied made = ops.createOnce(
                            NodeJoin.bootstrapSecret(clusterId, j.nodeId(), token, j.expiresAt(), namespaceUid));
                    joins.secretCreated(j.id(), made.ref().uid(), made.revision());
                    LOG.info("{}: join token {} for node {} is on the cluster", clusterId, j.tokenId(), j.nodeId());
                } else {
                    ClusterOps.Deletion d = ops.delete(
                            new ObjectRef("v1", "Secret", NodeJoin.NAMESPACE, ref.name(), j.secretUid()),
                            j.secretVersion());
                    if (d == ClusterOps.Deletion.CONFLICT) {
                        repairs.failed(ref.toString(), "changed on the cluster since it was made: not deleted");
                        LOG.warn("{}: join token {} was changed on the cluster; left", clusterId, j.tokenId());
                    } else {
                        joins.secretDeleted(j.id());
                        LOG.info(
                                "{}: join token {} deleted ({})",
                                clusterId,
                                j.tokenId(),
                                j.state().wire());
                    }
                }
            } catch (KubernetesClientException e) {
                KubeFailure failure = KubeFailure.of(e);
                if (failure == KubeFailure.TRANSIENT || failure == KubeFailure.INTERRUPTED) {
                    throw e;
                }
                repairs.failed(
                        ref.toString(),
                        KubeFailure.describe(e)
                                + (failure == KubeFailure.FORBIDDEN
                                        ? " (the infrastructure predates allowExternalNodes: create it again with the"
                                                + " owner's kubeconfig to grant the node-join rights)"
                                        : ""));
                LOG.warn("{}: join token {} not synced: {}", clusterId, j.tokenId(), KubeFailure.describe(e));
            } catch (RuntimeException e) {
                // a token this replica cannot open (a sealing key it lacks) or read back: that row, not the apply
                repairs.failed(ref.toString(), "the control plane could not open this token; see its log");
                LOG.error("{}: join token {} could not be opened", clusterId, j.tokenId(), e);
            }
        }
    }
}
