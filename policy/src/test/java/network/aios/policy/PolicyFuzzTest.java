package network.aios.policy;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import network.aios.api.FieldError;
import network.aios.api.Json;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectReader;

/**
 * Coverage-guided fuzzing of the policies the network admin submits: the spec as JSON, and rule
 * expressions compiled and evaluated against a document. Acceptable: our refusal, each reason at a pointer
 * into the policy; or a policy within the compile limits whose every rule, on every evaluation, passes or
 * fails with its own message, the same way each time, within its step budget, and, when its time runs out,
 * with the time budget's message. Any exception is a finding.
 */
class PolicyFuzzTest {
    private static final ObjectReader SPEC =
            Json.MAPPER.readerFor(PolicySpec.class).with(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    private static final JsonNode DOC = Json.parse(
            "{\"id\":\"c\",\"gpus\":{\"count\":2,\"modelNames\":[\"A100\"]},"
                    + "\"tags\":[\"a\",\"b\",\"c\"],\"nodes\":{\"count\":1,\"nodeData\":[{\"id\":\"n\",\"vcpus\":{\"count\":8}}]}}");
    /** Readings of the clock a rule may take: one for the policy, one for the rule, one per 1024 steps. */
    private static final long MOST_CLOCK_READINGS = 2 + CompiledPolicy.MAX_STEPS / 1024;
    /** Far past the policy's one second: only a rule that ignores its budget could take this long. */
    private static final long HANG_NANOS = 10 * CompiledPolicy.MAX_POLICY_TIME.toNanos();

    private static final String RETURNED = " (rule returned ";
    private static final String NOT_EVALUATED = " (rule could not be evaluated: ";
    private static final String OUT_OF_TIME = NOT_EVALUATED + "took longer than its time";

    @FuzzTest(maxDuration = "60s")
    void compilesAndEvaluatesOrRefuses(FuzzedDataProvider data) {
        PolicySpec spec;
        if (data.consumeBoolean()) {
            try {
                spec = SPEC.readValue(data.consumeRemainingAsBytes());
            } catch (JacksonException refused) {
                return;
            }
        } else {
            String message = data.consumeString(20);
            spec = new PolicySpec(List.of(new PolicySpec.Rule(null, data.consumeRemainingAsString(), message)), null);
        }
        CompiledPolicy p;
        try {
            p = CompiledPolicy.compile(spec);
        } catch (PolicyCompileException refused) {
            refusedAtPointers(spec, refused);
            return;
        }
        withinCompileLimits(spec);
        List<PolicySpec.Rule> rules = spec.rules();
        // each rule alone: it compiles alone, and is what the checks below follow rule by rule
        List<CompiledPolicy> alone = new ArrayList<>();
        for (PolicySpec.Rule rule : rules) {
            alone.add(rules.size() == 1 ? p : compileAlone(rule));
        }
        for (JsonNode old : Arrays.asList(null, DOC)) {
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < rules.size(); i++) {
                expected.addAll(ruleAlone(alone.get(i), rules.get(i).message(), old));
            }
            // the whole policy: each rule's own outcome, in rule order, the same each time
            assertThat(p.failedRules(DOC, old, () -> 0L)).as("the policy").isEqualTo(expected);
            assertThat(p.failedRules(DOC, old, () -> 0L)).as("the policy again").isEqualTo(expected);
        }
        // the production path, on the real clock: done long before a hang
        long start = System.nanoTime();
        List<String> failed = p.failedRules(DOC, null);
        assertThat(System.nanoTime() - start).as("nanoseconds to evaluate").isLessThan(HANG_NANOS);
        assertThat(failed).hasSizeLessThanOrEqualTo(rules.size());
    }

    /**
     * One rule's outcome on a clock that stands still, where only the step budget can stop it; checked against
     * its outcome on a clock a second later at every look, where it is over its time at its first look during
     * evaluation (step 1024): a rule that gets that far must stop there, with the time budget's message.
     */
    private static List<String> ruleAlone(CompiledPolicy rule, String message, JsonNode old) {
        AtomicLong readings = new AtomicLong();
        LongSupplier still = () -> {
            readings.incrementAndGet();
            return 0L;
        };
        List<String> outcome = rule.failedRules(DOC, old, still);
        assertThat(readings.get())
                .as("clock readings, one per 1024 steps: within %d steps", CompiledPolicy.MAX_STEPS)
                .isLessThanOrEqualTo(MOST_CLOCK_READINGS);
        assertThat(outcome).as("one rule's failures").hasSizeLessThanOrEqualTo(1);
        for (String f : outcome) {
            assertThat(isOutcomeOf(f, message))
                    .as("'%s' is the failure of '%s'", f, message)
                    .isTrue();
            assertThat(f.substring(message.length()))
                    .as("a clock that stands still never runs out")
                    .doesNotStartWith(OUT_OF_TIME);
        }
        AtomicLong lateReadings = new AtomicLong();
        List<String> late = rule.failedRules(
                DOC, old, () -> lateReadings.incrementAndGet() * CompiledPolicy.MAX_POLICY_TIME.toNanos());
        if (lateReadings.get() > 2) {
            // it looked at the clock while evaluating (step 1024), already past its time: stopped there, and says so
            assertThat(lateReadings.get())
                    .as("clock readings after the time ran out")
                    .isEqualTo(3);
            assertThat(late).as("on a clock that runs out").singleElement();
            assertThat(late.get(0)).startsWith(message + OUT_OF_TIME);
        } else {
            assertThat(late).as("done before its first look at the clock").isEqualTo(outcome);
        }
        return outcome;
    }

    private static CompiledPolicy compileAlone(PolicySpec.Rule rule) {
        try {
            return CompiledPolicy.compile(new PolicySpec(List.of(rule), null));
        } catch (PolicyCompileException e) {
            throw new AssertionError("a rule of a policy that compiles does not compile alone: " + e.errors(), e);
        }
    }

    /** A rule's failure: its message, with what it returned instead of true or why it was not evaluated. */
    private static boolean isOutcomeOf(String failure, String message) {
        if (failure.equals(message)) {
            return true;
        }
        if (!failure.endsWith(")")) {
            return false;
        }
        if (failure.startsWith(message + RETURNED)) {
            return true;
        }
        if (!failure.startsWith(message + NOT_EVALUATED)) {
            return false;
        }
        String why = failure.substring(message.length() + NOT_EVALUATED.length(), failure.length() - 1);
        return !why.isBlank() && !why.equals("null");
    }

    private static void withinCompileLimits(PolicySpec spec) {
        assertThat(spec.rules()).hasSizeLessThanOrEqualTo(CompiledPolicy.MAX_RULES);
        for (PolicySpec.Rule rule : spec.rules()) {
            assertThat(rule).isNotNull();
            assertThat(rule.expression()).isNotBlank();
            assertThat(rule.expression().codePointCount(0, rule.expression().length()))
                    .isLessThanOrEqualTo(CompiledPolicy.MAX_EXPRESSION);
            assertThat(rule.message()).as("shown when the rule fails").isNotBlank();
        }
    }

    /** Each reason is at a pointer to the rule or executor field it is about. */
    private static void refusedAtPointers(PolicySpec spec, PolicyCompileException refused) {
        assertThat(refused.errors()).as("a refusal says why").isNotEmpty();
        int rules = Math.min(spec.rules().size(), CompiledPolicy.MAX_RULES);
        for (FieldError e : refused.errors()) {
            assertThat(e.message()).as("message at %s", e.path()).isNotBlank();
            assertThat(e.path()).matches("/rules(/\\d+/(expression|message))?|/executor/[A-Za-z]+");
            if (e.path().startsWith("/rules/")) {
                assertThat(Integer.parseInt(e.path().split("/")[2])).isLessThan(rules);
            }
        }
    }
}
