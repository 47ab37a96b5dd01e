package network.aios.server.infra;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.http.HttpClient;
import network.aios.egress.EgressGuard;
import network.aios.infra.ClusterOps;
import network.aios.infra.GuardedHttpClients;

/** Opens a connection to a member cluster; a seam so tests can point it at a fault-injecting server. */
@FunctionalInterface
public interface ClusterConnector {
    ClusterOps open(Config config);

    /** Member clusters reached through the egress guard: the only connector the product uses. */
    static ClusterConnector guarded(EgressGuard guard) {
        HttpClient.Factory http = GuardedHttpClients.factory(guard);
        return config -> new network.aios.infra.Fabric8ClusterOps(config, http);
    }
}
