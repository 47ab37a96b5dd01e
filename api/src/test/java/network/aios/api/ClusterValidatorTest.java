package network.aios.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

class ClusterValidatorTest {
    private final ClusterValidator validator = new ClusterValidator();

    private List<FieldError> errorsAfter(Consumer<ObjectNode> change) {
        ObjectNode doc = Seed.document();
        change.accept(doc);
        return validator.validate(doc).errors();
    }

    private static java.util.Map<?, ?> asMap(ObjectNode n) {
        return Json.MAPPER.readValue(Json.MAPPER.writeValueAsString(n), java.util.Map.class);
    }

    private static ObjectNode node(ObjectNode doc, int i) {
        return (ObjectNode) doc.at("/nodes/nodeData/" + i);
    }

    @Test
    void seedExampleIsValidAndUnchangedByNormalisation() {
        ObjectNode seed = Seed.document();
        ClusterValidator.Result result = validator.validate(seed);
        assertThat(result.errors()).isEmpty();
        assertThat(result.document()).isEqualTo(seed);
        ClusterDocument typed = ClusterDocument.of(result.document());
        assertThat(typed.nodeIds()).containsExactly("node-1", "node-2");
        assertThat(typed.gpuModels()).containsExactly("NVIDIA A100", "NVIDIA V100");
        assertThat(typed.config().gateway()).isTrue();
        assertThat(typed.memory()).isEqualTo(196608);
    }

    @Test
    void totalsLeftOutAreComputedFromNodes() {
        ObjectNode doc = Seed.document();
        for (String f : List.of("gpus", "vcpus", "memory", "swap", "storage", "network")) {
            doc.remove(f);
        }
        ((ObjectNode) doc.get("nodes")).remove("count");
        ClusterValidator.Result result = validator.validate(doc);
        assertThat(result.errors()).isEmpty();
        assertThat(asMap(result.document())).isEqualTo(asMap(Seed.document()));
    }

    @Test
    void wrongTotalSaysTheExpectedValue() {
        assertThat(errorsAfter(d -> ((ObjectNode) d.get("gpus")).put("memory", 1)))
                .containsExactly(new FieldError(
                        "/gpus/memory",
                        "must equal the sum over /nodes/nodeData of /gpus/memory: expected 49152, got 1"));
        assertThat(errorsAfter(d -> d.put("memory", 5)))
                .extracting(FieldError::path)
                .containsExactly("/memory");
        assertThat(errorsAfter(d -> ((ObjectNode) d.get("network")).put("rxBandwidth", 1)))
                .extracting(FieldError::path)
                .containsExactly("/network/rxBandwidth");
        assertThat(errorsAfter(d -> ((ObjectNode) d.get("storage")).put("disks", 9)))
                .extracting(FieldError::message)
                .singleElement()
                .asString()
                .contains("expected 3");
    }

    @Test
    void requiredFieldsAreAllReportedAtOnce() {
        List<FieldError> errors = errorsAfter(d -> {
            d.remove("id");
            d.remove("regionId");
            node(d, 0).remove("memory");
            node(d, 1).remove("vcpus");
        });
        assertThat(errors)
                .extracting(FieldError::path)
                .contains("/id", "/regionId", "/nodes/nodeData/0/memory", "/nodes/nodeData/1/vcpus");
        assertThat(errors).allMatch(e -> e.message().equals("is required"));
    }

    @Test
    void nodesAreRequired() {
        assertThat(errorsAfter(d -> d.remove("nodes")))
                .extracting(FieldError::path)
                .containsExactly("/nodes");
        assertThat(errorsAfter(d -> ((ObjectNode) d.get("nodes")).putArray("nodeData")))
                .extracting(FieldError::path)
                .contains("/nodes/nodeData", "/nodes/count");
    }

    @Test
    void countsMustBeNonNegativeIntegers() {
        assertThat(errorsAfter(d -> node(d, 0).put("memory", -1)))
                .extracting(FieldError::path)
                .contains("/nodes/nodeData/0/memory");
        assertThat(errorsAfter(d -> node(d, 0).put("memory", 1.5)))
                .extracting(FieldError::message)
                .contains("must be a non-negative integer (MB)");
        assertThat(errorsAfter(d -> node(d, 0).put("swap", "8192")))
                .extracting(FieldError::path)
                .containsExactly("/nodes/nodeData/0/swap");
        assertThat(errorsAfter(d -> ((ObjectNode) node(d, 1).get("vcpus"))
                        .put("count", new java.math.BigInteger("99999999999999999999"))))
                .extracting(FieldError::path)
                .containsExactly("/nodes/nodeData/1/vcpus/count");
    }

    @Test
    void clusterIdMustBeADns1123Label() {
        assertThat(errorsAfter(d -> d.put("id", "Cluster_West")))
                .extracting(FieldError::path)
                .containsExactly("/id");
        assertThat(errorsAfter(d -> d.put("id", "a".repeat(64))))
                .extracting(FieldError::path)
                .containsExactly("/id");
        assertThat(errorsAfter(d -> d.put("id", 7)))
                .extracting(FieldError::message)
                .containsExactly("must be a string");
    }

    @Test
    void nodeIdsMustBeUniqueLabelValues() {
        assertThat(errorsAfter(d -> node(d, 1).put("id", "node-1")))
                .containsExactly(new FieldError(
                        "/nodes/nodeData/1/id", "duplicates the id of /nodes/nodeData/0: node ids must be unique"));
        assertThat(errorsAfter(d -> node(d, 0).put("id", "node 1!")))
                .extracting(FieldError::path)
                .containsExactly("/nodes/nodeData/0/id");
    }

    @Test
    void nodeCountMustMatchNodeData() {
        assertThat(errorsAfter(d -> ((ObjectNode) d.get("nodes")).put("count", 3)))
                .containsExactly(new FieldError(
                        "/nodes/count", "must equal the number of entries in /nodes/nodeData: expected 2, got 3"));
    }

    @Test
    void nodeGpuCountMemoryAndModelsMustMatchTheGpuList() {
        assertThat(errorsAfter(d -> ((ObjectNode) node(d, 0).get("gpus")).put("count", 3)))
                .extracting(FieldError::path)
                .contains("/nodes/nodeData/0/gpus/count");
        assertThat(errorsAfter(d -> ((ObjectNode) node(d, 0).get("gpus")).put("memory", 100)))
                .extracting(FieldError::message)
                .contains("must equal the sum of the GPUs' memory (MB): expected 32768, got 100");
        assertThat(errorsAfter(d -> ((ArrayNode) node(d, 0).at("/gpus/modelNames")).add("H100")))
                .extracting(FieldError::path)
                .containsExactly("/nodes/nodeData/0/gpus/modelNames");
        assertThat(errorsAfter(d -> ((ObjectNode) node(d, 0).at("/gpus/gpus/1")).remove("modelName")))
                .extracting(FieldError::path)
                .contains("/nodes/nodeData/0/gpus/gpus/1/modelName");
    }

    @Test
    void aNodeWithoutGpusCountsAsZero() {
        ObjectNode doc = Seed.document();
        node(doc, 1).remove("gpus");
        ((ObjectNode) doc.get("gpus")).remove("count");
        ((ObjectNode) doc.get("gpus")).remove("memory");
        ClusterValidator.Result result = validator.validate(doc);
        assertThat(result.errors()).isEmpty();
        assertThat(result.document().at("/gpus/count").asLong()).isEqualTo(2);
        assertThat(result.document().at("/gpus/memory").asLong()).isEqualTo(32768);
    }

    @Test
    void configFieldsAreChecked() {
        assertThat(errorsAfter(d -> ((ObjectNode) d.get("config")).put("policyExecutionMode", "sideways")))
                .extracting(FieldError::path)
                .containsExactly("/config/policyExecutionMode");
        assertThat(errorsAfter(d -> ((ObjectNode) d.get("config")).put("publicHostname", "bad host")))
                .extracting(FieldError::path)
                .containsExactly("/config/publicHostname");
        assertThat(errorsAfter(d -> ((ObjectNode) d.get("config")).put("useGateway", "yes")))
                .extracting(FieldError::path)
                .containsExactly("/config/useGateway");
        assertThat(errorsAfter(d -> ((ObjectNode) d.get("config")).putObject("urlMap")))
                .extracting(FieldError::path)
                .containsExactly("/config/urlMap");
        assertThat(errorsAfter(d -> {
                    ((ObjectNode) d.get("config")).put("policyExecutionMode", "remote");
                    ((ObjectNode) d.get("config")).remove("policyExecutorId");
                }))
                .extracting(FieldError::path)
                .containsExactly("/config/policyExecutorId");
        assertThat(errorsAfter(d -> ((ObjectNode) d.at("/config/actionsPolicyMap")).put("onFailure", 3)))
                .extracting(FieldError::path)
                .containsExactly("/config/actionsPolicyMap/onFailure");
    }

    @Test
    void statusMustBeALifecycleValue() {
        assertThat(errorsAfter(d -> d.put("status", "exploded")))
                .singleElement()
                .satisfies(e -> assertThat(e.message()).contains("registered", "live"));
    }

    @Test
    void tagsMetadataAndReputationAreTyped() {
        assertThat(errorsAfter(d -> ((ArrayNode) d.get("tags")).add(5)))
                .extracting(FieldError::path)
                .containsExactly("/tags/5");
        assertThat(errorsAfter(d -> ((ObjectNode) d.get("clusterMetadata")).put("email", "nobody")))
                .extracting(FieldError::path)
                .containsExactly("/clusterMetadata/email");
        assertThat(errorsAfter(d -> d.put("reputation", -2)))
                .extracting(FieldError::path)
                .containsExactly("/reputation");
    }

    @Test
    void unknownFieldsAreKept() {
        ObjectNode doc = Seed.document();
        doc.put("rackLocation", "b-12");
        ((ObjectNode) doc.get("config")).put("extraKnob", true);
        ClusterValidator.Result result = validator.validate(doc);
        assertThat(result.errors()).isEmpty();
        assertThat(result.document().get("rackLocation").asString()).isEqualTo("b-12");
        assertThat(result.document().at("/config/extraKnob").asBoolean()).isTrue();
    }

    @Test
    void pointerEscapesSpecialCharacters() {
        assertThat(errorsAfter(d -> ((ObjectNode) d.at("/config/actionsPolicyMap")).put("a/b~c", 1)))
                .extracting(FieldError::path)
                .containsExactly("/config/actionsPolicyMap/a~1b~0c");
    }

    @Test
    void nonObjectDocumentIsOneErrorAtTheRoot() {
        assertThat(validator.validate(Json.parse("[1,2]")).errors())
                .extracting(FieldError::path)
                .containsExactly("");
    }
}
