package network.aios.member.desired;

/**
 * What a cluster's agents are given that is secret to that cluster: their token for the control plane
 * and the key of their serving certificate (with the certificate, PEM). Neither grants more than that
 * cluster: the member cluster's admin can read both.
 */
public record AgentSecrets(String agentToken, String tlsCertificatePem, String tlsKeyPem) {
    /** Stand-ins for renderings and digests, where no secret belongs. */
    public static AgentSecrets placeholder() {
        return new AgentSecrets("<agent-token>", "<serving-certificate>", "<serving-key>");
    }

    @Override
    public String toString() {
        return "AgentSecrets[redacted]";
    }
}
