package network.aios.server.nodes;

import network.aios.policy.PolicyAction;
import network.aios.server.policy.PolicyService;
import tools.jackson.databind.JsonNode;

/**
 * Whether the network admits a change of a cluster's nodes: the node's own policy ({@code add_node} or {@code
 * remove_node}: rules see {@code node_data}) and, since the document changes, {@code update_cluster} on the
 * document as it would be — so an operator who bounds documents with update_cluster bounds joins too, with no
 * node policy in force.
 */
final class NodeAdmission {
    /** The first policy that did not allow it (or the node's own, when all did), and its decision. */
    record Verdict(PolicyAction action, PolicyService.Admission admission) {
        boolean allowed() {
            return admission.decision().isAllowed();
        }

        /** "the add_node policy (version 3): reason; reason", for a note or a log. */
        String say() {
            return "the " + action.wire() + " policy"
                    + (admission.version() == null ? "" : " (version " + admission.version() + ")") + ": "
                    + String.join("; ", admission.decision().reasons());
        }
    }

    private final PolicyService policies;

    NodeAdmission(PolicyService policies) {
        this.policies = policies;
    }

    /** The versions of the policies in force that judge nodes ("add_node:3,remove_node:-,update_cluster:1"). */
    String versions() {
        StringBuilder out = new StringBuilder();
        for (PolicyAction a :
                new PolicyAction[] {PolicyAction.ADD_NODE, PolicyAction.REMOVE_NODE, PolicyAction.UPDATE_CLUSTER}) {
            out.append(a.wire())
                    .append(':')
                    .append(policies.versionInForce(a).map(String::valueOf).orElse("-"))
                    .append(',');
        }
        return out.toString();
    }

    /** {@code nodeAction} on {@code node}, the document going from {@code before} to {@code after}. */
    Verdict check(PolicyAction nodeAction, JsonNode after, JsonNode before, JsonNode node) {
        PolicyService.Admission own = policies.check(nodeAction, after, before, node);
        if (!own.decision().isAllowed()) {
            return new Verdict(nodeAction, own);
        }
        PolicyService.Admission update = policies.check(PolicyAction.UPDATE_CLUSTER, after, before);
        return update.decision().isAllowed()
                ? new Verdict(nodeAction, own)
                : new Verdict(PolicyAction.UPDATE_CLUSTER, update);
    }
}
