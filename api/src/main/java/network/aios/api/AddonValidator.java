package network.aios.api;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;

/**
 * Checks an add-on registration: {@code <kind>_name} (required), {@code <kind>_public_url} (required,
 * http or https), {@code <kind>_tags} (strings), {@code <kind>_metadata} (object), and the optional
 * {@code cluster_id} it runs on; for container registries also {@code container_registry_storage_mb}
 * (non-negative integer). Executors and split runners are deployed by the control plane, so their
 * name and URL are optional (the name defaults to the id, the URL is known once deployed); they
 * may choose their id ({@code executor_id}, as the seed's {@code executor-001}; {@code split_runner_id}); a split
 * runner needs {@code split_runner_public_host}; both may set {@code <kind>_node_port} (30000–32767)
 * and {@code <kind>_image}. Every error at a JSON pointer; never throws.
 */
public final class AddonValidator {
    /** A path on the add-on's own host: nothing that could change the host, scheme or port of the URL. */
    private static final java.util.regex.Pattern HEALTH_PATH =
            java.util.regex.Pattern.compile("/(?!/)[A-Za-z0-9._~/-]{0,199}");

    private AddonValidator() {}

    public static List<FieldError> validate(AddonKind kind, JsonNode doc) {
        List<FieldError> errors = new ArrayList<>();
        if (doc == null || !doc.isObject()) {
            errors.add(new FieldError("", "must be a JSON object"));
            return errors;
        }
        String name = kind.field("name");
        JsonNode n = doc.get(name);
        if (kind.deployable() && (n == null || n.isNull())) {
            // optional: named after the id
        } else if (n == null || !n.isString() || n.asString().isBlank()) {
            errors.add(new FieldError("/" + name, "is required: a non-empty string"));
        } else if (n.asString().length() > 253) {
            errors.add(new FieldError("/" + name, "must be at most 253 characters"));
        }
        String url = kind.field("public_url");
        JsonNode u = doc.get(url);
        if (kind.deployable() && (u == null || u.isNull())) {
            // optional: known once deployed
        } else if (u == null || !u.isString() || !isHttpUrl(u.asString())) {
            errors.add(new FieldError("/" + url, "is required: an http:// or https:// URL with a host"));
        }
        JsonNode hp = doc.get(kind.field("health_path"));
        if (hp != null
                && !hp.isNull()
                && (!hp.isString() || !HEALTH_PATH.matcher(hp.asString()).matches())) {
            errors.add(
                    new FieldError(
                            "/" + kind.field("health_path"),
                            "must be a URL path such as /healthz: '/' "
                                    + "then letters, digits and . _ ~ - /, at most 200 characters (it is appended to the public URL)"));
        }
        String tags = kind.field("tags");
        JsonNode t = doc.get(tags);
        if (t != null && !t.isNull()) {
            if (!t.isArray()) {
                errors.add(new FieldError("/" + tags, "must be an array of strings"));
            } else {
                for (int i = 0; i < t.size(); i++) {
                    if (!t.get(i).isString() || t.get(i).asString().isBlank()) {
                        errors.add(new FieldError("/" + tags + "/" + i, "must be a non-empty string"));
                    }
                }
            }
        }
        String meta = kind.field("metadata");
        JsonNode m = doc.get(meta);
        if (m != null && !m.isNull() && !m.isObject()) {
            errors.add(new FieldError("/" + meta, "must be an object"));
        }
        JsonNode c = doc.get("cluster_id");
        if (c != null && !c.isNull() && (!c.isString() || !Names.isDns1123Label(c.asString()))) {
            errors.add(new FieldError("/cluster_id", "must be the id of a registered cluster"));
        }
        if (kind == AddonKind.CONTAINER_REGISTRY) {
            JsonNode s = doc.get(kind.field("storage_mb"));
            if (s != null && !s.isNull() && (!s.isIntegralNumber() || !s.canConvertToLong() || s.asLong() < 0)) {
                errors.add(new FieldError("/" + kind.field("storage_mb"), "must be a non-negative integer (MB)"));
            }
        }
        if (kind.deployable()) {
            deployable(kind, doc, errors);
        }
        return errors;
    }

    private static void deployable(AddonKind kind, JsonNode doc, List<FieldError> errors) {
        JsonNode id = doc.get(kind.field("id"));
        if (id != null && !id.isNull() && (!id.isString() || !Names.isDns1035Label(id.asString()))) {
            errors.add(new FieldError(
                    "/" + kind.field("id"),
                    "must start with a lower-case letter, then lower-case letters, digits and '-' (at most 63, "
                            + "not ending in '-'): it names the " + kind.wire().replace('_', ' ')
                            + "'s Kubernetes Service"));
        }
        if (kind == AddonKind.SPLIT_RUNNER) {
            JsonNode host = doc.get(kind.field("public_host"));
            if (host == null || !host.isString() || !isHost(host.asString())) {
                errors.add(new FieldError(
                        "/" + kind.field("public_host"),
                        "is required: the host name or IP address " + "at which the cluster's nodes are reached"));
            }
        }
        JsonNode port = doc.get(kind.field("node_port"));
        if (port != null
                && !port.isNull()
                && (!port.isIntegralNumber()
                        || !port.canConvertToInt()
                        || port.asInt() < 30000
                        || port.asInt() > 32767)) {
            errors.add(new FieldError(
                    "/" + kind.field("node_port"), "must be an integer in the NodePort range " + "30000-32767"));
        }
        JsonNode image = doc.get(kind.field("image"));
        if (image != null
                && !image.isNull()
                && (!image.isString()
                        || image.asString().isBlank()
                        || image.asString().chars().anyMatch(Character::isWhitespace))) {
            errors.add(new FieldError("/" + kind.field("image"), "must be a container image reference"));
        }
    }

    static boolean isHost(String s) {
        return isHttpUrl("http://" + s) && !s.contains("/") && !s.contains("@");
    }

    static boolean isHttpUrl(String s) {
        try {
            URI uri = new URI(s);
            return ("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))
                    && uri.getHost() != null
                    && uri.getRawUserInfo() == null;
        } catch (URISyntaxException e) {
            return false;
        }
    }
}
