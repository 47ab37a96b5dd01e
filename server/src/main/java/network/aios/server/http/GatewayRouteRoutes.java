package network.aios.server.http;

import static network.aios.server.http.Authenticator.principal;

import io.javalin.config.RoutesConfig;
import network.aios.api.Json;
import network.aios.server.infra.GatewayRouteService;
import network.aios.store.GatewayRouteStore;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** {@code /api/v1/clusters/{id}/routes}: the dynamic routes on a cluster's gateway. */
public final class GatewayRouteRoutes {
    private final GatewayRouteService routes;

    public GatewayRouteRoutes(GatewayRouteService routes) {
        this.routes = routes;
    }

    public void register(RoutesConfig r) {
        r.post("/api/v1/clusters/{id}/routes", ctx -> {
            GatewayRouteStore.Route route =
                    routes.add(principal(ctx), ctx.pathParam("id"), Bodies.object(ctx.bodyAsBytes()));
            ctx.header(
                    "Location",
                    "/api/v1/clusters/" + route.clusterId() + "/routes/" + route.kind() + "/" + route.routeId());
            Http.json(ctx, 201, view(route));
        });
        r.get("/api/v1/clusters/{id}/routes", ctx -> {
            ObjectNode out = Json.object();
            ArrayNode items = out.putArray("items");
            routes.list(principal(ctx), ctx.pathParam("id")).forEach(x -> items.add(view(x)));
            Http.json(ctx, 200, out);
        });
        r.delete("/api/v1/clusters/{id}/routes/{kind}/{routeId}", ctx -> {
            routes.remove(principal(ctx), ctx.pathParam("id"), ctx.pathParam("kind"), ctx.pathParam("routeId"));
            Http.json(ctx, 200, Json.object().put("deleted", true));
        });
    }

    static ObjectNode view(GatewayRouteStore.Route r) {
        return Json.object()
                .put("clusterId", r.clusterId())
                .put("kind", r.kind())
                .put("id", r.routeId())
                .put("prefix", r.prefix())
                .put("service", r.service())
                .put("createdBy", r.createdBy())
                .put("createdAt", r.createdAt().toString());
    }
}
