package network.aios.member.desired;

/**
 * The four AIOS services every member cluster runs, as the seed lists them: NodePort, gateway
 * suffix on the owner's Ambassador, and the key under which the cluster document's
 * {@code config.urlMap} publishes its URL.
 */
public enum AgentRole {
    CONTROLLER("controller", 32300, "/controller", "controllerService"),
    METRICS("metrics", 32301, "/metrics", "metricsService"),
    BLOCKS("blocks", 32302, "/blocks", "blocksService"),
    MGMT("mgmt", 32303, "/mgmt", "mgmtService");

    private final String id;
    private final int nodePort;
    private final String gatewaySuffix;
    private final String urlMapKey;

    AgentRole(String id, int nodePort, String gatewaySuffix, String urlMapKey) {
        this.id = id;
        this.nodePort = nodePort;
        this.gatewaySuffix = gatewaySuffix;
        this.urlMapKey = urlMapKey;
    }

    public String id() {
        return id;
    }

    public int nodePort() {
        return nodePort;
    }

    public String gatewaySuffix() {
        return gatewaySuffix;
    }

    public String urlMapKey() {
        return urlMapKey;
    }
}
