package network.aios.server.infra;

import io.fabric8.kubernetes.client.Config;
import network.aios.infra.ClusterOps;

/** Opens a connection to a member cluster; a seam so tests can point it at a fault-injecting server. */
@FunctionalInterface
public interface ClusterConnector {
    ClusterOps open(Config config);

    ClusterConnector REAL = ClusterOps::new;
}
