package network.aios.server.engine;

import java.time.Clock;
import network.aios.api.TargetKey;
import network.aios.member.desired.InfraSettings;
import network.aios.member.desired.Owner;
import network.aios.server.auth.TokenService;
import network.aios.store.AddonStore;
import network.aios.store.ClusterStore;
import network.aios.store.GatewayRouteStore;

/** Resolves a job key to what it deploys: {@code <kind>/<id>} is an add-on, anything else a cluster id. */
final class Targets {
    private final ClusterStore clusters;
    private final AddonStore addons;
    private final TokenService tokens;
    private final InfraSettings settings;
    private final GatewayRouteStore routes;
    private final Clock clock;

    Targets(
            ClusterStore clusters,
            AddonStore addons,
            TokenService tokens,
            InfraSettings settings,
            GatewayRouteStore routes,
            Clock clock) {
        this.routes = routes;
        this.clusters = clusters;
        this.addons = addons;
        this.tokens = tokens;
        this.settings = settings;
        this.clock = clock;
    }

    /**
     * Whether a registration a claim names still lives on a member cluster: it is registered, as that
     * incarnation, and the registry says it has infrastructure. A claim its removal could not take back (the
     * control plane's own identity may not patch a namespace) stops counting this way.
     */
    boolean live(Owner o) {
        String key = "cluster".equals(o.kind())
                ? o.id()
                : network.aios.api.AddonKind.fromWire(o.kind())
                        .map(k -> k.infraKey(o.id()))
                        .orElse(null);
        if (key == null) {
            return false;
        }
        Target t = resolve(key);
        return t.registered() && t.owner().equals(o) && t.hasInfrastructure();
    }

    Target resolve(String key) {
        TargetKey t = TargetKey.parse(key);
        if (t.isCluster()) {
            return new ClusterTarget(t.id(), clusters, tokens, settings, routes, clock);
        }
        if (!t.addon().deployable()) {
            throw new IllegalStateException("job key " + key + " names no deployable add-on");
        }
        return new AddonTarget(t.addon(), t.id(), addons, clusters, clock);
    }
}
