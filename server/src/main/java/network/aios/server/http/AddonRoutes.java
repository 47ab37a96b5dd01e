package network.aios.server.http;

import static network.aios.server.http.Authenticator.principal;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import network.aios.api.AddonKind;
import network.aios.api.FieldError;
import network.aios.api.Json;
import network.aios.server.addons.AddonDeployments;
import network.aios.server.addons.AddonService;
import network.aios.server.addons.InferenceGatewayRoutes;
import network.aios.server.domain.DomainException;
import network.aios.server.infra.InfraService;
import network.aios.store.AddonRecord;
import network.aios.store.GatewayRouteStore;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The seed's add-on registrations, as its curl commands send them: {@code POST /container_registry},
 * {@code /asset_registry}, {@code /inference_server}, {@code /executor}, {@code /split-runner}; get,
 * list, replace, delete under the same path; and for executors and split runners
 * {@code POST {path}/{id}/create-infra} ({@code {cluster_config}}) and {@code DELETE {path}/{id}/remove-infra}.
 */
public final class AddonRoutes {
    /** Where the seed puts the kubeconfig: in create-infra's body, and in the split runner's registration. */
    static final String CLUSTER_CONFIG = "cluster_config";

    static final String SPLIT_RUNNER_KUBECONFIG = "cluster_k8s_config";

    private final AddonService addons;
    private final AddonDeployments deployments;
    private final InferenceGatewayRoutes inferenceGatewayRoutes;

    public AddonRoutes(
            AddonService addons, AddonDeployments deployments, InferenceGatewayRoutes inferenceGatewayRoutes) {
        this.addons = addons;
        this.deployments = deployments;
        this.inferenceGatewayRoutes = inferenceGatewayRoutes;
    }

    public void register(RoutesConfig r) {
        for (AddonKind kind : AddonKind.values()) {
            String base = kind.path();
            r.post(base, ctx -> {
                JsonNode body = Bodies.object(ctx.bodyAsBytes());
                AddonDeployments.Registered reg = kind == AddonKind.SPLIT_RUNNER
                        ? deployments.registerAndDeploy(principal(ctx), kind, body, SPLIT_RUNNER_KUBECONFIG)
                        : new AddonDeployments.Registered(addons.create(principal(ctx), kind, body), null);
                AddonRecord a = reg.addon();
                ctx.header("Location", base + "/" + a.id());
                Http.versioned(ctx, a.version());
                ObjectNode out = AddonService.view(a);
                if (reg.job() != null) {
                    out.set("job", InfraRoutes.scheduledView(reg.job()));
                }
                Http.json(ctx, 201, out);
            });
            r.get(base, ctx -> list(ctx, kind));
            r.get(base + "/{id}", ctx -> one(ctx, addons.get(principal(ctx), kind, ctx.pathParam("id"))));
            r.put(
                    base + "/{id}",
                    ctx -> one(
                            ctx,
                            addons.replace(
                                    principal(ctx),
                                    kind,
                                    ctx.pathParam("id"),
                                    Bodies.object(ctx.bodyAsBytes()),
                                    Http.ifMatch(ctx))));
            r.delete(base + "/{id}", ctx -> {
                String id = ctx.pathParam("id");
                if (kind.deployable()
                        && Boolean.parseBoolean(ctx.queryParam("cascade"))
                        && addons.hasInfra(principal(ctx), kind, id)) {
                    accepted(ctx, deployments.remove(principal(ctx), kind, id, null, "/" + CLUSTER_CONFIG, true));
                    return;
                }
                // an inference server's gateway route goes with it
                boolean routeRemoved =
                        kind == AddonKind.INFERENCE_SERVER && inferenceGatewayRoutes.remove(principal(ctx), id);
                addons.delete(principal(ctx), kind, id);
                Http.json(
                        ctx,
                        200,
                        Json.object().put("id", id).put("deleted", true).put("routeRemoved", routeRemoved));
            });
            if (kind == AddonKind.INFERENCE_SERVER) {
                r.post(base + "/{id}/route", ctx -> {
                    GatewayRouteStore.Route route = inferenceGatewayRoutes.add(
                            principal(ctx), ctx.pathParam("id"), Bodies.object(ctx.bodyAsBytes()));
                    Http.json(ctx, 201, GatewayRouteRoutes.view(route));
                });
                r.get(
                        base + "/{id}/route",
                        ctx -> Http.json(
                                ctx,
                                200,
                                GatewayRouteRoutes.view(inferenceGatewayRoutes
                                        .get(principal(ctx), ctx.pathParam("id"))
                                        .orElseThrow(() -> DomainException.notFound(
                                                "a route for inference server '" + ctx.pathParam("id") + "'")))));
                r.delete(base + "/{id}/route", ctx -> {
                    if (!inferenceGatewayRoutes.remove(principal(ctx), ctx.pathParam("id"))) {
                        throw DomainException.notFound("a route for inference server '" + ctx.pathParam("id") + "'");
                    }
                    Http.json(ctx, 200, Json.object().put("deleted", true));
                });
            }
            if (kind.deployable()) {
                r.get(
                        base + "/{id}/infra",
                        ctx -> Http.json(
                                ctx,
                                200,
                                InfraRoutes.statusView(
                                        "id",
                                        ctx.pathParam("id"),
                                        deployments.status(principal(ctx), kind, ctx.pathParam("id")))));
                r.post(
                        base + "/{id}/create-infra",
                        ctx -> accepted(
                                ctx,
                                deployments.deploy(
                                        principal(ctx),
                                        kind,
                                        ctx.pathParam("id"),
                                        kubeconfig(ctx),
                                        "/" + CLUSTER_CONFIG)));
                r.delete(
                        base + "/{id}/remove-infra",
                        ctx -> accepted(
                                ctx,
                                deployments.remove(
                                        principal(ctx),
                                        kind,
                                        ctx.pathParam("id"),
                                        kubeconfig(ctx),
                                        "/" + CLUSTER_CONFIG,
                                        false)));
            }
        }
    }

    /** {@code cluster_config} from the body; an empty body is none (removal then uses the stored credential). */
    private static JsonNode kubeconfig(Context ctx) {
        byte[] raw = ctx.bodyAsBytes();
        return raw.length == 0 ? null : Bodies.object(raw).get(CLUSTER_CONFIG);
    }

    private static void accepted(Context ctx, InfraService.Scheduled s) {
        ctx.header("Location", "/api/v1/jobs/" + s.job().id());
        Http.json(ctx, s.created() ? 202 : 200, InfraRoutes.scheduledView(s));
    }

    private static void one(Context ctx, AddonRecord a) {
        Http.versioned(ctx, a.version());
        Http.json(ctx, 200, AddonService.view(a));
    }

    private void list(Context ctx, AddonKind kind) {
        List<String> tags = new ArrayList<>();
        ctx.queryParams("tag")
                .forEach(t -> tags.addAll(Arrays.stream(t.split(","))
                        .map(String::trim)
                        .filter(s -> !s.isEmpty())
                        .toList()));
        int limit = 100;
        String l = ctx.queryParam("limit");
        if (l != null) {
            try {
                limit = Integer.parseInt(l);
            } catch (NumberFormatException e) {
                limit = -1;
            }
            if (limit < 1 || limit > 500) {
                throw DomainException.badRequest(
                        "invalid query", List.of(new FieldError("/query/limit", "must be between 1 and 500")));
            }
        }
        network.aios.store.Page<AddonRecord> listed = addons.list(
                principal(ctx),
                kind,
                tags,
                ctx.queryParam("cluster"),
                ctx.queryParam("metadataKey"),
                ctx.queryParam("continue"),
                limit);
        List<AddonRecord> page = listed.items();
        ObjectNode out = Json.object();
        ArrayNode items = out.putArray("items");
        page.forEach(a -> items.add(AddonService.view(a)));
        if (listed.more() && !page.isEmpty()) {
            out.put("continue", page.get(page.size() - 1).id());
        } else {
            out.putNull("continue");
        }
        Http.json(ctx, 200, out);
    }
}
