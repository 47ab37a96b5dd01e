package network.aios.api.kubeconfig;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import network.aios.api.FieldError;
import network.aios.api.Json;
import tools.jackson.databind.JsonNode;

/**
 * Owner-supplied kubeconfigs, parsed once into {@link Kubeconfig}: a JSON object, the file's YAML text,
 * or base64 of either, as the seed's clients send them. YAML goes through {@link StrictYaml}; every
 * field is on an allow-list, and what the control plane must never act on is refused by name: exec
 * plugins and auth providers (they run programs), file paths (they read this machine's files), proxies,
 * impersonation. Errors point at the field and never quote a credential.
 */
public final class KubeconfigParser {
    private static final Set<String> TOP = Set.of(
            "apiVersion", "kind", "current-context", "clusters", "users", "contexts", "preferences", "extensions");
    private static final Set<String> CLUSTER = Set.of(
            "server", "certificate-authority-data", "insecure-skip-tls-verify", "extensions", "disable-compression");
    private static final Set<String> USER =
            Set.of("token", "client-certificate-data", "client-key-data", "username", "password", "extensions");
    private static final Set<String> CONTEXT = Set.of("cluster", "user", "namespace", "extensions");
    private static final String PLUGINS = "is not accepted: the control plane never runs plugins; use inline "
            + "credentials (token, or client-certificate-data and client-key-data)";
    private static final String FILES = "is not accepted: the control plane never reads files named in a kubeconfig; "
            + "inline the content as the matching *-data field";
    private static final Map<String, String> REFUSED = Map.ofEntries(
            Map.entry("exec", PLUGINS),
            Map.entry("auth-provider", PLUGINS),
            Map.entry("tokenFile", FILES),
            Map.entry("client-certificate", FILES),
            Map.entry("client-key", FILES),
            Map.entry("certificate-authority", FILES),
            Map.entry("proxy-url", "is not accepted: the control plane connects to the API server directly"),
            Map.entry("as", "is not accepted: impersonation is not used"),
            Map.entry("as-uid", "is not accepted: impersonation is not used"),
            Map.entry("as-groups", "is not accepted: impersonation is not used"),
            Map.entry("as-user-extra", "is not accepted: impersonation is not used"),
            Map.entry(
                    "tls-server-name",
                    "is not supported: address the API server by a name its certificate " + "carries"));

    private final boolean allowInsecure;

    /** @param allowInsecure whether {@code insecure-skip-tls-verify: true} is accepted (an operator's choice) */
    public KubeconfigParser(boolean allowInsecure) {
        this.allowInsecure = allowInsecure;
    }

    public Kubeconfig parse(JsonNode data, String at) throws KubeconfigException {
        if (data == null
                || data.isNull()
                || data.isMissingNode()
                || (data.isObject() && data.isEmpty())
                || (data.isString() && data.asString().isBlank())) {
            throw new KubeconfigException(List.of(new FieldError(
                    at,
                    "is required: the kubeconfig (as in "
                            + "$HOME/.kube/config) as a JSON object, its YAML text, or base64 of it")));
        }
        JsonNode kc;
        if (data.isObject()) {
            kc = data;
        } else if (data.isString()) {
            try {
                kc = StrictYaml.parse(decodeIfBase64(data.asString().trim()));
            } catch (StrictYaml.YamlRefused e) {
                throw new KubeconfigException(
                        List.of(new FieldError(at, e.getMessage() + (e.line() > 0 ? " (line " + e.line() + ")" : ""))));
            }
        } else {
            throw new KubeconfigException(List.of(new FieldError(at, "must be a JSON object or a string")));
        }
        return read(kc, at);
    }

    /** Parses YAML or JSON text we were given (e.g. a file an operator names). */
    public Kubeconfig parseText(String text, String at) throws KubeconfigException {
        return parse(Json.MAPPER.getNodeFactory().stringNode(text), at);
    }

    private Kubeconfig read(JsonNode kc, String at) throws KubeconfigException {
        if (kc == null || !kc.isObject()) {
            throw new KubeconfigException(List.of(new FieldError(at, "must be a kubeconfig document (a mapping)")));
        }
        List<FieldError> errors = new ArrayList<>();
        allowOnly(kc, TOP, at, errors);
        for (String list : List.of("clusters", "users", "contexts")) {
            JsonNode l = kc.get(list);
            if (l != null && !l.isNull() && !l.isArray()) {
                errors.add(new FieldError(at + "/" + list, "must be a list"));
            }
        }
        if (!errors.isEmpty()) {
            throw new KubeconfigException(errors);
        }
        String current = text(kc.get("current-context"), at + "/current-context", errors);
        if (current == null || current.isEmpty()) {
            errors.add(new FieldError(at + "/current-context", "is required: the context to use"));
            throw new KubeconfigException(errors);
        }
        int ci = indexOf(kc.get("contexts"), current, at + "/contexts");
        if (ci < 0) {
            errors.add(new FieldError(
                    at + "/current-context", "names context '" + current + "', which is not in " + "/contexts"));
            throw new KubeconfigException(errors);
        }
        // only what the current context selects is read, strictly; other entries (a user's other clusters,
        // with their plugins or files) are never acted on and are dropped
        checkEntry(kc.get("contexts").get(ci), "context", CONTEXT, at + "/contexts/" + ci, errors);
        String cAt = at + "/contexts/" + ci + "/context";
        JsonNode context = kc.get("contexts").get(ci).get("context");
        String clusterName = context == null ? null : text(context.get("cluster"), cAt + "/cluster", errors);
        String userName = context == null ? null : text(context.get("user"), cAt + "/user", errors);
        String namespace = context == null ? null : text(context.get("namespace"), cAt + "/namespace", errors);
        int k = indexOf(kc.get("clusters"), clusterName, at + "/clusters");
        if (k < 0) {
            errors.add(new FieldError(
                    cAt + "/cluster", "names cluster '" + clusterName + "', which is not in " + "/clusters"));
        }
        int u = userName == null ? -1 : indexOf(kc.get("users"), userName, at + "/users");
        if (userName != null && u < 0) {
            errors.add(new FieldError(cAt + "/user", "names user '" + userName + "', which is not in /users"));
        }
        if (k >= 0) {
            checkEntry(kc.get("clusters").get(k), "cluster", CLUSTER, at + "/clusters/" + k, errors);
        }
        if (u >= 0) {
            checkEntry(kc.get("users").get(u), "user", USER, at + "/users/" + u, errors);
        }
        if (!errors.isEmpty()) {
            throw new KubeconfigException(errors);
        }
        String kAt = at + "/clusters/" + k + "/cluster";
        JsonNode cluster = kc.get("clusters").get(k).get("cluster");
        URI server = server(cluster == null ? null : cluster.get("server"), kAt + "/server", errors);
        if (server != null && server.getScheme().equalsIgnoreCase("http") && !allowInsecure) {
            errors.add(new FieldError(
                    kAt + "/server",
                    "must be an https:// URL: over http:// the credentials would travel in clear (the operator"
                            + " can allow this with --allow-insecure-kubeconfig)"));
        }
        String ca = base64(cluster, "certificate-authority-data", kAt, errors);
        boolean insecure = false;
        JsonNode skip = cluster == null ? null : cluster.get("insecure-skip-tls-verify");
        if (skip != null && !skip.isNull()) {
            if (!skip.isBoolean()) {
                errors.add(new FieldError(kAt + "/insecure-skip-tls-verify", "must be true or false"));
            } else if (skip.booleanValue() && !allowInsecure) {
                errors.add(new FieldError(
                        kAt + "/insecure-skip-tls-verify",
                        "is not accepted: give the API server's "
                                + "CA as certificate-authority-data (the operator can allow this with "
                                + "--allow-insecure-kubeconfig)"));
            } else {
                insecure = skip.booleanValue();
            }
        }
        String token = null;
        String cert = null;
        String key = null;
        String username = null;
        String password = null;
        if (u >= 0) {
            String uAt = at + "/users/" + u + "/user";
            JsonNode user = kc.get("users").get(u).get("user");
            token = user == null ? null : text(user.get("token"), uAt + "/token", errors);
            if (token != null && !token.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
                errors.add(new FieldError(uAt + "/token", "must be printable ASCII (a bearer token)"));
                token = null;
            }
            cert = base64(user, "client-certificate-data", uAt, errors);
            key = base64(user, "client-key-data", uAt, errors);
            username = user == null ? null : text(user.get("username"), uAt + "/username", errors);
            password = user == null ? null : text(user.get("password"), uAt + "/password", errors);
            if ((cert == null) != (key == null)) {
                errors.add(new FieldError(uAt, "client-certificate-data and client-key-data go together"));
            }
        }
        if (!errors.isEmpty()) {
            throw new KubeconfigException(errors);
        }
        return new Kubeconfig(current, server, ca, insecure, token, cert, key, username, password, namespace);
    }

    private static void checkEntry(
            JsonNode entry, String inner, Set<String> allowed, String eAt, List<FieldError> errors) {
        if (!entry.isObject()) {
            errors.add(new FieldError(eAt, "must be a mapping with name and " + inner));
            return;
        }
        allowOnly(entry, Set.of("name", inner), eAt, errors);
        JsonNode body = entry.get(inner);
        if (body != null && !body.isNull()) {
            if (!body.isObject()) {
                errors.add(new FieldError(eAt + "/" + inner, "must be a mapping"));
            } else {
                allowOnly(body, allowed, eAt + "/" + inner, errors);
            }
        }
    }

    private static void allowOnly(JsonNode node, Set<String> allowed, String at, List<FieldError> errors) {
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            String f = e.getKey();
            if (!allowed.contains(f)) {
                errors.add(new FieldError(
                        at + "/" + escape(f),
                        REFUSED.getOrDefault(f, "is not a kubeconfig field the control plane accepts here")));
            }
        }
    }

    /** The index of the entry named {@code name}, or -1; names are unique (a second one is refused). */
    private static int indexOf(JsonNode list, String name, String at) throws KubeconfigException {
        if (name == null || list == null || !list.isArray()) {
            return -1;
        }
        int found = -1;
        for (int i = 0; i < list.size(); i++) {
            JsonNode n = list.get(i).get("name");
            if (n != null && n.isString() && n.asString().equals(name)) {
                if (found >= 0) {
                    throw new KubeconfigException(List.of(
                            new FieldError(at + "/" + i + "/name", "'" + name + "' is named twice in the same list")));
                }
                found = i;
            }
        }
        return found;
    }

    private static String text(JsonNode n, String at, List<FieldError> errors) {
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isString()) {
            errors.add(new FieldError(at, "must be a string"));
            return null;
        }
        return n.asString();
    }

    private static String base64(JsonNode parent, String field, String at, List<FieldError> errors) {
        if (parent == null) {
            return null;
        }
        String v = text(parent.get(field), at + "/" + field, errors);
        if (v == null || v.isBlank()) {
            return null;
        }
        try {
            Base64.getMimeDecoder().decode(v);
            if (!v.matches("[A-Za-z0-9+/=\\s]+")) {
                throw new IllegalArgumentException();
            }
        } catch (IllegalArgumentException e) {
            errors.add(new FieldError(at + "/" + field, "must be base64 (of a PEM block)"));
            return null;
        }
        return v.replaceAll("\\s", "");
    }

    private static URI server(JsonNode n, String at, List<FieldError> errors) {
        String s = text(n, at, errors);
        if (s == null || s.isBlank()) {
            errors.add(new FieldError(at, "is required: the API server's URL (https://host:port)"));
            return null;
        }
        URI uri;
        try {
            uri = new URI(s.trim());
        } catch (URISyntaxException e) {
            errors.add(new FieldError(at, "is not a URL"));
            return null;
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(java.util.Locale.ROOT);
        if (!scheme.equals("https") && !scheme.equals("http")) {
            errors.add(new FieldError(at, "must be an https:// (or http://) URL"));
            return null;
        }
        if (uri.getHost() == null
                || uri.getRawUserInfo() != null
                || uri.getRawQuery() != null
                || uri.getRawFragment() != null
                || uri.getPort() == 0
                || uri.getPort() > 65535) {
            errors.add(new FieldError(at, "must be scheme://host[:port][/path], with no user, query or fragment"));
            return null;
        }
        return uri;
    }

    private static String escape(String field) {
        return field.replace("~", "~0").replace("/", "~1");
    }

    /** The seed's scripts send the file's text; some clients send base64 of it. */
    private static String decodeIfBase64(String s) {
        if (s.contains(":") || s.contains("\n") || s.startsWith("{")) {
            return s;
        }
        try {
            byte[] bytes = Base64.getMimeDecoder().decode(s);
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (IllegalArgumentException | CharacterCodingException e) {
            return s;
        }
    }
}
