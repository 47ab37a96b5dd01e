package network.aios.server.engine;

import java.util.List;
import java.util.Optional;
import network.aios.api.Json;
import network.aios.member.ClusterOps;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * What an apply changed besides bringing objects to their desired state the first time: objects a
 * resync found deleted ({@code recreated}) or changed ({@code reverted}) on the member cluster, objects it
 * brought to a changed desired state ({@code updated}: not a repair), and objects the desired state no longer
 * has ({@code pruned}). Kept in the job's receipt.
 */
final class Repairs {
    private final ObjectNode receipt;

    Repairs(JsonNode previous) {
        this.receipt = previous instanceof ObjectNode o ? o.deepCopy() : Json.object();
    }

    /**
     * {@code after}: what the apply found and left; {@code recorded}: what
     * the control plane's last apply left (null: not known). An object found as the control plane left it and
     * changed by this apply was not repaired: the desired state changed (a renewed certificate, an edited
     * registration), and it is {@code updated}. One whose uid is not the recorded one replaced the recorded
     * object, which was deleted: {@code recreated}, even when this apply found it already there (an apply that
     * a crash cut off before it recorded what it made).
     */
    void compare(ClusterOps.Applied after, network.aios.store.InventoryStore.InventoryItem recorded) {
        Optional<String> before = after.before();
        boolean replaced = recorded != null
                && recorded.uid() != null
                && after.ref().uid() != null
                && !recorded.uid().equals(after.ref().uid());
        if (before.isEmpty() && recorded == null) {
            // never applied before: the desired state grew (a gateway route added), nothing was repaired
            array("added").add(after.ref().toString());
        } else if (before.isEmpty() || replaced) {
            repaired().addObject().put("object", after.ref().toString()).put("outcome", "recreated");
        } else if (!before.get().equals(after.revision())) {
            boolean ours = recorded != null && before.get().equals(recorded.revision());
            (ours ? array("updated") : repaired())
                    .addObject()
                    .put("object", after.ref().toString())
                    .put("outcome", ours ? "updated" : "reverted");
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
                        + receipt.path("added").size()
                        + receipt.path("updated").size()
                        + receipt.path("pruned").size()
                        + receipt.path("failed").size()
                > 0;
    }

    /**
     * Whether all this found is the same refused objects as {@code previous} (the last resync's receipt): a
     * route the owner's gateway keeps refusing is reported once, not by every resync.
     */
    boolean onlyFailedAsBefore(java.util.function.Supplier<Optional<JsonNode>> previous) {
        return receipt.path("failed").size() > 0
                && receipt.path("repaired").isEmpty()
                && receipt.path("added").isEmpty()
                && receipt.path("updated").isEmpty()
                && receipt.path("pruned").isEmpty()
                // read only when it can matter: most resyncs refuse nothing
                && previous.get()
                        .map(p -> receipt.path("failed").equals(p.path("failed")))
                        .orElse(false);
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
            part(
                    parts,
                    "updated",
                    receipt.path("updated"),
                    r -> r.path("object").asString());
            part(parts, "added", receipt.path("added"), JsonNode::asString);
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
