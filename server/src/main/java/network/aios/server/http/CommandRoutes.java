package network.aios.server.http;

import static network.aios.server.http.Authenticator.principal;

import io.javalin.config.RoutesConfig;
import network.aios.server.clusters.CommandService;

/** {@code POST /api/v1/clusters/{id}/commands}: a signed grant for the cluster's mgmt agent. */
public final class CommandRoutes {
    private final CommandService commands;
    private final String agentCaPem;

    public CommandRoutes(CommandService commands, String agentCaPem) {
        this.commands = commands;
        this.agentCaPem = agentCaPem;
    }

    public void register(RoutesConfig r) {
        r.post(
                "/api/v1/clusters/{id}/commands",
                ctx -> Http.json(
                        ctx,
                        201,
                        commands.grant(principal(ctx), ctx.pathParam("id"), Bodies.object(ctx.bodyAsBytes()))));
        // the network's agent CA (public): what agents' serving certificates chain to, e.g. for curl --cacert
        r.get("/api/v1/agent-ca", ctx -> {
            principal(ctx); // owners and the admin; agents have no business here
            ctx.contentType("application/x-pem-file").result(agentCaPem);
        });
    }
}
