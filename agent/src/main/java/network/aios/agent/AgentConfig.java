package network.aios.agent;

import java.time.Duration;

/** How one agent process runs: its role, where it listens, which cluster it speaks for and to whom. */
record AgentConfig(
        String role,
        String host,
        int port,
        String clusterId,
        String controlPlaneUrl,
        String token,
        String controlPlaneCa,
        String namespace,
        String kubeconfig,
        Duration heartbeat,
        Duration metricsInterval,
        java.util.List<String> egressAllow,
        String grantKey,
        java.nio.file.Path tlsCert,
        java.nio.file.Path tlsKey,
        java.nio.file.Path tokenFile,
        PullSettings pull) {
    boolean tls() {
        return tlsCert != null;
    }

    /** The agent token as the cluster holds it now: the token file read again, else the one given at start. */
    String currentToken() {
        if (tokenFile == null) {
            return token;
        }
        try {
            return java.nio.file.Files.readString(tokenFile).trim();
        } catch (java.io.IOException e) {
            return token; // the Secret's volume is being updated: keep the one in use
        }
    }

    @Override
    public String toString() {
        return "AgentConfig[role=" + role + ", port=" + port + ", clusterId=" + clusterId + ", controlPlane="
                + controlPlaneUrl + (pull == null ? "" : ", " + pull) + "]"; // never the token
    }
}
