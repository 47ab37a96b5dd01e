package network.aios.policy;

import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelOptions;
import dev.cel.common.CelValidationResult;
import dev.cel.common.types.SimpleType;
import dev.cel.compiler.CelCompiler;
import dev.cel.compiler.CelCompilerFactory;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import dev.cel.runtime.CelRuntimeFactory;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import network.aios.api.FieldError;
import tools.jackson.databind.JsonNode;

/** A policy version's CEL rules, compiled once and evaluated many times. Thread-safe. */
public final class CompiledPolicy {
    public static final String CLUSTER_DATA = "cluster_data";
    public static final String OLD_CLUSTER_DATA = "old_cluster_data";
    /** The node an add_node or remove_node decision is about (a {@code /nodes/nodeData} entry); null otherwise. */
    public static final String NODE_DATA = "node_data";

    /** Longest rule expression accepted, in code points. */
    public static final int MAX_EXPRESSION = 4096;
    /** Most rules in one policy. */
    public static final int MAX_RULES = 200;
    /** Comprehensions (all, exists, map, filter) nested deeper than this are refused when a policy is set. */
    public static final int MAX_COMPREHENSION_NESTING = 2;
    /** Iterations one comprehension may take. */
    public static final int MAX_ITERATIONS = 10_000;
    /** Evaluation steps one rule may take on one document; past it the rule fails (and so denies). */
    public static final int MAX_STEPS = 200_000;
    /** Wall-clock time one rule may take on one document. */
    public static final java.time.Duration MAX_TIME = java.time.Duration.ofMillis(200);
    /** Wall-clock time all of a policy's rules may take on one document together. */
    public static final java.time.Duration MAX_POLICY_TIME = java.time.Duration.ofSeconds(1);

    private static final CelOptions OPTIONS = CelOptions.current()
            .enableHeterogeneousNumericComparisons(true)
            .maxExpressionCodePointSize(MAX_EXPRESSION)
            .maxParseRecursionDepth(64)
            .maxParseExpressionNodeCount(2_000)
            .comprehensionMaxIterations(MAX_ITERATIONS)
            .maxRegexProgramSize(200)
            .build();
    private static final CelCompiler COMPILER = CelCompilerFactory.standardCelCompilerBuilder()
            .setOptions(OPTIONS)
            .setStandardMacros(dev.cel.parser.CelStandardMacro.STANDARD_MACROS)
            .addVar(CLUSTER_DATA, SimpleType.DYN)
            .addVar(OLD_CLUSTER_DATA, SimpleType.DYN)
            .addVar(NODE_DATA, SimpleType.DYN)
            .build();
    private static final CelRuntime RUNTIME =
            CelRuntimeFactory.standardCelRuntimeBuilder().setOptions(OPTIONS).build();

    private record Compiled(PolicySpec.Rule rule, CelRuntime.Program program) {}

    private final PolicySpec spec;
    private final List<Compiled> rules;

    private CompiledPolicy(PolicySpec spec, List<Compiled> rules) {
        this.spec = spec;
        this.rules = rules;
    }

    public PolicySpec spec() {
        return spec;
    }

    /** Compiles every rule and reports every problem (syntax, unknown variables, non-bool results). */
    public static CompiledPolicy compile(PolicySpec spec) throws PolicyCompileException {
        List<FieldError> errors = new ArrayList<>();
        List<Compiled> compiled = new ArrayList<>();
        if (spec.rules().size() > MAX_RULES) {
            errors.add(new FieldError("/rules", "has " + spec.rules().size() + " rules; at most " + MAX_RULES));
        }
        for (int i = 0; i < spec.rules().size() && i < MAX_RULES; i++) {
            PolicySpec.Rule rule = spec.rules().get(i);
            String at = "/rules/" + i;
            if (rule == null || rule.expression() == null || rule.expression().isBlank()) {
                errors.add(new FieldError(
                        at + "/expression",
                        "is required: a CEL expression that is true when " + "the cluster may proceed"));
                continue;
            }
            if (rule.message() == null || rule.message().isBlank()) {
                errors.add(new FieldError(at + "/message", "is required: shown to the client when the rule fails"));
            }
            if (rule.expression().codePointCount(0, rule.expression().length()) > MAX_EXPRESSION) {
                errors.add(new FieldError(at + "/expression", "is longer than " + MAX_EXPRESSION + " characters"));
                continue;
            }
            CelValidationResult result = COMPILER.compile(rule.expression());
            if (result.hasError()) {
                errors.add(new FieldError(at + "/expression", result.getErrorString()));
                continue;
            }
            try {
                CelAbstractSyntaxTree ast = result.getAst();
                int nesting = comprehensionNesting(ast);
                if (nesting > MAX_COMPREHENSION_NESTING) {
                    errors.add(new FieldError(
                            at + "/expression",
                            "nests " + nesting + " comprehensions (all, exists, "
                                    + "map, filter); at most " + MAX_COMPREHENSION_NESTING
                                    + ", so that a rule stays cheap on "
                                    + "every document"));
                    continue;
                }
                if (!ast.getResultType().equals(SimpleType.BOOL)
                        && !ast.getResultType().equals(SimpleType.DYN)) {
                    errors.add(new FieldError(
                            at + "/expression",
                            "must evaluate to a bool, not "
                                    + ast.getResultType().name()));
                    continue;
                }
                compiled.add(new Compiled(rule, RUNTIME.createProgram(ast)));
            } catch (Exception e) {
                errors.add(new FieldError(at + "/expression", e.getMessage()));
            }
        }
        PolicySpec.Executor ex = spec.executor();
        if (ex != null) {
            if (ex.url() != null && ex.executorId() != null) {
                errors.add(new FieldError("/executor/executorId", "give either url or executorId, not both"));
            } else if (ex.executorId() != null) {
                if (!network.aios.api.Names.isDns1123Label(ex.executorId())) {
                    errors.add(new FieldError("/executor/executorId", "must be a registered executor's id"));
                }
            } else if (ex.url() == null
                    || !(ex.url().startsWith("http://") || ex.url().startsWith("https://"))) {
                errors.add(new FieldError("/executor/url", "is required (or executorId): the executor's http(s) URL"));
            }
            if (ex.owner() != null && (ex.executorId() == null || ex.owner().isBlank())) {
                errors.add(new FieldError(
                        "/executor/owner",
                        "names the owner whose registered executor (executorId) "
                                + "the network trusts; only with executorId"));
            }
            if (ex.timeoutMillis() != null && (ex.timeoutMillis() < 1 || ex.timeoutMillis() > 60_000)) {
                errors.add(new FieldError("/executor/timeoutMillis", "must be between 1 and 60000"));
            }
        }
        if (!errors.isEmpty()) {
            throw new PolicyCompileException(errors);
        }
        return new CompiledPolicy(spec, List.copyOf(compiled));
    }

    /**
     * Evaluates every rule; a rule that is false, errors, or returns a non-bool counts as failed
     * (fail closed). Returns the failed rules' messages; empty means all passed.
     */
    public List<String> failedRules(JsonNode clusterData, JsonNode oldClusterData) {
        return failedRules(clusterData, oldClusterData, (JsonNode) null);
    }

    /** As above, for a decision about one node ({@code nodeData}: what {@value #NODE_DATA} is bound to). */
    public List<String> failedRules(JsonNode clusterData, JsonNode oldClusterData, JsonNode nodeData) {
        return failedRules(clusterData, oldClusterData, nodeData, System::nanoTime);
    }

    List<String> failedRules(JsonNode clusterData, JsonNode oldClusterData, java.util.function.LongSupplier nanoTime) {
        return failedRules(clusterData, oldClusterData, null, nanoTime);
    }

    /** As above, with the time budget read from {@code nanoTime} (tests: a clock that stands still, or jumps). */
    List<String> failedRules(
            JsonNode clusterData,
            JsonNode oldClusterData,
            JsonNode nodeData,
            java.util.function.LongSupplier nanoTime) {
        Map<String, Object> vars = new HashMap<>();
        vars.put(NODE_DATA, JsonToCel.convert(nodeData));
        vars.put(CLUSTER_DATA, JsonToCel.convert(clusterData));
        vars.put(OLD_CLUSTER_DATA, JsonToCel.convert(oldClusterData));
        List<String> failed = new ArrayList<>();
        long policyDeadline = nanoTime.getAsLong() + MAX_POLICY_TIME.toNanos();
        for (Compiled c : rules) {
            try {
                Object result = c.program()
                        .trace(
                                vars,
                                new Budget(
                                        Math.min(policyDeadline, nanoTime.getAsLong() + MAX_TIME.toNanos()), nanoTime));
                if (!Boolean.TRUE.equals(result)) {
                    failed.add(
                            c.rule().message() + (result instanceof Boolean ? "" : " (rule returned " + result + ")"));
                }
            } catch (CelEvaluationException e) {
                failed.add(c.rule().message() + " (rule could not be evaluated: "
                        + (e.getCause() instanceof BudgetExceeded b ? b.getMessage() : e.getMessage()) + ")");
            } catch (BudgetExceeded e) {
                failed.add(c.rule().message() + " (rule could not be evaluated: " + e.getMessage() + ")");
            }
        }
        return failed;
    }

    /** How deeply comprehensions nest in a rule (0: none). */
    static int comprehensionNesting(CelAbstractSyntaxTree ast) {
        return dev.cel.common.navigation.CelNavigableAst.fromAst(ast)
                .getRoot()
                .allNodes()
                .filter(CompiledPolicy::isComprehension)
                .mapToInt(n -> {
                    int depth = 1;
                    for (var p = n.parent(); p.isPresent(); p = p.get().parent()) {
                        if (isComprehension(p.get())) {
                            depth++;
                        }
                    }
                    return depth;
                })
                .max()
                .orElse(0);
    }

    private static boolean isComprehension(dev.cel.common.navigation.CelNavigableExpr n) {
        return n.expr().getKind() == dev.cel.common.ast.CelExpr.ExprKind.Kind.COMPREHENSION;
    }

    /** A rule past its step or time budget. */
    static final class BudgetExceeded extends RuntimeException {
        BudgetExceeded(String message) {
            super(message, null, false, false);
        }
    }

    /** Counts evaluation steps and watches the clock; stops a rule that goes past either. */
    private static final class Budget implements dev.cel.runtime.CelEvaluationListener {
        private final long deadline;
        private final java.util.function.LongSupplier nanoTime;
        private int steps;

        Budget(long deadline, java.util.function.LongSupplier nanoTime) {
            this.deadline = deadline;
            this.nanoTime = nanoTime;
        }

        @Override
        public void callback(dev.cel.common.ast.CelExpr expr, Object result) {
            if (++steps > MAX_STEPS) {
                throw new BudgetExceeded("took more than " + MAX_STEPS + " evaluation steps");
            }
            if ((steps & 1023) == 0 && nanoTime.getAsLong() > deadline) {
                throw new BudgetExceeded("took longer than its time (" + MAX_TIME.toMillis() + " ms a rule, "
                        + MAX_POLICY_TIME.toMillis() + " ms a policy)");
            }
        }
    }
}
