package network.aios.server.pull;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import network.aios.api.FieldError;
import network.aios.api.Json;
import network.aios.server.domain.DomainException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** A pull agent's report as sent (docs/PULL.md), checked field by field: pointers name what was wrong. */
record PullReport(String revision, List<Result> results, List<String> notReady, boolean removed) {
    private static final Set<String> OUTCOMES =
            Set.of("created", "patched", "unchanged", "pruned", "deleted", "failed");

    record Result(
            String apiVersion,
            String kind,
            String namespace,
            String name,
            String uid,
            String revision,
            String outcome,
            String error) {
        String key() {
            return kind + " " + (namespace == null ? "" : namespace) + "/" + name;
        }

        boolean gone() {
            return outcome.equals("pruned") || outcome.equals("deleted");
        }
    }

    /** What the agent re-created or put back, of the objects the desired set names ({@code known} keys). */
    List<String> changed(java.util.Set<String> known) {
        return results.stream()
                .filter(r -> r.outcome().equals("created") || r.outcome().equals("patched"))
                .filter(r -> known.contains(r.key()))
                .map(r -> r.outcome() + " " + r.key())
                .toList();
    }

    /** The report as kept with the join: what was sent and checked, nothing else. */
    ObjectNode toJson() {
        ObjectNode out = Json.object().put("revision", revision).put("removed", removed);
        ArrayNode nr = out.putArray("notReady");
        notReady.forEach(nr::add);
        ArrayNode rs = out.putArray("results");
        for (Result x : results) {
            rs.addObject()
                    .put("apiVersion", x.apiVersion())
                    .put("kind", x.kind())
                    .put("namespace", x.namespace())
                    .put("name", x.name())
                    .put("uid", x.uid())
                    .put("outcome", x.outcome())
                    .put("error", x.error());
        }
        return out;
    }

    List<Result> failed() {
        return results.stream().filter(r -> r.outcome().equals("failed")).toList();
    }

    static PullReport parse(JsonNode body) {
        List<FieldError> errors = new ArrayList<>();
        if (body == null || !body.isObject()) {
            throw DomainException.invalid(List.of(new FieldError("", "must be a JSON object")));
        }
        String revision = text(body, "/revision", errors, true);
        List<Result> results = new ArrayList<>();
        JsonNode rs = body.path("results");
        if (!rs.isArray() || rs.size() > 10_000) {
            errors.add(new FieldError("/results", "must be an array of at most 10000 results"));
        } else {
            for (int i = 0; i < rs.size(); i++) {
                JsonNode n = rs.get(i);
                String p = "/results/" + i;
                String outcome = text(n, p + "/outcome", errors, true);
                if (outcome != null && !OUTCOMES.contains(outcome)) {
                    errors.add(new FieldError(p + "/outcome", "must be one of " + new java.util.TreeSet<>(OUTCOMES)));
                }
                results.add(new Result(
                        text(n, p + "/apiVersion", errors, true),
                        text(n, p + "/kind", errors, true),
                        text(n, p + "/namespace", errors, false),
                        text(n, p + "/name", errors, true),
                        text(n, p + "/uid", errors, false),
                        revisionOf(n, p, errors),
                        outcome,
                        text(n, p + "/error", errors, false)));
            }
        }
        List<String> notReady = new ArrayList<>();
        JsonNode nr = body.path("notReady");
        if (!nr.isMissingNode() && !nr.isArray()) {
            errors.add(new FieldError("/notReady", "must be an array of strings"));
        } else {
            for (int i = 0; i < nr.size(); i++) {
                if (!nr.get(i).isString()) {
                    errors.add(new FieldError("/notReady/" + i, "must be a string"));
                } else {
                    notReady.add(nr.get(i).asString());
                }
            }
        }
        JsonNode removed = body.path("removed");
        if (!removed.isMissingNode() && !removed.isBoolean()) {
            errors.add(new FieldError("/removed", "must be true or false"));
        }
        if (!errors.isEmpty()) {
            throw DomainException.invalid(errors);
        }
        return new PullReport(revision, results, notReady, removed.asBoolean(false));
    }

    /** The object's revision as push mode records it: its generation where it has one, else its version. */
    private static String revisionOf(JsonNode n, String pointer, List<FieldError> errors) {
        JsonNode g = n.path("generation");
        if (!g.isMissingNode() && !g.isNull() && !(g.isIntegralNumber() && g.canConvertToLong())) {
            errors.add(new FieldError(pointer + "/generation", "must be a whole number"));
            return null;
        }
        if (g.asLong(0) > 0) {
            return "g" + g.asLong();
        }
        String rv = text(n, pointer + "/resourceVersion", errors, false);
        return rv == null ? null : "rv" + rv;
    }

    private static String text(JsonNode n, String pointer, List<FieldError> errors, boolean required) {
        JsonNode v = n.at(pointer.substring(pointer.lastIndexOf('/')));
        if (v.isMissingNode() || v.isNull()) {
            if (required) {
                errors.add(new FieldError(pointer, "is required"));
            }
            return null;
        }
        int max = pointer.endsWith("/error") ? 1000 : 253; // Kubernetes names, versions and uids are shorter
        if (!v.isString() || v.asString().length() > max || v.asString().chars().anyMatch(c -> c < 0x20)) {
            errors.add(new FieldError(
                    pointer, "must be a string of at most " + max + " characters, without control characters"));
            return null;
        }
        return v.asString();
    }
}
