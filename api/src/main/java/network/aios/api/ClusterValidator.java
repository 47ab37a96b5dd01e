package network.aios.api;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Semantic validation of a cluster document. Reports every problem at once, each at a JSON pointer,
 * and returns the normalised document: totals the client left out are computed from the nodes.
 * Never throws on any JSON input.
 */
public final class ClusterValidator {
    private static final Pattern EMAIL = Pattern.compile("[^@\\s]+@[^@\\s]+\\.[^@\\s]+");
    private static final Set<String> EXECUTION_MODES = Set.of("local", "remote");

    /** Counts of things (nodes, GPUs, vCPUs, disks, interfaces), and their totals, fit the typed document's int. */
    static final long MAX_COUNT = Integer.MAX_VALUE;

    private static final Set<String> COUNTS = Set.of("count", "disks", "interfaces");

    /** The node-level quantity behind each cluster total: (total path, node path). */
    private static final List<String[]> TOTALS = List.of(
            new String[] {"/gpus/count", "/gpus/count"},
            new String[] {"/gpus/memory", "/gpus/memory"},
            new String[] {"/vcpus/count", "/vcpus/count"},
            new String[] {"/memory", "/memory"},
            new String[] {"/swap", "/swap"},
            new String[] {"/storage/disks", "/storage/disks"},
            new String[] {"/storage/size", "/storage/size"},
            new String[] {"/network/interfaces", "/network/interfaces"},
            new String[] {"/network/txBandwidth", "/network/txBandwidth"},
            new String[] {"/network/rxBandwidth", "/network/rxBandwidth"});

    public record Result(ObjectNode document, List<FieldError> errors) {
        public boolean valid() {
            return errors.isEmpty();
        }
    }

    public Result validate(JsonNode input) {
        Run run = new Run();
        if (input == null || !input.isObject()) {
            run.error("", "the cluster document must be a JSON object");
            return new Result(Json.object(), run.errors);
        }
        ObjectNode doc = (ObjectNode) input.deepCopy();
        String id = run.string(doc, "", "id", true);
        if (id != null && !Names.isDns1123Label(id)) {
            run.error(
                    "/id",
                    "must be a DNS-1123 label (lower-case letters, digits and '-', starting and ending "
                            + "with a letter or digit, at most 63 characters), since it names Kubernetes objects");
        }
        run.string(doc, "", "regionId", true);
        String status = run.string(doc, "", "status", false);
        if (status != null && ClusterStatus.fromWire(status).isEmpty()) {
            run.error("/status", "unknown status '" + status + "'; known: " + ClusterStatus.known());
        }
        List<ObjectNode> nodes = nodes(run, doc);
        totals(run, doc, nodes);
        config(run, doc);
        run.stringArray(doc, "", "tags", false);
        metadata(run, doc);
        if (doc.has("reputation")) {
            JsonNode r = doc.get("reputation");
            if (!r.isNumber() || r.asDouble() < 0) {
                run.error("/reputation", "must be a non-negative number");
            }
        }
        return new Result(doc, run.errors);
    }

    private static List<ObjectNode> nodes(Run run, ObjectNode doc) {
        List<ObjectNode> valid = new ArrayList<>();
        ObjectNode nodes = run.object(doc, "", "nodes", true);
        if (nodes == null) {
            return null;
        }
        ArrayNode data = run.array(nodes, "/nodes", "nodeData", true);
        if (data == null) {
            return null;
        }
        if (data.isEmpty()) {
            run.error("/nodes/nodeData", "must list at least one node");
        }
        Long count = run.count(nodes, "/nodes", "count", false);
        if (count == null && !nodes.hasNonNull("count")) {
            nodes.put("count", data.size());
        } else if (count != null && count != data.size()) {
            run.error(
                    "/nodes/count",
                    "must equal the number of entries in /nodes/nodeData: expected " + data.size() + ", got " + count);
        }
        Map<String, Integer> seen = new HashMap<>();
        boolean allValid = true;
        for (int i = 0; i < data.size(); i++) {
            String at = Pointer.child("/nodes/nodeData", i);
            JsonNode n = data.get(i);
            if (!n.isObject()) {
                run.error(at, "must be an object describing one node");
                allValid = false;
                continue;
            }
            int before = run.errors.size();
            node(run, (ObjectNode) n, at, seen, i);
            if (run.errors.size() == before) {
                valid.add((ObjectNode) n);
            } else {
                allValid = false;
            }
        }
        return allValid ? valid : null;
    }

    private static void node(Run run, ObjectNode n, String at, Map<String, Integer> seen, int index) {
        String nodeId = run.string(n, at, "id", true);
        if (nodeId != null) {
            if (!Names.isLabelValue(nodeId)) {
                run.error(
                        at + "/id",
                        "must be a valid Kubernetes label value (at most 63 characters: letters, "
                                + "digits, '-', '_', '.', starting and ending with a letter or digit): nodes carry it "
                                + "as their nodeID label");
            }
            Integer first = seen.putIfAbsent(nodeId, index);
            if (first != null) {
                run.error(at + "/id", "duplicates the id of /nodes/nodeData/" + first + ": node ids must be unique");
            }
        }
        ObjectNode gpus = run.object(n, at, "gpus", false);
        if (gpus != null) {
            nodeGpus(run, gpus, at + "/gpus");
        }
        ObjectNode vcpus = run.object(n, at, "vcpus", true);
        if (vcpus != null) {
            run.count(vcpus, at + "/vcpus", "count", true);
        }
        run.count(n, at, "memory", true);
        run.count(n, at, "swap", false);
        ObjectNode storage = run.object(n, at, "storage", false);
        if (storage != null) {
            run.count(storage, at + "/storage", "disks", false);
            run.count(storage, at + "/storage", "size", false);
        }
        ObjectNode network = run.object(n, at, "network", false);
        if (network != null) {
            run.count(network, at + "/network", "interfaces", false);
            run.count(network, at + "/network", "txBandwidth", false);
            run.count(network, at + "/network", "rxBandwidth", false);
        }
    }

    private static void nodeGpus(Run run, ObjectNode gpus, String at) {
        Long count = run.count(gpus, at, "count", false);
        Long memory = run.count(gpus, at, "memory", false);
        run.stringArray(gpus, at, "features", false);
        List<String> declaredModels = run.stringArray(gpus, at, "modelNames", false);
        ArrayNode list = run.array(gpus, at, "gpus", false);
        if (list == null) {
            if (!gpus.has("gpus") && count != null && count > 0) {
                run.error(at + "/gpus", "is required when count > 0: one entry {modelName, memory} per GPU");
            }
            if (!gpus.hasNonNull("count") && !gpus.has("gpus")) {
                gpus.put("count", 0);
            }
            return;
        }
        long sum = 0;
        boolean sumKnown = true;
        Set<String> models = new LinkedHashSet<>();
        for (int g = 0; g < list.size(); g++) {
            String gat = Pointer.child(at + "/gpus", g);
            JsonNode gpu = list.get(g);
            if (!gpu.isObject()) {
                run.error(gat, "must be an object {modelName, memory}");
                sumKnown = false;
                continue;
            }
            String model = run.string((ObjectNode) gpu, gat, "modelName", true);
            if (model != null) {
                models.add(model);
            }
            Long m = run.count((ObjectNode) gpu, gat, "memory", true);
            if (m == null) {
                sumKnown = false;
            } else if (sumKnown) {
                try {
                    sum = Math.addExact(sum, m);
                } catch (ArithmeticException e) {
                    run.error(at + "/memory", "the sum of the GPUs' memory (MB) is too large");
                    sumKnown = false;
                }
            }
        }
        if (count == null && !gpus.hasNonNull("count")) {
            gpus.put("count", list.size());
        } else if (count != null && count != list.size()) {
            run.error(
                    at + "/count",
                    "must equal the number of entries in " + at + "/gpus: expected " + list.size() + ", got " + count);
        }
        if (sumKnown) {
            if (memory == null && !gpus.hasNonNull("memory")) {
                gpus.put("memory", sum);
            } else if (memory != null && memory != sum) {
                run.error(
                        at + "/memory",
                        "must equal the sum of the GPUs' memory (MB): expected " + sum + ", got " + memory);
            }
        }
        if (declaredModels == null && !gpus.hasNonNull("modelNames")) {
            ArrayNode names = gpus.putArray("modelNames");
            models.forEach(names::add);
        } else if (declaredModels != null && !new LinkedHashSet<>(declaredModels).equals(models)) {
            run.error(
                    at + "/modelNames",
                    "must list the distinct model names of " + at + "/gpus: expected " + models + ", got "
                            + declaredModels);
        }
    }

    /** Where the cluster totals are (JSON pointers): a change of nodes drops them and lets validation sum again. */
    static List<String> totalPaths() {
        return TOTALS.stream().map(t -> t[0]).toList();
    }

    /** Cluster totals equal the sums over nodes; totals left out are filled in. */
    private static void totals(Run run, ObjectNode doc, List<ObjectNode> nodes) {
        for (String[] t : TOTALS) {
            String total = t[0];
            String[] parts = total.substring(1).split("/");
            ObjectNode parent = doc;
            String parentAt = "";
            boolean parentOk = true;
            for (int i = 0; i < parts.length - 1; i++) {
                JsonNode child = parent.get(parts[i]);
                parentAt = parentAt + "/" + parts[i];
                if (child == null || child.isNull()) {
                    child = nodes == null ? null : parent.putObject(parts[i]);
                } else if (!child.isObject()) {
                    run.errorOnce(parentAt, "must be an object");
                    parentOk = false;
                    break;
                }
                if (child == null) {
                    parentOk = false;
                    break;
                }
                parent = (ObjectNode) child;
            }
            if (!parentOk) {
                continue;
            }
            String field = parts[parts.length - 1];
            Long given = run.count(parent, parentAt, field, false);
            if (nodes == null) {
                continue;
            }
            long sum = 0;
            try {
                for (ObjectNode n : nodes) {
                    JsonNode v = n.at(t[1]);
                    sum = Math.addExact(sum, v.isMissingNode() || v.isNull() ? 0 : v.longValue());
                }
            } catch (ArithmeticException e) {
                sum = Long.MAX_VALUE; // reported below as too large
            }
            long limit = COUNTS.contains(field) ? MAX_COUNT : Long.MAX_VALUE - 1;
            if (sum > limit) {
                run.error(total, "the sum over /nodes/nodeData of " + t[1] + " is more than " + limit);
            } else if (given == null && !parent.hasNonNull(field)) {
                parent.put(field, sum); // missing or null: filled in (a null total would be read as 0)
            } else if (given != null && given != sum) {
                run.error(
                        total,
                        "must equal the sum over /nodes/nodeData of " + t[1] + ": expected " + sum + ", got " + given);
            }
        }
    }

    private static void config(Run run, ObjectNode doc) {
        ObjectNode config = run.object(doc, "", "config", false);
        if (config == null) {
            return;
        }
        run.bool(config, "/config", "allowExternalNodes");
        run.bool(config, "/config", "useGateway");
        String executor = run.string(config, "/config", "policyExecutorId", false);
        String mode = run.string(config, "/config", "policyExecutionMode", false);
        if (mode != null && !EXECUTION_MODES.contains(mode)) {
            run.error("/config/policyExecutionMode", "must be one of local, remote; got '" + mode + "'");
        }
        if ("remote".equals(mode) && executor == null && !config.has("policyExecutorId")) {
            run.error("/config/policyExecutorId", "is required when policyExecutionMode is remote");
        }
        ObjectNode custom = run.object(config, "/config", "customPolicySystem", false);
        if (custom != null) {
            run.string(custom, "/config/customPolicySystem", "name", false);
            run.string(custom, "/config/customPolicySystem", "version", false);
        }
        String host = run.string(config, "/config", "publicHostname", false);
        if (host != null && !Names.isHostname(host)) {
            run.error(
                    "/config/publicHostname",
                    "must be a valid host name (RFC 1123) or IPv4 address; got '" + host + "'");
        }
        ObjectNode actions = run.object(config, "/config", "actionsPolicyMap", false);
        if (actions != null) {
            for (Map.Entry<String, JsonNode> e : actions.properties()) {
                if (!e.getValue().isString()) {
                    run.error(Pointer.child("/config/actionsPolicyMap", e.getKey()), "must be a string");
                }
            }
        }
        if (config.has("urlMap")) {
            run.error(
                    "/config/urlMap",
                    "is set by the control plane when the cluster's infrastructure is ready; " + "leave it out");
        }
    }

    private static void metadata(Run run, ObjectNode doc) {
        ObjectNode meta = run.object(doc, "", "clusterMetadata", false);
        if (meta == null) {
            return;
        }
        String at = "/clusterMetadata";
        run.string(meta, at, "name", false);
        run.string(meta, at, "description", false);
        run.string(meta, at, "owner", false);
        String email = run.string(meta, at, "email", false);
        if (email != null && !EMAIL.matcher(email).matches()) {
            run.error(at + "/email", "must be an e-mail address; got '" + email + "'");
        }
        run.stringArray(meta, at, "countries", false);
        run.object(meta, at, "miscContactInfo", false);
        run.object(meta, at, "additionalInfo", false);
    }

    /** The accumulating state of one validation: errors, and typed field readers that report into it. */
    private static final class Run {
        final List<FieldError> errors = new ArrayList<>();
        final Set<String> reported = new java.util.HashSet<>();

        void error(String path, String message) {
            errors.add(new FieldError(path, message));
            reported.add(path);
        }

        void errorOnce(String path, String message) {
            if (!reported.contains(path)) {
                error(path, message);
            }
        }

        private JsonNode field(ObjectNode parent, String at, String name, boolean required) {
            JsonNode v = parent.get(name);
            if (v == null || v.isNull()) {
                if (required) {
                    error(Pointer.child(at, name), "is required");
                }
                return null;
            }
            return v;
        }

        String string(ObjectNode parent, String at, String name, boolean required) {
            JsonNode v = field(parent, at, name, required);
            if (v == null) {
                return null;
            }
            if (!v.isString()) {
                error(Pointer.child(at, name), "must be a string");
                return null;
            }
            if (required && v.stringValue().isBlank()) {
                error(Pointer.child(at, name), "must not be empty");
                return null;
            }
            return v.stringValue();
        }

        /** A non-negative integer (counts, and sizes in MB). */
        Long count(ObjectNode parent, String at, String name, boolean required) {
            JsonNode v = field(parent, at, name, required);
            if (v == null) {
                return null;
            }
            String path = Pointer.child(at, name);
            if (!v.isNumber() || !v.canConvertToExactIntegral() || !v.canConvertToLong()) {
                errorOnce(
                        path,
                        "must be a non-negative integer"
                                + (name.equals("memory") || name.equals("size") || name.equals("swap") ? " (MB)" : ""));
                return null;
            }
            long value = v.asLong();
            if (value < 0) {
                errorOnce(path, "must be a non-negative integer; got " + value);
                return null;
            }
            if (COUNTS.contains(name) && value > MAX_COUNT) {
                errorOnce(path, "must be at most " + MAX_COUNT + "; got " + value);
                return null;
            }
            return value;
        }

        void bool(ObjectNode parent, String at, String name) {
            JsonNode v = field(parent, at, name, false);
            if (v != null && !v.isBoolean()) {
                error(Pointer.child(at, name), "must be true or false");
            }
        }

        ObjectNode object(ObjectNode parent, String at, String name, boolean required) {
            JsonNode v = field(parent, at, name, required);
            if (v == null) {
                return null;
            }
            if (!v.isObject()) {
                errorOnce(Pointer.child(at, name), "must be an object");
                return null;
            }
            return (ObjectNode) v;
        }

        ArrayNode array(ObjectNode parent, String at, String name, boolean required) {
            JsonNode v = field(parent, at, name, required);
            if (v == null) {
                return null;
            }
            if (!v.isArray()) {
                error(Pointer.child(at, name), "must be an array");
                return null;
            }
            return (ArrayNode) v;
        }

        List<String> stringArray(ObjectNode parent, String at, String name, boolean required) {
            ArrayNode a = array(parent, at, name, required);
            if (a == null) {
                return null;
            }
            List<String> out = new ArrayList<>();
            for (int i = 0; i < a.size(); i++) {
                JsonNode v = a.get(i);
                if (!v.isString() || v.stringValue().isBlank()) {
                    error(Pointer.child(Pointer.child(at, name), i), "must be a non-empty string");
                    return null;
                }
                out.add(v.stringValue());
            }
            return out;
        }
    }
}
