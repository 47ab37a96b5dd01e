package network.aios.agent;

import io.javalin.http.Context;
import network.aios.api.Json;

/** JSON answers written with the API's own mapper (the same field names as the control plane's). */
final class Web {
    private Web() {}

    static void json(Context ctx, int status, Object body) {
        ctx.status(status).contentType("application/json").result(Json.MAPPER.writeValueAsBytes(body));
    }

    static void json(Context ctx, Object body) {
        json(ctx, 200, body);
    }

    static void notFound(Context ctx, String message) {
        json(ctx, 404, Json.object().set("error", Json.object().put("status", 404).put("code", "not_found")
                .put("message", message)));
    }
}
