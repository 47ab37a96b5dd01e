package network.aios.api.kubeconfig;

import java.net.URI;
import network.aios.api.Json;
import tools.jackson.databind.node.ObjectNode;

/**
 * The part of a kubeconfig the control plane acts on: the current context's cluster and user, with
 * inline credentials only. Built by {@link KubeconfigParser} from text it has checked field by field;
 * nothing else in a kubeconfig (plugins, file paths, proxies, impersonation) has a place here.
 *
 * @param context       the current context's name
 * @param server        the API server's URL (http or https)
 * @param caData        base64 PEM of the CA to trust, or null for the JVM's
 * @param insecure      skip TLS verification (only when the operator allows it)
 * @param token         bearer token, or null
 * @param clientCertData base64 PEM client certificate, or null
 * @param clientKeyData base64 PEM client key, or null
 * @param username      basic-auth user, or null
 * @param password      basic-auth password, or null
 * @param namespace     the context's namespace, or null
 */
public record Kubeconfig(
        String context,
        URI server,
        String caData,
        boolean insecure,
        String token,
        String clientCertData,
        String clientKeyData,
        String username,
        String password,
        String namespace) {

    /** Never prints credentials: a record would otherwise print every field. */
    @Override
    public String toString() {
        return "Kubeconfig[context=" + context + ", server=" + server + "]";
    }

    /**
     * This kubeconfig written out again, by us, with nothing but the fields above: what is kept (sealed)
     * while a job needs the owner's credentials. It parses back to an equal value.
     */
    public String canonicalJson() {
        ObjectNode kc =
                Json.object().put("apiVersion", "v1").put("kind", "Config").put("current-context", context);
        ObjectNode cluster = kc.putArray("clusters")
                .addObject()
                .put("name", "c")
                .putObject("cluster")
                .put("server", server.toString());
        if (caData != null) {
            cluster.put("certificate-authority-data", caData);
        }
        if (insecure) {
            cluster.put("insecure-skip-tls-verify", true);
        }
        ObjectNode user = kc.putArray("users").addObject().put("name", "u").putObject("user");
        putIf(user, "token", token);
        putIf(user, "client-certificate-data", clientCertData);
        putIf(user, "client-key-data", clientKeyData);
        putIf(user, "username", username);
        putIf(user, "password", password);
        ObjectNode ctx = kc.putArray("contexts")
                .addObject()
                .put("name", context)
                .putObject("context")
                .put("cluster", "c")
                .put("user", "u");
        putIf(ctx, "namespace", namespace);
        // ASCII only: characters YAML refuses raw (C1 controls, U+FFFE) that the owner sent as escapes stay escapes,
        // so the sealed text reads back through the same strict parser
        return Json.MAPPER
                .writer()
                .with(tools.jackson.core.json.JsonWriteFeature.ESCAPE_NON_ASCII)
                .writeValueAsString(kc);
    }

    private static void putIf(ObjectNode n, String field, String value) {
        if (value != null) {
            n.put(field, value);
        }
    }
}
