package network.aios.server.http;

import static network.aios.server.auth.Authenticator.principal;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import network.aios.api.AddonKind;
import network.aios.api.FieldError;
import network.aios.api.Json;
import network.aios.server.addons.AddonService;
import network.aios.store.AddonRecord;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The seed's add-on registrations, as its curl commands send them: {@code POST /container_registry},
 * {@code /asset_registry}, {@code /inference_server}; and get, list, replace, delete under the same path.
 */
public final class AddonRoutes {
    private final AddonService addons;

    public AddonRoutes(AddonService addons) {
        this.addons = addons;
    }

    public void register(RoutesConfig r) {
        for (AddonKind kind : List.of(AddonKind.CONTAINER_REGISTRY, AddonKind.ASSET_REGISTRY, AddonKind.INFERENCE_SERVER)) {
            String base = "/" + kind.wire();
            r.post(base, ctx -> {
                AddonRecord a = addons.create(principal(ctx), kind, Bodies.object(ctx.bodyAsBytes()));
                ctx.header("Location", base + "/" + a.id());
                ctx.header("ETag", Http.etag(a.version()));
                Http.json(ctx, 201, AddonService.view(a));
            });
            r.get(base, ctx -> list(ctx, kind));
            r.get(base + "/{id}", ctx -> one(ctx, addons.get(principal(ctx), kind, ctx.pathParam("id"))));
            r.put(base + "/{id}", ctx -> one(ctx, addons.replace(principal(ctx), kind, ctx.pathParam("id"),
                    Bodies.object(ctx.bodyAsBytes()), Http.ifMatch(ctx))));
            r.delete(base + "/{id}", ctx -> {
                addons.delete(principal(ctx), kind, ctx.pathParam("id"));
                Http.json(ctx, 200, Json.object().put("id", ctx.pathParam("id")).put("deleted", true));
            });
        }
    }

    private static void one(Context ctx, AddonRecord a) {
        ctx.header("ETag", Http.etag(a.version()));
        Http.json(ctx, 200, AddonService.view(a));
    }

    private void list(Context ctx, AddonKind kind) {
        List<String> tags = new ArrayList<>();
        ctx.queryParams("tag").forEach(t -> tags.addAll(Arrays.stream(t.split(",")).map(String::trim)
                .filter(s -> !s.isEmpty()).toList()));
        int limit = 100;
        String l = ctx.queryParam("limit");
        if (l != null) {
            try {
                limit = Integer.parseInt(l);
            } catch (NumberFormatException e) {
                limit = -1;
            }
            if (limit < 1 || limit > 500) {
                throw ApiException.badRequest("invalid query", List.of(new FieldError("/query/limit",
                        "must be between 1 and 500")));
            }
        }
        List<AddonRecord> page = addons.list(principal(ctx), kind, tags, ctx.queryParam("cluster"),
                ctx.queryParam("metadataKey"), ctx.queryParam("continue"), limit);
        ObjectNode out = Json.object();
        ArrayNode items = out.putArray("items");
        page.forEach(a -> items.add(AddonService.view(a)));
        if (page.size() == limit) {
            out.put("continue", page.get(page.size() - 1).id());
        } else {
            out.putNull("continue");
        }
        Http.json(ctx, 200, out);
    }
}
