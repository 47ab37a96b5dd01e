package network.aios.member.desired;

/**
 * What the desired state depends on besides the cluster document: the agents' image, the URL at
 * which agents reach the control plane, and — when the control plane serves TLS with a certificate
 * the agents' default trust may not know — that certificate chain (PEM, public). Passed in, never
 * read from the environment here.
 */
public record InfraSettings(
        String image,
        String imagePullPolicy,
        String controlPlaneUrl,
        int replicas,
        String controlPlaneCa,
        String grantPublicKey) {
    public static InfraSettings defaults(String controlPlaneUrl) {
        return new InfraSettings("aios/agent:0.1.0", "IfNotPresent", controlPlaneUrl, 1, null, null);
    }
}
