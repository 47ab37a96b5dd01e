package network.aios.server.engine;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.http.HttpClient;
import network.aios.egress.EgressGuard;
import network.aios.member.ClusterOps;
import network.aios.member.GuardedHttpClients;

/** Opens a connection to a member cluster; a seam so tests can point it at a fault-injecting server. */
@FunctionalInterface
public interface ClusterConnector extends AutoCloseable {
    /** A client of its own, for one use (an owner's admin kubeconfig: closed after, nothing kept). */
    ClusterOps open(Config config);

    /**
     * A client for the control plane's own credential, which may be shared between uses (see
     * {@link SharedClients}); closing it gives it back. By default, one of its own.
     */
    default ClusterOps openShared(Config config) {
        return open(config);
    }

    @Override
    default void close() {}

    /** Member clusters reached through the egress guard, own-credential clients shared: the product's. */
    static ClusterConnector guarded(EgressGuard guard) {
        HttpClient.Factory http = GuardedHttpClients.factory(guard);
        SharedClients shared = new SharedClients(config -> new network.aios.member.Fabric8ClusterOps(config, http));
        return new ClusterConnector() {
            @Override
            public ClusterOps open(Config config) {
                return new network.aios.member.Fabric8ClusterOps(config, http);
            }

            @Override
            public ClusterOps openShared(Config config) {
                return shared.borrow(config);
            }

            @Override
            public void close() {
                shared.close();
            }
        };
    }
}
