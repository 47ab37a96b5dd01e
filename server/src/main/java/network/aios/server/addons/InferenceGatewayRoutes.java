package network.aios.server.addons;

import java.util.List;
import java.util.Optional;
import network.aios.api.AddonKind;
import network.aios.api.Json;
import network.aios.api.Names;
import network.aios.server.auth.Principal;
import network.aios.server.domain.DomainException;
import network.aios.server.infra.GatewayRouteService;
import network.aios.store.AddonRecord;
import network.aios.store.GatewayRouteStore;
import tools.jackson.databind.JsonNode;

/**
 * An inference server's gateway route, {@code /tasks/<server-id>/}, on the cluster it is bound to:
 * a dynamic route of that cluster like any other, named after the server. The server id is its
 * name when that is a DNS label (the seed's {@code server-pr-home-123}), otherwise its registry id.
 */
public final class InferenceGatewayRoutes {
    private final AddonService addons;
    private final GatewayRouteService routes;

    public InferenceGatewayRoutes(AddonService addons, GatewayRouteService routes) {
        this.addons = addons;
        this.routes = routes;
    }

    static String serverId(AddonRecord a) {
        return Names.isDns1123Label(a.name()) ? a.name() : a.id();
    }

    private AddonRecord bound(Principal who, String id) {
        AddonRecord a = addons.get(who, AddonKind.INFERENCE_SERVER, id);
        if (a.clusterId() == null) {
            throw new DomainException(
                    DomainException.Kind.CONFLICT,
                    "not_bound",
                    "inference server '" + id + "' is not bound to a cluster: set its "
                            + "cluster_id to the cluster it runs on",
                    List.of(),
                    null);
        }
        return a;
    }

    /** Routes {@code /tasks/<server-id>/} on its cluster's gateway to {@code service}. */
    public GatewayRouteStore.Route add(Principal who, String id, JsonNode body) {
        AddonRecord a = bound(who, id);
        JsonNode service = body.get("service");
        return routes.add(
                who,
                a.clusterId(),
                Json.object()
                        .put("kind", "task")
                        .put("id", serverId(a))
                        .put("service", service != null && service.isString() ? service.asString() : null));
    }

    public Optional<GatewayRouteStore.Route> get(Principal who, String id) {
        AddonRecord a = bound(who, id);
        return routes.list(who, a.clusterId()).stream()
                .filter(r -> r.kind().equals("task") && r.routeId().equals(serverId(a)))
                .findFirst();
    }

    /** Removes its route if it has one; true if it had. */
    public boolean remove(Principal who, String id) {
        AddonRecord a = addons.get(who, AddonKind.INFERENCE_SERVER, id);
        if (a.clusterId() == null || get(who, id).isEmpty()) {
            return false;
        }
        routes.remove(who, a.clusterId(), "task", serverId(a));
        return true;
    }
}
