package network.aios.api;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A registered document with one node more or one node less: the node is checked as a {@code /nodes/nodeData}
 * entry is, and the node count and every cluster total are summed again, so the result is a document the validator
 * accepts as it stands. Pure; never throws for bad input.
 */
public final class NodeChange {
    private NodeChange() {}

    /** The changed document, or the reasons it could not be made (pointers under {@code at} for the node). */
    public record Result(ObjectNode document, List<FieldError> errors) {
        public boolean valid() {
            return errors.isEmpty();
        }
    }

    /**
     * {@code document} with {@code node} appended; the node's errors are reported under {@code at} (e.g.
     * {@code /node}), a node id the document already has included.
     */
    public static Result add(JsonNode document, JsonNode node, String at) {
        if (node == null || !node.isObject()) {
            return new Result(null, List.of(new FieldError(at, "must be an object describing one node")));
        }
        ObjectNode doc = (ObjectNode) document.deepCopy();
        ArrayNode data = nodeData(doc);
        int index = data.size();
        data.add(node.deepCopy());
        return revalidate(doc, "/nodes/nodeData/" + index, at);
    }

    /** {@code document} without the node {@code nodeId}; empty when it has no such node. */
    public static Optional<Result> remove(JsonNode document, String nodeId) {
        ObjectNode doc = (ObjectNode) document.deepCopy();
        ArrayNode data = nodeData(doc);
        for (int i = 0; i < data.size(); i++) {
            if (nodeId.equals(data.get(i).path("id").asString(null))) {
                data.remove(i);
                return Optional.of(revalidate(doc, null, null));
            }
        }
        return Optional.empty();
    }

    private static ArrayNode nodeData(ObjectNode doc) {
        JsonNode nodes = doc.path("nodes");
        if (!(nodes instanceof ObjectNode o) || !(o.get("nodeData") instanceof ArrayNode a)) {
            throw new IllegalArgumentException("not a registered document: it has no /nodes/nodeData");
        }
        return a;
    }

    /** Drops the node count and the totals, validates, and maps the changed node's errors to {@code at}. */
    private static Result revalidate(ObjectNode doc, String nodeAt, String at) {
        // set to null, not removed: validation fills them in where they were, so the document keeps its order
        ((ObjectNode) doc.get("nodes")).putNull("count");
        for (String total : ClusterValidator.totalPaths()) {
            int slash = total.lastIndexOf('/');
            JsonNode parent = slash == 0 ? doc : doc.at(total.substring(0, slash));
            String field = total.substring(slash + 1);
            if (parent instanceof ObjectNode o && o.has(field)) {
                o.putNull(field);
            }
        }
        ClusterValidator.Result r = new ClusterValidator().validate(doc);
        List<FieldError> errors = new ArrayList<>();
        for (FieldError e : r.errors()) {
            if (nodeAt != null && (e.path().equals(nodeAt) || e.path().startsWith(nodeAt + "/"))) {
                errors.add(new FieldError(at + e.path().substring(nodeAt.length()), e.message()));
            } else {
                errors.add(e);
            }
        }
        return new Result(r.document(), errors);
    }
}
