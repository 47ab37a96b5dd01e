package network.aios.infra;

import io.fabric8.kubernetes.client.Config;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import network.aios.api.FieldError;
import network.aios.api.Json;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * Accepts a kubeconfig the way the seed's clients send it (a JSON object, the file's YAML text, or
 * base64 of it) and refuses what a server must never act on: exec plugins and auth providers (they
 * would run commands here) and file paths (they would read this machine's files). Credentials must
 * be inline. Never includes any part of the kubeconfig in an error message.
 */
public final class Kubeconfigs {
    private static final Set<String> FORBIDDEN_USER_FIELDS = Set.of("exec", "auth-provider", "tokenFile",
            "client-certificate", "client-key");
    private static final Set<String> FORBIDDEN_CLUSTER_FIELDS = Set.of("certificate-authority");

    private Kubeconfigs() {}

    /** A usable kubeconfig: its text, the fabric8 client configuration, and what it points at. */
    public record Parsed(String text, Config config, String context, String server, String caData, boolean insecure) {
        /** Never prints credentials: records would otherwise print every field. */
        @Override
        public String toString() {
            return "Kubeconfig[context=" + context + ", server=" + server + "]";
        }
    }

    public static Parsed parse(JsonNode data, String at) throws KubeconfigException {
        List<FieldError> errors = new ArrayList<>();
        if (data == null || data.isNull() || data.isMissingNode()
                || (data.isObject() && data.isEmpty()) || (data.isString() && data.asString().isBlank())) {
            throw new KubeconfigException(List.of(new FieldError(at, "is required: the kubeconfig (as in "
                    + "$HOME/.kube/config) as a JSON object, its YAML text, or base64 of it")));
        }
        String text;
        if (data.isObject()) {
            text = Json.MAPPER.writeValueAsString(data);
        } else if (data.isString()) {
            text = decodeIfBase64(data.asString().trim());
        } else {
            throw new KubeconfigException(List.of(new FieldError(at, "must be a JSON object or a string")));
        }
        JsonNode kc;
        try {
            kc = Json.YAML.readTree(text);
        } catch (JacksonException e) {
            throw new KubeconfigException(List.of(new FieldError(at, "is not valid YAML or JSON (line "
                    + (e.getLocation() == null ? "?" : e.getLocation().getLineNr()) + ")")));
        }
        if (kc == null || !kc.isObject()) {
            throw new KubeconfigException(List.of(new FieldError(at, "must be a kubeconfig document")));
        }
        String current = kc.path("current-context").asString("");
        if (current.isEmpty()) {
            errors.add(new FieldError(at + "/current-context", "is required: the context to use"));
        }
        JsonNode context = named(kc.path("contexts"), current);
        if (!current.isEmpty() && context == null) {
            errors.add(new FieldError(at + "/current-context", "names context '" + current + "', which is not in "
                    + "/contexts"));
        }
        String clusterName = context == null ? null : context.path("context").path("cluster").asString(null);
        String userName = context == null ? null : context.path("context").path("user").asString(null);
        JsonNode cluster = named(kc.path("clusters"), clusterName);
        if (context != null && cluster == null) {
            errors.add(new FieldError(at + "/clusters", "has no cluster named '" + clusterName + "'"));
        }
        String server = cluster == null ? null : cluster.path("cluster").path("server").asString(null);
        if (cluster != null && (server == null || !server.startsWith("https://") && !server.startsWith("http://"))) {
            errors.add(new FieldError(at + "/clusters", "the current cluster needs a server URL (https://...)"));
        }
        forbid(kc.path("clusters"), "cluster", FORBIDDEN_CLUSTER_FIELDS, at + "/clusters", errors,
                "a file path on this server; inline it as certificate-authority-data");
        forbid(kc.path("users"), "user", FORBIDDEN_USER_FIELDS, at + "/users", errors,
                "not accepted: the control plane never runs plugins or reads local files; use inline credentials "
                        + "(token, client-certificate-data/client-key-data)");
        if (!errors.isEmpty()) {
            throw new KubeconfigException(errors);
        }
        try {
            Config config = Config.fromKubeconfig(null, text, null);
            tune(config);
            String caData = cluster.path("cluster").path("certificate-authority-data").asString(null);
            boolean insecure = cluster.path("cluster").path("insecure-skip-tls-verify").asBoolean(false);
            return new Parsed(text, config, current, server, caData, insecure);
        } catch (RuntimeException e) {
            throw new KubeconfigException(List.of(new FieldError(at, "could not be loaded: "
                    + e.getClass().getSimpleName())));
        }
    }

    /** A client configuration for a bearer token against a known server and CA; no files, no plugins. */
    public static Config forToken(String server, String caData, boolean insecure, String token) {
        tools.jackson.databind.node.ObjectNode kc = Json.object().put("apiVersion", "v1").put("kind", "Config")
                .put("current-context", "aios");
        tools.jackson.databind.node.ObjectNode cluster = kc.putArray("clusters").addObject().put("name", "aios")
                .putObject("cluster").put("server", server);
        if (caData != null) {
            cluster.put("certificate-authority-data", caData);
        }
        if (insecure) {
            cluster.put("insecure-skip-tls-verify", true);
        }
        kc.putArray("users").addObject().put("name", "aios").putObject("user").put("token", token);
        kc.putArray("contexts").addObject().put("name", "aios").putObject("context").put("cluster", "aios")
                .put("user", "aios");
        Config config = Config.fromKubeconfig(null, Json.MAPPER.writeValueAsString(kc), null);
        tune(config);
        return config;
    }

    /**
     * Timeouts short enough for a job step, and no retries inside the client: the job loop owns the one
     * retry policy (the client's own backoff would multiply it and outlast the job's lease).
     */
    private static void tune(Config config) {
        config.setConnectionTimeout(5_000);
        config.setRequestTimeout(10_000);
        config.setRequestRetryBackoffLimit(0);
    }

    private static JsonNode named(JsonNode list, String name) {
        if (name == null || !list.isArray()) {
            return null;
        }
        for (JsonNode n : list) {
            if (name.equals(n.path("name").asString(null))) {
                return n;
            }
        }
        return null;
    }

    private static void forbid(JsonNode list, String inner, Set<String> fields, String at, List<FieldError> errors,
            String why) {
        if (!list.isArray()) {
            return;
        }
        for (int i = 0; i < list.size(); i++) {
            JsonNode body = list.get(i).path(inner);
            for (String f : fields) {
                if (body.has(f)) {
                    errors.add(new FieldError(at + "/" + i + "/" + inner + "/" + f, why));
                }
            }
        }
    }

    /** The seed's scripts send the file's text; some clients send base64 of it. */
    private static String decodeIfBase64(String s) {
        if (s.contains(":") || s.contains("\n") || s.startsWith("{")) {
            return s;
        }
        try {
            byte[] bytes = Base64.getDecoder().decode(s.replaceAll("\\s", ""));
            return StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(bytes)).toString();
        } catch (IllegalArgumentException | CharacterCodingException e) {
            return s;
        }
    }
}
