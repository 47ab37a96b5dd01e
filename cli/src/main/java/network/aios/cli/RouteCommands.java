package network.aios.cli;

import java.util.ArrayList;
import java.util.List;
import network.aios.api.Json;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import tools.jackson.databind.JsonNode;

/** {@code aios cluster route add|list|delete}: routes by id on the cluster's gateway. */
@Command(
        name = "route",
        mixinStandardHelpOptions = true,
        description =
                "Dynamic routes on a cluster's gateway: " + "/tasks/<id> (task), /block/<id> (block), /<id> (vdag).",
        subcommands = {RouteCommands.Add.class, RouteCommands.ListRoutes.class, RouteCommands.Delete.class})
final class RouteCommands {
    @Command(name = "add", mixinStandardHelpOptions = true, description = "Route a prefix to a Service.")
    static final class Add implements Runnable {
        @Mixin
        ClientOptions client;

        @Parameters(index = "0", paramLabel = "CLUSTER")
        String cluster;

        @Parameters(index = "1", paramLabel = "KIND", description = "task, block or vdag")
        String kind;

        @Parameters(index = "2", paramLabel = "ID")
        String id;

        @Option(names = "--service", required = true, description = "name.namespace[:port]")
        String service;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public void run() {
            JsonNode r = client.client()
                    .post(
                            "/api/v1/clusters/" + ApiClient.enc(cluster) + "/routes",
                            Json.bytes(Json.object()
                                    .put("kind", kind)
                                    .put("id", id)
                                    .put("service", service)));
            spec.commandLine()
                    .getOut()
                    .println(r.path("prefix").asString() + " -> "
                            + r.path("service").asString());
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "The cluster's routes.")
    static final class ListRoutes implements Runnable {
        @Mixin
        ClientOptions client;

        @Parameters(paramLabel = "CLUSTER")
        String cluster;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public void run() {
            List<List<String>> rows = new ArrayList<>();
            for (JsonNode r : client.client()
                    .get("/api/v1/clusters/" + ApiClient.enc(cluster) + "/routes")
                    .path("items")) {
                rows.add(List.of(
                        r.path("kind").asString(),
                        r.path("id").asString(),
                        r.path("prefix").asString(),
                        r.path("service").asString(),
                        r.path("createdBy").asString()));
            }
            Output.table(spec.commandLine().getOut(), List.of("KIND", "ID", "PREFIX", "SERVICE", "BY"), rows);
        }
    }

    @Command(name = "delete", aliases = "remove", mixinStandardHelpOptions = true, description = "Remove a route.")
    static final class Delete implements Runnable {
        @Mixin
        ClientOptions client;

        @Parameters(index = "0", paramLabel = "CLUSTER")
        String cluster;

        @Parameters(index = "1", paramLabel = "KIND")
        String kind;

        @Parameters(index = "2", paramLabel = "ID")
        String id;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public void run() {
            client.client()
                    .delete("/api/v1/clusters/" + ApiClient.enc(cluster) + "/routes/" + ApiClient.enc(kind) + "/"
                            + ApiClient.enc(id));
            spec.commandLine().getOut().println("route " + kind + "/" + id + " deleted");
        }
    }

    private RouteCommands() {}
}
