package network.aios.server.infra;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import network.aios.api.ClusterDocument;
import network.aios.api.ClusterStatus;
import network.aios.api.FieldError;
import network.aios.infra.ClusterOps;
import network.aios.infra.GatewayRoute;
import network.aios.infra.InfraNames;
import network.aios.infra.ObjectRef;
import network.aios.server.auth.Principal;
import network.aios.server.clusters.ClusterService;
import network.aios.server.domain.DomainException;
import network.aios.server.security.SecretBox;
import network.aios.store.ClusterRecord;
import network.aios.store.InfraStore;
import network.aios.store.RouteStore;
import tools.jackson.databind.JsonNode;

/**
 * Registers and removes the dynamic routes on a cluster's gateway ({@code /tasks/<id>},
 * {@code /block/<id>}, {@code /<vdag-id>}) with the control plane's own credential for the cluster.
 * Each Mapping is recorded in the infra inventory before it is applied, so removing the
 * infrastructure takes it too.
 */
public final class RouteService {
    /** Routes come after the bootstrap (0..) and the agent services (100..) in the inventory. */
    static final int ROUTES_SEQ = 1000;

    private final ClusterService clusters;
    private final RouteStore routes;
    private final InfraStore store;
    private final MemberAccess access;
    private final Clock clock;
    /** The owner's slots for calls to its member cluster while it waits (shared with {@link InfraService}). */
    private final MemberCallSlots slots;

    public RouteService(
            ClusterService clusters,
            RouteStore routes,
            InfraStore store,
            SecretBox box,
            ClusterConnector connector,
            Clock clock,
            MemberCallSlots slots) {
        this.slots = slots;
        this.clusters = clusters;
        this.routes = routes;
        this.store = store;
        this.access = new MemberAccess(store, box, connector, clock);
        this.clock = clock;
    }

    public RouteStore.Route add(Principal who, String clusterId, JsonNode body) {
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
        Credential cred = access.credential(clusterId)
                .filter(c -> ClusterStatus.LIVE.wire().equals(cluster.status())
                        || ClusterStatus.DEGRADED.wire().equals(cluster.status()))
                .orElseThrow(() -> new DomainException(
                                DomainException.Kind.CONFLICT,
                                "infra_not_ready",
                                "cluster '" + clusterId + "' has no ready AIOS infrastructure (status "
                                        + cluster.status() + ")",
                                List.of(),
                                "create it first: POST /create-cluster-infra")
                        .withNext("PUT", "/api/v1/clusters/" + clusterId + "/infra"));
        GatewayRoute route = new GatewayRoute(GatewayRoute.Kind.fromWire(kind), id, service);
        Instant now = clock.instant();
        RouteStore.Route row = new RouteStore.Route(clusterId, kind, id, route.prefix(), service, who.name(), now);
        // the owner's slot before anything is stored: a refused request leaves no route behind
        try (MemberCallSlots.Slot slot = slots.enter(who)) {
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
            GenericKubernetesResource mapping = network.aios.infra.Owner.cluster(
                            clusterId, network.aios.api.Incarnation.of(cluster.createdAt()))
                    .stampAll(List.of(route.mapping(clusterId)))
                    .get(0);
            try (ClusterOps ops = access.open(cred)) {
                access.applyRecorded(ops, clusterId, ROUTES_SEQ, List.of(mapping), (done, ref) -> {});
            } catch (KubernetesClientException e) {
                routes.delete(clusterId, kind, id, who.name(), clock.instant());
                forget(clusterId, mapping);
                throw memberFailed(clusterId, e);
            }
        }
        return row;
    }

    public List<RouteStore.Route> list(Principal who, String clusterId) {
        clusters.get(who, clusterId);
        return routes.list(clusterId);
    }

    public void remove(Principal who, String clusterId, String kind, String id) {
        network.aios.store.ClusterRecord cluster = clusters.get(who, clusterId);
        GatewayRoute.Kind k = GatewayRoute.Kind.fromWire(kind);
        if (k == null
                || routes.list(clusterId).stream()
                        .noneMatch(r -> r.kind().equals(kind) && r.routeId().equals(id))) {
            throw DomainException.notFound("route " + kind + "/" + id + " on cluster '" + clusterId + "'");
        }
        GenericKubernetesResource mapping = new GatewayRoute(k, id, "unused").mapping(clusterId);
        access.credential(clusterId).ifPresent(cred -> {
            try (MemberCallSlots.Slot slot = slots.enter(who);
                    ClusterOps ops = access.open(cred)) {
                // only the Mapping this registration made (another's of the same name is left alone)
                RemovalSteps.deleteOwned(
                        ops,
                        network.aios.infra.Owner.cluster(
                                clusterId, network.aios.api.Incarnation.of(cluster.createdAt())),
                        ObjectRef.of(mapping),
                        null);
            } catch (KubernetesClientException e) {
                throw memberFailed(clusterId, e);
            }
        });
        forget(clusterId, mapping);
        routes.delete(clusterId, kind, id, who.name(), clock.instant());
    }

    /** The route's Mapping leaves the cluster's inventory (it was deleted, or never made). */
    private void forget(String clusterId, GenericKubernetesResource mapping) {
        store.inventory()
                .forget(
                        clusterId,
                        mapping.getApiVersion(),
                        mapping.getKind(),
                        InfraNames.NAMESPACE,
                        mapping.getMetadata().getName());
    }

    private static DomainException memberFailed(String clusterId, KubernetesClientException e) {
        return new DomainException(
                        DomainException.Kind.UPSTREAM_FAILED,
                        "cluster_api_failed",
                        "cluster '" + clusterId + "' API server "
                                + (e.getCode() > 0 ? "answered " + e.getCode() : "could not be reached")
                                + "; nothing was changed",
                        List.of(),
                        "retry; if it persists, check the cluster (GET /api/v1/clusters/" + clusterId + "/health)")
                .withNext("GET", "/api/v1/clusters/" + clusterId + "/health");
    }

    private static String text(JsonNode body, String field) {
        JsonNode n = body.get(field);
        return n != null && n.isString() ? n.asString() : null;
    }
}
