package network.aios.server.infra;

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

    /** "repaired 2 (Service aios-system/aios-mgmt recreated, …), pruned 1" or "nothing to repair". */
    static String summary(JsonNode receipt) {
        if (receipt == null
                || receipt.path("repaired").size()
                                + receipt.path("pruned").size()
                                + receipt.path("failed").size()
                        == 0) {
            return "nothing to repair";
        }
        StringBuilder b = new StringBuilder();
        if (receipt.path("repaired").size() > 0) {
            b.append("repaired ").append(receipt.path("repaired").size()).append(" (");
            for (int i = 0; i < receipt.path("repaired").size(); i++) {
                JsonNode r = receipt.path("repaired").get(i);
                b.append(i == 0 ? "" : ", ")
                        .append(r.path("object").asString())
                        .append(' ')
                        .append(r.path("outcome").asString());
            }
            b.append(')');
        }
        if (receipt.path("pruned").size() > 0) {
            b.append(b.length() == 0 ? "" : ", ")
                    .append("pruned ")
                    .append(receipt.path("pruned").size())
                    .append(" (")
                    .append(String.join(
                            ", ",
                            receipt.path("pruned")
                                    .valueStream()
                                    .map(JsonNode::asString)
                                    .toList()))
                    .append(')');
        }
        if (receipt.path("failed").size() > 0) {
            b.append(b.length() == 0 ? "" : ", ")
                    .append("failed ")
                    .append(receipt.path("failed").size())
                    .append(" (")
                    .append(String.join(
                            ", ",
                            receipt.path("failed")
                                    .valueStream()
                                    .map(f -> f.path("object").asString() + ": "
                                            + f.path("reason").asString())
                                    .toList()))
                    .append(')');
        }
        return b.toString();
    }

    private ArrayNode repaired() {
        return array("repaired");
    }

    private ArrayNode array(String name) {
        return receipt.has(name) ? (ArrayNode) receipt.get(name) : receipt.putArray(name);
    }
}
