package network.aios.member;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Quantity;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import network.aios.api.ObservedInventory;

/** A cluster's nodes as the network describes them: pure, from fabric8's Node objects. */
public final class NodeInventory {
    public static final String NODE_ID_LABEL = "nodeID";
    public static final String GPU_RESOURCE = "nvidia.com/gpu";
    public static final String GPU_PRODUCT_LABEL = "nvidia.com/gpu.product";
    public static final String GPU_MEMORY_LABEL = "nvidia.com/gpu.memory";
    public static final String GPU_COUNT_LABEL = "nvidia.com/gpu.count";
    private static final BigDecimal MB = BigDecimal.valueOf(1024L * 1024L);

    private NodeInventory() {}

    public static ObservedInventory of(List<Node> nodes) {
        return new ObservedInventory(nodes.stream()
                .sorted((a, b) ->
                        a.getMetadata().getName().compareTo(b.getMetadata().getName()))
                .map(NodeInventory::node)
                .toList());
    }

    public static ObservedInventory.ObservedNode node(Node n) {
        Map<String, String> labels =
                n.getMetadata().getLabels() == null ? Map.of() : n.getMetadata().getLabels();
        boolean ready = n.getStatus() != null
                && n.getStatus().getConditions() != null
                && n.getStatus().getConditions().stream()
                        .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
        boolean unschedulable =
                n.getSpec() != null && Boolean.TRUE.equals(n.getSpec().getUnschedulable());
        ObservedInventory.Gpu gpu = null;
        if (labels.containsKey(GPU_PRODUCT_LABEL) || labels.containsKey(GPU_COUNT_LABEL)) {
            gpu = new ObservedInventory.Gpu(
                    labels.get(GPU_PRODUCT_LABEL),
                    longOrNull(labels.get(GPU_MEMORY_LABEL)),
                    intOrNull(labels.get(GPU_COUNT_LABEL)));
        }
        return new ObservedInventory.ObservedNode(
                n.getMetadata().getName(),
                labels.get(NODE_ID_LABEL),
                ready,
                unschedulable,
                resources(n.getStatus() == null ? null : n.getStatus().getCapacity()),
                resources(n.getStatus() == null ? null : n.getStatus().getAllocatable()),
                gpu);
    }

    static ObservedInventory.Resources resources(Map<String, Quantity> q) {
        if (q == null) {
            return null;
        }
        return new ObservedInventory.Resources(
                amount(q.get("cpu")).doubleValue(),
                amount(q.get("memory")).divide(MB, java.math.RoundingMode.DOWN).longValue(),
                amount(q.get("ephemeral-storage"))
                        .divide(MB, java.math.RoundingMode.DOWN)
                        .longValue(),
                amount(q.get(GPU_RESOURCE)).intValue());
    }

    public static BigDecimal amount(Quantity q) {
        return q == null ? BigDecimal.ZERO : Quantity.getAmountInBytes(q);
    }

    private static Long longOrNull(String s) {
        try {
            return s == null ? null : Long.parseLong(s.trim());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static Integer intOrNull(String s) {
        Long l = longOrNull(s);
        return l == null ? null : l.intValue();
    }
}
