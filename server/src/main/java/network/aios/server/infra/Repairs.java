package network.aios.server.infra;

import java.util.List;
import java.util.Optional;
import network.aios.api.Json;
import network.aios.infra.ClusterOps;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * What an apply changed besides bringing objects to their desired state the first time: objects a
 * resync found deleted ({@code recreated}) or changed ({@code reverted}) on the member cluster, and
 * objects the desired state no longer has ({@code pruned}). Kept in the job's receipt.
 */
final class Repairs {
    private final ObjectNode receipt;

    Repairs(JsonNode previous) {
        this.receipt = previous instanceof ObjectNode o ? o.deepCopy() : Json.object();
    }

    /** {@code before}: the object's revision before the apply; empty if it did not exist. */
    void compare(ClusterOps.Applied after, Optional<String> before) {
        if (before.isEmpty()) {
            repaired().addObject().put("object", after.ref().toString()).put("outcome", "recreated");
        } else if (!before.get().equals(after.revision())) {
            repaired().addObject().put("object", after.ref().toString()).put("outcome", "reverted");
        }
    }

    void pruned(String object) {
        array("pruned").add(object);
    }

    /** An object the cluster refused (a route's Mapping): recorded, not retried until the next apply. */
    void failed(String object, String reason) {
        array("failed").addObject().put("object", object).put("reason", reason);
    }

    boolean any() {
        return receipt.path("repaired").size()
                        + receipt.path("pruned").size()
                        + receipt.path("failed").size()
                > 0;
    }

    ObjectNode receipt() {
        return receipt;
    }

    String summary() {
        return summary(receipt);
    }

    /** "repaired 2 (Service aios-system/aios-mgmt recreated, …), pruned 1 (…)" or "nothing to repair". */
    static String summary(JsonNode receipt) {
        List<String> parts = new java.util.ArrayList<>();
        if (receipt != null) {
            part(
                    parts,
                    "repaired",
                    receipt.path("repaired"),
                    r -> r.path("object").asString() + " " + r.path("outcome").asString());
            part(parts, "pruned", receipt.path("pruned"), JsonNode::asString);
            part(
                    parts,
                    "failed",
                    receipt.path("failed"),
                    f -> f.path("object").asString() + ": " + f.path("reason").asString());
        }
        return parts.isEmpty() ? "nothing to repair" : String.join(", ", parts);
    }

    /** "label n (item, item)", when there are any. */
    private static void part(
            List<String> parts, String label, JsonNode items, java.util.function.Function<JsonNode, String> item) {
        if (items.size() > 0) {
            parts.add(label + " " + items.size() + " ("
                    + String.join(", ", items.valueStream().map(item).toList()) + ")");
        }
    }

    private ArrayNode repaired() {
        return array("repaired");
    }

    private ArrayNode array(String name) {
        return receipt.has(name) ? (ArrayNode) receipt.get(name) : receipt.putArray(name);
    }
}
