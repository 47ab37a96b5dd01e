package network.aios.server.http;

import static network.aios.server.http.Authenticator.principal;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import network.aios.api.Json;
import network.aios.server.quotas.QuotaService;
import network.aios.store.QuotaStore;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Quotas: {@code GET /api/v1/quotas} (admin: the default and every override), {@code GET|PUT|DELETE
 * /api/v1/quotas/{owner}} ({@code _default} names the network's default; an owner may read its own).
 */
public final class QuotaRoutes {
    private final QuotaService quotas;

    public QuotaRoutes(QuotaService quotas) {
        this.quotas = quotas;
    }

    public void register(RoutesConfig r) {
        r.get("/api/v1/quotas", ctx -> {
            ArrayNode items = Json.MAPPER.createArrayNode();
            quotas.list(principal(ctx)).forEach(v -> items.add(render(v)));
            Http.json(ctx, 200, Json.object().set("items", items));
        });
        r.get("/api/v1/quotas/{owner}", ctx -> Http.json(ctx, 200, render(quotas.get(principal(ctx), owner(ctx)))));
        r.put(
                "/api/v1/quotas/{owner}",
                ctx -> Http.json(
                        ctx, 200, render(quotas.set(principal(ctx), owner(ctx), Bodies.object(ctx.bodyAsBytes())))));
        r.delete("/api/v1/quotas/{owner}", ctx -> {
            quotas.delete(principal(ctx), owner(ctx));
            ctx.status(204);
        });
    }

    private static String owner(Context ctx) {
        return ctx.pathParam("owner");
    }

    static ObjectNode render(QuotaService.View v) {
        ObjectNode o = Json.object().put("owner", v.owner());
        o.set("set", quota(v.set()));
        o.set("effective", quota(v.effective()));
        if (v.usage() != null) {
            o.set(
                    "usage",
                    Json.object()
                            .put("clusters", v.usage().clusters())
                            .put("addons", v.usage().addons())
                            .put("jobs", v.usage().jobs()));
        }
        return o;
    }

    private static ObjectNode quota(QuotaStore.Quota q) {
        ObjectNode o = Json.object();
        put(o, "clusters", q.clusters());
        put(o, "addons", q.addons());
        put(o, "jobs", q.jobs());
        put(o, "commandsPerMinute", q.commandsPerMinute());
        put(o, "routesPerCluster", q.routesPerCluster());
        return o;
    }

    private static void put(ObjectNode o, String name, Integer v) {
        if (v == null) {
            o.putNull(name);
        } else {
            o.put(name, v);
        }
    }
}
