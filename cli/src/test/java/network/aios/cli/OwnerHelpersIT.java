package network.aios.cli;

import static network.aios.cli.DocumentDraftTest.capacity;
import static network.aios.cli.DocumentDraftTest.gpuLabels;
import static network.aios.cli.DocumentDraftTest.node;
import static network.aios.cli.OwnerHelpersTest.aios;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Node;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import network.aios.api.Json;
import network.aios.server.KubeTestCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The owner's helpers against a real kube-apiserver, run in process as a person runs them: {@code aios cluster init}
 * on nodes shaped like the onboarding example and unlike it (no GPU, GPUs without feature discovery's labels, no
 * nodeID label, another GPU model) writes a document {@code aios cluster validate} accepts; {@code aios cluster
 * label-nodes} changes nothing on a dry run, then labels, refuses a nodeID another node has (changing nothing), and
 * names the document nodes it cannot match. The API server may be shared with other tests: these nodes' names start
 * with a prefix of their own, and the assertions look at them alone.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OwnerHelpersIT {
    private static final String P = "oh-" + UUID.randomUUID().toString().substring(0, 8);
    private static final String A100 = P + "-a100";
    private static final String V100 = P + "-v100";
    private static final String CPU = P + "-cpu";
    private static final String BARE = P + "-bare";
    private static final List<String> MINE = List.of(A100, BARE, CPU, V100);

    static KubeTestCluster kube;
    static Path dir;
    static JsonNode initialised;

    @BeforeAll
    static void nodes() throws Exception {
        kube = KubeTestCluster.shared();
        dir = Files.createTempDirectory("owner-helpers");
        create(node(
                A100,
                gpuLabels(P + "-node-1", "NVIDIA-A100-PCIE-16GB", "16384", "2"),
                capacity("32", "128Gi", "1Ti", 2),
                "v1.20.2"));
        create(node(
                V100,
                gpuLabels(null, "Tesla-V100-PCIE-16GB", "16384", "1"),
                capacity("16", "64Gi", "512Gi", 1),
                "v1.20.2"));
        create(node(CPU, Map.of("nodeID", P + "-cpu-node"), capacity("8", "32Gi", "100Gi", null), "v1.20.2"));
        create(node(BARE, Map.of(), capacity("16", "64Gi", "200Gi", 4), "v1.20.2"));
    }

    /** A Node with its status: set on create (an API server keeps a new Node's status), else on its subresource. */
    private static void create(Node n) {
        Node created = kube.admin.nodes().resource(n).create();
        if (created.getStatus() == null
                || created.getStatus().getCapacity() == null
                || created.getStatus().getCapacity().isEmpty()) {
            created.setStatus(n.getStatus());
            kube.admin.nodes().resource(created).updateStatus();
        }
    }

    @AfterAll
    static void removeNodes() {
        if (kube != null) {
            MINE.forEach(name -> kube.admin.nodes().withName(name).delete());
        }
    }

    private static Map<String, String> nodeIds() {
        Map<String, String> out = new HashMap<>();
        for (String name : MINE) {
            Map<String, String> labels =
                    kube.admin.nodes().withName(name).get().getMetadata().getLabels();
            out.put(name, labels == null ? null : labels.get("nodeID"));
        }
        return out;
    }

    private static JsonNode entry(JsonNode doc, String id) {
        for (JsonNode n : doc.at("/nodes/nodeData")) {
            if (n.path("id").asString().equals(id)) {
                return n;
            }
        }
        throw new AssertionError("no node " + id + " in " + doc);
    }

    private static Path write(String name, JsonNode doc) throws Exception {
        Path f = dir.resolve(name);
        Files.writeString(f, Json.pretty(doc));
        return f;
    }

    /** The init document cut to this test's nodes (totals left out: the validator computes them). */
    private static ObjectNode mineOnly(JsonNode doc) {
        ObjectNode out = (ObjectNode) doc.deepCopy();
        ArrayNode kept = Json.MAPPER.createArrayNode();
        doc.at("/nodes/nodeData").forEach(n -> {
            if (n.path("id").asString().startsWith(P)) {
                kept.add(n.deepCopy());
            }
        });
        ((ObjectNode) out.get("nodes")).remove("count");
        ((ObjectNode) out.get("nodes")).set("nodeData", kept);
        List.of("gpus", "vcpus", "memory", "swap", "storage", "network").forEach(out::remove);
        return out;
    }

    @Test
    @Order(1)
    void initWritesTheClusterAsADocumentTheValidatorAccepts() throws Exception {
        OwnerHelpersTest.Run init = aios(
                "cluster",
                "init",
                "--kubeconfig",
                kube.kubeconfig.toString(),
                "--id",
                "owner-helpers",
                "--region",
                "r1");
        assertThat(init.exit()).as(init.err()).isZero();
        JsonNode doc = Json.parse(init.out());
        initialised = doc;

        JsonNode a100 = entry(doc, P + "-node-1"); // the nodeID label
        assertThat(a100.at("/gpus/count").asInt()).isEqualTo(2);
        assertThat(a100.at("/gpus/memory").asLong()).isEqualTo(32768);
        assertThat(a100.at("/gpus/modelNames/0").asString()).isEqualTo("NVIDIA-A100-PCIE-16GB");
        assertThat(a100.at("/vcpus/count").asInt()).isEqualTo(32);
        assertThat(a100.path("memory").asLong()).isEqualTo(131072);
        assertThat(a100.at("/storage/size").asLong()).isEqualTo(1048576);
        JsonNode v100 = entry(doc, V100); // no nodeID label: the node's name
        assertThat(v100.at("/gpus/gpus/0/modelName").asString()).isEqualTo("Tesla-V100-PCIE-16GB");
        JsonNode cpu = entry(doc, P + "-cpu-node");
        assertThat(cpu.at("/gpus/count").asInt()).isZero();
        assertThat(cpu.at("/gpus/gpus")).isEmpty();
        JsonNode bare = entry(doc, BARE); // nvidia.com/gpu capacity only
        assertThat(bare.at("/gpus/count").asInt()).isEqualTo(4);
        assertThat(bare.at("/gpus/gpus/3/modelName").asString()).isEqualTo(DocumentDraft.GPU_MODEL_PLACEHOLDER);
        assertThat(doc.at("/clusterMetadata/additionalInfo/kubeletVersion").asString())
                .contains("v1.20.2");

        assertThat(init.err())
                .contains("to fill in before registering")
                .contains("/config/publicHostname")
                .containsPattern("/nodes/nodeData/\\*/gpus/gpus/\\*/modelName +the GPU model .*\\(nodes? [^)]*" + BARE)
                .containsPattern("no nodeID label on [^:]*" + V100);

        Path file = write("cluster.json", doc);
        OwnerHelpersTest.Run valid = aios("cluster", "validate", "-f", file.toString());
        assertThat(valid.exit()).as(valid.err()).isZero();
        assertThat(valid.out()).contains("valid (cluster owner-helpers)");
    }

    @Test
    @Order(2)
    void labelNodesShowsChangesNothingOnADryRunThenLabelsAndRefusesDuplicates() throws Exception {
        assertThat(initialised).as("init ran first").isNotNull();
        ObjectNode doc = mineOnly(initialised);
        ((ObjectNode) entry(doc, BARE)).put("id", P + "-gpu-4"); // a name the owner chose: --map says which node
        Path file = write("mine.json", doc);
        String kc = kube.kubeconfig.toString();
        String map = BARE + "=" + P + "-gpu-4";
        Map<String, String> before = nodeIds();

        OwnerHelpersTest.Run dry =
                aios("cluster", "label-nodes", "-f", file.toString(), "--kubeconfig", kc, "--map", map, "--dry-run");
        assertThat(dry.exit()).as(dry.err()).isZero();
        assertThat(dry.out())
                .contains(A100 + ": nodeID " + P + "-node-1 (unchanged)")
                .contains(CPU + ": nodeID " + P + "-cpu-node (unchanged)")
                .contains(V100 + ": nodeID <none> -> " + V100)
                .contains(BARE + ": nodeID <none> -> " + P + "-gpu-4")
                .contains("dry run: 2 node(s) would be labelled; nothing changed");
        assertThat(nodeIds()).isEqualTo(before);

        OwnerHelpersTest.Run labelled =
                aios("cluster", "label-nodes", "-f", file.toString(), "--kubeconfig", kc, "--map", map);
        assertThat(labelled.exit()).as(labelled.err()).isZero();
        assertThat(labelled.out()).contains("2 node(s) labelled");
        Map<String, String> expected = new LinkedHashMap<>(before);
        expected.put(V100, V100);
        expected.put(BARE, P + "-gpu-4");
        assertThat(nodeIds()).isEqualTo(expected);
        // a merge patch of the nodeID label: the node's other labels are still there
        assertThat(kube.admin.nodes().withName(V100).get().getMetadata().getLabels())
                .containsEntry("nvidia.com/gpu.product", "Tesla-V100-PCIE-16GB");

        // the CPU node given the A100's nodeID, which the A100 keeps: refused, nothing changed
        OwnerHelpersTest.Run duplicate = aios(
                "cluster",
                "label-nodes",
                "-f",
                file.toString(),
                "--kubeconfig",
                kc,
                "--map",
                CPU + "=" + P + "-node-1");
        assertThat(duplicate.exit()).isEqualTo(1);
        assertThat(duplicate.err())
                .contains("refused, nothing changed")
                .contains("nodeID " + P + "-node-1 is already node " + A100 + "'s");
        assertThat(nodeIds()).isEqualTo(expected);

        // a document node the cluster does not have is named; the others are already right
        ObjectNode ghost = doc.deepCopy();
        ObjectNode extra = (ObjectNode) entry(doc, P + "-cpu-node").deepCopy();
        extra.put("id", P + "-ghost");
        ((ArrayNode) ghost.at("/nodes/nodeData")).add(extra);
        OwnerHelpersTest.Run unmatched =
                aios("cluster", "label-nodes", "-f", write("ghost.json", ghost).toString(), "--kubeconfig", kc);
        assertThat(unmatched.exit()).isEqualTo(1);
        assertThat(unmatched.err()).contains("no node matches document node " + P + "-ghost");
        assertThat(unmatched.out()).contains("0 node(s) labelled");
        assertThat(nodeIds()).isEqualTo(expected);

        // init again: the labels are the ids now, and no node of these is left unlabelled
        OwnerHelpersTest.Run again =
                aios("cluster", "init", "--kubeconfig", kc, "--id", "owner-helpers", "--region", "r1");
        assertThat(again.exit()).as(again.err()).isZero();
        JsonNode redone = Json.parse(again.out());
        assertThat(entry(redone, P + "-gpu-4").at("/gpus/count").asInt()).isEqualTo(4);
        assertThat(entry(redone, V100).at("/gpus/count").asInt()).isEqualTo(1);
        assertThat(again.err()).doesNotContainPattern("no nodeID label on [^\\n]*" + P);
        OwnerHelpersTest.Run valid =
                aios("cluster", "validate", "-f", write("again.json", redone).toString());
        assertThat(valid.exit()).as(valid.err()).isZero();
        List<String> ids = new ArrayList<>();
        redone.at("/nodes/nodeData").forEach(n -> ids.add(n.path("id").asString()));
        assertThat(ids).contains(P + "-node-1", P + "-cpu-node", P + "-gpu-4", V100);
    }
}
