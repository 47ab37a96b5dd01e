package network.aios.server.engine;

import static network.aios.store.JobState.REMOVED;
import static network.aios.store.JobState.REMOVING;
import static network.aios.store.JobState.WAITING_NAMESPACE;

import io.fabric8.kubernetes.api.model.HasMetadata;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import network.aios.api.Json;
import network.aios.api.kubeconfig.KubeconfigException;
import network.aios.member.ClusterOps;
import network.aios.member.desired.ObjectRef;
import network.aios.member.desired.Owner;
import network.aios.store.InfraJob;
import network.aios.store.InventoryStore.InventoryItem;
import network.aios.store.JobReason;
import network.aios.store.JobStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The steps of a removal: delete what the inventory recorded and this registration owns (the agent services,
 * newest first), then the namespace — taking the control plane's own identity and RBAC with it — only when
 * nobody else lives there; wait for it to be gone; end with a receipt of what happened to each object.
 * Nothing another registration (or anyone) made is deleted: see {@link Owner}. What the registry forgets is
 * written with the finished job ({@link InfraSteps#registryWrites}).
 */
final class RemovalSteps {
    private static final Logger LOG = LoggerFactory.getLogger(RemovalSteps.class);
    /**
     * How often a removal looks whether its namespace is gone: one GET, but with the owner's kubeconfig (when
     * given) on a client of its own each time.
     */
    static final Duration NAMESPACE_POLL = Duration.ofMillis(500);

    /** The reason of a removal refused because the owner's kubeconfig names another cluster. */

    /** How often a delete whose precondition failed (the object changed meanwhile) looks again. */
    private static final int CONFLICT_ATTEMPTS = 5;

    private final Targets targets;
    private final JobStore store;
    private final MemberAccess access;
    private final Clock clock;
    private final Duration readyTimeout;

    RemovalSteps(Targets targets, JobStore store, MemberAccess access, Clock clock, Duration readyTimeout) {
        this.targets = targets;
        this.store = store;
        this.access = access;
        this.clock = clock;
        this.readyTimeout = readyTimeout;
    }

    InfraJob step(InfraJob job, String lease) throws KubeconfigException {
        Target target = targets.resolve(job.key());
        String namespace = target.namespace();
        switch (job.state()) {
            case PENDING, REMOVING -> {
                return remove(job, lease, target);
            }
            case WAITING_NAMESPACE -> {
                ObjectNode receipt = (ObjectNode) job.receipt().deepCopy();
                NamespaceEnd.Verdict end = NamespaceEnd.judge(
                        access.removalOps(job),
                        job,
                        receipt,
                        namespace,
                        Duration.between(job.createdAt(), clock.instant()),
                        readyTimeout);
                return switch (end) {
                    case GONE -> finalizeRemoval(job, true);
                    case GOING ->
                        InfraSteps.requeue(
                                job.next(WAITING_NAMESPACE, JobReason.DELETING, job.message()), NAMESPACE_POLL, clock);
                    case UNSEEN -> finalizeRemoval(job.withReceipt(receipt), true);
                    case LEFT -> finalizeRemoval(job.withReceipt(receipt), false);
                };
            }
            default -> throw new IllegalStateException("remove job in state " + job.state());
        }
    }

    /**
     * Deletes what this registration owns, newest first: each object only while it carries this registration's
     * stamp (or, made before stamps, is the object recorded), and deleted on the condition that it did not
     * change since it was read. Then the namespace goes when nobody else lives there (decided with this
     * registration's claim still on it); kept, it loses that claim where the owner's kubeconfig is at hand.
     * Everything else is left as it was, and the receipt says whose it is.
     */
    private InfraJob remove(InfraJob job, String lease, Target target) throws KubeconfigException {
        String namespace = target.namespace();
        ObjectNode receipt = Json.object();
        ArrayNode items = receipt.putArray("items");
        List<InventoryItem> inventory = store.inventory().list(job.key());
        Optional<ClusterOps> maybe = access.removalOps(job);
        if (maybe.isEmpty()) {
            for (InventoryItem i : inventory) {
                items.addObject()
                        .put("object", InfraSteps.describe(i))
                        .put("outcome", "residual")
                        .put("reason", "no credential for this cluster: pass kube_config_data to remove it");
            }
            if (inventory.isEmpty()) {
                receipt.put("nothingToRemove", true);
                return finalizeRemoval(
                        job.withReceipt(receipt),
                        true,
                        JobReason.NOTHING_TO_REMOVE,
                        "the control plane made nothing on a member cluster for " + target.owner()
                                + "; nothing was changed");
            }
            return finalizeRemoval(job.withReceipt(receipt), false);
        }
        Owner owner = target.owner();
        boolean admin = job.adminSealed() != null;
        boolean shared = target.sharedNamespace();
        try (ClusterOps ops = maybe.get()) {
            if (admin) {
                // the owner's kubeconfig may name another cluster than the one deployed to: then nothing recorded
                // is found there, and a 'clean' removal would forget the running installation
                Optional<String> deployedTo = access.credential(job.key()).map(Credential::clusterUid);
                Optional<String> here = ops.clusterUid();
                if (deployedTo.isPresent()
                        && here.isPresent()
                        && !deployedTo.get().equals(here.get())) {
                    return InfraSteps.finish(
                            job.next(
                                    network.aios.store.JobState.FAILED,
                                    JobReason.WRONG_CLUSTER,
                                    "this kubeconfig is for another cluster than the one " + owner
                                            + "'s infrastructure was deployed to (their kube-system namespaces differ):"
                                            + " nothing was changed; pass that cluster's kubeconfig, or none (the"
                                            + " control plane's own credential)"),
                            clock);
                }
            }
            Optional<Owner.NamespaceState> ns = ops.namespace(namespace);
            boolean holds = ns.isPresent() && owner.holds(ns.get());
            if (inventory.isEmpty() && !holds) {
                ns.ifPresent(n -> items.addObject()
                        .put("object", "Namespace " + namespace)
                        .put("outcome", "kept")
                        .put("reason", whose(n, owner)));
                receipt.put("nothingToRemove", true);
                LOG.info("{}: nothing of {} on the cluster; nothing changed (job {})", job.key(), owner, job.id());
                return finalizeRemoval(
                        job.withReceipt(receipt),
                        true,
                        JobReason.NOTHING_TO_REMOVE,
                        "nothing of " + owner + " was on the cluster; nothing was changed");
            }
            // 1. what is this registration's alone: the services (and routes); for a namespace of its own, with
            // the owner's kubeconfig, the cluster-scoped RBAC too (the control plane's own may not delete it)
            List<ObjectNode> outcomes = new java.util.ArrayList<>();
            List<ObjectNode> refusedHere = new java.util.ArrayList<>(); // refused alone; the namespace may take them
            List<InventoryItem> withNamespace = new java.util.ArrayList<>();
            for (int k = inventory.size() - 1; k >= 0; k--) {
                InventoryItem i = inventory.get(k);
                if ("Namespace".equals(i.kind())) {
                    continue;
                }
                if (i.seq() >= InfraSteps.SERVICES_SEQ || admin && i.namespace() == null && !shared) {
                    ObjectNode outcome = Json.object().put("object", InfraSteps.describe(i));
                    try {
                        outcome.setAll(deleteOwned(ops, owner, InfraSteps.ref(i), i.uid()));
                    } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
                        if (!refused(e)) {
                            throw e; // worth retrying: the step runs again
                        }
                        // the cluster will not delete it (an admission rule, RBAC changed by its admin): it stays
                        outcome.put("outcome", "residual")
                                .put(
                                        "reason",
                                        "the cluster refused to delete it: "
                                                + network.aios.member.KubeFailure.describe(e));
                        if (namespace.equals(i.namespace())) {
                            refusedHere.add(outcome);
                        }
                    }
                    outcomes.add(outcome);
                    network.aios.server.runtime.Halt.at("deleted " + outcomes.size());
                    store.progress(
                            job.id(),
                            lease,
                            REMOVING,
                            inventory.size() - k,
                            inventory.size(),
                            "deleting " + InfraSteps.describe(i),
                            clock.instant(),
                            JobRunner.LEASE);
                } else {
                    withNamespace.add(i);
                }
            }
            items.addAll(outcomes);
            // 2. the namespace: deleted if nobody else lives there, decided with this registration's claim still
            // on it (a removal cut off here leaves the namespace claimed, not orphaned)
            ObjectNode nsItem = Json.object().put("object", "Namespace " + namespace);
            boolean deleted = false;
            if (ns.isEmpty()) {
                nsItem.put("outcome", "already_gone");
            } else if (!holds) {
                nsItem.put("outcome", "kept").put("reason", whose(ns.get(), owner));
            } else {
                try {
                    deleted = decideNamespace(ops, owner, namespace, nsItem, admin, receipt);
                } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
                    if (!refused(e)) {
                        throw e;
                    }
                    nsItem.put("outcome", "residual")
                            .put(
                                    "reason",
                                    "the cluster refused to delete it: " + network.aios.member.KubeFailure.describe(e));
                }
            }
            // 3. what lives in the namespace or is owned by it (the control plane's identity there) went with it,
            // or stays for those who still live there
            String kept = nsItem.path("reason").asString("");
            if (deleted && !refusedHere.isEmpty()) {
                receipt.put("refusedInNamespace", true); // the wait must see the namespace gone to call it clean
            }
            if (deleted) {
                for (ObjectNode o : refusedHere) {
                    o.put("outcome", "deleted_with_namespace")
                            .put(
                                    "reason",
                                    "refused alone (" + o.path("reason").asString() + "); the namespace takes it");
                }
            }
            boolean residual = outcomes.stream()
                            .anyMatch(o -> "residual".equals(o.path("outcome").asString()))
                    || "residual".equals(nsItem.path("outcome").asString());
            for (InventoryItem i : withNamespace) {
                ObjectNode item = Json.object().put("object", InfraSteps.describe(i));
                if (deleted || ns.isEmpty()) {
                    item.put("outcome", i.namespace() != null ? "deleted_with_namespace" : "garbage_collected");
                } else if (shared) {
                    // the identity the add-ons of its kind share: it stays for them
                    item.put("outcome", "kept_shared").put("reason", "the namespace is " + kept);
                } else if (holds) {
                    // its own namespace, which someone else moved into: what goes only with it stays
                    residual = true;
                    item.put("outcome", "residual").put("reason", "the namespace is kept: " + kept);
                } else {
                    item.put("outcome", "kept").put("reason", "the namespace is not this registration's: " + kept);
                }
                items.add(item);
            }
            items.add(nsItem);
            if (!deleted) {
                return finalizeRemoval(job.withReceipt(receipt), !residual);
            }
        }
        return job.next(
                        WAITING_NAMESPACE,
                        JobReason.DELETING,
                        "waiting for namespace " + namespace + " to finish deleting")
                .withReceipt(receipt)
                .runAt(clock.instant());
    }

    /**
     * One object deleted only if it is {@code owner}'s and unchanged since it was looked at: {@code outcome}
     * {@code deleted}, {@code already_gone}, {@code kept} (another's: {@code reason} says whose) or
     * {@code residual}. Removal, prune and route removal all delete this way.
     */
    static ObjectNode deleteOwned(ClusterOps ops, Owner owner, ObjectRef ref, String recordedUid) {
        ObjectNode item = Json.object();
        for (int attempt = 0; attempt < CONFLICT_ATTEMPTS; attempt++) {
            Optional<HasMetadata> now = ops.get(ref);
            if (now.isEmpty()) {
                return item.put("outcome", "already_gone");
            }
            if (!owner.owns(now.get(), recordedUid)) {
                return item.put("outcome", "kept")
                        .put(
                                "reason",
                                Owner.stampOf(now.get())
                                        .map(s -> "it belongs to " + Owner.whoseStamp(s)
                                                + (s.startsWith(owner.kind() + "/" + owner.id() + "@")
                                                        ? " (another registration of this id)"
                                                        : ""))
                                        .orElse("it is not the object the control plane made"));
            }
            switch (ops.delete(ref, now.get().getMetadata().getResourceVersion())) {
                case DELETED -> {
                    return item.put("outcome", "deleted");
                }
                case ALREADY_GONE -> {
                    return item.put("outcome", "already_gone");
                }
                case CONFLICT -> {
                    // changed between the look and the delete: look again
                }
            }
        }
        return item.put("outcome", "residual").put("reason", "it kept changing while it was being deleted");
    }

    /**
     * Deletes the namespace if no other live registration claims it and no Deployment of anyone else's is in
     * it, on the condition that it did not change since it was read: a claim that lands meanwhile (another
     * registration's create) keeps it. This registration's own claim stays on it while deciding; when the
     * namespace is kept it is taken off with the owner's kubeconfig (the control plane's own identity may not
     * patch a namespace: then it stays, and stops counting once this registration has no infrastructure).
     * True if the namespace was deleted (or is being deleted); its uid is noted in the receipt.
     */
    private boolean decideNamespace(
            ClusterOps ops, Owner owner, String namespace, ObjectNode item, boolean admin, ObjectNode receipt) {
        for (int attempt = 0; attempt < CONFLICT_ATTEMPTS; attempt++) {
            Optional<Owner.NamespaceState> now = ops.namespace(namespace);
            if (now.isEmpty()) {
                item.put("outcome", "already_gone");
                return false;
            }
            receipt.put("namespaceUid", now.get().uid());
            if (now.get().terminating()) {
                item.put("outcome", "deleted"); // being deleted already: the removal waits for it with the rest
                return true;
            }
            List<String> others = owner.others(now.get(), ops.deployments(namespace), targets::live);
            if (!others.isEmpty()) {
                item.put("outcome", "kept").put("reason", "shared with " + String.join(", ", others));
                if (admin && Owner.claims(now.get()).containsKey(owner.claimKey())) {
                    try {
                        ops.annotateNamespace(namespace, owner.claimKey(), null);
                    } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
                        item.put("claim", "stays (" + network.aios.member.KubeFailure.describe(e) + ")");
                    }
                }
                return false;
            }
            ClusterOps.Deletion d = ops.delete(
                    new ObjectRef("v1", "Namespace", null, namespace, now.get().uid()),
                    now.get().resourceVersion());
            if (d == ClusterOps.Deletion.DELETED) {
                item.put("outcome", "deleted");
                return true;
            }
            if (d == ClusterOps.Deletion.ALREADY_GONE) {
                item.put("outcome", "already_gone");
                return false;
            }
        }
        item.put("outcome", "residual").put("reason", "it kept changing while it was being deleted");
        return false;
    }

    /** The cluster will not do it (RBAC its admin changed, an admission rule): retrying does not help. */
    private static boolean refused(io.fabric8.kubernetes.client.KubernetesClientException e) {
        network.aios.member.KubeFailure f = network.aios.member.KubeFailure.of(e);
        return f == network.aios.member.KubeFailure.FORBIDDEN || f == network.aios.member.KubeFailure.REJECTED;
    }

    /** Whose a namespace this registration does not hold is, for the receipt. */
    private static String whose(Owner.NamespaceState ns, Owner owner) {
        List<String> claims = Owner.claimants(ns);
        if (!claims.isEmpty()) {
            return "it holds " + String.join(", ", claims) + ", not " + owner;
        }
        return "it is not " + owner + "'s";
    }

    private InfraJob finalizeRemoval(InfraJob job, boolean clean) {
        return finalizeRemoval(
                job,
                clean,
                clean ? JobReason.REMOVED : JobReason.REMOVED_WITH_RESIDUALS,
                clean ? "everything the control plane created is gone" : "removed; see the receipt for residuals");
    }

    private InfraJob finalizeRemoval(InfraJob job, boolean clean, JobReason reason, String message) {
        ObjectNode receipt = job.receipt() == null
                ? Json.object()
                : (ObjectNode) job.receipt().deepCopy();
        if (!receipt.has("items")) {
            receipt.putArray("items");
        }
        receipt.put("clean", clean); // registryWrites reads it
        LOG.info("{} infrastructure removed (job {}, clean={})", job.key(), job.id(), clean);
        return InfraSteps.finish(job.next(REMOVED, reason, message).withReceipt(receipt), clock);
    }
}
