package network.aios.cli;

import io.fabric8.kubernetes.api.model.Node;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import network.aios.api.Json;
import network.aios.api.Names;
import network.aios.api.ObservedInventory;
import network.aios.member.NodeInventory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The cluster document {@code aios cluster init} writes, from the cluster's Node objects alone: pure (no client, no
 * clock, no environment). Nodes are read as the agents read them for inventory verification ({@link
 * NodeInventory}: vCPUs rounded down, memory and ephemeral storage in MB from the capacity, GPUs from the {@code
 * nvidia.com/gpu} capacity, else the {@code nvidia.com/gpu.count} label), so a document written here verifies
 * against the same cluster. What Kubernetes does not know is a placeholder that still validates: strings that say
 * {@value #FILL_IN} (a host name and an e-mail address under the reserved {@code .invalid} domain), zeros for
 * numbers, empty lists; each is in {@link Draft#placeholders()} and, as JSON pointers ({@code *}: every node, every
 * GPU of the node), in the document at {@code /clusterMetadata/additionalInfo/placeholders}.
 */
final class DocumentDraft {
    static final String FILL_IN = "FILL-IN";
    static final String ID_PLACEHOLDER = "fill-in-cluster-id";
    static final String HOST_PLACEHOLDER = "fill-in.invalid";
    static final String EMAIL_PLACEHOLDER = "fill-in@example.invalid";
    static final String GPU_MODEL_PLACEHOLDER = FILL_IN + ": GPU model";
    static final String REGION_LABEL = "topology.kubernetes.io/region";
    private static final long MB = 1024L * 1024L;

    private DocumentDraft() {}

    /** What is known beyond the nodes: the id and region the owner gave, kubeadm's version; null where unknown. */
    record Facts(String id, String region, String kubeadmVersion) {}

    /**
     * A value the cluster cannot tell: where (a JSON pointer, {@code *} for every node or every GPU of a node), what
     * belongs there, and the ids of the nodes it is missing on (empty for a cluster-wide field).
     */
    record Placeholder(String path, String what, List<String> nodes) {}

    /** The document, its placeholders and what the owner should know about how it was written. */
    record Draft(ObjectNode document, List<Placeholder> placeholders, List<String> notes) {}

    static Draft build(Facts facts, List<Node> input) {
        List<Node> nodes = new ArrayList<>(input);
        nodes.sort(Comparator.comparing(n -> n.getMetadata().getName()));
        List<String> notes = new ArrayList<>();
        List<String> ids = ids(nodes, notes);
        DraftPlaceholders ph = new DraftPlaceholders(ids);

        ObjectNode doc = Json.object();
        doc.put(
                "id",
                facts.id() != null
                        ? facts.id()
                        : ph.cluster(
                                "/id",
                                ID_PLACEHOLDER,
                                "the cluster's id, a DNS-1123 label unique in the network (--id)"));
        doc.put("regionId", region(facts, nodes, notes, ph));
        ObjectNode nodesNode = doc.putObject("nodes");
        nodesNode.put("count", nodes.size());
        ArrayNode data = nodesNode.putArray("nodeData");
        Set<String> kubelets = new TreeSet<>();
        for (int i = 0; i < nodes.size(); i++) {
            data.add(node(i, nodes.get(i), ids.get(i), ph, notes));
            var info = nodes.get(i).getStatus() == null
                    ? null
                    : nodes.get(i).getStatus().getNodeInfo();
            if (info != null
                    && info.getKubeletVersion() != null
                    && !info.getKubeletVersion().isBlank()) {
                kubelets.add(info.getKubeletVersion());
            }
        }
        totals(doc, data);
        ObjectNode config = doc.putObject("config");
        config.put("allowExternalNodes", false);
        config.put("policyExecutionMode", "local");
        config.put(
                "publicHostname",
                ph.cluster(
                        "/config/publicHostname",
                        HOST_PLACEHOLDER,
                        "the host name or IP address the cluster is reached at (its services' URLs use it)"));
        config.put("useGateway", false);
        notes.add("/config: allowExternalNodes false, useGateway false, policyExecutionMode local are defaults to "
                + "review (useGateway true once Ambassador is installed, as the guide's step 2 does)");
        doc.set(
                "tags",
                ph.clusterJson("/tags", Json.MAPPER.createArrayNode(), "the cluster's tags (e.g. gpu, vision)"));
        ObjectNode meta = doc.putObject("clusterMetadata");
        ph.cluster(
                "/clusterMetadata", "", "who runs the cluster: name, description, owner, email, countries, contacts");
        meta.put("name", FILL_IN + ": cluster name");
        meta.put("description", FILL_IN + ": what the cluster is for");
        meta.put("owner", FILL_IN + ": owner");
        meta.put("email", EMAIL_PLACEHOLDER);
        meta.putArray("countries");
        meta.putObject("miscContactInfo");
        ObjectNode info = meta.putObject("additionalInfo");
        info.put(
                "kubeadmVersion",
                facts.kubeadmVersion() != null
                        ? facts.kubeadmVersion()
                        : ph.cluster(
                                "/clusterMetadata/additionalInfo/kubeadmVersion",
                                FILL_IN + ": kubeadm version",
                                "kubeadm's version (no kube-system/kubeadm-config to read it from)"));
        if (!kubelets.isEmpty()) {
            info.put("kubeletVersion", String.join(", ", kubelets));
            if (kubelets.size() > 1) {
                notes.add("the nodes run different kubelet versions: " + String.join(", ", kubelets));
            }
        }
        info.put("joinCommand", "");
        ArrayNode list = info.putArray("placeholders");
        ph.pointers().forEach(list::add);
        return new Draft(doc, ph.merged(), notes);
    }

    /** kubeadm's {@code kubernetesVersion} from kube-system/kubeadm-config's {@code ClusterConfiguration}, or null. */
    static String kubeadmVersion(String clusterConfiguration) {
        if (clusterConfiguration == null) {
            return null;
        }
        try {
            String v = Json.YAML
                    .readTree(clusterConfiguration)
                    .path("kubernetesVersion")
                    .asString(null);
            return v == null || v.isBlank() ? null : v.strip();
        } catch (RuntimeException e) {
            return null;
        }
    }

    /**
     * Node ids: the {@code nodeID} label, first come (by node name) first served; else the node's name, or the first
     * part of a name too long for a label value; else {@code node-N}.
     */
    static List<String> ids(List<Node> nodes, List<String> notes) {
        String[] ids = new String[nodes.size()];
        Set<String> used = new HashSet<>();
        for (int i = 0; i < nodes.size(); i++) {
            String label = labels(nodes.get(i)).get(NodeInventory.NODE_ID_LABEL);
            if (label != null && Names.isLabelValue(label) && used.add(label)) {
                ids[i] = label;
            }
        }
        List<String> byName = new ArrayList<>();
        int generated = 0;
        for (int i = 0; i < nodes.size(); i++) {
            if (ids[i] != null) {
                continue;
            }
            String name = nodes.get(i).getMetadata().getName();
            String label = labels(nodes.get(i)).get(NodeInventory.NODE_ID_LABEL);
            String first = name.split("\\.", 2)[0];
            String id;
            if (Names.isLabelValue(name) && used.add(name)) {
                id = name;
            } else if (Names.isLabelValue(first) && used.add(first)) {
                id = first;
            } else {
                do {
                    id = "node-" + ++generated;
                } while (!used.add(id));
            }
            ids[i] = id;
            if (label != null) {
                notes.add("node " + name + " is labelled nodeID=" + label + ", which another node has: its id here is "
                        + id + " (aios cluster label-nodes labels it)");
            } else if (id.equals(name)) {
                byName.add(name);
            } else {
                notes.add("node " + name + " has no nodeID label and its name "
                        + (Names.isLabelValue(name) ? "is another node's nodeID" : "is too long for a label value")
                        + ": its id here is " + id + " (aios cluster label-nodes --map " + name + "=" + id
                        + " labels it)");
            }
        }
        if (!byName.isEmpty()) {
            notes.add("no nodeID label on " + String.join(", ", byName) + ": the id is the node's name (aios cluster "
                    + "label-nodes labels them)");
        }
        return List.of(ids);
    }

    private static String region(Facts facts, List<Node> nodes, List<String> notes, DraftPlaceholders ph) {
        if (facts.region() != null) {
            return facts.region();
        }
        Set<String> regions = new TreeSet<>();
        nodes.forEach(n -> {
            String r = labels(n).get(REGION_LABEL);
            if (r != null && !r.isBlank()) {
                regions.add(r);
            }
        });
        if (regions.size() == 1) {
            notes.add("regionId " + regions.iterator().next() + ": the nodes' " + REGION_LABEL + " label (--region to "
                    + "choose another)");
            return regions.iterator().next();
        }
        return ph.cluster(
                "/regionId",
                FILL_IN + ": region",
                "the network's region of the cluster (--region)"
                        + (regions.isEmpty() ? "" : "; the nodes are labelled " + String.join(", ", regions)));
    }

    private static ObjectNode node(int i, Node n, String id, DraftPlaceholders ph, List<String> notes) {
        ObservedInventory.ObservedNode seen = NodeInventory.node(n);
        boolean reported = n.getStatus() != null
                && n.getStatus().getCapacity() != null
                && !n.getStatus().getCapacity().isEmpty();
        ObservedInventory.Resources cap = reported ? seen.capacity() : null;
        String name = n.getMetadata().getName();
        ObjectNode out = Json.object();
        out.put("id", id);
        out.set("gpus", gpus(i, name, seen, ph, notes));
        if (cap == null) {
            notes.add("node " + name + " reports no capacity (status.capacity): its vCPUs, memory and storage are 0");
            ph.node(i, "/vcpus/count", "vCPUs (the node reports no capacity)");
            ph.node(i, "/memory", "memory in MB (the node reports no capacity)");
            ph.node(i, "/storage/size", "storage in MB (the node reports no capacity)");
        }
        out.putObject("vcpus").put("count", cap == null ? 0 : (int) Math.floor(cap.vcpus()));
        out.put("memory", cap == null ? 0 : cap.memoryMB());
        var info = n.getStatus() == null ? null : n.getStatus().getNodeInfo();
        Long swap =
                info == null || info.getSwap() == null ? null : info.getSwap().getCapacity();
        if (swap == null) {
            ph.node(i, "/swap", "swap in MB (the kubelet reports none)");
        }
        out.put("swap", swap == null ? 0 : swap / MB);
        long storage = cap == null ? 0 : cap.ephemeralStorageMB();
        ObjectNode disks = out.putObject("storage");
        disks.put("disks", storage > 0 ? 1 : 0);
        disks.put("size", storage);
        ph.node(
                i,
                "/storage/disks",
                "the number of disks (1 stands for the kubelet's filesystem, size its ephemeral storage: add the "
                        + "disks it does not use)");
        ObjectNode net = out.putObject("network");
        net.put("interfaces", 0);
        net.put("txBandwidth", 0);
        net.put("rxBandwidth", 0);
        ph.node(i, "/network/interfaces", "network interfaces");
        ph.node(i, "/network/txBandwidth", "transmit bandwidth");
        ph.node(i, "/network/rxBandwidth", "receive bandwidth");
        return out;
    }

    /**
     * One entry per GPU: the count from the {@code nvidia.com/gpu} capacity (else the {@code nvidia.com/gpu.count}
     * label), model and memory (MiB, per GPU) from GPU feature discovery's labels when the node has them.
     */
    private static ObjectNode gpus(
            int i, String name, ObservedInventory.ObservedNode seen, DraftPlaceholders ph, List<String> notes) {
        int capacity = seen.capacity() == null ? 0 : seen.capacity().gpus();
        ObservedInventory.Gpu labels = seen.gpu();
        Integer labelled = labels == null ? null : labels.count();
        int count = capacity > 0 ? capacity : labelled == null ? 0 : Math.max(0, labelled);
        if (capacity > 0 && labelled != null && labelled != capacity) {
            notes.add("node " + name + " offers " + capacity + " nvidia.com/gpu but is labelled nvidia.com/gpu.count="
                    + labelled + " (time-slicing or MIG?): the document counts " + capacity
                    + ", as inventory verification does");
        }
        ObjectNode out = Json.object();
        out.put("count", count);
        ArrayNode list = Json.MAPPER.createArrayNode();
        String model = labels == null ? null : labels.product();
        if (count == 0) {
            if (model != null) {
                notes.add("node " + name + " is labelled nvidia.com/gpu.product=" + model
                        + " but offers no nvidia.com/gpu (is the device plugin running?): 0 GPUs");
            }
            out.put("memory", 0);
            out.set("gpus", list);
            out.putArray("modelNames");
            return out;
        }
        Long memory = labels == null ? null : labels.memoryMB();
        if (model == null) {
            ph.node(
                    i,
                    "/gpus/gpus/*/modelName",
                    "the GPU model (no nvidia.com/gpu.product label: GPU feature discovery does not run there)");
            model = GPU_MODEL_PLACEHOLDER;
        }
        if (memory == null) {
            ph.node(i, "/gpus/gpus/*/memory", "each GPU's memory in MB (no nvidia.com/gpu.memory label)");
            memory = 0L;
        }
        for (int g = 0; g < count; g++) {
            list.addObject().put("modelName", model).put("memory", memory);
        }
        out.put("memory", memory * count);
        out.set("gpus", list);
        out.putArray("features");
        ph.node(i, "/gpus/features", "the GPUs' features (e.g. fp16, tensor_cores)");
        out.putArray("modelNames").add(model);
        return out;
    }

    /** The cluster's totals: the sums over the nodes, as the validator requires. */
    private static void totals(ObjectNode doc, ArrayNode nodes) {
        Map<String, Long> sums = new LinkedHashMap<>();
        List<String> fields = List.of(
                "/gpus/count",
                "/gpus/memory",
                "/vcpus/count",
                "/memory",
                "/swap",
                "/storage/disks",
                "/storage/size",
                "/network/interfaces",
                "/network/txBandwidth",
                "/network/rxBandwidth");
        for (String f : fields) {
            long sum = 0;
            for (JsonNode n : nodes) {
                sum += n.at(f).asLong(0);
            }
            sums.put(f, sum);
        }
        doc.putObject("gpus").put("count", sums.get("/gpus/count")).put("memory", sums.get("/gpus/memory"));
        doc.putObject("vcpus").put("count", sums.get("/vcpus/count"));
        doc.put("memory", sums.get("/memory"));
        doc.put("swap", sums.get("/swap"));
        doc.putObject("storage").put("disks", sums.get("/storage/disks")).put("size", sums.get("/storage/size"));
        doc.putObject("network")
                .put("interfaces", sums.get("/network/interfaces"))
                .put("txBandwidth", sums.get("/network/txBandwidth"))
                .put("rxBandwidth", sums.get("/network/rxBandwidth"));
    }

    static Map<String, String> labels(Node n) {
        return n.getMetadata().getLabels() == null ? Map.of() : n.getMetadata().getLabels();
    }
}
