package network.aios.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import network.aios.api.AddonKind;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import tools.jackson.databind.JsonNode;

/** {@code aios registry|asset-registry|inference-server create|get|list|delete}: the add-on registries. */
final class AddonCommands {
    /** A command group for one kind of add-on. */
    interface Kind {
        AddonKind kind();
    }

    @Command(name = "registry", mixinStandardHelpOptions = true, description = "Container registries.",
            subcommands = {Create.class, Get.class, ListAddons.class, Delete.class})
    static final class Registry implements Kind {
        public AddonKind kind() {
            return AddonKind.CONTAINER_REGISTRY;
        }
    }

    @Command(name = "asset-registry", mixinStandardHelpOptions = true, description = "Asset registries.",
            subcommands = {Create.class, Get.class, ListAddons.class, Delete.class})
    static final class AssetRegistry implements Kind {
        public AddonKind kind() {
            return AddonKind.ASSET_REGISTRY;
        }
    }

    @Command(name = "inference-server", mixinStandardHelpOptions = true, description = "Adhoc inference servers.",
            subcommands = {Create.class, Get.class, ListAddons.class, Delete.class})
    static final class InferenceServer implements Kind {
        public AddonKind kind() {
            return AddonKind.INFERENCE_SERVER;
        }
    }

    @Command(name = "create", mixinStandardHelpOptions = true, description = "Register one from a JSON file "
            + "(the body the seed's curl sends).")
    static final class Create implements Runnable {
        @ParentCommand Kind parent;
        @Mixin ClientOptions client;
        @Option(names = {"-f", "--file"}, required = true) Path file;
        @Option(names = {"-o", "--output"}, defaultValue = "json") String output;
        @CommandLine.Spec CommandLine.Model.CommandSpec spec;

        @Override
        public void run() {
            Output.print(spec.commandLine().getOut(), client.client().post("/" + parent.kind().wire(),
                    ClusterCommands.read(file)), output);
        }
    }

    @Command(name = "get", mixinStandardHelpOptions = true, description = "Show one, with its health.")
    static final class Get implements Runnable {
        @ParentCommand Kind parent;
        @Mixin ClientOptions client;
        @Parameters(paramLabel = "ID") String id;
        @Option(names = {"-o", "--output"}, defaultValue = "json") String output;
        @CommandLine.Spec CommandLine.Model.CommandSpec spec;

        @Override
        public void run() {
            Output.print(spec.commandLine().getOut(), client.client().get("/" + parent.kind().wire() + "/"
                    + ApiClient.enc(id)), output);
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List, with filters.")
    static final class ListAddons implements Runnable {
        @ParentCommand Kind parent;
        @Mixin ClientOptions client;
        @Option(names = "--tag", description = "Repeatable: all of these tags.") List<String> tags;
        @Option(names = "--cluster") String cluster;
        @Option(names = "--metadata-key") String metadataKey;
        @Option(names = {"-o", "--output"}, defaultValue = "table", description = "table, json or yaml.") String output;
        @CommandLine.Spec CommandLine.Model.CommandSpec spec;

        @Override
        public void run() {
            StringBuilder q = new StringBuilder("/" + parent.kind().wire() + "?limit=500");
            if (tags != null) {
                tags.forEach(t -> q.append("&tag=").append(ApiClient.enc(t)));
            }
            if (cluster != null) {
                q.append("&cluster=").append(ApiClient.enc(cluster));
            }
            if (metadataKey != null) {
                q.append("&metadataKey=").append(ApiClient.enc(metadataKey));
            }
            JsonNode page = client.client().get(q.toString());
            if (!output.equals("table")) {
                Output.print(spec.commandLine().getOut(), page, output);
                return;
            }
            AddonKind k = parent.kind();
            List<List<String>> rows = new ArrayList<>();
            for (JsonNode a : page.path("items")) {
                rows.add(List.of(a.path("id").asString(), a.path(k.field("name")).asString(),
                        a.path(k.field("public_url")).asString(), a.path("cluster_id").asString("-"),
                        a.at("/system/health/status").asString(), a.at("/system/owner").asString()));
            }
            Output.table(spec.commandLine().getOut(), List.of("ID", "NAME", "URL", "CLUSTER", "HEALTH", "OWNER"), rows);
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true, description = "Remove a registration.")
    static final class Delete implements Runnable {
        @ParentCommand Kind parent;
        @Mixin ClientOptions client;
        @Parameters(paramLabel = "ID") String id;
        @CommandLine.Spec CommandLine.Model.CommandSpec spec;

        @Override
        public void run() {
            client.client().delete("/" + parent.kind().wire() + "/" + ApiClient.enc(id));
            spec.commandLine().getOut().println(parent.kind().wire() + " " + id + " deleted");
        }
    }

    private AddonCommands() {}
}
