package network.aios.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.NodeSwapStatus;
import io.fabric8.kubernetes.api.model.Quantity;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import network.aios.api.ClusterDocument;
import network.aios.api.ClusterValidator;
import network.aios.api.InventoryDiff;
import network.aios.member.NodeInventory;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** The document {@code aios cluster init} writes, from Node objects: valid, summed, and verified by the same nodes. */
class DocumentDraftTest {
    private static final DocumentDraft.Facts SEED_FACTS =
            new DocumentDraft.Facts("cluster-west-vision-001", "us-west-2", "v1.28.0");

    /** A node as the kubelet and GPU feature discovery describe it; {@code capacity} null: no status at all. */
    static Node node(String name, Map<String, String> labels, Map<String, String> capacity, String kubelet) {
        NodeBuilder b = new NodeBuilder()
                .withNewMetadata()
                .withName(name)
                .withLabels(labels)
                .endMetadata();
        if (capacity != null) {
            Map<String, Quantity> q = new LinkedHashMap<>();
            capacity.forEach((k, v) -> q.put(k, new Quantity(v)));
            b.withNewStatus()
                    .withCapacity(q)
                    .withAllocatable(q)
                    .withNewNodeInfo()
                    .withKubeletVersion(kubelet)
                    .endNodeInfo()
                    .endStatus();
        }
        return b.build();
    }

    static Map<String, String> gpuLabels(String nodeId, String product, String memoryMiB, String count) {
        Map<String, String> l = new LinkedHashMap<>();
        if (nodeId != null) {
            l.put("nodeID", nodeId);
        }
        l.put("nvidia.com/gpu.product", product);
        l.put("nvidia.com/gpu.memory", memoryMiB);
        l.put("nvidia.com/gpu.count", count);
        return l;
    }

    static Map<String, String> capacity(String cpu, String memory, String storage, Integer gpus) {
        Map<String, String> c = new LinkedHashMap<>(Map.of("cpu", cpu, "memory", memory, "ephemeral-storage", storage));
        if (gpus != null) {
            c.put("nvidia.com/gpu", Integer.toString(gpus));
        }
        return c;
    }

    /** The seed's two nodes: 2 A100 and 1 V100 of 16 GiB, 32 + 16 vCPUs, 128 + 64 GiB, 1 TiB + 512 GiB. */
    static List<Node> seedNodes() {
        return List.of(
                node(
                        "worker-a",
                        gpuLabels("node-1", "NVIDIA-A100-PCIE-16GB", "16384", "2"),
                        capacity("32", "128Gi", "1Ti", 2),
                        "v1.28.2"),
                node(
                        "worker-b",
                        gpuLabels("node-2", "Tesla-V100-PCIE-16GB", "16384", "1"),
                        capacity("16", "64Gi", "512Gi", 1),
                        "v1.28.2"));
    }

    static JsonNode valid(DocumentDraft.Draft draft) {
        ClusterValidator.Result r = new ClusterValidator().validate(draft.document());
        assertThat(r.errors()).as(draft.document().toString()).isEmpty();
        return r.document();
    }

    @Test
    void theSeedsNodesGiveTheSeedsNumbersAndVerifyAgainstThemselves() {
        List<Node> nodes = seedNodes();
        DocumentDraft.Draft draft = DocumentDraft.build(SEED_FACTS, nodes);
        JsonNode doc = valid(draft);
        assertThat(doc.path("id").asString()).isEqualTo("cluster-west-vision-001");
        assertThat(doc.path("regionId").asString()).isEqualTo("us-west-2");
        JsonNode n1 = doc.at("/nodes/nodeData/0");
        assertThat(n1.path("id").asString()).isEqualTo("node-1");
        assertThat(n1.at("/gpus/count").asInt()).isEqualTo(2);
        assertThat(n1.at("/gpus/memory").asLong()).isEqualTo(32768);
        assertThat(n1.at("/gpus/gpus")).hasSize(2);
        assertThat(n1.at("/gpus/gpus/1/modelName").asString()).isEqualTo("NVIDIA-A100-PCIE-16GB");
        assertThat(n1.at("/gpus/modelNames").toString()).isEqualTo("[\"NVIDIA-A100-PCIE-16GB\"]");
        assertThat(n1.at("/vcpus/count").asInt()).isEqualTo(32);
        assertThat(n1.path("memory").asLong()).isEqualTo(131072);
        assertThat(n1.at("/storage/size").asLong()).isEqualTo(1048576);
        // the seed's totals
        assertThat(doc.at("/nodes/count").asInt()).isEqualTo(2);
        assertThat(doc.at("/gpus/count").asInt()).isEqualTo(3);
        assertThat(doc.at("/gpus/memory").asLong()).isEqualTo(49152);
        assertThat(doc.at("/vcpus/count").asInt()).isEqualTo(48);
        assertThat(doc.path("memory").asLong()).isEqualTo(196608);
        assertThat(doc.at("/storage/size").asLong()).isEqualTo(1572864);
        assertThat(doc.at("/clusterMetadata/additionalInfo/kubeadmVersion").asString())
                .isEqualTo("v1.28.0");
        assertThat(doc.at("/clusterMetadata/additionalInfo/kubeletVersion").asString())
                .isEqualTo("v1.28.2");
        // what the agents will observe on the same nodes matches the document: InventoryVerified
        assertThat(InventoryDiff.compare(ClusterDocument.of(doc), NodeInventory.of(nodes)))
                .isEmpty();
        // the GPU models are known: no GPU placeholder but the features
        assertThat(draft.placeholders())
                .extracting(DocumentDraft.Placeholder::path)
                .contains(
                        "/config/publicHostname",
                        "/nodes/nodeData/*/network/txBandwidth",
                        "/nodes/nodeData/*/gpus/features")
                .doesNotContain("/id", "/regionId", "/nodes/nodeData/*/gpus/gpus/*/modelName");
        assertThat(doc.at("/config/publicHostname").asString()).isEqualTo("fill-in.invalid");
    }

    @Test
    void nodesWithoutGpusHaveAnEmptyGpuListAndNoGpuPlaceholders() {
        List<Node> nodes = List.of(
                node("cpu-1", Map.of("nodeID", "cpu-1"), capacity("8", "32Gi", "100Gi", null), "v1.28.2"),
                node("cpu-2", Map.of(), capacity("4", "16Gi", "100Gi", 0), "v1.28.2"));
        DocumentDraft.Draft draft = DocumentDraft.build(SEED_FACTS, nodes);
        JsonNode doc = valid(draft);
        for (JsonNode n : doc.at("/nodes/nodeData")) {
            assertThat(n.at("/gpus/count").asInt()).isZero();
            assertThat(n.at("/gpus/memory").asLong()).isZero();
            assertThat(n.at("/gpus/gpus")).isEmpty();
            assertThat(n.at("/gpus/modelNames")).isEmpty();
        }
        assertThat(doc.at("/gpus/count").asInt()).isZero();
        assertThat(doc.at("/vcpus/count").asInt()).isEqualTo(12);
        assertThat(draft.placeholders())
                .extracting(DocumentDraft.Placeholder::path)
                .noneMatch(p -> p.contains("gpus"));
        assertThat(InventoryDiff.compare(ClusterDocument.of(doc), NodeInventory.of(nodes)))
                .extracting(InventoryDiff.Difference::message)
                .containsExactly("no node labelled nodeID=cpu-2 is in the cluster", "node cpu-2 has no nodeID label");
    }

    @Test
    void severalGpuModelsAcrossNodesAreEachNodesOwn() {
        List<Node> nodes = List.of(
                node("a", gpuLabels("a", "NVIDIA-A100-SXM4-80GB", "81920", "8"), capacity("96", "1Ti", "2Ti", 8), "v1"),
                node("b", gpuLabels("b", "Tesla-T4", "15360", "4"), capacity("48", "256Gi", "1Ti", 4), "v1"),
                node(
                        "c",
                        gpuLabels("c", "NVIDIA-H100-80GB-HBM3", "81559", "2"),
                        capacity("64", "512Gi", "1Ti", 2),
                        "v1"));
        DocumentDraft.Draft draft = DocumentDraft.build(SEED_FACTS, nodes);
        JsonNode doc = valid(draft);
        assertThat(doc.at("/nodes/nodeData/0/gpus/modelNames/0").asString()).isEqualTo("NVIDIA-A100-SXM4-80GB");
        assertThat(doc.at("/nodes/nodeData/1/gpus/modelNames/0").asString()).isEqualTo("Tesla-T4");
        assertThat(doc.at("/nodes/nodeData/2/gpus/modelNames/0").asString()).isEqualTo("NVIDIA-H100-80GB-HBM3");
        assertThat(doc.at("/nodes/nodeData/1/gpus/memory").asLong()).isEqualTo(4 * 15360);
        assertThat(doc.at("/gpus/count").asInt()).isEqualTo(14);
        assertThat(doc.at("/gpus/memory").asLong()).isEqualTo(8 * 81920 + 4 * 15360 + 2 * 81559);
        assertThat(InventoryDiff.compare(ClusterDocument.of(doc), NodeInventory.of(nodes)))
                .isEmpty();
    }

    @Test
    void gpusWithoutFeatureLabelsGetAPlaceholderModelNamedOnItsNodeOnly() {
        List<Node> nodes = List.of(
                node("bare", Map.of(), capacity("16", "64Gi", "500Gi", 4), "v1.28.2"),
                node(
                        "labelled",
                        gpuLabels("labelled", "Tesla-V100", "16384", "1"),
                        capacity("8", "32Gi", "1Ti", 1),
                        "v1.28.2"));
        DocumentDraft.Draft draft = DocumentDraft.build(SEED_FACTS, nodes);
        JsonNode doc = valid(draft);
        JsonNode bare = doc.at("/nodes/nodeData/0");
        assertThat(bare.at("/gpus/count").asInt()).isEqualTo(4);
        assertThat(bare.at("/gpus/gpus"))
                .hasSize(4)
                .allMatch(g -> g.path("modelName").asString().equals(DocumentDraft.GPU_MODEL_PLACEHOLDER)
                        && g.path("memory").asLong() == 0);
        assertThat(bare.at("/gpus/memory").asLong()).isZero();
        assertThat(draft.placeholders())
                .contains(
                        new DocumentDraft.Placeholder(
                                "/nodes/nodeData/*/gpus/gpus/*/modelName",
                                "the GPU model (no nvidia.com/gpu.product label: GPU feature discovery does not run there)",
                                List.of("bare")),
                        new DocumentDraft.Placeholder(
                                "/nodes/nodeData/*/gpus/gpus/*/memory",
                                "each GPU's memory in MB (no nvidia.com/gpu.memory label)",
                                List.of("bare")));
        // in the document: that node's pointer; fields every node lacks: '*'
        assertThat(doc.at("/clusterMetadata/additionalInfo/placeholders").toString())
                .contains("\"/nodes/nodeData/0/gpus/gpus/*/modelName\"", "\"/nodes/nodeData/*/network/rxBandwidth\"")
                .doesNotContain("/nodes/nodeData/1/gpus/gpus");
        // a model no one reports is not compared: once labelled (label-nodes), the document verifies
        assertThat(InventoryDiff.compare(ClusterDocument.of(doc), NodeInventory.of(nodes)))
                .extracting(InventoryDiff.Difference::message)
                .containsExactly("no node labelled nodeID=bare is in the cluster", "node bare has no nodeID label");
    }

    @Test
    void gpusCountedFromTheLabelWhenTheDevicePluginOffersNoneAndFromTheCapacityWhenTheyDisagree() {
        List<Node> nodes = List.of(
                node(
                        "mig",
                        gpuLabels("mig", "NVIDIA-A100-SXM4-40GB", "40960", "8"),
                        capacity("96", "1Ti", "1Ti", null),
                        "v1"),
                node("sliced", gpuLabels("sliced", "Tesla-T4", "15360", "1"), capacity("8", "32Gi", "1Ti", 4), "v1"));
        DocumentDraft.Draft draft = DocumentDraft.build(SEED_FACTS, nodes);
        List<String> notes = draft.notes();
        JsonNode doc = valid(draft);
        assertThat(doc.at("/nodes/nodeData/0/gpus/count").asInt()).isEqualTo(8);
        assertThat(doc.at("/nodes/nodeData/1/gpus/count").asInt()).isEqualTo(4);
        assertThat(notes).anyMatch(n -> n.contains("sliced") && n.contains("time-slicing"));
        assertThat(InventoryDiff.compare(ClusterDocument.of(doc), NodeInventory.of(nodes)))
                .isEmpty();
    }

    @Test
    void nodesWithoutNodeIdLabelsAreNamedByTheirNamesAndDuplicatesAndLongNamesStillValidate() {
        String longName = "ip-10-0-12-34." + "a".repeat(60) + ".compute.internal";
        List<Node> nodes = List.of(
                node("alpha", Map.of(), capacity("4", "8Gi", "10Gi", null), "v1"),
                node("beta", Map.of("nodeID", "shared"), capacity("4", "8Gi", "10Gi", null), "v1"),
                node("gamma", Map.of("nodeID", "shared"), capacity("4", "8Gi", "10Gi", null), "v1"),
                node("delta", Map.of("nodeID", "alpha"), capacity("4", "8Gi", "10Gi", null), "v1"),
                node(longName, Map.of(), capacity("4", "8Gi", "10Gi", null), "v1"));
        DocumentDraft.Draft draft = DocumentDraft.build(SEED_FACTS, nodes);
        JsonNode doc = valid(draft);
        List<String> ids = new ArrayList<>();
        doc.at("/nodes/nodeData").forEach(n -> ids.add(n.path("id").asString()));
        // sorted by node name: alpha, beta, delta, gamma, ip-...
        assertThat(ids).containsExactly("node-1", "shared", "alpha", "gamma", "ip-10-0-12-34");
        assertThat(draft.notes())
                .anyMatch(n -> n.startsWith("node gamma is labelled nodeID=shared, which another node has"))
                .anyMatch(n -> n.startsWith("node alpha has no nodeID label and its name is another node's nodeID: "
                        + "its id here is node-1"))
                .anyMatch(n -> n.startsWith("node " + longName + " has no nodeID label and its name is too long"));
    }

    @Test
    void unlabelledNodesAreListedInOneNote() {
        DocumentDraft.Draft draft = DocumentDraft.build(
                SEED_FACTS,
                List.of(
                        node("w1", Map.of(), capacity("4", "8Gi", "10Gi", null), "v1"),
                        node("w2", Map.of(), capacity("4", "8Gi", "10Gi", null), "v1")));
        valid(draft);
        assertThat(draft.notes()).anyMatch(n -> n.startsWith("no nodeID label on w1, w2: the id is the node's name"));
    }

    @Test
    void totalsAreTheSumsInMegabytes() {
        List<Node> nodes = List.of(
                node("n1", Map.of(), capacity("3500m", "128974848Ki", "102350Mi", null), "v1"),
                node("n2", Map.of(), capacity("2", "2G", "1000M", 2), "v1"),
                node("n3", Map.of(), capacity("64", "1Ti", "3Ti", null), "v1"));
        JsonNode doc = valid(DocumentDraft.build(SEED_FACTS, nodes));
        assertThat(doc.at("/nodes/nodeData/0/vcpus/count").asInt()).isEqualTo(3); // 3.5 rounds down, as verified
        assertThat(doc.at("/nodes/nodeData/0/memory").asLong()).isEqualTo(125952);
        assertThat(doc.at("/nodes/nodeData/1/memory").asLong()).isEqualTo(1907); // 2 GB = 1907.3 MiB
        assertThat(doc.at("/nodes/nodeData/1/storage/size").asLong()).isEqualTo(953);
        assertThat(doc.at("/vcpus/count").asInt()).isEqualTo(3 + 2 + 64);
        assertThat(doc.path("memory").asLong()).isEqualTo(125952 + 1907 + 1048576);
        assertThat(doc.at("/storage/size").asLong()).isEqualTo(102350 + 953 + 3145728);
        assertThat(doc.at("/storage/disks").asInt()).isEqualTo(3);
        assertThat(doc.at("/gpus/count").asInt()).isEqualTo(2);
        assertThat(doc.at("/network/txBandwidth").asLong()).isZero();
    }

    @Test
    void withoutIdAndRegionTheyArePlaceholdersUnlessTheNodesShareARegionLabel() {
        Map<String, String> west = Map.of(DocumentDraft.REGION_LABEL, "eu-west-1");
        DocumentDraft.Draft draft = DocumentDraft.build(
                new DocumentDraft.Facts(null, null, null),
                List.of(node("w1", west, capacity("4", "8Gi", "10Gi", null), "v1")));
        JsonNode doc = valid(draft);
        assertThat(doc.path("id").asString()).isEqualTo(DocumentDraft.ID_PLACEHOLDER);
        assertThat(doc.path("regionId").asString()).isEqualTo("eu-west-1");
        assertThat(draft.placeholders())
                .extracting(DocumentDraft.Placeholder::path)
                .contains("/id", "/clusterMetadata/additionalInfo/kubeadmVersion")
                .doesNotContain("/regionId");

        DocumentDraft.Draft mixed = DocumentDraft.build(
                new DocumentDraft.Facts("c1", null, null),
                List.of(
                        node("w1", west, capacity("4", "8Gi", "10Gi", null), "v1"),
                        node(
                                "w2",
                                Map.of(DocumentDraft.REGION_LABEL, "eu-west-2"),
                                capacity("4", "8Gi", "10Gi", null),
                                "v2")));
        JsonNode m = valid(mixed);
        assertThat(m.path("regionId").asString()).startsWith(DocumentDraft.FILL_IN);
        assertThat(mixed.placeholders())
                .extracting(DocumentDraft.Placeholder::path)
                .contains("/regionId");
        assertThat(m.at("/clusterMetadata/additionalInfo/kubeletVersion").asString())
                .isEqualTo("v1, v2");
    }

    @Test
    void aNodeWithoutStatusIsZerosAndPlaceholders() {
        DocumentDraft.Draft draft = DocumentDraft.build(SEED_FACTS, List.of(node("new", Map.of(), null, null)));
        JsonNode doc = valid(draft);
        assertThat(doc.at("/nodes/nodeData/0/vcpus/count").asInt()).isZero();
        assertThat(doc.at("/nodes/nodeData/0/storage/disks").asInt()).isZero();
        assertThat(draft.placeholders())
                .extracting(DocumentDraft.Placeholder::path)
                .contains("/nodes/nodeData/*/vcpus/count", "/nodes/nodeData/*/memory");
        assertThat(doc.at("/clusterMetadata/additionalInfo").has("kubeletVersion"))
                .isFalse();
        assertThat(draft.notes())
                .contains("node new reports no capacity (status.capacity): its vCPUs, memory and " + "storage are 0");

        // a status with conditions but no capacity yet (a node registered by hand, a kubelet not yet reporting)
        Node conditionsOnly = new NodeBuilder()
                .withNewMetadata()
                .withName("early")
                .endMetadata()
                .withNewStatus()
                .addNewCondition()
                .withType("Ready")
                .withStatus("True")
                .endCondition()
                .endStatus()
                .build();
        DocumentDraft.Draft early = DocumentDraft.build(SEED_FACTS, List.of(conditionsOnly));
        valid(early);
        assertThat(early.notes()).anyMatch(n -> n.startsWith("node early reports no capacity"));
        assertThat(early.placeholders())
                .extracting(DocumentDraft.Placeholder::path)
                .contains("/nodes/nodeData/*/vcpus/count");
    }

    @Test
    void swapIsReadWhenTheKubeletReportsIt() {
        Node n = node("s", Map.of(), capacity("4", "8Gi", "10Gi", null), "v1.30.0");
        n.getStatus().getNodeInfo().setSwap(new NodeSwapStatus(4L * 1024 * 1024 * 1024));
        DocumentDraft.Draft draft = DocumentDraft.build(SEED_FACTS, List.of(n));
        JsonNode doc = valid(draft);
        assertThat(doc.at("/nodes/nodeData/0/swap").asLong()).isEqualTo(4096);
        assertThat(doc.path("swap").asLong()).isEqualTo(4096);
        assertThat(draft.placeholders())
                .extracting(DocumentDraft.Placeholder::path)
                .doesNotContain("/nodes/nodeData/*/swap");
    }

    @Test
    void kubeadmsVersionIsReadFromItsClusterConfiguration() {
        assertThat(DocumentDraft.kubeadmVersion("apiServer: {}\nkubernetesVersion: v1.28.4\n"))
                .isEqualTo("v1.28.4");
        assertThat(DocumentDraft.kubeadmVersion("kubernetesVersion: v1.20.2")).isEqualTo("v1.20.2");
        assertThat(DocumentDraft.kubeadmVersion("clusterName: x")).isNull();
        assertThat(DocumentDraft.kubeadmVersion("[unclosed")).isNull();
        assertThat(DocumentDraft.kubeadmVersion(null)).isNull();
    }
}
