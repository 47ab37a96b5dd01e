package network.aios.agent;

import io.javalin.http.Context;
import network.aios.api.Json;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** JSON answers written with the API's own mapper (the same field names and error shape as the control plane's). */
final class Web {
    private Web() {}

    static void json(Context ctx, int status, Object body) {
        ctx.status(status).contentType("application/json").result(Json.MAPPER.writeValueAsBytes(body));
    }

    static void json(Context ctx, Object body) {
        json(ctx, 200, body);
    }

    static void notFound(Context ctx, String message) {
        fail(ctx, 404, "not_found", "", message);
    }

    /** Answers with the error shape. */
    static void fail(Context ctx, int status, String code, String path, String message) {
        json(ctx, status, error(status, code, path, message));
    }

    /** The control plane's error shape: {@code {error: {status, code, message, details: [{path, message}]}}}. */
    static ObjectNode error(int status, String code, String path, String message) {
        ObjectNode e = Json.object();
        ObjectNode err =
                e.putObject("error").put("status", status).put("code", code).put("message", message);
        ArrayNode details = err.putArray("details");
        if (!path.isEmpty()) {
            details.addObject().put("path", path).put("message", message);
        }
        return e;
    }

    /** A single daemon thread for an agent's background work. */
    static java.util.concurrent.ScheduledExecutorService daemon(String name) {
        return java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
    }
}
