package network.aios.server.http;

import static network.aios.server.auth.Authenticator.principal;

import io.javalin.config.RoutesConfig;
import network.aios.server.clusters.CommandService;

/** {@code POST /api/v1/clusters/{id}/commands}: a signed grant for the cluster's mgmt agent. */
public final class CommandRoutes {
    private final CommandService commands;

    public CommandRoutes(CommandService commands) {
        this.commands = commands;
    }

    public void register(RoutesConfig r) {
        r.post("/api/v1/clusters/{id}/commands", ctx -> Http.json(ctx, 201, commands.grant(principal(ctx),
                ctx.pathParam("id"), Bodies.object(ctx.bodyAsBytes()))));
    }
}
