package network.aios.cli;

import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import tools.jackson.databind.JsonNode;

/** {@code aios audit}: the network's audit log (admin), newest first. */
@Command(name = "audit", mixinStandardHelpOptions = true, description = "The audit log (admin), newest first.")
final class AuditCommand implements Runnable {
    @Mixin
    ClientOptions client;

    @Option(names = "--cluster", description = "Only entries about this cluster (their target).")
    String cluster;

    @Option(names = "--actor", description = "Only this actor (a token's name; agents are agent.<cluster-id>).")
    String actor;

    @Option(names = "--action", description = "Only actions starting with this, e.g. cluster. or mgmt.")
    String action;

    @Option(names = "--since", description = "From this time (RFC 3339, e.g. 2026-11-30T12:00:00Z).")
    String since;

    @Option(names = "--until", description = "Before this time (RFC 3339).")
    String until;

    @Option(names = "--continue", description = "Continue below this entry (from the previous page's hint).")
    String cont;

    @Option(names = "--limit", defaultValue = "50", description = "How many (1-1000; default ${DEFAULT-VALUE}).")
    int limit;

    @Option(
            names = {"-o", "--output"},
            defaultValue = "table",
            description = "table, json or yaml.")
    String output;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        StringBuilder q = new StringBuilder("/api/v1/audit?limit=" + limit);
        ApiClient.param(q, "cluster", cluster);
        ApiClient.param(q, "actor", actor);
        ApiClient.param(q, "action", action);
        ApiClient.param(q, "since", since);
        ApiClient.param(q, "until", until);
        ApiClient.param(q, "continue", cont);
        JsonNode r = client.client().get(q.toString());
        if (!"table".equals(output)) {
            Output.print(spec.commandLine().getOut(), r, output);
            return;
        }
        List<List<String>> rows = new ArrayList<>();
        r.path("items")
                .forEach(e -> rows.add(List.of(
                        e.path("at").asString(),
                        e.path("actor").asString(),
                        e.path("action").asString(),
                        e.path("target").asString())));
        Output.table(spec.commandLine().getOut(), List.of("AT", "ACTOR", "ACTION", "TARGET"), rows);
        if (r.has("continue")) {
            spec.commandLine()
                    .getOut()
                    .println("(more: --continue " + r.path("continue").asString() + ")");
        }
    }
}
