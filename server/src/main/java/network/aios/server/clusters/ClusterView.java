package network.aios.server.clusters;

import java.util.List;
import network.aios.api.FieldError;
import network.aios.store.ClusterRecord;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * How a stored cluster is shown: the owner's document, with the fields the server owns filled in
 * ({@code status}, {@code reputation}) and a {@code system} object (owner, version, timestamps, what
 * the client asked for, which policy version admitted it). Server-owned fields sent back in a PUT are
 * ignored, so GET → edit → PUT round-trips.
 */
public final class ClusterView {
    /** Top-level fields the server owns; what a client sends there is not stored as-is. */
    static final List<String> SERVER_OWNED = List.of("status", "reputation", "system");

    private ClusterView() {}

    public static ObjectNode of(ClusterRecord r) {
        ObjectNode view = r.document().deepCopy();
        view.put("status", r.status());
        view.put("reputation", r.reputation());
        ObjectNode system = view.putObject("system");
        system.put("owner", r.owner());
        system.put("version", r.version());
        system.put("createdAt", r.createdAt().toString());
        system.put("updatedAt", r.updatedAt().toString());
        if (r.requestedStatus() != null) {
            system.put("requestedStatus", r.requestedStatus());
        }
        ObjectNode admitted = system.putObject("admittedBy");
        admitted.put("action", r.policyAction());
        if (r.policyVersion() == null) {
            admitted.putNull("policyVersion");
        } else {
            admitted.put("policyVersion", r.policyVersion());
        }
        return view;
    }

    /**
     * The registered document as its owner wrote it (the validator's form): what the control plane keeps beside it
     * ({@code config.urlMap}, reputation, system) taken out, so it can be changed and validated again.
     */
    public static ObjectNode ownersDocument(ClusterRecord r) {
        ObjectNode doc = stored(r.document());
        if (doc.get("config") instanceof ObjectNode c) {
            c.remove("urlMap");
        }
        return doc;
    }

    /** The stored form of a validated document: server-owned fields removed. */
    static ObjectNode stored(ObjectNode validated) {
        ObjectNode doc = validated.deepCopy();
        SERVER_OWNED.forEach(doc::remove);
        return doc;
    }

    /**
     * Takes out of an owner's document what the server owns — {@code config.urlMap}, {@code reputation},
     * {@code system} — so a GET → edit → PUT round-trips and leaving them out keeps them. A changed
     * {@code config.urlMap} is an error (returned, pointer included): only infrastructure jobs set it.
     */
    static List<FieldError> keepServerOwned(ObjectNode input, ObjectNode current, String prefix) {
        List<FieldError> errors = new java.util.ArrayList<>();
        JsonNode config = input.get("config");
        if (config instanceof ObjectNode c && c.has("urlMap")) {
            if (!c.get("urlMap").equals(current.at("/config/urlMap"))) {
                errors.add(new FieldError(
                        prefix + "/config/urlMap",
                        "is set by the control plane when the "
                                + "cluster's infrastructure is ready; send it unchanged or leave it out"));
            }
            c.remove("urlMap");
        }
        // reputation and system change without the owner (heartbeats, jobs): what a client sends there is
        // ignored rather than compared, so an earlier GET still round-trips
        input.remove("reputation");
        input.remove("system");
        return errors;
    }

    static String requestedStatus(JsonNode validated) {
        JsonNode s = validated.get("status");
        return s == null || s.isNull() ? null : s.asString();
    }

    /** Errors found in a document sent inside an envelope point into the envelope. */
    static List<FieldError> prefixed(List<FieldError> errors, String prefix) {
        return errors.stream().map(e -> e.prefixed(prefix)).toList();
    }
}
