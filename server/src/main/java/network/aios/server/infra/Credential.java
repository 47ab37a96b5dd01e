package network.aios.server.infra;

import network.aios.api.Json;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * What the control plane keeps to reach a member cluster after bootstrap: the API server, its CA
 * (not secret), its own ServiceAccount token, and the agents' token. Stored sealed, as one value.
 */
record Credential(String server, String caData, boolean insecure, String token, String agentToken) {
    byte[] bytes() {
        ObjectNode n = Json.object().put("server", server).put("caData", caData).put("insecure", insecure)
                .put("token", token).put("agentToken", agentToken);
        return Json.bytes(n);
    }

    static Credential from(byte[] bytes) {
        JsonNode n = Json.MAPPER.readTree(bytes);
        return new Credential(n.path("server").asString(null), n.path("caData").asString(null),
                n.path("insecure").asBoolean(false), n.path("token").asString(null), n.path("agentToken").asString(null));
    }

    @Override
    public String toString() {
        return "Credential[server=" + server + "]";
    }
}
