package network.aios.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import network.aios.cli.NodeLabelPlan.ClusterNode;
import network.aios.cli.NodeLabelPlan.Match;
import network.aios.cli.NodeLabelPlan.Plan;
import org.junit.jupiter.api.Test;

/** Which node gets which nodeID: matched by --map, by its label, by its name; never two nodes with one nodeID. */
class NodeLabelPlanTest {
    private static ClusterNode n(String name, String nodeId) {
        return new ClusterNode(name, nodeId);
    }

    @Test
    void matchedByNameByLabelAndByMap() {
        Plan p = NodeLabelPlan.plan(
                List.of("node-1", "node-2", "gpu-4", "w5"),
                List.of(n("node-1", null), n("worker-2", "node-2"), n("bare", null), n("w5", "old")),
                Map.of("bare", "gpu-4"));
        assertThat(p.matches())
                .containsExactly(
                        new Match("node-1", null, "node-1"),
                        new Match("worker-2", "node-2", "node-2"),
                        new Match("bare", null, "gpu-4"),
                        new Match("w5", "old", "w5"));
        assertThat(p.changes()).extracting(Match::node).containsExactly("node-1", "bare", "w5");
        assertThat(p.refusals()).isEmpty();
        assertThat(p.unmatched()).isEmpty();
        assertThat(p.unlisted()).isEmpty();
    }

    @Test
    void aLabelAlreadyThereWinsOverANameAndTheMapOverBoth() {
        // node "a" is named like document node a, but node "x" already carries nodeID=a
        Plan p = NodeLabelPlan.plan(List.of("a"), List.of(n("a", null), n("x", "a")), Map.of());
        assertThat(p.matches()).containsExactly(new Match("x", "a", "a"));
        assertThat(p.changes()).isEmpty();
        assertThat(p.unlisted()).containsEntry("a", null);

        Plan mapped = NodeLabelPlan.plan(List.of("a", "b"), List.of(n("a", null), n("x", "b")), Map.of("a", "b"));
        // --map a=b: node a takes b, which x has and keeps (x is not given another id): refused
        assertThat(mapped.refused()).isTrue();
        assertThat(mapped.refusals())
                .containsExactly("nodeID b is already node x's: giving it to a too would make two nodes b");
        assertThat(mapped.changes()).isEmpty();
    }

    @Test
    void aNodeIdAnotherNodeKeepsIsRefusedAndNothingIsPlanned() {
        Plan p = NodeLabelPlan.plan(
                List.of("node-1", "node-2"),
                List.of(n("node-1", null), n("node-2", "node-9"), n("other", "node-1")),
                Map.of("node-2", "node-2"));
        // "other" already carries node-1: it is that document node (the node named node-1 is not relabelled)
        assertThat(p.matches())
                .containsExactly(new Match("other", "node-1", "node-1"), new Match("node-2", "node-9", "node-2"));
        assertThat(p.refused()).isFalse();
        assertThat(p.unlisted()).containsEntry("node-1", null);

        Plan dup = NodeLabelPlan.plan(
                List.of("gpu-1", "cpu-1"),
                List.of(n("gpu-1", null), n("cpu-box", "cpu-1"), n("old-gpu", "gpu-1")),
                Map.of("gpu-1", "gpu-1"));
        assertThat(dup.refusals())
                .containsExactly(
                        "nodeID gpu-1 is already node old-gpu's: giving it to gpu-1 too would make two nodes gpu-1");
        assertThat(dup.changes()).isEmpty();
    }

    @Test
    void aNodeIdTakenFromANodeRelabelledInTheSamePlanGoesAfterIt() {
        // b has nodeID x and gets y; a gets x: b first, so no two nodes are ever x
        Map<String, String> map = new LinkedHashMap<>();
        map.put("a", "x");
        map.put("b", "y");
        Plan p = NodeLabelPlan.plan(List.of("x", "y"), List.of(n("a", null), n("b", "x")), map);
        assertThat(p.refused()).isFalse();
        assertThat(p.changes()).containsExactly(new Match("b", "x", "y"), new Match("a", null, "x"));
    }

    @Test
    void twoNodesExchangingNodeIdsAreRefused() {
        Plan p = NodeLabelPlan.plan(List.of("x", "y"), List.of(n("a", "y"), n("b", "x")), Map.of("a", "x", "b", "y"));
        assertThat(p.refused()).isTrue();
        assertThat(p.refusals().get(0)).contains("would exchange nodeIDs");
        assertThat(p.changes()).isEmpty();
    }

    @Test
    void documentNodesWithoutAMatchAndClusterNodesTheDocumentLacksAreNamed() {
        Plan p = NodeLabelPlan.plan(
                List.of("node-1", "ghost", "phantom"),
                List.of(n("node-1", "node-1"), n("extra", "e1"), n("spare", null)),
                Map.of());
        assertThat(p.unmatched()).containsExactly("ghost", "phantom");
        assertThat(p.unlisted())
                .containsEntry("extra", "e1")
                .containsEntry("spare", null)
                .hasSize(2);
        assertThat(p.changes()).isEmpty();
        assertThat(p.refused()).isFalse();
    }

    @Test
    void aMapNamingWhatIsNotThereIsAUsageError() {
        assertThatThrownBy(() -> NodeLabelPlan.plan(List.of("a"), List.of(n("w1", null)), Map.of("nope", "a")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--map nope=a: the cluster has no node nope");
        assertThatThrownBy(() -> NodeLabelPlan.plan(List.of("a"), List.of(n("w1", null)), Map.of("w1", "zz")))
                .hasMessage("--map w1=zz: the document lists no node zz");
        Map<String, String> twice = new LinkedHashMap<>();
        twice.put("w1", "a");
        twice.put("w2", "a");
        assertThatThrownBy(() -> NodeLabelPlan.plan(List.of("a"), List.of(n("w1", null), n("w2", null)), twice))
                .hasMessage("--map w2=a: a is mapped to w1 too");
    }
}
