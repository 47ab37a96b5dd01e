package network.aios.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import java.util.List;
import java.util.Map;
import network.aios.api.ObservedInventory;
import network.aios.member.NodeInventory;
import org.junit.jupiter.api.Test;

class NodeInventoryTest {
    static Node gpuNode() {
        return new NodeBuilder()
                .withNewMetadata()
                .withName("worker-a")
                .withLabels(Map.of(
                        "nodeID",
                        "node-1",
                        "nvidia.com/gpu.product",
                        "NVIDIA-A100-SXM4-40GB",
                        "nvidia.com/gpu.memory",
                        "40960",
                        "nvidia.com/gpu.count",
                        "2"))
                .endMetadata()
                .withNewSpec()
                .withUnschedulable(true)
                .endSpec()
                .withNewStatus()
                .withCapacity(Map.of(
                        "cpu",
                        new Quantity("32"),
                        "memory",
                        new Quantity("131072Mi"),
                        "ephemeral-storage",
                        new Quantity("100Gi"),
                        "nvidia.com/gpu",
                        new Quantity("2")))
                .withAllocatable(Map.of(
                        "cpu",
                        new Quantity("31500m"),
                        "memory",
                        new Quantity("130000Mi"),
                        "nvidia.com/gpu",
                        new Quantity("2")))
                .addNewCondition()
                .withType("Ready")
                .withStatus("True")
                .endCondition()
                .endStatus()
                .build();
    }

    @Test
    void aNodeIsDescribedInTheNetworksUnits() {
        ObservedInventory.ObservedNode n = NodeInventory.node(gpuNode());
        assertThat(n.nodeId()).isEqualTo("node-1");
        assertThat(n.ready()).isTrue();
        assertThat(n.unschedulable()).isTrue();
        assertThat(n.capacity()).isEqualTo(new ObservedInventory.Resources(32, 131072, 102400, 2));
        assertThat(n.allocatable().vcpus()).isEqualTo(31.5);
        assertThat(n.gpu()).isEqualTo(new ObservedInventory.Gpu("NVIDIA-A100-SXM4-40GB", 40960L, 2));
    }

    @Test
    void aBareNodeHasNoIdNoGpuAndIsNotReady() {
        Node bare =
                new NodeBuilder().withNewMetadata().withName("b").endMetadata().build();
        ObservedInventory.ObservedNode n = NodeInventory.node(bare);
        assertThat(n.nodeId()).isNull();
        assertThat(n.ready()).isFalse();
        assertThat(n.gpu()).isNull();
        assertThat(n.capacity()).isNull();
        assertThat(NodeInventory.of(List.of(gpuNode(), bare)).nodes())
                .extracting(ObservedInventory.ObservedNode::name)
                .containsExactly("b", "worker-a");
    }

    @Test
    void prometheusTextCarriesTheSnapshotTimeAndEscapesLabels() {
        var s = network.aios.api.Json.parse("""
                {"observedAt": "2026-01-01T00:00:00Z", "stale": false, "nodes": [
                  {"name": "w\\"1", "nodeId": "node-1", "cpu": {"capacity": 32, "usage": null}}]}""");
        String text = Prometheus.render(s);
        assertThat(text)
                .contains("aios_node_cpu_capacity_cores{node=\"w\\\"1\",node_id=\"node-1\"} 32.0 1767225600000")
                .contains("aios_metrics_stale 0 1767225600000")
                .doesNotContain("aios_node_cpu_usage_cores{");
    }
}
