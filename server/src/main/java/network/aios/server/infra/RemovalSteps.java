package network.aios.server.infra;

import static network.aios.store.JobState.REMOVED;
import static network.aios.store.JobState.REMOVING;
import static network.aios.store.JobState.WAITING_NAMESPACE;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import network.aios.api.Json;
import network.aios.api.kubeconfig.KubeconfigException;
import network.aios.infra.ClusterOps;
import network.aios.infra.ObjectRef;
import network.aios.store.InfraJob;
import network.aios.store.InfraStore;
import network.aios.store.InventoryStore.InventoryItem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The steps of a removal: delete what the inventory recorded (the agent services, newest first), then the
 * namespace, which takes the control plane's own identity and RBAC with it; wait for it to be gone; end
 * with a receipt of what happened to each object. What the registry forgets is written with the finished
 * job ({@link InfraSteps#registryWrites}).
 */
final class RemovalSteps {
    private static final Logger LOG = LoggerFactory.getLogger(RemovalSteps.class);
    /**
     * How often a removal looks whether its namespace is gone: one GET, but with the owner's kubeconfig (when
     * given) on a client of its own each time.
     */
    static final Duration NAMESPACE_POLL = Duration.ofMillis(500);

    private final Targets targets;
    private final InfraStore store;
    private final MemberAccess access;
    private final Clock clock;
    private final Duration readyTimeout;

    RemovalSteps(Targets targets, InfraStore store, MemberAccess access, Clock clock, Duration readyTimeout) {
        this.targets = targets;
        this.store = store;
        this.access = access;
        this.clock = clock;
        this.readyTimeout = readyTimeout;
    }

    InfraJob step(InfraJob job, String lease) throws KubeconfigException {
        Target target = targets.resolve(job.clusterId());
        String namespace = target.namespace();
        switch (job.state()) {
            case PENDING, REMOVING -> {
                ObjectNode receipt = Json.object();
                ArrayNode items = receipt.putArray("items");
                List<InventoryItem> inventory = store.inventory().list(job.clusterId());
                Optional<ClusterOps> maybe = access.removalOps(job);
                if (maybe.isEmpty()) {
                    for (InventoryItem i : inventory) {
                        items.addObject()
                                .put("object", InfraSteps.describe(i))
                                .put("outcome", "residual")
                                .put("reason", "no credential for this cluster: pass kube_config_data to remove it");
                    }
                    return finalizeRemoval(job.withReceipt(receipt), inventory.isEmpty());
                }
                try (ClusterOps ops = maybe.get()) {
                    // the agent services, newest first; the control plane's own identity and the RBAC
                    // live in the namespace or are owned by it, so they go with it, its access last
                    boolean admin = job.adminSealed() != null;
                    for (int k = inventory.size() - 1; k >= 0; k--) {
                        InventoryItem i = inventory.get(k);
                        String outcome;
                        if (i.seq() >= InfraSteps.SERVICES_SEQ
                                || admin && i.namespace() == null && !"Namespace".equals(i.kind())) {
                            outcome = ops.delete(InfraSteps.ref(i)) == ClusterOps.Deletion.DELETED
                                    ? "deleted"
                                    : "already_gone";
                        } else if ("Namespace".equals(i.kind())) {
                            continue;
                        } else {
                            outcome = i.namespace() != null ? "deleted_with_namespace" : "garbage_collected";
                        }
                        items.addObject().put("object", InfraSteps.describe(i)).put("outcome", outcome);
                        store.progress(
                                job.id(),
                                lease,
                                REMOVING,
                                inventory.size() - k,
                                inventory.size(),
                                "deleting " + InfraSteps.describe(i),
                                clock.instant(),
                                JobRunner.LEASE);
                    }
                    ClusterOps.Deletion nsDeletion =
                            ops.delete(new ObjectRef("v1", "Namespace", null, namespace, null));
                    items.addObject()
                            .put("object", "Namespace " + namespace)
                            .put("outcome", nsDeletion == ClusterOps.Deletion.DELETED ? "deleted" : "already_gone");
                }
                return job.next(
                                WAITING_NAMESPACE,
                                "Deleting",
                                "waiting for namespace " + namespace + " to finish deleting")
                        .withReceipt(receipt)
                        .runAt(clock.instant());
            }
            case WAITING_NAMESPACE -> {
                Optional<ClusterOps> maybe = access.removalOps(job);
                if (maybe.isPresent()) {
                    try (ClusterOps ops = maybe.get()) {
                        if (!ops.namespaceGone(namespace)) {
                            if (Duration.between(job.createdAt(), clock.instant())
                                            .compareTo(readyTimeout)
                                    > 0) {
                                ObjectNode receipt = (ObjectNode) job.receipt().deepCopy();
                                ((ArrayNode) receipt.get("items"))
                                        .addObject()
                                        .put("object", "Namespace " + namespace)
                                        .put("outcome", "residual")
                                        .put("reason", "still terminating after " + readyTimeout.toMinutes() + " min");
                                return finalizeRemoval(job.withReceipt(receipt), false);
                            }
                            return InfraSteps.requeue(
                                    job.next(WAITING_NAMESPACE, "Deleting", job.message()), NAMESPACE_POLL, clock);
                        }
                    }
                }
                return finalizeRemoval(job, true);
            }
            default -> throw new IllegalStateException("remove job in state " + job.state());
        }
    }

    private InfraJob finalizeRemoval(InfraJob job, boolean clean) {
        ObjectNode receipt = job.receipt() == null
                ? Json.object()
                : (ObjectNode) job.receipt().deepCopy();
        if (!receipt.has("items")) {
            receipt.putArray("items");
        }
        receipt.put("clean", clean); // registryWrites reads it
        LOG.info("{} infrastructure removed (job {}, clean={})", job.clusterId(), job.id(), clean);
        return InfraSteps.finish(
                job.next(
                                REMOVED,
                                clean ? "Removed" : "RemovedWithResiduals",
                                clean
                                        ? "everything the control plane created is gone"
                                        : "removed; see the receipt for residuals")
                        .withReceipt(receipt),
                clock);
    }
}
