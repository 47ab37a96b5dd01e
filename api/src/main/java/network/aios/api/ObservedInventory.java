package network.aios.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;

/**
 * What a cluster's controller agent observed on the cluster itself and reports with each heartbeat:
 * every node with its {@code nodeID} label, readiness, capacity and allocatable (cpu as vCPUs,
 * memory and ephemeral storage in MB, {@code nvidia.com/gpu}), and the GPU model and memory from GPU
 * feature discovery's labels. The control plane compares it with the registered document
 * ({@link InventoryDiff}).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ObservedInventory(List<ObservedNode> nodes) {
    public ObservedInventory {
        nodes = nodes == null ? List.of() : List.copyOf(nodes);
    }

    /** One node as the agent saw it; {@code nodeId} is null when the node has no {@code nodeID} label. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ObservedNode(
            String name,
            String nodeId,
            boolean ready,
            boolean unschedulable,
            Resources capacity,
            Resources allocatable,
            Gpu gpu) {}

    /** vCPUs (whole, rounded down from millicores), memory and ephemeral storage in MB, GPUs. */
    public record Resources(double vcpus, long memoryMB, long ephemeralStorageMB, int gpus) {}

    /** From {@code nvidia.com/gpu.product}, {@code nvidia.com/gpu.memory} (MB per GPU), {@code nvidia.com/gpu.count}. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Gpu(String product, Long memoryMB, Integer count) {}

    /** A bound inventory, or the reasons it could not be bound (JSON pointers under the given prefix). */
    public record Bound(ObservedInventory inventory, List<FieldError> errors) {}

    /** Checks and binds a heartbeat's {@code inventory} once; never throws. */
    public static Bound bind(JsonNode n, String at) {
        List<FieldError> errors = shallow(n, at);
        if (!errors.isEmpty()) {
            return new Bound(null, errors);
        }
        try {
            return new Bound(of(n), List.of());
        } catch (tools.jackson.core.JacksonException e) {
            StringBuilder ptr = new StringBuilder(at);
            for (tools.jackson.core.JacksonException.Reference ref : e.getPath()) {
                ptr.append('/').append(ref.getPropertyName() != null ? ref.getPropertyName() : ref.getIndex());
            }
            return new Bound(
                    null,
                    List.of(new FieldError(
                            ptr.toString(),
                            "has the wrong type: numbers for counts "
                                    + "and sizes, strings for names, an object for gpu")));
        }
    }

    private static List<FieldError> shallow(JsonNode n, String at) {
        List<FieldError> errors = new ArrayList<>();
        if (n == null || !n.isObject()) {
            errors.add(new FieldError(at, "must be an object with a 'nodes' array"));
            return errors;
        }
        JsonNode nodes = n.get("nodes");
        if (nodes == null || !nodes.isArray()) {
            errors.add(new FieldError(at + "/nodes", "must be an array"));
            return errors;
        }
        for (int i = 0; i < nodes.size(); i++) {
            JsonNode node = nodes.get(i);
            String p = at + "/nodes/" + i;
            if (!node.isObject()) {
                errors.add(new FieldError(p, "must be an object"));
                continue;
            }
            if (!node.path("name").isString()) {
                errors.add(new FieldError(p + "/name", "is required: the node's name"));
            }
            for (String r : List.of("capacity", "allocatable")) {
                JsonNode res = node.get(r);
                if (res != null && !res.isNull() && !res.isObject()) {
                    errors.add(new FieldError(p + "/" + r, "must be an object"));
                }
            }
        }
        return errors;
    }

    public static ObservedInventory of(JsonNode checked) {
        return Json.MAPPER.treeToValue(checked, ObservedInventory.class);
    }
}
