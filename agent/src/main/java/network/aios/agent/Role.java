package network.aios.agent;

import io.javalin.config.RoutesConfig;

/** One of the agent's roles: background work started once, and the HTTP routes it serves. */
interface Role extends AutoCloseable {
    void start();

    void routes(RoutesConfig routes);

    /**
     * Completed with the process's exit code when the role stops by itself (the pull role, revoked or
     * removed); the other roles run until the process is stopped.
     */
    default java.util.concurrent.CompletableFuture<Integer> finished() {
        return new java.util.concurrent.CompletableFuture<>();
    }

    @Override
    void close();
}
