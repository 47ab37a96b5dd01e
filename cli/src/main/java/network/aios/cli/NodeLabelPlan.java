package network.aios.cli;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Which {@code nodeID} label {@code aios cluster label-nodes} gives which node (pure). A document node is matched, in
 * this order, by an explicit {@code --map NODE=ID}, by a node already labelled with its id, or by a node whose name is
 * its id; a node takes one id at most. A change is refused when the id is another node's {@code nodeID} and that
 * node keeps it; when that node is relabelled by the same plan, it goes first. The plan is all or nothing: with a
 * refusal, nothing is to be changed.
 */
final class NodeLabelPlan {
    private NodeLabelPlan() {}

    /** A node of the cluster: its name and its {@code nodeID} label (null without one). */
    record ClusterNode(String name, String nodeId) {}

    /** A document node matched to a cluster node: its label before and after ({@code from} null: none). */
    record Match(String node, String from, String to) {
        boolean changes() {
            return !to.equals(from);
        }
    }

    /**
     * The matches in document order; the changes in the order they can be applied (no moment with two nodes of the
     * same {@code nodeID} that the plan made); document ids with no node; cluster nodes the document does not name
     * (name to label, null for none); refusals, each a sentence.
     */
    record Plan(
            List<Match> matches,
            List<Match> changes,
            List<String> unmatched,
            Map<String, String> unlisted,
            List<String> refusals) {
        boolean refused() {
            return !refusals.isEmpty();
        }
    }

    /**
     * Plans the labels. {@code explicit} maps node names to document ids; naming a node the cluster does not have, or
     * an id the document does not list, or one id for two nodes, is an {@link IllegalArgumentException} saying each.
     */
    static Plan plan(List<String> documentIds, List<ClusterNode> nodes, Map<String, String> explicit) {
        Map<String, ClusterNode> byName = new LinkedHashMap<>();
        nodes.forEach(n -> byName.put(n.name(), n));
        Set<String> ids = new HashSet<>(documentIds);
        Map<String, String> nodeOf = new HashMap<>(); // document id -> node name
        Map<String, String> idOf = new HashMap<>(); // node name -> document id
        List<String> wrong = new ArrayList<>();
        explicit.forEach((node, id) -> {
            if (!byName.containsKey(node)) {
                wrong.add("--map " + node + "=" + id + ": the cluster has no node " + node);
            } else if (!ids.contains(id)) {
                wrong.add("--map " + node + "=" + id + ": the document lists no node " + id);
            } else if (nodeOf.containsKey(id)) {
                wrong.add("--map " + node + "=" + id + ": " + id + " is mapped to " + nodeOf.get(id) + " too");
            } else {
                nodeOf.put(id, node);
                idOf.put(node, id);
            }
        });
        if (!wrong.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", wrong));
        }
        for (String id : documentIds) {
            if (nodeOf.containsKey(id)) {
                continue;
            }
            nodes.stream()
                    .filter(n -> id.equals(n.nodeId()) && !idOf.containsKey(n.name()))
                    .findFirst()
                    .ifPresent(n -> {
                        nodeOf.put(id, n.name());
                        idOf.put(n.name(), id);
                    });
        }
        for (String id : documentIds) {
            ClusterNode named = byName.get(id);
            if (!nodeOf.containsKey(id) && named != null && !idOf.containsKey(named.name())) {
                nodeOf.put(id, named.name());
                idOf.put(named.name(), id);
            }
        }
        List<Match> matches = new ArrayList<>();
        List<String> unmatched = new ArrayList<>();
        for (String id : documentIds) {
            String node = nodeOf.get(id);
            if (node == null) {
                unmatched.add(id);
            } else {
                matches.add(new Match(node, byName.get(node).nodeId(), id));
            }
        }
        Map<String, String> unlisted = new TreeMap<>();
        nodes.stream().filter(n -> !idOf.containsKey(n.name())).forEach(n -> unlisted.put(n.name(), n.nodeId()));
        List<String> refusals = new ArrayList<>();
        Map<String, List<String>> after = new HashMap<>(); // node -> the nodes that must be relabelled before it
        for (Match m : matches) {
            if (!m.changes()) {
                continue;
            }
            for (ClusterNode holder : nodes) {
                if (holder.name().equals(m.node()) || !m.to().equals(holder.nodeId())) {
                    continue;
                }
                String holderNext = idOf.get(holder.name());
                if (holderNext == null || holderNext.equals(m.to())) {
                    refusals.add("nodeID " + m.to() + " is already node " + holder.name() + "'s: giving it to "
                            + m.node() + " too would make two nodes " + m.to());
                } else {
                    after.computeIfAbsent(m.node(), k -> new ArrayList<>()).add(holder.name());
                }
            }
        }
        List<Match> changes = new ArrayList<>();
        if (refusals.isEmpty()) {
            Map<String, Match> pending = new LinkedHashMap<>();
            matches.stream().filter(Match::changes).forEach(m -> pending.put(m.node(), m));
            Set<String> done = new HashSet<>();
            while (!pending.isEmpty()) {
                Match ready = pending.values().stream()
                        .filter(m -> after.getOrDefault(m.node(), List.of()).stream()
                                .allMatch(h -> done.contains(h) || !pending.containsKey(h)))
                        .findFirst()
                        .orElse(null);
                if (ready == null) {
                    refusals.add("nodes " + String.join(", ", pending.keySet()) + " would exchange nodeIDs; remove "
                            + "one's label first (kubectl label node NAME nodeID-), then run this again");
                    break;
                }
                changes.add(ready);
                done.add(ready.node());
                pending.remove(ready.node());
            }
        }
        return new Plan(matches, refusals.isEmpty() ? changes : List.of(), unmatched, unlisted, refusals);
    }
}
