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
    private final PolicyService policies;
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
        this.policies = policies;
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

    /** One look: expiries, nodes that appeared, nodes that left. */
    public void look() {
        Instant now = clock.instant();
        Set<String> changed = new LinkedHashSet<>();
        for (NodeJoinRecord j : joins.expire(now)) {
            LOG.info("{}: join token {} for node {} expired unused", j.clusterId(), j.tokenId(), j.nodeId());
            changed.add(j.clusterId());
        }
        for (NodeJoinStore.Watched w : joins.watched()) {
            NodeJoinRecord j = w.join();
            boolean present = reported(w.inventory()).contains(j.nodeId());
            if (j.state() == NodeJoinRecord.State.ISSUED && present && joined(j, now)) {
                changed.add(j.clusterId());
            } else if (j.state() == NodeJoinRecord.State.JOINED && !present && w.fresh()) {
                left(j, now);
            }
        }
        changed.forEach(member::tokensChanged);
    }

    /** The node ids a report names (empty for one that does not bind: the heartbeat path checked it already). */
    private static Set<String> reported(String inventory) {
        Set<String> ids = new LinkedHashSet<>();
        try {
            ObservedInventory seen = ObservedInventory.of(Json.parse(inventory));
            seen.nodes().stream()
                    .map(ObservedInventory.ObservedNode::nodeId)
                    .filter(java.util.Objects::nonNull)
                    .forEach(ids::add);
        } catch (RuntimeException e) {
            LOG.debug("an inventory that does not bind: {}", e.toString());
        }
        return ids;
    }

    private boolean joined(NodeJoinRecord j, Instant now) {
        Optional<ClusterRecord> cluster = clusters.get(j.clusterId());
        if (cluster.isEmpty()) {
            return false;
        }
        ClusterRecord c = cluster.get();
        ClusterRecord next = null;
        if (!network.aios.api.ClusterDocument.of(c.document()).nodeIds().contains(j.nodeId())) {
            NodeChange.Result grown = NodeChange.add(ClusterView.ownersDocument(c), Json.parse(j.node()), "/node");
            if (!grown.valid()) {
                // the document changed since the token was issued in a way the node no longer fits: say so, once
                joins.note(j, "the node appeared but no longer fits the document: " + grown.errors(), now);
                return false;
            }
            next = withDocument(c, grown.document(), "add_node", j.policyVersion(), now);
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
        PolicyService.Admission admission =
                policies.check(PolicyAction.REMOVE_NODE, shrunk.get().document(), current, node);
        if (!admission.decision().isAllowed()) {
            joins.note(
                    j,
                    "the node left; the remove_node policy"
                            + (admission.version() == null ? "" : " (version " + admission.version() + ")")
                            + " keeps it in the document: "
                            + String.join("; ", admission.decision().reasons()),
                    now);
            return;
        }
        ClusterRecord next = withDocument(c, shrunk.get().document(), "remove_node", admission.version(), now);
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
