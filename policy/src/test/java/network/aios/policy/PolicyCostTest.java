package network.aios.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.List;
import network.aios.api.FieldError;
import network.aios.api.Json;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** A policy cannot make the control plane do unbounded work: refused when set, cut off when evaluated. */
class PolicyCostTest {
    private static PolicySpec rule(String expression) {
        return new PolicySpec(List.of(new PolicySpec.Rule(null, expression, "m")), null);
    }

    @Test
    void deeplyNestedComprehensionsAreRefusedWhenSet() {
        PolicyCompileException e = catchThrowableOfType(
                PolicyCompileException.class,
                () -> CompiledPolicy.compile(
                        rule("cluster_data.tags.all(a, cluster_data.tags.all(b, cluster_data.tags.all(c, a != c)))")));
        assertThat(e.errors()).extracting(FieldError::path).containsExactly("/rules/0/expression");
        assertThat(e.errors().get(0).message()).contains("nests 3 comprehensions");
    }

    @Test
    void oversizedExpressionsAndPoliciesAreRefusedWhenSet() {
        PolicyCompileException e = catchThrowableOfType(
                PolicyCompileException.class,
                () -> CompiledPolicy.compile(rule("true || " + "1 == 1 || ".repeat(600) + "true")));
        assertThat(e.errors()).extracting(FieldError::path).containsExactly("/rules/0/expression");
        List<PolicySpec.Rule> many =
                java.util.Collections.nCopies(CompiledPolicy.MAX_RULES + 1, new PolicySpec.Rule(null, "true", "m"));
        assertThat(catchThrowableOfType(
                                PolicyCompileException.class, () -> CompiledPolicy.compile(new PolicySpec(many, null)))
                        .errors())
                .extracting(FieldError::path)
                .contains("/rules");
    }

    /** A clock that stands still: only the step budget can stop a rule (however slow this machine is now). */
    static final java.util.function.LongSupplier STILL = () -> 0L;

    @Test
    void aQuadraticRuleOnALargeDocumentIsCutOffByItsBudgetAndDenies() throws Exception {
        ObjectNode doc = withTags(2000);
        CompiledPolicy p =
                CompiledPolicy.compile(rule("cluster_data.tags.all(a, cluster_data.tags.all(b, a != b || a == b))"));
        assertThat(p.failedRules(doc, null, STILL))
                .singleElement()
                .asString()
                .contains("could not be evaluated")
                // CEL's own iteration budget, or ours of evaluation steps: never the clock, which stands still
                .containsAnyOf("Iteration budget exceeded", CompiledPolicy.MAX_STEPS + " evaluation steps")
                .doesNotContain("took longer than its time");
    }

    @Test
    void aRuleThatRunsPastItsTimeIsCutOffAndDenies() throws Exception {
        // each look at the clock finds a second gone: the rule is past its 200 ms at the first look
        java.util.concurrent.atomic.AtomicLong now = new java.util.concurrent.atomic.AtomicLong();
        java.util.function.LongSupplier fast = () -> now.addAndGet(1_000_000_000L);
        CompiledPolicy p = CompiledPolicy.compile(rule("cluster_data.tags.all(t, t.startsWith('t'))"));
        assertThat(p.failedRules(withTags(2000), null, fast))
                .singleElement()
                .asString()
                .contains("could not be evaluated", "took longer than its time");
    }

    @Test
    void anOrdinaryRuleOnTheSameDocumentPasses() throws Exception {
        ObjectNode doc = withTags(2000);
        assertThat(CompiledPolicy.compile(rule("cluster_data.tags.all(t, t.startsWith('t'))"))
                        .failedRules(doc, null, STILL))
                .isEmpty();
    }

    private static ObjectNode withTags(int n) {
        ObjectNode doc = Json.object();
        ArrayNode tags = doc.putArray("tags");
        for (int i = 0; i < n; i++) {
            tags.add("t" + i);
        }
        return doc;
    }
}
