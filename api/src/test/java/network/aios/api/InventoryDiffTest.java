package network.aios.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class InventoryDiffTest {
    static ClusterDocument seed() throws Exception {
        return ClusterDocument.of(new ClusterValidator()
                .validate(Json.MAPPER.readTree(Files.readAllBytes(Path.of("..", "examples", "cluster.json"))))
                .document());
    }

    static ObservedInventory.ObservedNode node(
            String name, String id, double cpu, long memMb, int gpus, String product) {
        ObservedInventory.Resources r = new ObservedInventory.Resources(cpu, memMb, 100_000, gpus);
        return new ObservedInventory.ObservedNode(
                name, id, true, false, r, r, product == null ? null : new ObservedInventory.Gpu(product, 16384L, gpus));
    }

    /** The seed's two nodes as a real cluster would report them: a little less memory than nominal. */
    static ObservedInventory matching() {
        return new ObservedInventory(List.of(
                node("w1", "node-1", 32, 128_000, 2, "NVIDIA-A100-SXM4-40GB"),
                node("w2", "node-2", 16, 64_300, 1, "Tesla-V100-PCIE-16GB")));
    }

    @Test
    void aClusterThatIsWhatItSaysIsVerified() throws Exception {
        assertThat(InventoryDiff.compare(seed(), matching())).isEmpty();
    }

    @Test
    void everyDifferenceIsReportedAtTheDocumentsField() throws Exception {
        ObservedInventory seen = new ObservedInventory(List.of(
                node("w1", "node-1", 24, 128_000, 1, "NVIDIA-H100-80GB"),
                node("w3", "node-3", 8, 8_000, 0, null),
                node("w4", null, 8, 8_000, 0, null)));
        List<InventoryDiff.Difference> d = InventoryDiff.compare(seed(), seen);
        assertThat(d)
                .extracting(InventoryDiff.Difference::path)
                .containsExactly(
                        "/nodes/nodeData/0/gpus/count",
                        "/nodes/nodeData/0/gpus/gpus/0/modelName",
                        "/nodes/nodeData/0/gpus/gpus/1/modelName",
                        "/nodes/nodeData/0/vcpus/count",
                        "/nodes/nodeData/1/id",
                        "/nodes/nodeData",
                        "/nodes/nodeData");
        assertThat(d.get(0).message()).isEqualTo("node node-1 declares 2 GPUs; 1 found");
        assertThat(d.get(4).message()).contains("no node labelled nodeID=node-2");
        assertThat(d.get(5).message()).contains("nodeID=node-3", "does not list");
        assertThat(d.get(6).message()).contains("w4 has no nodeID label");
    }

    @Test
    void memoryWellBelowTheDeclaredSizeIsDrift() throws Exception {
        ObservedInventory seen = new ObservedInventory(
                List.of(node("w1", "node-1", 32, 100_000, 2, "A100"), node("w2", "node-2", 16, 64_300, 1, null)));
        assertThat(InventoryDiff.compare(seed(), seen))
                .singleElement()
                .satisfies(x -> assertThat(x.path()).isEqualTo("/nodes/nodeData/0/memory"));
    }
}
