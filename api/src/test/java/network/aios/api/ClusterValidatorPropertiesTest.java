package network.aios.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import tools.jackson.core.JsonPointer;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/** Random damage to the seed document: the validator never throws and every error points into the input. */
class ClusterValidatorPropertiesTest {
    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    private final ClusterValidator validator = new ClusterValidator();

    record Mutation(int pathIndex, JsonNode replacement, boolean delete) {}

    @Provide
    Arbitrary<JsonNode> anyValue() {
        return Arbitraries.oneOf(
                Arbitraries.longs().map(F::numberNode),
                Arbitraries.doubles().map(F::numberNode),
                Arbitraries.strings().ofMaxLength(70).map(F::stringNode),
                Arbitraries.of(true, false).map(F::booleanNode),
                Arbitraries.just(F.nullNode()),
                Arbitraries.just(F.objectNode()),
                Arbitraries.just(F.arrayNode()));
    }

    @Provide
    Arbitrary<List<Mutation>> mutations() {
        Arbitrary<Mutation> one = Combinators.combine(
                        Arbitraries.integers().between(0, 10_000), anyValue(), Arbitraries.of(true, false))
                .as(Mutation::new);
        return one.list().ofMinSize(1).ofMaxSize(6);
    }

    @Property(tries = 500)
    void neverThrowsAndEveryErrorHasAResolvablePath(@ForAll("mutations") List<Mutation> mutations) {
        ObjectNode doc = Seed.document();
        for (Mutation m : mutations) {
            List<String> paths = new ArrayList<>();
            collect(doc, "", paths);
            String path = paths.get(m.pathIndex() % paths.size());
            apply(doc, path, m);
        }
        ClusterValidator.Result result = validator.validate(doc);
        for (FieldError e : result.errors()) {
            assertThat(e.message()).isNotBlank();
            assertThat(e.path()).matches("(/[^/]*)*");
            JsonPointer p = JsonPointer.compile(e.path());
            // the pointer names a member of the input, or a required member missing from an existing parent
            assertThat(!doc.at(p).isMissingNode() || !doc.at(p.head()).isMissingNode())
                    .as("error path %s resolves in %s", e.path(), doc)
                    .isTrue();
        }
        if (result.valid()) {
            ClusterDocument.of(result.document());
        }
    }

    private static void collect(JsonNode node, String at, List<String> out) {
        out.add(at);
        if (node.isObject()) {
            node.properties().forEach(e -> collect(e.getValue(), Pointer.child(at, e.getKey()), out));
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                collect(node.get(i), Pointer.child(at, i), out);
            }
        }
    }

    private static void apply(ObjectNode doc, String path, Mutation m) {
        if (path.isEmpty()) {
            return;
        }
        JsonPointer p = JsonPointer.compile(path);
        JsonNode parent = doc.at(p.head());
        String last = p.last().getMatchingProperty();
        if (parent instanceof ObjectNode o) {
            if (m.delete()) {
                o.remove(last);
            } else {
                o.set(last, m.replacement());
            }
        } else if (parent instanceof ArrayNode a) {
            int i = p.last().getMatchingIndex();
            if (m.delete()) {
                a.remove(i);
            } else {
                a.set(i, m.replacement());
            }
        }
    }
}
