package network.aios.member.desired;

import java.util.Map;

/** Every name and label the control plane puts on a member cluster, computed in one place. */
public final class InfraNames {
    public static final String NAMESPACE = "aios-system";
    public static final String FIELD_MANAGER = "aios-control-plane";
    /**
     * The field manager of the namespace claims ({@link Owner}): apart from {@link #FIELD_MANAGER}, so applying
     * a namespace for one registration never drops another's claim.
     */
    public static final String CLAIMS_FIELD_MANAGER = "aios-control-plane-claims";

    public static final String MANAGED_BY_LABEL = "app.kubernetes.io/managed-by";
    public static final String MANAGED_BY = "aios-control-plane";
    public static final String CLUSTER_LABEL = "aios.network/cluster-id";
    public static final String COMPONENT_LABEL = "app.kubernetes.io/component";
    public static final String NAME_LABEL = "app.kubernetes.io/name";

    /** The control plane's own identity on the member cluster (least privilege). */
    public static final String CONTROL_PLANE_SA = "aios-control-plane";

    public static final String CONTROL_PLANE_TOKEN_SECRET = "aios-control-plane-token";
    /** Each agent role runs as its own identity, with only what that role does (see {@link #agentServiceAccount}). */
    public static final String AGENT_SECRET = "aios-agent-credentials";
    /** The agents' serving certificate and key (type kubernetes.io/tls), issued by the network's agent CA. */
    public static final String AGENT_TLS_SECRET = "aios-agent-tls";

    public static final String CLUSTER_CONFIGMAP = "aios-cluster";

    public static final String AMBASSADOR_NAMESPACE = "ambassador";
    public static final String AMBASSADOR_SERVICE = "ambassador";
    public static final int AMBASSADOR_NODE_PORT = 32000;
    public static final String MAPPING_GROUP = "getambassador.io";
    public static final String MAPPING_VERSION = "v3alpha1";
    public static final String MAPPING_CRD = "mappings.getambassador.io";

    private InfraNames() {}

    public static String workload(AgentRole role) {
        return "aios-" + role.id();
    }

    /** Cluster-scoped names carry the cluster id: one API server may host several test clusters' objects. */
    public static String controlPlaneClusterRole(String clusterId) {
        return "aios-control-plane-" + clusterId;
    }

    /** The ServiceAccount one agent role runs as, e.g. {@code aios-agent-mgmt}. */
    public static String agentServiceAccount(AgentRole role) {
        return "aios-agent-" + role.id();
    }

    public static String agentClusterRole(String clusterId, AgentRole role) {
        return "aios-agent-" + role.id() + "-" + clusterId;
    }

    /** The blocks log's segments: a ring of this many ConfigMaps, the only ones the blocks role may update. */
    public static final int BLOCK_LOG_SEGMENTS = 50;

    public static String blockLogSegment(int n) {
        return String.format("aios-blocks-log-%06d", n);
    }

    /** The control plane's Roles (and their bindings) in kube-system and kube-public for external node joins. */
    public static final String NODE_JOIN_ROLE = "aios-node-join";

    public static Map<String, String> labels(String clusterId) {
        return Map.of(MANAGED_BY_LABEL, MANAGED_BY, CLUSTER_LABEL, clusterId);
    }

    public static Map<String, String> labels(String clusterId, AgentRole role) {
        return Map.of(
                MANAGED_BY_LABEL,
                MANAGED_BY,
                CLUSTER_LABEL,
                clusterId,
                COMPONENT_LABEL,
                role.id(),
                NAME_LABEL,
                workload(role));
    }

    /** Selects every object of ours for one cluster (the removal sweep). */
    public static String selector(String clusterId) {
        return MANAGED_BY_LABEL + "=" + MANAGED_BY + "," + CLUSTER_LABEL + "=" + clusterId;
    }
}
