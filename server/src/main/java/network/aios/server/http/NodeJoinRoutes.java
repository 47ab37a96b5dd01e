package network.aios.server.http;

import static network.aios.server.http.Authenticator.principal;

import io.javalin.config.RoutesConfig;
import network.aios.api.Json;
import network.aios.server.nodes.NodeJoinService;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code /api/v1/clusters/{id}/join-tokens}: external nodes' kubeadm join tokens (the owner's or the admin's).
 * The answer to a {@code POST} holds the whole join command, once: it is never stored in clear, never shown again,
 * and not to be cached.
 */
public final class NodeJoinRoutes {
    private final NodeJoinService joins;

    public NodeJoinRoutes(NodeJoinService joins) {
        this.joins = joins;
    }

    public void register(RoutesConfig r) {
        r.post("/api/v1/clusters/{id}/join-tokens", ctx -> {
            String dry = ctx.queryParam("dryRun");
            if (dry != null && !dry.equals("true") && !dry.equals("false")) {
                // anything else would issue a real token to someone who meant a dry run
                throw network.aios.server.domain.DomainException.badRequest(
                        "dryRun is true or false, not '" + dry + "'",
                        java.util.List.of(new network.aios.api.FieldError("?dryRun", "must be true or false")));
            }
            boolean dryRun = "true".equals(dry);
            ObjectNode out = joins.issue(principal(ctx), ctx.pathParam("id"), Bodies.object(ctx.bodyAsBytes()), dryRun);
            if (dryRun) {
                Http.json(ctx, 200, out);
                return;
            }
            ctx.header("Cache-Control", "no-store");
            ctx.header(
                    "Location",
                    "/api/v1/clusters/" + out.path("clusterId").asString() + "/join-tokens/"
                            + out.path("id").asString());
            Http.json(ctx, 201, out);
        });
        r.get("/api/v1/clusters/{id}/join-tokens", ctx -> {
            ObjectNode out = Json.object();
            ArrayNode items = out.putArray("items");
            joins.list(principal(ctx), ctx.pathParam("id")).forEach(items::add);
            Http.json(ctx, 200, out);
        });
        r.get(
                "/api/v1/clusters/{id}/join-tokens/{joinId}",
                ctx -> Http.json(ctx, 200, joins.get(principal(ctx), ctx.pathParam("id"), ctx.pathParam("joinId"))));
        r.delete(
                "/api/v1/clusters/{id}/join-tokens/{joinId}",
                ctx -> Http.json(ctx, 200, joins.revoke(principal(ctx), ctx.pathParam("id"), ctx.pathParam("joinId"))));
    }
}
