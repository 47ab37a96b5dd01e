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

    private static final CelOptions OPTIONS = CelOptions.current()
            .enableHeterogeneousNumericComparisons(true)
            .build();
    private static final CelCompiler COMPILER = CelCompilerFactory.standardCelCompilerBuilder()
            .setOptions(OPTIONS)
            .setStandardMacros(dev.cel.parser.CelStandardMacro.STANDARD_MACROS)
            .addVar(CLUSTER_DATA, SimpleType.DYN)
            .addVar(OLD_CLUSTER_DATA, SimpleType.DYN)
            .build();
    private static final CelRuntime RUNTIME = CelRuntimeFactory.standardCelRuntimeBuilder()
            .setOptions(OPTIONS)
            .build();

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
        for (int i = 0; i < spec.rules().size(); i++) {
            PolicySpec.Rule rule = spec.rules().get(i);
            String at = "/rules/" + i;
            if (rule == null || rule.expression() == null || rule.expression().isBlank()) {
                errors.add(new FieldError(at + "/expression", "is required: a CEL expression that is true when "
                        + "the cluster may proceed"));
                continue;
            }
            if (rule.message() == null || rule.message().isBlank()) {
                errors.add(new FieldError(at + "/message", "is required: shown to the client when the rule fails"));
            }
            CelValidationResult result = COMPILER.compile(rule.expression());
            if (result.hasError()) {
                errors.add(new FieldError(at + "/expression", result.getErrorString()));
                continue;
            }
            try {
                CelAbstractSyntaxTree ast = result.getAst();
                if (!ast.getResultType().equals(SimpleType.BOOL) && !ast.getResultType().equals(SimpleType.DYN)) {
                    errors.add(new FieldError(at + "/expression", "must evaluate to a bool, not "
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
            } else if (ex.url() == null || !(ex.url().startsWith("http://") || ex.url().startsWith("https://"))) {
                errors.add(new FieldError("/executor/url", "is required (or executorId): the executor's http(s) URL"));
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
        Map<String, Object> vars = new HashMap<>();
        vars.put(CLUSTER_DATA, JsonToCel.convert(clusterData));
        vars.put(OLD_CLUSTER_DATA, JsonToCel.convert(oldClusterData));
        List<String> failed = new ArrayList<>();
        for (Compiled c : rules) {
            try {
                Object result = c.program().eval(vars);
                if (!Boolean.TRUE.equals(result)) {
                    failed.add(c.rule().message() + (result instanceof Boolean ? "" : " (rule returned " + result + ")"));
                }
            } catch (CelEvaluationException e) {
                failed.add(c.rule().message() + " (rule could not be evaluated: " + e.getMessage() + ")");
            }
        }
        return failed;
    }
}
