package network.aios.server.nodes;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import network.aios.api.Json;
import network.aios.api.NodeChange;
import network.aios.api.ObservedInventory;
import network.aios.policy.PolicyAction;
import network.aios.server.clusters.ClusterView;
import network.aios.server.policy.PolicyService;
import network.aios.store.ClusterRecord;
import network.aios.store.ClusterStore;
import network.aios.store.NodeJoinRecord;
import network.aios.store.NodeJoinStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Follows external nodes after their token was issued, from what the clusters' controller agents report (the same
 * inventory in push and pull mode): a token whose node appeared makes the document gain the node (version bumped,
 * totals summed again, audited) and its Secret is deleted (a token works once); a token that ran out is expired
 * and its Secret deleted; a joined node missing from a fresh report has left, and the {@code remove_node} policy
 * decides whether the document follows (a refusal is noted once, and the inventory drift shows). Every change
 * is one conditional write: two replicas looking at once change it once.
 */
public final class NodeJoinWatch implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(NodeJoinWatch.class);
    public static final Duration EVERY = Duration.ofSeconds(2);

    private final NodeJoinStore joins;
    private final ClusterStore clusters;
    private final NodeAdmission admission;
    private final NodeJoinService.Member member;
    private final java.util.function.Consumer<String> documentChanged;
    private final Clock clock;
    private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "aios-node-joins");
        t.setDaemon(true);
        return t;
    });

    public NodeJoinWatch(
            NodeJoinStore joins,
            ClusterStore clusters,
            PolicyService policies,
            NodeJoinService.Member member,
            java.util.function.Consumer<String> documentChanged,
            Clock clock) {
        this.joins = joins;
        this.clusters = clusters;
        this.admission = new NodeAdmission(policies);
        this.member = member;
        this.documentChanged = documentChanged;
        this.clock = clock;
    }

    public void start(network.aios.server.runtime.Loops loops) {
        ticker.scheduleWithFixedDelay(
                loops.supervise("node-joins", EVERY, this::look),
                EVERY.toMillis(),
                EVERY.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    /**
     * A joined node must be missing from the reports this long (two heartbeats and more) before it counts as gone:
     * one report that lists no nodes (a controller starting, a cluster partly seen) is not a leave.
     */
    public static final Duration LEAVE_AFTER = Duration.ofSeconds(12);

    /** What each cluster's joins were last judged on: unchanged, nothing new can be concluded. */
    private final java.util.Map<String, String> judged = new java.util.concurrent.ConcurrentHashMap<>();

    /** When each joined node was first seen missing (cleared when it is seen again). */
    private final java.util.Map<String, Instant> missingSince = new java.util.concurrent.ConcurrentHashMap<>();

    /** One look: expiries, then per cluster (its report parsed once): nodes that appeared, nodes that left. */
    public void look() {
        Instant now = clock.instant();
        Set<String> changed = new LinkedHashSet<>();
        for (NodeJoinRecord j : joins.expire(now)) {
            LOG.info("{}: join token {} for node {} expired unused", j.clusterId(), j.tokenId(), j.nodeId());
            changed.add(j.clusterId());
        }
        java.util.Map<String, java.util.List<NodeJoinStore.Watched>> byCluster = new java.util.LinkedHashMap<>();
        for (NodeJoinStore.Watched w : joins.watched()) {
            byCluster
                    .computeIfAbsent(w.join().clusterId(), k -> new java.util.ArrayList<>())
                    .add(w);
        }
        judged.keySet().retainAll(byCluster.keySet());
        for (var e : byCluster.entrySet()) {
            if (lookAt(e.getKey(), e.getValue(), now)) {
                changed.add(e.getKey());
            }
        }
        changed.forEach(member::tokensChanged);
    }

    /** One cluster's joins against its latest report; true when a token's Secret is no longer wanted. */
    private boolean lookAt(String clusterId, java.util.List<NodeJoinStore.Watched> watched, Instant now) {
        NodeJoinStore.Watched first = watched.get(0);
        StringBuilder key = new StringBuilder(first.inventoryHash())
                .append('|')
                .append(first.documentVersion())
                .append('|')
                .append(first.fresh())
                .append('|')
                .append(admission.versions()); // a policy changed: a refused join or leave is judged again
        watched.forEach(
                w -> key.append('|').append(w.join().id()).append(w.join().state()));
        boolean leaving =
                watched.stream().anyMatch(w -> missingSince.containsKey(w.join().id()));
        if (!leaving && key.toString().equals(judged.get(clusterId))) {
            return false; // the same report, document and joins as last time: nothing new to conclude
        }
        judged.put(clusterId, key.toString());
        Optional<ClusterRecord> cluster = clusters.get(clusterId);
        if (cluster.isEmpty()) {
            return false;
        }
        boolean changed = false;
        if (!network.aios.api.ClusterDocument.of(cluster.get().document()).allowsExternalNodes()) {
            // the owner turned external nodes off: no token of theirs stays usable, no node joins by one
            for (NodeJoinStore.Watched w : watched) {
                if (w.join().state() == NodeJoinRecord.State.ISSUED) {
                    changed |= joins.revoke(
                                    clusterId,
                                    w.join().id(),
                                    "control-plane",
                                    now,
                                    "revoked: the document no longer allows external nodes")
                            .isPresent();
                }
            }
            return changed;
        }
        Optional<Set<String>> seen = reported(first.inventory());
        for (NodeJoinStore.Watched w : watched) {
            NodeJoinRecord j = w.join();
            boolean present = seen.map(ids -> ids.contains(j.nodeId())).orElse(false);
            if (j.state() == NodeJoinRecord.State.ISSUED && present) {
                changed |= joined(j, now);
            } else if (j.state() == NodeJoinRecord.State.JOINED) {
                if (present || seen.isEmpty() || !w.fresh()) {
                    missingSince.remove(j.id()); // there, or nothing to judge by
                } else {
                    Instant since = missingSince.computeIfAbsent(j.id(), k -> now);
                    if (!since.plus(LEAVE_AFTER).isAfter(now)) {
                        missingSince.remove(j.id());
                        left(j, now);
                    }
                }
            }
        }
        return changed;
    }

    /**
     * The node ids a report names; empty (nothing to judge by) for a report that does not bind or lists no node at
     * all: a cluster always has nodes, so that is a controller not seeing them yet, never every node leaving.
     */
    private static Optional<Set<String>> reported(String inventory) {
        Set<String> ids = new LinkedHashSet<>();
        try {
            ObservedInventory seen = ObservedInventory.of(Json.parse(inventory));
            if (seen.nodes().isEmpty()) {
                return Optional.empty();
            }
            seen.nodes().stream()
                    .map(ObservedInventory.ObservedNode::nodeId)
                    .filter(java.util.Objects::nonNull)
                    .forEach(ids::add);
        } catch (RuntimeException e) {
            LOG.debug("an inventory that does not bind: {}", e.toString());
            return Optional.empty();
        }
        return Optional.of(ids);
    }

    private boolean joined(NodeJoinRecord j, Instant now) {
        Optional<ClusterRecord> cluster = clusters.get(j.clusterId());
        if (cluster.isEmpty()) {
            return false;
        }
        ClusterRecord c = cluster.get();
        ClusterRecord next = null;
        if (!network.aios.api.ClusterDocument.of(c.document()).nodeIds().contains(j.nodeId())) {
            ObjectNode current = ClusterView.ownersDocument(c);
            JsonNode node = Json.parse(j.node());
            NodeChange.Result grown = NodeChange.add(current, node, "/node");
            if (!grown.valid()) {
                // the document changed since the token was issued in a way the node no longer fits: say so, once
                joins.note(j, "the node appeared but no longer fits the document: " + grown.errors(), now);
                return false;
            }
            // judged again as it arrives: the document and the policies may have changed since the token was issued
            NodeAdmission.Verdict verdict = admission.check(PolicyAction.ADD_NODE, grown.document(), current, node);
            if (!verdict.allowed()) {
                joins.note(j, "the node appeared; " + verdict.say() + " (it stays out of the document)", now);
                return false;
            }
            next = withDocument(
                    c, grown.document(), "add_node", verdict.admission().version(), now);
        }
        if (!joins.joined(j, next, c.version(), now)) {
            return false; // changed meanwhile (another replica, an edit): looked at again next time
        }
        LOG.info("{}: node {} joined (token {}); the document has it", j.clusterId(), j.nodeId(), j.tokenId());
        if (next != null) {
            documentChanged.accept(j.clusterId());
        }
        return true;
    }

    private void left(NodeJoinRecord j, Instant now) {
        Optional<ClusterRecord> cluster = clusters.get(j.clusterId());
        if (cluster.isEmpty()) {
            return;
        }
        ClusterRecord c = cluster.get();
        JsonNode node = Json.parse(j.node());
        ObjectNode current = ClusterView.ownersDocument(c);
        Optional<NodeChange.Result> shrunk = NodeChange.remove(current, j.nodeId());
        if (shrunk.isEmpty()) {
            joins.left(j, null, c.version(), now); // the owner took it out already
            return;
        }
        if (!shrunk.get().valid()) {
            joins.note(
                    j,
                    "the node left but the document cannot lose it: "
                            + shrunk.get().errors(),
                    now);
            return;
        }
        NodeAdmission.Verdict verdict =
                admission.check(PolicyAction.REMOVE_NODE, shrunk.get().document(), current, node);
        if (!verdict.allowed()) {
            joins.note(j, "the node left; " + verdict.say() + " (it stays in the document)", now);
            return;
        }
        ClusterRecord next = withDocument(
                c, shrunk.get().document(), "remove_node", verdict.admission().version(), now);
        if (joins.left(j, next, c.version(), now)) {
            LOG.info("{}: node {} left; the document no longer has it", j.clusterId(), j.nodeId());
            documentChanged.accept(j.clusterId());
        }
    }

    private static ClusterRecord withDocument(
            ClusterRecord c, JsonNode doc, String action, Integer policyVersion, Instant now) {
        return new ClusterRecord(
                c.id(),
                c.owner(),
                c.status(),
                c.requestedStatus(),
                (ObjectNode) doc,
                c.version(),
                c.createdAt(),
                now,
                action,
                policyVersion,
                c.reputation());
    }

    @Override
    public void close() {
        ticker.shutdownNow();
    }
}
