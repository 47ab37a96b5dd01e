package network.aios.policy;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Map;

/**
 * One version of the policy for one action: CEL rules evaluated over {@code {cluster_data: <document>}}
 * (and {@code old_cluster_data} on update), each with the message shown when it fails; optionally a
 * remote executor asked after the rules pass.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record PolicySpec(List<Rule> rules, Executor executor) {
    public PolicySpec {
        rules = rules == null ? List.of() : List.copyOf(rules);
    }

    public static PolicySpec allowAll() {
        return new PolicySpec(List.of(), null);
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Rule(String name, String expression, String message) {}

    /**
     * AIOS's remote mode: POST {policy_rule_uri, input_data, parameters} → {allowed, input_data, reason}.
     * The executor is a URL, or a registered policy executor ({@code executorId}) whose URL plus
     * {@code path} (default {@value #DEFAULT_PATH}) is asked. A registered executor is used only if the
     * network admin registered it, or if it belongs to the {@code owner} the policy names: owners choose
     * executor ids, so an id alone could name a look-alike someone else registered first.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Executor(
            String url,
            String executorId,
            String path,
            String policyRuleUri,
            Map<String, Object> parameters,
            Long timeoutMillis,
            String owner) {
        public static final String DEFAULT_PATH = "/run";

        public long timeoutOrDefault() {
            return timeoutMillis == null ? 5_000 : timeoutMillis;
        }

        /** The same executor, asked at {@code baseUrl} plus its path. */
        public Executor at(String baseUrl) {
            String p = path == null ? DEFAULT_PATH : path.startsWith("/") ? path : "/" + path;
            return new Executor(
                    baseUrl.replaceAll("/+$", "") + p,
                    executorId,
                    path,
                    policyRuleUri,
                    parameters,
                    timeoutMillis,
                    owner);
        }
    }
}
