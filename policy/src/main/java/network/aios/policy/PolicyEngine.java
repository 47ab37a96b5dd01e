package network.aios.policy;

import java.util.List;
import java.util.Optional;
import network.aios.api.Json;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** Evaluates a compiled policy: CEL rules first (every failure reported), then the remote executor. */
public final class PolicyEngine {
    private final RemoteExecutorClient executorClient;
    private final ExecutorDirectory directory;

    /** Where registered policy executors are reached. */
    @FunctionalInterface
    public interface ExecutorDirectory {
        /**
         * The executor's base URL; empty if it is not registered, has no URL yet, or is not trusted: registered
         * by the network admin, or by {@code owner} when the policy names one.
         */
        Optional<String> url(String executorId, String owner);

        ExecutorDirectory NONE = (id, owner) -> Optional.empty();
    }

    public PolicyEngine(RemoteExecutorClient executorClient) {
        this(executorClient, ExecutorDirectory.NONE);
    }

    public PolicyEngine(RemoteExecutorClient executorClient, ExecutorDirectory directory) {
        this.executorClient = executorClient;
        this.directory = directory;
    }

    public Decision evaluate(CompiledPolicy policy, JsonNode clusterData, JsonNode oldClusterData) {
        return evaluate(policy, clusterData, oldClusterData, null);
    }

    /** As above, for a decision about one node (add_node, remove_node): {@code nodeData} is that node. */
    public Decision evaluate(CompiledPolicy policy, JsonNode clusterData, JsonNode oldClusterData, JsonNode nodeData) {
        List<String> failed = policy.failedRules(clusterData, oldClusterData, nodeData);
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
        if (nodeData != null) {
            input.set(CompiledPolicy.NODE_DATA, nodeData);
        }
        if (executor.executorId() != null) {
            Optional<String> base = directory.url(executor.executorId(), executor.owner());
            if (base.isEmpty()) {
                return new Decision(
                        Decision.Outcome.EXECUTOR_FAILED,
                        List.of("policy executor '"
                                + executor.executorId() + "' is not registered by "
                                + (executor.owner() == null ? "the network admin" : "'" + executor.owner() + "'")
                                + ", or not deployed yet (it has no URL)"));
            }
            executor = executor.at(base.get());
        }
        return executorClient.ask(executor, input);
    }
}
