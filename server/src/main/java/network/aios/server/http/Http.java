package network.aios.server.http;

import io.javalin.http.Context;
import java.util.List;
import network.aios.api.FieldError;
import network.aios.api.Json;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** Writing responses in the API's one JSON shape. */
public final class Http {
    private Http() {}

    public static void json(Context ctx, int status, Object body) {
        ctx.status(status).contentType("application/json").result(Json.bytes(body));
    }

    /** {"error": {status, code, message, details: [{path, message}], hint}} — the same everywhere. */
    public static ObjectNode errorBody(int status, String code, String message, List<FieldError> details, String hint) {
        ObjectNode root = Json.object();
        ObjectNode error = root.putObject("error");
        error.put("status", status);
        error.put("code", code);
        error.put("message", message);
        ArrayNode list = error.putArray("details");
        for (FieldError d : details) {
            list.addObject().put("path", d.path()).put("message", d.message());
        }
        if (hint != null) {
            error.put("hint", hint);
        }
        return root;
    }

    public static void error(Context ctx, ApiException e) {
        json(ctx, e.status(), errorBody(e.status(), e.code(), e.getMessage(), e.details(), e.hint()));
    }

    /** The ETag of a versioned resource. */
    public static String etag(long version) {
        return "\"" + version + "\"";
    }

    /** Parses an If-Match value ("3", W/"3" or 3); null when absent. */
    public static Long ifMatch(Context ctx) {
        String h = ctx.header("If-Match");
        if (h == null || h.isBlank()) {
            return null;
        }
        String v = h.trim().replaceFirst("^W/", "").replace("\"", "");
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw ApiException.badRequest("If-Match must carry the version from the ETag, e.g. \"3\"",
                    List.of(new FieldError("/headers/If-Match", "not a version: " + h)));
        }
    }

    /** Query and path parameters reach SQL too: ones holding U+0000 or a lone surrogate are a 400 naming them. */
    public static void requireStorableParameters(Context ctx) {
        List<FieldError> bad = new java.util.ArrayList<>();
        ctx.queryParamMap().forEach((k, vs) -> {
            if (!network.aios.api.UnstorableTextException.storable(k)
                    || vs.stream().anyMatch(v -> !network.aios.api.UnstorableTextException.storable(v))) {
                bad.add(new FieldError("/query/" + (network.aios.api.UnstorableTextException.storable(k) ? k : "?"),
                        "contains a character that cannot be stored (U+0000 or an unpaired surrogate)"));
            }
        });
        String path;
        try {
            path = java.net.URLDecoder.decode(ctx.path(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            path = ctx.path();
        }
        if (!network.aios.api.UnstorableTextException.storable(path)) {
            bad.add(new FieldError("/path", "contains a character that cannot be stored (U+0000)"));
        }
        if (!bad.isEmpty()) {
            throw ApiException.badRequest("the request's parameters hold unstorable text", bad);
        }
    }
}
