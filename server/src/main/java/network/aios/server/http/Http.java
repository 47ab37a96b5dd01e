package network.aios.server.http;

import io.javalin.http.Context;
import java.util.List;
import network.aios.api.FieldError;
import network.aios.api.Json;
import network.aios.server.domain.DomainException;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** Writing responses in the API's one JSON shape. */
public final class Http {
    private Http() {}

    public static void json(Context ctx, int status, Object body) {
        ctx.status(status).contentType("application/json").result(Json.bytes(body));
    }

    /**
     * {"error": {status, code, message, details: [{path, message}], hint?, next?: {method, path}}} — the same
     * everywhere; {@code next} is the request that resolves it, when there is one.
     */
    static ObjectNode errorBody(
            int status,
            String code,
            String message,
            List<FieldError> details,
            String hint,
            DomainException.NextStep next) {
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
        if (next != null) {
            error.putObject("next").put("method", next.method()).put("path", next.path());
        }
        return root;
    }

    public static void error(Context ctx, DomainException e) {
        int status = status(e.kind());
        if ((status == 429 || status == 503) && !ctx.res().containsHeader("Retry-After")) {
            ctx.header("Retry-After", status == 429 ? "1" : "5"); // every "not now" says when
        }
        json(ctx, status, errorBody(status, e.code(), e.getMessage(), e.details(), e.hint(), e.next()));
    }

    /**
     * Whether a request failed because the database is away (no connection, or the server shutting down):
     * answered 503 with Retry-After, not as an internal error.
     */
    public static boolean storeUnreachable(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.sql.SQLTransientConnectionException) {
                return true;
            }
            if (t instanceof java.sql.SQLException q && q.getSQLState() != null) {
                String state = q.getSQLState();
                if (state.startsWith("08") || state.startsWith("57P")) {
                    return true;
                }
            }
        }
        return false;
    }

    /** The one place a kind of failure becomes an HTTP status. */
    public static int status(DomainException.Kind kind) {
        return switch (kind) {
            case BAD_REQUEST -> 400;
            case UNAUTHENTICATED -> 401;
            case FORBIDDEN -> 403;
            case NOT_FOUND -> 404;
            case NOT_ALLOWED -> 405;
            case CONFLICT -> 409;
            case PRECONDITION_FAILED -> 412;
            case TOO_LARGE -> 413;
            case INVALID -> 422;
            case PRECONDITION_REQUIRED -> 428;
            case TOO_MANY_REQUESTS -> 429;
            case INTERNAL -> 500;
            case UPSTREAM_FAILED -> 502;
            case UNAVAILABLE -> 503;
        };
    }

    /** A status Javalin answered on its own, as a kind (4xx we do not name: a bad request; 5xx: internal). */
    public static DomainException.Kind kind(int status) {
        for (DomainException.Kind k : DomainException.Kind.values()) {
            if (status(k) == status) {
                return k;
            }
        }
        return status < 500 ? DomainException.Kind.BAD_REQUEST : DomainException.Kind.INTERNAL;
    }

    /** The ETag of a versioned resource. */
    public static String etag(long version) {
        return "\"" + version + "\"";
    }

    /**
     * Headers of a versioned resource's representation: its ETag (the owner's version, what If-Match checks) and
     * {@code Cache-Control: no-cache}. The representation also carries what the control plane changes without a
     * new version (status, urlMap), so no cache may serve it without asking again; this server answers every
     * such request in full.
     */
    public static void versioned(Context ctx, long version) {
        ctx.header("ETag", etag(version));
        ctx.header("Cache-Control", "no-cache");
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
            throw DomainException.badRequest(
                    "If-Match must carry the version from the ETag, e.g. \"3\"",
                    List.of(new FieldError("/headers/If-Match", "not a version: " + h)));
        }
    }

    /** Query and path parameters reach SQL too: ones holding U+0000 or a lone surrogate are a 400 naming them. */
    public static void requireStorableParameters(Context ctx) {
        List<FieldError> bad = new java.util.ArrayList<>();
        ctx.queryParamMap().forEach((k, vs) -> {
            if (!network.aios.api.UnstorableTextException.storable(k)
                    || vs.stream().anyMatch(v -> !network.aios.api.UnstorableTextException.storable(v))) {
                bad.add(new FieldError(
                        "/query/" + (network.aios.api.UnstorableTextException.storable(k) ? k : "?"),
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
            throw DomainException.badRequest("the request's parameters hold unstorable text", bad);
        }
    }
}
