package network.aios.agent;

import io.javalin.config.RoutesConfig;

/** One of the agent's roles: background work started once, and the HTTP routes it serves. */
interface Role extends AutoCloseable {
    void start();

    void routes(RoutesConfig routes);

    @Override
    void close();
}
