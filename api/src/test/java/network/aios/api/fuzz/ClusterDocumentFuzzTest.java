package network.aios.api.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.ToLongFunction;
import network.aios.api.ClusterDocument;
import network.aios.api.ClusterValidator;
import network.aios.api.DocumentParser;
import network.aios.api.FieldError;
import network.aios.api.Json;
import network.aios.api.MalformedDocumentException;
import network.aios.api.UnstorableTextException;
import tools.jackson.core.JsonPointer;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Coverage-guided fuzzing of the cluster document an owner sends (parser, then validator), and of what
 * becomes of an accepted one: it is stored and served back unchanged, its typed view binds and agrees
 * with it, and a refusal names each problem at a JSON pointer into what was sent. {@code mvn verify}
 * replays the kept inputs (src/test/resources/.../ClusterDocumentFuzzTestInputs); {@code JAZZER_FUZZ=1}
 * fuzzes (see .ci/run).
 */
class ClusterDocumentFuzzTest {
    private static final ClusterValidator VALIDATOR = new ClusterValidator();
    /** Top-level fields the server owns and takes out before storing (the server's ClusterView.SERVER_OWNED). */
    private static final List<String> SERVER_OWNED = List.of("status", "reputation", "system");

    @FuzzTest(maxDuration = "60s")
    void parsesAndValidatesOrRefuses(byte[] body) {
        DocumentParser.Parsed parsed;
        try {
            parsed = DocumentParser.parse(body);
        } catch (MalformedDocumentException refused) {
            assertThat(refused.getMessage()).as("what the client is told").isNotBlank();
            return;
        } catch (UnstorableTextException refused) {
            // the body is JSON (the check runs on the parsed tree): each place is a pointer into it
            assertPointInto(refused.errors(), Json.MAPPER.readTree(body));
            return;
        }
        ClusterValidator.Result r = VALIDATOR.validate(parsed.document());
        if (!r.valid()) {
            // the server answers the errors prefixed with where the document sat in the body
            JsonNode sent = parsed.enveloped() ? Json.MAPPER.readTree(body) : parsed.document();
            assertPointInto(
                    r.errors().stream()
                            .map(e -> e.prefixed(parsed.pointerPrefix()))
                            .toList(),
                    sent);
            return;
        }
        assertThat(r.document()).as("a valid result's document").isNotNull();
        storedAndServedUnchanged(r.document());
    }

    /**
     * What ClusterStore does with an accepted document (less what the server owns), and what a GET gives back:
     * the same text in both columns (jsonb, and document_text for its key order), read back as the jsonb
     * values put in the text's order. The jsonb column's own key order is stood in for by a reordering; its
     * number normalisation is PostgreSQL's and not simulated here.
     */
    private static void storedAndServedUnchanged(ObjectNode accepted) {
        ObjectNode stored = accepted.deepCopy();
        SERVER_OWNED.forEach(stored::remove);
        ClusterDocument typed = ClusterDocument.of(stored); // the store binds it on every insert and update
        typedViewAgrees(typed);
        String text = Json.MAPPER.writeValueAsString(stored);
        JsonNode asWritten = Json.MAPPER.readTree(text);
        assertThat(asWritten.equals(SAME_VALUE, stored))
                .as("the stored text %s reads back as the accepted document", text)
                .isTrue();
        ObjectNode served = Json.orderedLike((ObjectNode) inJsonbOrder(asWritten), asWritten);
        assertThat(Json.MAPPER.writeValueAsString(served))
                .as("served in the order it was written")
                .isEqualTo(text);
        assertThat(ClusterDocument.of(served)).isEqualTo(typed);
        assertThat(ClusterDocument.of(Json.tree(typed)))
                .as("the typed view written out and bound again")
                .isEqualTo(typed);
        // GET, then PUT what was served: accepted again, and nothing left to normalise
        ClusterValidator.Result again = VALIDATOR.validate(served);
        assertThat(again.errors())
                .as("errors validating the served document again")
                .isEmpty();
        assertThat(Json.MAPPER.writeValueAsString(again.document())).isEqualTo(text);
    }

    /**
     * The registry's columns (gpu count, vcpus, memory) come from the typed view: its totals are the sums
     * over the nodes, as the validator promises for totals given or filled in.
     */
    private static void typedViewAgrees(ClusterDocument d) {
        List<ClusterDocument.Node> nodes = d.nodes().nodeData();
        assertThat(d.nodes().count()).as("/nodes/count").isEqualTo(nodes.size());
        for (int i = 0; i < nodes.size(); i++) {
            ClusterDocument.NodeGpus g = nodes.get(i).gpus();
            if (g != null && g.gpus() != null) {
                assertThat(g.count())
                        .as("/nodes/nodeData/%d/gpus/count", i)
                        .isEqualTo(g.gpus().size());
                assertThat(g.memory())
                        .as("/nodes/nodeData/%d/gpus/memory", i)
                        .isEqualTo(g.gpus().stream()
                                .mapToLong(ClusterDocument.Gpu::memory)
                                .sum());
            }
        }
        assertThat(d.gpus().count())
                .as("/gpus/count")
                .isEqualTo(sum(nodes, n -> n.gpus() == null ? 0 : n.gpus().count()));
        assertThat(d.gpus().memory())
                .as("/gpus/memory")
                .isEqualTo(sum(nodes, n -> n.gpus() == null ? 0 : n.gpus().memory()));
        assertThat(d.vcpus().count())
                .as("/vcpus/count")
                .isEqualTo(sum(nodes, n -> n.vcpus().count()));
        assertThat(d.memory()).as("/memory").isEqualTo(sum(nodes, ClusterDocument.Node::memory));
        assertThat(d.swap()).as("/swap").isEqualTo(sum(nodes, ClusterDocument.Node::swap));
        assertThat(d.storage().disks())
                .as("/storage/disks")
                .isEqualTo(sum(nodes, n -> n.storage() == null ? 0 : n.storage().disks()));
        assertThat(d.storage().size())
                .as("/storage/size")
                .isEqualTo(sum(nodes, n -> n.storage() == null ? 0 : n.storage().size()));
        assertThat(d.network().interfaces())
                .as("/network/interfaces")
                .isEqualTo(sum(nodes, n -> n.network() == null ? 0 : n.network().interfaces()));
        assertThat(d.network().txBandwidth())
                .as("/network/txBandwidth")
                .isEqualTo(sum(nodes, n -> n.network() == null ? 0 : n.network().txBandwidth()));
        assertThat(d.network().rxBandwidth())
                .as("/network/rxBandwidth")
                .isEqualTo(sum(nodes, n -> n.network() == null ? 0 : n.network().rxBandwidth()));
    }

    private static long sum(List<ClusterDocument.Node> nodes, ToLongFunction<ClusterDocument.Node> f) {
        return nodes.stream().mapToLong(f).sum();
    }

    /**
     * Each error is an RFC 6901 pointer: empty (the whole document), or naming a member of what was sent, or a
     * required member missing from a parent that was sent; and says what is wrong.
     */
    private static void assertPointInto(List<FieldError> errors, JsonNode sent) {
        assertThat(errors).as("a refusal says why").isNotEmpty();
        for (FieldError e : errors) {
            assertThat(e.message()).as("message at %s", e.path()).isNotBlank();
            assertThat(e.path()).as("a JSON pointer").matches("(/([^~]|~[01])*)*");
            if (e.path().isEmpty()) {
                continue; // the whole document (also when the body held only comments)
            }
            JsonPointer p = JsonPointer.compile(e.path());
            assertThat(!sent.at(p).isMissingNode() || !sent.at(p.head()).isMissingNode())
                    .as("error path %s resolves in what was sent", e.path())
                    .isTrue();
        }
    }

    /** Equal as JSON values: numbers by value (an int node and a long node of 1 are the same number). */
    private static final Comparator<JsonNode> SAME_VALUE = (a, b) -> {
        if (a.equals(b)) {
            return 0;
        }
        if (a.isNumber() && b.isNumber()) {
            if (a.isFloatingPointNumber() && !Double.isFinite(a.doubleValue())
                    || b.isFloatingPointNumber() && !Double.isFinite(b.doubleValue())) {
                return Double.compare(a.doubleValue(), b.doubleValue());
            }
            return decimal(a).compareTo(decimal(b));
        }
        return 1;
    };

    private static BigDecimal decimal(JsonNode n) {
        return n.decimalValue();
    }

    /** The same value with every object's keys in another order (jsonb's: shorter keys first). */
    private static JsonNode inJsonbOrder(JsonNode n) {
        if (n.isObject()) {
            List<String> keys = new ArrayList<>(n.propertyNames());
            keys.sort(Comparator.comparingInt(String::length).thenComparing(Comparator.naturalOrder()));
            ObjectNode out = Json.object();
            keys.forEach(k -> out.set(k, inJsonbOrder(n.get(k))));
            return out;
        }
        if (n.isArray()) {
            ArrayNode out = Json.MAPPER.createArrayNode();
            n.forEach(v -> out.add(inJsonbOrder(v)));
            return out;
        }
        return n;
    }
}
