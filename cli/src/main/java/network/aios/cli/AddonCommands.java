package network.aios.cli;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import network.aios.api.AddonKind;
import network.aios.api.Json;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code aios registry|asset-registry|inference-server|executor|split-runner create|get|list|delete}: the
 * add-ons; executors and split runners also {@code infra create|remove}.
 */
final class AddonCommands {
    /** A command group for one kind of add-on. */
    interface Kind {
        AddonKind kind();
    }

    @Command(
            name = "registry",
            mixinStandardHelpOptions = true,
            description = "Container registries.",
            subcommands = {Create.class, Get.class, ListAddons.class, Delete.class})
    static final class Registry implements Kind {
        public AddonKind kind() {
            return AddonKind.CONTAINER_REGISTRY;
        }
    }

    @Command(
            name = "asset-registry",
            mixinStandardHelpOptions = true,
            description = "Asset registries.",
            subcommands = {Create.class, Get.class, ListAddons.class, Delete.class})
    static final class AssetRegistry implements Kind {
        public AddonKind kind() {
            return AddonKind.ASSET_REGISTRY;
        }
    }

    @Command(
            name = "inference-server",
            mixinStandardHelpOptions = true,
            description = "Adhoc inference servers.",
            subcommands = {Create.class, Get.class, ListAddons.class, Delete.class})
    static final class InferenceServer implements Kind {
        public AddonKind kind() {
            return AddonKind.INFERENCE_SERVER;
        }
    }

    @Command(
            name = "executor",
            mixinStandardHelpOptions = true,
            description =
                    "Policy executors (deployed on a " + "member cluster: NodePort 30900, gateway /executor/<id>/).",
            subcommands = {Create.class, Get.class, ListAddons.class, Delete.class, Infra.class})
    static final class Executor implements Kind {
        public AddonKind kind() {
            return AddonKind.EXECUTOR;
        }
    }

    @Command(
            name = "split-runner",
            mixinStandardHelpOptions = true,
            description = "Model split runners (deployed " + "on a member cluster: NodePort 31701).",
            subcommands = {Create.class, Get.class, ListAddons.class, Delete.class, Infra.class})
    static final class SplitRunner implements Kind {
        public AddonKind kind() {
            return AddonKind.SPLIT_RUNNER;
        }
    }

    @Command(
            name = "create",
            mixinStandardHelpOptions = true,
            description = "Register one from a JSON file " + "(the body the seed's curl sends).")
    static final class Create implements Callable<Integer> {
        @ParentCommand
        Kind parent;

        @Mixin
        ClientOptions client;

        @Option(
                names = {"-f", "--file"},
                required = true)
        Path file;

        @Option(
                names = "--kubeconfig",
                description = "split-runner: the cluster's admin kubeconfig, to register and "
                        + "deploy in one request (sent as cluster_k8s_config; used once, then dropped).")
        Path kubeconfig;

        @Option(names = "--wait", description = "With --kubeconfig: follow the deployment until it finishes.")
        boolean await;

        @Mixin
        JsonOutput output;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            byte[] body = ClusterCommands.read(file);
            if (kubeconfig != null) {
                if (parent.kind() != AddonKind.SPLIT_RUNNER) {
                    throw new CliException(
                            "--kubeconfig is for split-runner create; for an executor use "
                                    + "'aios executor infra create ID --kubeconfig FILE'",
                            2);
                }
                ObjectNode doc = (ObjectNode) Json.parse(new String(body, StandardCharsets.UTF_8));
                doc.put("cluster_k8s_config", new String(ClusterCommands.read(kubeconfig), StandardCharsets.UTF_8));
                body = Json.bytes(doc);
            }
            ApiClient api = client.client();
            JsonNode created = api.post(parent.kind().path(), body);
            JsonNode job = created.get("job");
            if (job == null || job.isNull()) {
                output.print(created);
                return 0;
            }
            // registered and being deployed: the id, the job's progress, then the document as it is now
            String id = created.path("id").asString();
            PrintWriter out = spec.commandLine().getOut();
            out.println(parent.kind().wire() + " " + id + " registered");
            int status = InfraCommands.scheduled(api, job, await, out);
            if (await) {
                output.print(api.get(parent.kind().path() + "/" + ApiClient.enc(id)));
            }
            return status;
        }
    }

    @Command(
            name = "infra",
            mixinStandardHelpOptions = true,
            description = "Deploy it onto a member cluster, or "
                    + "remove it, through the same jobs as a cluster's infrastructure.",
            subcommands = {InfraCreate.class, InfraRemove.class, InfraStatus.class})
    static final class Infra {
        @ParentCommand
        Kind parent;
    }

    @Command(
            name = "create",
            mixinStandardHelpOptions = true,
            description = "POST <kind>/ID/create-infra: the "
                    + "kubeconfig sets up the control plane's own least-privilege identity, then is dropped.")
    static final class InfraCreate implements Callable<Integer> {
        @ParentCommand
        Infra parent;

        @Mixin
        ClientOptions client;

        @Parameters(paramLabel = "ID")
        String id;

        @Option(names = "--kubeconfig", required = true, description = "The cluster's admin kubeconfig.")
        Path kubeconfig;

        @Option(names = "--wait", description = "Follow the job until it finishes.")
        boolean await;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            ApiClient api = client.client();
            JsonNode r = api.post(
                    parent.parent.kind().path() + "/" + ApiClient.enc(id) + "/create-infra",
                    InfraCommands.kubeconfigBody("cluster_config", kubeconfig));
            return InfraCommands.scheduled(api, r, await, spec.commandLine().getOut());
        }
    }

    @Command(
            name = "remove",
            aliases = "delete",
            mixinStandardHelpOptions = true,
            description = "DELETE <kind>/ID/remove-infra: removes "
                    + "everything the control plane created for it; prints a receipt with --wait.")
    static final class InfraRemove implements Callable<Integer> {
        @ParentCommand
        Infra parent;

        @Mixin
        ClientOptions client;

        @Parameters(paramLabel = "ID")
        String id;

        @Mixin
        RemovalOptions options;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            ApiClient api = client.client();
            JsonNode r = api.delete(
                    parent.parent.kind().path() + "/" + ApiClient.enc(id) + "/remove-infra",
                    InfraCommands.kubeconfigBody("cluster_config", options.kubeconfig));
            return InfraCommands.scheduled(
                    api, r, options.await, spec.commandLine().getOut());
        }
    }

    @Command(
            name = "status",
            mixinStandardHelpOptions = true,
            description = "GET <kind>/ID/infra: the latest deployment job in a few lines; -o yaml|json for "
                    + "everything (conditions, receipt, the objects on the cluster).")
    static final class InfraStatus implements Callable<Integer> {
        @ParentCommand
        Infra parent;

        @Mixin
        ClientOptions client;

        @Parameters(paramLabel = "ID")
        String id;

        @Mixin
        StatusOptions options;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            String cli = spec.commandLine().getParent().getParent().getCommandName();
            return InfraCommands.show(
                    client.client(),
                    parent.parent.kind().path() + "/" + ApiClient.enc(id) + "/infra",
                    "aios " + cli + " infra create " + id + " --kubeconfig FILE",
                    options,
                    spec.commandLine().getOut());
        }
    }

    @Command(name = "get", mixinStandardHelpOptions = true, description = "Show one, with its health.")
    static final class Get implements Runnable {
        @ParentCommand
        Kind parent;

        @Mixin
        ClientOptions client;

        @Parameters(paramLabel = "ID")
        String id;

        @Mixin
        JsonOutput output;

        @Override
        public void run() {
            output.print(client.client().get(parent.kind().path() + "/" + ApiClient.enc(id)));
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List, with filters.")
    static final class ListAddons implements Runnable {
        @ParentCommand
        Kind parent;

        @Mixin
        ClientOptions client;

        @Option(names = "--tag", description = "Repeatable: all of these tags.")
        List<String> tags;

        @Option(names = "--cluster")
        String cluster;

        @Option(names = "--metadata-key")
        String metadataKey;

        @Option(
                names = {"-o", "--output"},
                defaultValue = "table",
                description = "table, json or yaml.")
        String output;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public void run() {
            StringBuilder q = new StringBuilder(parent.kind().path() + "?limit=500");
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
                rows.add(List.of(
                        a.path("id").asString(),
                        a.path(k.field("name")).asString(a.path("id").asString()),
                        a.path(k.field("public_url"))
                                .asString(a.path("publicUrl").asString("-")),
                        a.path("cluster_id").asString("-"),
                        a.at("/system/health/status").asString(),
                        a.at("/system/owner").asString()));
            }
            Output.table(spec.commandLine().getOut(), List.of("ID", "NAME", "URL", "CLUSTER", "HEALTH", "OWNER"), rows);
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true, description = "Remove a registration.")
    static final class Delete implements Callable<Integer> {
        @ParentCommand
        Kind parent;

        @Mixin
        ClientOptions client;

        @Parameters(paramLabel = "ID")
        String id;

        @Option(
                names = "--cascade",
                description = "executor, split-runner: remove its infrastructure first, then " + "the registration.")
        boolean cascade;

        @Option(names = "--wait", description = "With --cascade: follow the removal until it finishes.")
        boolean await;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            ApiClient api = client.client();
            JsonNode r = api.delete(parent.kind().path() + "/" + ApiClient.enc(id) + (cascade ? "?cascade=true" : ""));
            PrintWriter out = spec.commandLine().getOut();
            if (r.hasNonNull("job_id")) {
                int status = InfraCommands.scheduled(api, r, await, out);
                if (!await || status != 0) {
                    return status;
                }
                // the registration goes once the removal ended clean, in the job's last step
                if (api.find(parent.kind().path() + "/" + ApiClient.enc(id)).isPresent()) {
                    out.println(parent.kind().wire() + " " + id + " kept: its infrastructure is gone, the "
                            + "registration is not (aios "
                            + spec.commandLine().getParent().getCommandName() + " delete "
                            + id + ")");
                    return 1;
                }
            }
            out.println(parent.kind().wire() + " " + id + " deleted");
            return 0;
        }
    }

    private AddonCommands() {}
}
