package network.aios.server.http;

import static network.aios.server.http.Authenticator.principal;
import static network.aios.server.http.Authenticator.requireAdmin;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.List;
import network.aios.api.FieldError;
import network.aios.api.Json;
import network.aios.server.auth.Principal;
import network.aios.server.auth.TokenService;
import network.aios.server.domain.DomainException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** API tokens: the admin issues tokens for cluster owners (the secret is returned once) and revokes them. */
public final class TokenRoutes {
    private final TokenService tokens;

    public TokenRoutes(TokenService tokens) {
        this.tokens = tokens;
    }

    public void register(RoutesConfig r) {
        r.get("/api/v1/whoami", ctx -> {
            Principal p = principal(ctx);
            Http.json(
                    ctx,
                    200,
                    Json.object()
                            .put("name", p.name())
                            .put("role", p.role().name().toLowerCase()));
        });
        r.post("/api/v1/tokens", this::issue);
        r.get("/api/v1/tokens", this::list);
        r.delete("/api/v1/tokens/{name}", this::revoke);
    }

    private void issue(Context ctx) {
        Principal admin = principal(ctx);
        requireAdmin(admin);
        JsonNode body = Bodies.object(ctx.bodyAsBytes());
        String role = body.path("role").asString("owner");
        Principal.Role r;
        try {
            r = Principal.Role.valueOf(role.toUpperCase());
            if (r == Principal.Role.AGENT || r == Principal.Role.PULL) {
                throw new IllegalArgumentException("agent tokens are minted by the infra job and by pull joins");
            }
        } catch (IllegalArgumentException e) {
            throw DomainException.invalid(List.of(new FieldError("/role", "must be owner or admin")));
        }
        TokenService.Issued issued = tokens.issue(body.path("name").asString(null), r, admin.name());
        ObjectNode out = Json.object()
                .put("name", issued.record().name())
                .put("role", issued.record().role())
                .put("token", issued.token())
                .put("note", "store this token now: it is not shown again");
        Http.json(ctx, 201, out);
    }

    private void list(Context ctx) {
        requireAdmin(principal(ctx));
        ArrayNode items = Json.MAPPER.createArrayNode();
        tokens.list(principal(ctx))
                .forEach(t -> items.addObject()
                        .put("name", t.name())
                        .put("role", t.role())
                        .put("createdAt", t.createdAt().toString())
                        .put("revoked", !t.active()));
        Http.json(ctx, 200, Json.object().set("items", items));
    }

    private void revoke(Context ctx) {
        Principal admin = principal(ctx);
        requireAdmin(admin);
        String name = ctx.pathParam("name");
        if (!tokens.revoke(name, admin.name())) {
            throw DomainException.notFound("active token '" + name + "'");
        }
        Http.json(ctx, 200, Json.object().put("name", name).put("revoked", true));
    }
}
