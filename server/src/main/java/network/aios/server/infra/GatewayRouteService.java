package network.aios.server.infra;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import network.aios.api.ClusterDocument;
import network.aios.api.ClusterStatus;
import network.aios.api.FieldError;
import network.aios.member.desired.GatewayRoute;
import network.aios.server.auth.Principal;
import network.aios.server.clusters.ClusterService;
import network.aios.server.domain.DomainException;
import network.aios.store.ClusterRecord;
import network.aios.store.GatewayRouteStore;
import tools.jackson.databind.JsonNode;

/**
 * Registers and removes the dynamic routes on a cluster's gateway ({@code /tasks/<id>}, {@code /block/<id>},
 * {@code /<vdag-id>}). A route is desired state: it is stored here, and its Mapping is applied (or, once the route
 * is gone, pruned) by whoever applies the cluster's desired state, never from inside the request: the job engine
 * under its lease (push mode: a resync is asked for at once), or the cluster's pull agent (pull mode: its next
 * desired state names it). A Mapping the owner's gateway refuses is recorded in that resync's receipt.
 */
public final class GatewayRouteService {
    private final ClusterService clusters;
    private final GatewayRouteStore routes;
    private final Clock clock;
    /** Push mode: asks the engine to apply the cluster's desired state again soon. */
    private final java.util.function.Consumer<String> applySoon;
    /** Whether a cluster is run in pull mode (its agent applies what is stored). */
    private final java.util.function.Predicate<String> pulled;
    /** Pull mode: tells the cluster's waiting agent its desired state changed. */
    private final java.util.function.Consumer<String> pullChanged;

    public GatewayRouteService(
            ClusterService clusters,
            GatewayRouteStore routes,
            Clock clock,
            java.util.function.Consumer<String> applySoon,
            java.util.function.Predicate<String> pulled,
            java.util.function.Consumer<String> pullChanged) {
        this.pullChanged = pullChanged;
        this.clusters = clusters;
        this.routes = routes;
        this.clock = clock;
        this.applySoon = applySoon;
        this.pulled = pulled;
    }

    public GatewayRouteStore.Route add(Principal who, String clusterId, JsonNode body) {
        ClusterRecord cluster = clusters.get(who, clusterId);
        String kind = text(body, "kind");
        String id = text(body, "id");
        String service = text(body, "service");
        List<FieldError> errors = GatewayRoute.check(kind, id, service);
        if (!errors.isEmpty()) {
            throw DomainException.invalid(errors);
        }
        ClusterDocument doc = ClusterDocument.of(cluster.document());
        if (doc.config() == null || !doc.config().gateway()) {
            throw new DomainException(
                    DomainException.Kind.CONFLICT,
                    "no_gateway",
                    "cluster '" + clusterId + "' does not use the gateway "
                            + "(config.useGateway is false): its services are reached on NodePorts",
                    List.of(),
                    null);
        }
        boolean ready = ClusterStatus.LIVE.wire().equals(cluster.status())
                || ClusterStatus.DEGRADED.wire().equals(cluster.status());
        if (!ready && !pulled.test(clusterId)) {
            throw new DomainException(
                            DomainException.Kind.CONFLICT,
                            "infra_not_ready",
                            "cluster '" + clusterId + "' has no ready AIOS infrastructure (status " + cluster.status()
                                    + ")",
                            List.of(),
                            "create it first: POST /create-cluster-infra")
                    .withNext("PUT", "/api/v1/clusters/" + clusterId + "/infra");
        }
        GatewayRoute route = new GatewayRoute(GatewayRoute.Kind.fromWire(kind), id, service);
        Instant now = clock.instant();
        GatewayRouteStore.Route row =
                new GatewayRouteStore.Route(clusterId, kind, id, route.prefix(), service, who.name(), now);
        if (!routes.insert(row, who.quotaOwner())) {
            throw new DomainException(
                            DomainException.Kind.CONFLICT,
                            "conflict",
                            "cluster '" + clusterId + "' already has a route " + route.prefix(),
                            List.of(),
                            "route ids are unique per kind on a cluster: choose another id, or delete that route first"
                                    + " (aios cluster route delete " + clusterId + " " + kind + " " + id + ")")
                    .withNext("DELETE", "/api/v1/clusters/" + clusterId + "/routes/" + kind + "/" + id);
        }
        changed(clusterId);
        return row;
    }

    public List<GatewayRouteStore.Route> list(Principal who, String clusterId) {
        clusters.get(who, clusterId);
        return routes.list(clusterId);
    }

    public void remove(Principal who, String clusterId, String kind, String id) {
        clusters.get(who, clusterId);
        GatewayRoute.Kind k = GatewayRoute.Kind.fromWire(kind);
        if (k == null
                || routes.list(clusterId).stream()
                        .noneMatch(r -> r.kind().equals(kind) && r.routeId().equals(id))) {
            throw DomainException.notFound("route " + kind + "/" + id + " on cluster '" + clusterId + "'");
        }
        routes.delete(clusterId, kind, id, who.name(), clock.instant());
        changed(clusterId); // its Mapping is pruned by the next apply: it is no longer desired
    }

    /** The cluster's desired state changed: the engine applies it soon (a pull agent sees a new revision). */
    private void changed(String clusterId) {
        if (pulled.test(clusterId)) {
            pullChanged.accept(clusterId);
        } else {
            applySoon.accept(clusterId);
        }
    }

    private static String text(JsonNode body, String field) {
        JsonNode n = body.get(field);
        return n != null && n.isString() ? n.asString() : null;
    }
}
