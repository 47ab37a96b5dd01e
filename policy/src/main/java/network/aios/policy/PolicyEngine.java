package network.aios.policy;

import java.util.List;
import network.aios.api.Json;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** Evaluates a compiled policy: CEL rules first (every failure reported), then the remote executor. */
public final class PolicyEngine {
    private final RemoteExecutorClient executorClient;

    public PolicyEngine(RemoteExecutorClient executorClient) {
        this.executorClient = executorClient;
    }

    public Decision evaluate(CompiledPolicy policy, JsonNode clusterData, JsonNode oldClusterData) {
        List<String> failed = policy.failedRules(clusterData, oldClusterData);
        if (!failed.isEmpty()) {
            return new Decision(Decision.Outcome.DENIED, failed);
        }
        PolicySpec.Executor executor = policy.spec().executor();
        if (executor == null) {
            return Decision.allowed();
        }
        ObjectNode input = Json.object();
        input.set(CompiledPolicy.CLUSTER_DATA, clusterData);
        if (oldClusterData != null) {
            input.set(CompiledPolicy.OLD_CLUSTER_DATA, oldClusterData);
        }
        return executorClient.ask(executor, input);
    }
}
