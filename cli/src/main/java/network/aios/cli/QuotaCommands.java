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
import tools.jackson.databind.node.ObjectNode;

/** {@code aios quota ...}: what each owner may hold and do at once (the admin sets; an owner reads its own). */
@Command(
        name = "quota",
        aliases = "quotas",
        mixinStandardHelpOptions = true,
        description = "Per-owner quotas: clusters, add-ons, unfinished jobs, command grants a minute.",
        subcommands = {
            QuotaCommands.ListQuotas.class,
            QuotaCommands.Get.class,
            QuotaCommands.Set.class,
            QuotaCommands.Reset.class
        })
final class QuotaCommands {
    static final String DEFAULT = "_default";
    static final List<String> FIELDS = List.of("clusters", "addons", "jobs", "commandsPerMinute", "routesPerCluster");

    /** Quotas without a count of what is held (a rate; one per cluster). */
    static boolean uncounted(String field) {
        return field.equals("commandsPerMinute") || field.equals("routesPerCluster");
    }

    static String path(String owner, boolean dflt) {
        if (dflt == (owner != null)) {
            throw new CliException("name an owner, or give --default (the network's default)", 2);
        }
        return "/api/v1/quotas/" + (dflt ? DEFAULT : ApiClient.enc(owner));
    }

    static String cell(JsonNode q, String field) {
        JsonNode v = q.path(field);
        return v.isNumber() ? v.asString() : "-";
    }

    @Command(
            name = "list",
            mixinStandardHelpOptions = true,
            description = "The default and every owner's quota (admin).")
    static final class ListQuotas implements Runnable {
        @Mixin
        ClientOptions client;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public void run() {
            List<List<String>> rows = new ArrayList<>();
            client.client().get("/api/v1/quotas").path("items").forEach(v -> {
                List<String> row = new ArrayList<>();
                row.add(
                        v.path("owner").asString().equals(DEFAULT)
                                ? "(default)"
                                : v.path("owner").asString());
                for (String f : FIELDS) {
                    String used = uncounted(f) || !v.has("usage")
                            ? ""
                            : v.path("usage").path(f).asString() + "/";
                    row.add(used + cell(v.path("effective"), f));
                }
                rows.add(row);
            });
            Output.table(
                    spec.commandLine().getOut(),
                    List.of("OWNER", "CLUSTERS", "ADDONS", "JOBS", "COMMANDS/MIN", "ROUTES/CLUSTER"),
                    rows);
        }
    }

    @Command(
            name = "get",
            mixinStandardHelpOptions = true,
            description = "One owner's quota in force, and what it holds.")
    static final class Get implements Runnable {
        @Mixin
        ClientOptions client;

        @Parameters(paramLabel = "OWNER", arity = "0..1", description = "An owner's token name (default: yours).")
        String owner;

        @Option(names = "--default", description = "The network's default instead.")
        boolean dflt;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public void run() {
            ApiClient api = client.client();
            String who = owner != null || dflt
                    ? owner
                    : api.get("/api/v1/whoami").path("name").asString();
            JsonNode v = api.get(path(who, dflt));
            var out = spec.commandLine().getOut();
            for (String f : FIELDS) {
                String used = v.has("usage") && !uncounted(f)
                        ? v.path("usage").path(f).asString() + " of "
                        : "";
                String set = v.path("set").path(f).isNumber() || dflt ? "" : " (the default)";
                out.println(f + ": " + used + cell(v.path("effective"), f) + set);
            }
        }
    }

    @Command(
            name = "set",
            mixinStandardHelpOptions = true,
            description = "Set an owner's quotas (what you leave out stays as it was), or the default (admin).")
    static final class Set implements Runnable {
        @Mixin
        ClientOptions client;

        @Parameters(paramLabel = "OWNER", arity = "0..1")
        String owner;

        @Option(names = "--default", description = "Set the network's default instead.")
        boolean dflt;

        @Option(names = "--clusters", paramLabel = "N", description = "Clusters the owner may register.")
        Integer clusters;

        @Option(names = "--addons", paramLabel = "N", description = "Add-ons the owner may register.")
        Integer addons;

        @Option(names = "--jobs", paramLabel = "N", description = "Infrastructure jobs it may have unfinished.")
        Integer jobs;

        @Option(names = "--commands-per-minute", paramLabel = "N", description = "Command grants a minute.")
        Integer commands;

        @Option(names = "--routes-per-cluster", paramLabel = "N", description = "Gateway routes on each cluster.")
        Integer routes;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public void run() {
            String p = path(owner, dflt);
            ApiClient api = client.client();
            ObjectNode body = Json.object();
            JsonNode now = api.get(p).path("set");
            Integer[] given = {clusters, addons, jobs, commands, routes};
            for (int i = 0; i < FIELDS.size(); i++) {
                if (given[i] != null) {
                    body.put(FIELDS.get(i), given[i]);
                } else if (now.path(FIELDS.get(i)).isNumber()) {
                    body.put(FIELDS.get(i), now.path(FIELDS.get(i)).asInt());
                }
            }
            api.put(p, Json.bytes(body));
            spec.commandLine().getOut().println((dflt ? "the default quota" : "quota of " + owner) + " set");
        }
    }

    @Command(
            name = "reset",
            mixinStandardHelpOptions = true,
            description = "Drop an owner's own quotas: the network's default applies again (admin).")
    static final class Reset implements Runnable {
        @Mixin
        ClientOptions client;

        @Parameters(paramLabel = "OWNER")
        String owner;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public void run() {
            client.client().delete(path(owner, false));
            spec.commandLine().getOut().println("quota of " + owner + " reset to the default");
        }
    }
}
