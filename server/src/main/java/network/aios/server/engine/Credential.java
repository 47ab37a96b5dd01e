package network.aios.server.engine;

import java.time.Instant;
import network.aios.api.Json;
import network.aios.tls.AgentCa;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * What the control plane keeps to reach a member cluster after bootstrap: the API server, its CA
 * (not secret), its own ServiceAccount token, the agents' token, the agents' serving certificate
 * with its key, and which cluster it is ({@code clusterUid}: the uid of its kube-system namespace, which
 * no other cluster has; null in credentials kept before it was). Stored sealed, as one value.
 */
record Credential(
        String server,
        String caData,
        boolean insecure,
        String token,
        String agentToken,
        AgentCa.Issued serving,
        String clusterUid) {
    Credential withServing(AgentCa.Issued issued) {
        return new Credential(server, caData, insecure, token, agentToken, issued, clusterUid);
    }

    byte[] bytes() {
        ObjectNode n = Json.object()
                .put("server", server)
                .put("caData", caData)
                .put("insecure", insecure)
                .put("token", token)
                .put("agentToken", agentToken)
                .put("clusterUid", clusterUid);
        if (serving != null) {
            n.putObject("serving")
                    .put("certificate", serving.certificatePem())
                    .put("key", serving.keyPem())
                    .put("notAfter", serving.notAfter().toString())
                    .put("identity", serving.identity());
        }
        return Json.bytes(n);
    }

    static Credential from(byte[] bytes) {
        JsonNode n = Json.MAPPER.readTree(bytes);
        JsonNode t = n.path("serving");
        AgentCa.Issued serving = null;
        try {
            if (t.isObject()) {
                serving = new AgentCa.Issued(
                        t.path("certificate").asString(),
                        t.path("key").asString(),
                        Instant.parse(t.path("notAfter").asString()),
                        t.path("identity").asString());
            }
        } catch (java.time.format.DateTimeParseException e) {
            serving = null; // unreadable: the next apply issues a new one, the rest of the credential still works
        }
        return new Credential(
                n.path("server").asString(null),
                n.path("caData").asString(null),
                n.path("insecure").asBoolean(false),
                n.path("token").asString(null),
                n.path("agentToken").asString(null),
                serving,
                n.path("clusterUid").asString(null));
    }

    @Override
    public String toString() {
        return "Credential[server=" + server + "]";
    }
}
