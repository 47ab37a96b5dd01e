package network.aios.api;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/**
 * The typed view of a validated cluster document (sizes in MB). The JSON tree stays the source of
 * truth, so fields a client adds beyond these ("feel free to add more fields") are kept; this view
 * is what code reads.
 */
public record ClusterDocument(
        String id,
        String regionId,
        String status,
        Nodes nodes,
        GpuTotals gpus,
        Vcpus vcpus,
        long memory,
        long swap,
        Storage storage,
        Network network,
        Config config,
        List<String> tags,
        Metadata clusterMetadata,
        Double reputation) {

    public record Nodes(int count, List<Node> nodeData) {}

    public record Node(
            String id, NodeGpus gpus, Vcpus vcpus, long memory, long swap, Storage storage, Network network) {}

    public record NodeGpus(int count, long memory, List<Gpu> gpus, List<String> features, List<String> modelNames) {}

    public record Gpu(String modelName, long memory) {}

    public record GpuTotals(int count, long memory) {}

    public record Vcpus(int count) {}

    public record Storage(int disks, long size) {}

    public record Network(int interfaces, long txBandwidth, long rxBandwidth) {}

    public record CustomPolicySystem(String name, String version) {}

    public record Config(
            Boolean allowExternalNodes,
            String policyExecutorId,
            String policyExecutionMode,
            CustomPolicySystem customPolicySystem,
            String publicHostname,
            Boolean useGateway,
            Map<String, String> actionsPolicyMap,
            Map<String, String> urlMap) {
        public boolean gateway() {
            return Boolean.TRUE.equals(useGateway);
        }
    }

    public record Metadata(
            String name,
            String description,
            String owner,
            String email,
            List<String> countries,
            Map<String, Object> miscContactInfo,
            Map<String, Object> additionalInfo) {}

    /** Binds a document that {@link ClusterValidator} accepted. */
    public static ClusterDocument of(JsonNode validated) {
        return Json.MAPPER.treeToValue(validated, ClusterDocument.class);
    }

    /** Whether the owner allows nodes from outside the cluster's network to join ({@code config.allowExternalNodes}). */
    public boolean allowsExternalNodes() {
        return config != null && Boolean.TRUE.equals(config.allowExternalNodes());
    }

    public List<String> nodeIds() {
        return nodes.nodeData().stream().map(Node::id).toList();
    }

    /** Distinct GPU models over all nodes, in document order. */
    public Set<String> gpuModels() {
        Set<String> models = new LinkedHashSet<>();
        for (Node n : nodes.nodeData()) {
            if (n.gpus() != null && n.gpus().gpus() != null) {
                n.gpus().gpus().forEach(g -> models.add(g.modelName()));
            }
        }
        return models;
    }

    public List<String> tagsOrEmpty() {
        return tags == null ? List.of() : tags;
    }
}
