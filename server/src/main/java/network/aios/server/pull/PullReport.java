package network.aios.server.pull;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import network.aios.api.FieldError;
import network.aios.api.Json;
import network.aios.member.desired.NodeJoin;
import network.aios.member.desired.NodeJoinWork;
import network.aios.server.domain.DomainException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A pull agent's report as sent (docs/PULL.md), checked field by field: pointers name what was wrong. What it says
 * about bootstrap tokens ({@code nodeJoins}) and the cluster's join endpoint ({@code clusterInfo}) is the agent's
 * word; each is held to its shape here, and a token result touches only the reporting cluster's own joins.
 */
record PullReport(
        String revision,
        List<Result> results,
        List<String> notReady,
        boolean removed,
        List<NodeJoinResult> nodeJoins,
        NodeJoin.ClusterInfo clusterInfo) {
    private static final Set<String> OUTCOMES =
            Set.of("created", "patched", "unchanged", "pruned", "deleted", "failed");
    /** What became of a bootstrap Secret: made, deleted, found gone (404), or not done. */
    static final Set<String> NODE_JOIN_OUTCOMES = Set.of("created", "deleted", "gone", "failed");
    /** More than the desired state ever asks for at once (a cluster's tokens in flight, and Secrets to delete). */
    static final int MAX_NODE_JOINS = 200;

    private static final Pattern SECRET_NAME = Pattern.compile("bootstrap-token-[a-z0-9]{6}");

    /** One line of {@code nodeJoins}: the Secret {@code bootstrap-token-<tokenId>} and what the agent did. */
    record NodeJoinResult(String name, String uid, String resourceVersion, String outcome, String message) {
        /** The token id the Secret's name carries. */
        String tokenId() {
            return name.substring("bootstrap-token-".length());
        }
    }

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
        if (clusterInfo != null) {
            out.putObject("clusterInfo")
                    .put("endpoint", clusterInfo.endpoint())
                    .put("caCertHash", clusterInfo.caCertHash());
        }
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
        List<NodeJoinResult> nodeJoins = nodeJoins(body.path("nodeJoins"), errors);
        NodeJoin.ClusterInfo clusterInfo = clusterInfo(body.path("clusterInfo"), "/clusterInfo", errors);
        if (!errors.isEmpty()) {
            throw DomainException.invalid(errors);
        }
        return new PullReport(revision, results, notReady, removed.asBoolean(false), nodeJoins, clusterInfo);
    }

    private static List<NodeJoinResult> nodeJoins(JsonNode njs, List<FieldError> errors) {
        List<NodeJoinResult> out = new ArrayList<>();
        if (njs.isMissingNode() || njs.isNull()) {
            return out;
        }
        if (!njs.isArray() || njs.size() > MAX_NODE_JOINS) {
            errors.add(new FieldError("/nodeJoins", "must be an array of at most " + MAX_NODE_JOINS + " results"));
            return out;
        }
        for (int i = 0; i < njs.size(); i++) {
            JsonNode n = njs.get(i);
            String p = "/nodeJoins/" + i;
            if (!n.isObject()) {
                errors.add(new FieldError(p, "must be an object"));
                continue;
            }
            String name = text(n, p + "/name", errors, true);
            if (name != null && !SECRET_NAME.matcher(name).matches()) {
                errors.add(
                        new FieldError(p + "/name", "must be a bootstrap token Secret's name, bootstrap-token-<id>"));
                name = null;
            }
            String outcome = text(n, p + "/outcome", errors, true);
            if (outcome != null && !NODE_JOIN_OUTCOMES.contains(outcome)) {
                errors.add(new FieldError(
                        p + "/outcome", "must be one of " + new java.util.TreeSet<>(NODE_JOIN_OUTCOMES)));
                outcome = null;
            }
            boolean created = "created".equals(outcome);
            String uid = text(n, p + "/uid", errors, created);
            String rv = text(n, p + "/resourceVersion", errors, created);
            String message = text(n, p + "/message", errors, false);
            if (name != null && outcome != null) {
                out.add(new NodeJoinResult(name, uid, rv, outcome, message));
            }
        }
        return out;
    }

    /** {@code {"endpoint": "host:port", "caCertHash": "sha256:<64 hex>"}}; null when absent. */
    private static NodeJoin.ClusterInfo clusterInfo(JsonNode n, String p, List<FieldError> errors) {
        if (n.isMissingNode() || n.isNull()) {
            return null;
        }
        if (!n.isObject()) {
            errors.add(new FieldError(
                    p, "must be an object: {\"endpoint\": \"host:port\", \"caCertHash\": \"sha256:...\"}"));
            return null;
        }
        String endpoint = text(n, p + "/endpoint", errors, true);
        if (endpoint != null && !NodeJoinWork.endpointWellFormed(endpoint)) {
            errors.add(new FieldError(
                    p + "/endpoint",
                    "must be host:port (a DNS name, an IPv4 address or [an IPv6 address]; port 1-65535)"));
            endpoint = null;
        }
        String hash = text(n, p + "/caCertHash", errors, true);
        if (hash != null && !NodeJoinWork.caCertHashWellFormed(hash)) {
            errors.add(new FieldError(p + "/caCertHash", "must be sha256: and 64 lowercase hex digits"));
            hash = null;
        }
        return endpoint == null || hash == null ? null : new NodeJoin.ClusterInfo(endpoint, hash);
    }

    /** The {@code clusterInfo} of a report as kept by {@link #toJson()}; empty when it has none (or it is not one). */
    static Optional<NodeJoin.ClusterInfo> clusterInfoOf(String stored) {
        if (stored == null) {
            return Optional.empty();
        }
        try {
            JsonNode n = Json.MAPPER.readTree(stored).path("clusterInfo");
            List<FieldError> errors = new ArrayList<>();
            NodeJoin.ClusterInfo info = clusterInfo(n, "/clusterInfo", errors);
            return errors.isEmpty() ? Optional.ofNullable(info) : Optional.empty();
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    /** This report, with {@code previous}'s cluster info when it names none of its own (the agent sends changes). */
    PullReport withClusterInfoFrom(String previous) {
        if (clusterInfo != null) {
            return this;
        }
        return clusterInfoOf(previous)
                .map(info -> new PullReport(revision, results, notReady, removed, nodeJoins, info))
                .orElse(this);
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
        int max = pointer.endsWith("/error") || pointer.endsWith("/message")
                ? 1000
                : 253; // Kubernetes names, versions and uids are shorter
        if (!v.isString() || v.asString().length() > max || v.asString().chars().anyMatch(c -> c < 0x20)) {
            errors.add(new FieldError(
                    pointer, "must be a string of at most " + max + " characters, without control characters"));
            return null;
        }
        return v.asString();
    }
}
