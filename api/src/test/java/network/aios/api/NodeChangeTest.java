package network.aios.api;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.ObjectNode;

class NodeChangeTest {
    static ObjectNode registered() {
        return new ClusterValidator().validate(Seed.document()).document();
    }

    static ObjectNode node(String id, int gpus) {
        ObjectNode n = Json.object().put("id", id).put("memory", 65536);
        n.putObject("vcpus").put("count", 16);
        ObjectNode g = n.putObject("gpus").put("count", gpus).put("memory", gpus * 24576);
        for (int i = 0; i < gpus; i++) {
            g.withArray("gpus").addObject().put("modelName", "NVIDIA L4").put("memory", 24576);
        }
        return n;
    }

    @Test
    void aNodeAddedIsCountedInEveryTotal() {
        ObjectNode before = registered();
        NodeChange.Result r = NodeChange.add(before, node("edge-1", 2), "/node");
        assertThat(r.errors()).isEmpty();
        ObjectNode after = r.document();
        assertThat(after.at("/nodes/count").asInt())
                .isEqualTo(before.at("/nodes/count").asInt() + 1);
        assertThat(after.at("/gpus/count").asInt())
                .isEqualTo(before.at("/gpus/count").asInt() + 2);
        assertThat(after.at("/gpus/memory").asLong())
                .isEqualTo(before.at("/gpus/memory").asLong() + 49152);
        assertThat(after.at("/vcpus/count").asInt())
                .isEqualTo(before.at("/vcpus/count").asInt() + 16);
        assertThat(after.at("/memory").asLong()).isEqualTo(before.at("/memory").asLong() + 65536);
        assertThat(new ClusterValidator().validate(after).errors())
                .as("valid as it stands")
                .isEmpty();
        assertThat(before.at("/nodes/count").asInt())
                .as("the given document is not changed")
                .isEqualTo(2);
    }

    @Test
    void aBadOrDuplicateNodeIsReportedAtItsOwnPointer() {
        ObjectNode bad = node("edge-1", 1);
        bad.remove("memory");
        assertThat(NodeChange.add(registered(), bad, "/node").errors())
                .extracting(FieldError::path)
                .containsExactly("/node/memory");
        assertThat(NodeChange.add(registered(), node("node-1", 0), "/node").errors())
                .extracting(FieldError::path)
                .containsExactly("/node/id");
        assertThat(NodeChange.add(registered(), Json.MAPPER.readTree("[]"), "/node")
                        .errors())
                .extracting(FieldError::path)
                .containsExactly("/node");
    }

    @Test
    void aNodeRemovedLeavesTheTotalsOfTheRest() {
        ObjectNode added =
                NodeChange.add(registered(), node("edge-1", 2), "/node").document();
        NodeChange.Result r = NodeChange.remove(added, "edge-1").orElseThrow();
        assertThat(r.errors()).isEmpty();
        assertThat(r.document().toString()).isEqualTo(registered().toString());
        assertThat(NodeChange.remove(added, "nope")).isEmpty();
    }
}
