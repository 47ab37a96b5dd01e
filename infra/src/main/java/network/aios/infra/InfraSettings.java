package network.aios.infra;

/**
 * What the desired state depends on besides the cluster document: the agents' image, and the URL
 * at which agents reach the control plane. Passed in, never read from the environment here.
 */
public record InfraSettings(String image, String imagePullPolicy, String controlPlaneUrl, int replicas) {
    public static InfraSettings defaults(String controlPlaneUrl) {
        return new InfraSettings("aios/agent:0.1.0", "IfNotPresent", controlPlaneUrl, 1);
    }
}
