package network.aios.member;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import java.util.List;
import java.util.Map;
import network.aios.member.desired.InfraNames;
import org.junit.jupiter.api.Test;

class PreflightTest {
    static Node node(String name, String nodeId) {
        return new NodeBuilder()
                .withNewMetadata()
                .withName(name)
                .withLabels(nodeId == null ? Map.of() : Map.of("nodeID", nodeId))
                .endMetadata()
                .build();
    }

    @Test
    void nodeLabelsMustMatchTheDocumentExactly() throws Exception {
        var doc = network.aios.member.desired.DesiredStateTest.seed(true);
        assertThat(Preflight.nodeLabels(List.of(node("a", "node-1"), node("b", "node-2")), doc)
                        .status())
                .isEqualTo(Preflight.Status.PASS);
        Preflight.Check c =
                Preflight.nodeLabels(List.of(node("a", "node-1"), node("b", "node-9"), node("c", null)), doc);
        assertThat(c.status()).isEqualTo(Preflight.Status.FAIL);
        assertThat(c.message())
                .contains(
                        "no node labelled nodeID=node-2",
                        "[node-9] are not in the document",
                        "without a nodeID label: [c]");
        assertThat(c.fix())
                .isEqualTo("kubectl label node c nodeID=node-2 --overwrite (and list every node in the document)");
    }

    @Test
    void nodePortsTakenByAnotherServiceFail() {
        Service other = new ServiceBuilder()
                .withNewMetadata()
                .withName("grafana")
                .withNamespace("mon")
                .endMetadata()
                .withNewSpec()
                .addNewPort()
                .withPort(80)
                .withNodePort(32301)
                .endPort()
                .endSpec()
                .build();
        Service ours = new ServiceBuilder()
                .withNewMetadata()
                .withName("aios-metrics")
                .withNamespace("aios-system")
                .withLabels(InfraNames.labels("c1"))
                .endMetadata()
                .withNewSpec()
                .addNewPort()
                .withPort(80)
                .withNodePort(32301)
                .endPort()
                .endSpec()
                .build();
        assertThat(Preflight.nodePorts(List.of(ours), "c1").status()).isEqualTo(Preflight.Status.PASS);
        Preflight.Check c = Preflight.nodePorts(List.of(other, ours), "c1");
        assertThat(c.status()).isEqualTo(Preflight.Status.FAIL);
        assertThat(c.message()).isEqualTo("NodePorts taken: 32301 by mon/grafana");
    }
}
