package network.aios.server.http;

import static network.aios.server.http.Authenticator.principal;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import network.aios.server.clusters.ClusterService;
import network.aios.server.domain.DomainException;
import network.aios.server.health.ClusterHealth;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * What clusters' agents report ({@code POST /api/v1/clusters/{id}/heartbeat}, {@code .../metrics}: the
 * cluster's own agent credential only), the view derived from it ({@code GET .../health}), and the
 * metrics paths AIOS uses ({@code GET /cluster-metrics/<cluster_id>},
 * {@code GET /cluster-metrics/node/<cluster_id>/<node_id>}).
 */
public final class HealthRoutes {
    private final ClusterHealth health;
    private final ClusterService clusters;

    public HealthRoutes(ClusterHealth health, ClusterService clusters) {
        this.health = health;
        this.clusters = clusters;
    }

    public void register(RoutesConfig r) {
        r.post(
                "/api/v1/clusters/{id}/heartbeat",
                ctx -> Http.json(
                        ctx,
                        200,
                        health.heartbeat(principal(ctx), ctx.pathParam("id"), Bodies.object(ctx.bodyAsBytes()))));
        r.post("/api/v1/clusters/{id}/metrics", ctx -> {
            health.metrics(principal(ctx), ctx.pathParam("id"), Bodies.object(ctx.bodyAsBytes()));
            ctx.status(202);
        });
        r.post("/api/v1/clusters/{id}/audit", ctx -> {
            health.audit(principal(ctx), ctx.pathParam("id"), Bodies.object(ctx.bodyAsBytes()));
            ctx.status(202);
        });
        r.get(
                "/api/v1/clusters/{id}/health",
                ctx -> Http.json(ctx, 200, health.view(clusters.get(principal(ctx), ctx.pathParam("id")))));
        r.get("/api/v1/clusters/{id}/metrics", ctx -> clusterMetrics(ctx, ctx.pathParam("id")));
        r.get("/cluster-metrics/{clusterId}", ctx -> clusterMetrics(ctx, ctx.pathParam("clusterId")));
        r.get(
                "/api/v1/clusters/{id}/metrics/nodes/{nodeId}",
                ctx -> nodeMetrics(ctx, ctx.pathParam("id"), ctx.pathParam("nodeId")));
        r.get(
                "/cluster-metrics/node/{clusterId}/{nodeId}",
                ctx -> nodeMetrics(ctx, ctx.pathParam("clusterId"), ctx.pathParam("nodeId")));
    }

    private ObjectNode metrics(Context ctx, String clusterId) {
        clusters.get(principal(ctx), clusterId);
        return health.latestMetrics(clusterId)
                .orElseThrow(() -> DomainException.notFound(
                        "metrics for cluster '" + clusterId + "' (its metrics agent has not reported yet)"));
    }

    private void clusterMetrics(Context ctx, String clusterId) {
        Http.json(ctx, 200, metrics(ctx, clusterId));
    }

    private void nodeMetrics(Context ctx, String clusterId, String nodeId) {
        ObjectNode m = metrics(ctx, clusterId);
        for (JsonNode n : m.path("nodes")) {
            if (nodeId.equals(n.path("nodeId").asString(null))) {
                ObjectNode out = ((ObjectNode) n.deepCopy())
                        .put("clusterId", clusterId)
                        .put("observedAt", m.path("observedAt").asString(null))
                        .put("receivedAt", m.path("receivedAt").asString(null))
                        .put("stale", m.path("stale").asBoolean());
                out.put("metricsApi", m.path("metricsApi").asString(null));
                Http.json(ctx, 200, out);
                return;
            }
        }
        throw DomainException.notFound("node '" + nodeId + "' in the metrics of cluster '" + clusterId + "'");
    }
}
