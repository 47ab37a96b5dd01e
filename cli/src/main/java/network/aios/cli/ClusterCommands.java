package network.aios.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import network.aios.api.ClusterValidator;
import network.aios.api.DocumentParser;
import network.aios.api.FieldError;
import network.aios.api.MalformedDocumentException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import tools.jackson.databind.JsonNode;

/** {@code aios cluster ...}: validate offline, create, get, list, delete. */
@Command(
        name = "cluster",
        mixinStandardHelpOptions = true,
        description = "Register and inspect clusters.",
        subcommands = {
            ClusterCommands.Validate.class,
            OwnerHelpers.Init.class,
            OwnerHelpers.LabelNodes.class,
            ClusterCommands.Create.class,
            ClusterCommands.Get.class,
            ClusterCommands.ListClusters.class,
            ClusterCommands.Update.class,
            ClusterCommands.Patch.class,
            ClusterCommands.Delete.class,
            InfraCommands.class,
            InfraCommands.Preflight.class,
            DescribeCommand.class,
            RouteCommands.class,
            NodeCommands.Cordon.class,
            NodeCommands.Uncordon.class,
            NodeCommands.Drain.class,
            NodeCommands.Relabel.class,
            NodeCommands.Refresh.class,
            JoinCommands.Join.class,
            JoinCommands.Accept.class,
            JoinCommands.Refuse.class,
            JoinStatusCommand.class,
            JoinCommands.JoinRevoke.class
        })
final class ClusterCommands {
    /**
     * A file the user named. A leading {@code ~/} is their home (a shell leaves it unexpanded after
     * {@code --opt=}); a failure says why in words, not just the path again.
     */
    static byte[] read(Path file) {
        Path p = file.getNameCount() > 1 && file.startsWith("~")
                ? Path.of(System.getProperty("user.home")).resolve(file.subpath(1, file.getNameCount()))
                : file;
        try {
            return Files.readAllBytes(p);
        } catch (IOException e) {
            throw new CliException("cannot read " + file + ": " + reason(e), 2);
        }
    }

    /** Why a file could not be read, in words. */
    static String reason(IOException e) {
        if (e instanceof java.nio.file.NoSuchFileException) {
            return "no such file";
        }
        if (e instanceof java.nio.file.AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof java.nio.file.FileSystemException f && f.getReason() != null) {
            return f.getReason();
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    @Command(
            name = "validate",
            mixinStandardHelpOptions = true,
            description = "Check a cluster document offline with the server's own validator.")
    static final class Validate implements java.util.concurrent.Callable<Integer> {
        @Option(
                names = {"-f", "--file"},
                required = true,
                description = "Cluster document (JSON, comments allowed).")
        Path file;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            DocumentParser.Parsed parsed;
            try {
                parsed = DocumentParser.parse(read(file));
            } catch (MalformedDocumentException e) {
                spec.commandLine()
                        .getErr()
                        .println(file + ": not valid JSON: " + e.getMessage() + " (line " + e.line() + ", column "
                                + e.column() + ")" + (e.hint() == null ? "" : "\n  hint: " + e.hint()));
                return 1;
            }
            ClusterValidator.Result r = new ClusterValidator().validate(parsed.document());
            if (r.valid()) {
                spec.commandLine()
                        .getOut()
                        .println(file + ": valid (cluster "
                                + r.document().get("id").asString() + ")");
                return 0;
            }
            spec.commandLine().getErr().println(file + ": " + r.errors().size() + " error(s)");
            for (FieldError e : r.errors()) {
                spec.commandLine()
                        .getErr()
                        .println("  " + e.prefixed(parsed.pointerPrefix()).path() + ": " + e.message());
            }
            return 1;
        }
    }

    @Command(
            name = "create",
            mixinStandardHelpOptions = true,
            description = "Register a cluster (POST /api/createCluster).")
    static final class Create implements Runnable {
        @Mixin
        ClientOptions client;

        @Option(
                names = {"-f", "--file"},
                required = true,
                description = "Cluster document.")
        Path file;

        @Option(names = "--dry-run", description = "Validate and run the policy, but store nothing.")
        boolean dryRun;

        @Mixin
        JsonOutput output;

        @Override
        public void run() {
            JsonNode r = client.client().post("/api/createCluster" + (dryRun ? "?dryRun=true" : ""), read(file));
            output.print(r);
        }
    }

    @Command(name = "get", mixinStandardHelpOptions = true, description = "Show one cluster.")
    static final class Get implements Runnable {
        @Mixin
        ClientOptions client;

        @Parameters(paramLabel = "ID")
        String id;

        @Option(
                names = {"-o", "--output"},
                defaultValue = "json",
                description = "json (default), yaml, table or wide (a row, as list prints it).")
        String output;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public void run() {
            JsonNode cluster = client.client().get("/api/v1/clusters/" + ApiClient.enc(id));
            if (output.equals("table") || output.equals("wide")) {
                table(spec.commandLine().getOut(), List.of(cluster), output.equals("wide"));
            } else {
                Output.print(spec.commandLine().getOut(), cluster, output);
            }
        }
    }

    /** Clusters as kubectl shows resources: a row each; {@code wide} adds GPU models, tags and public host. */
    static void table(java.io.PrintWriter out, List<JsonNode> items, boolean wide) {
        List<List<String>> rows = new ArrayList<>();
        for (JsonNode c : items) {
            List<String> row = new ArrayList<>(List.of(
                    c.path("id").asString(""),
                    c.path("regionId").asString(""),
                    c.path("status").asString(""),
                    c.at("/nodes/count").asString(""),
                    c.at("/gpus/count").asString(""),
                    c.at("/vcpus/count").asString(""),
                    c.path("memory").asString(""),
                    c.at("/system/owner").asString("")));
            if (wide) {
                java.util.Set<String> models = new java.util.TreeSet<>();
                c.at("/nodes/nodeData").forEach(n -> n.at("/gpus/modelNames").forEach(m -> models.add(m.asString(""))));
                List<String> tags = new ArrayList<>();
                c.path("tags").forEach(t -> tags.add(t.asString("")));
                row.add(String.join(",", models));
                row.add(String.join(",", tags));
                row.add(c.at("/config/publicHostname").asString(""));
            }
            rows.add(row);
        }
        List<String> header =
                new ArrayList<>(List.of("ID", "REGION", "STATUS", "NODES", "GPUS", "VCPUS", "MEMORY(MB)", "OWNER"));
        if (wide) {
            header.addAll(List.of("GPU-MODELS", "TAGS", "PUBLIC-HOST"));
        }
        Output.table(out, header, rows);
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List clusters, with filters.")
    static final class ListClusters implements Runnable {
        @Mixin
        ClientOptions client;

        @Option(names = "--region")
        String region;

        @Option(names = "--status")
        String status;

        @Option(names = "--tag", description = "Repeatable: clusters carrying all of these tags.")
        List<String> tags;

        @Option(names = "--gpu-model")
        String gpuModel;

        @Option(names = "--min-gpus")
        Integer minGpus;

        @Option(names = "--min-vcpus")
        Integer minVcpus;

        @Option(names = "--min-memory", description = "MB")
        Long minMemory;

        @Option(names = "--limit", defaultValue = "100", description = "Page size (default ${DEFAULT-VALUE}).")
        int limit;

        @Option(names = "--all", description = "Follow pages until the end.")
        boolean all;

        @Option(
                names = {"-o", "--output"},
                defaultValue = "table",
                description = "table (default), wide (with GPU models, tags, public host), json or yaml.")
        String output;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public void run() {
            ApiClient api = client.client();
            List<JsonNode> items = new ArrayList<>();
            String cont = null;
            do {
                StringBuilder q = new StringBuilder("/api/v1/clusters?limit=" + limit);
                ApiClient.param(q, "region", region);
                ApiClient.param(q, "status", status);
                ApiClient.param(q, "gpuModel", gpuModel);
                ApiClient.param(q, "minGpus", minGpus);
                ApiClient.param(q, "minVcpus", minVcpus);
                ApiClient.param(q, "minMemory", minMemory);
                ApiClient.param(q, "continue", cont);
                if (tags != null) {
                    tags.forEach(t -> ApiClient.param(q, "tag", t));
                }
                JsonNode page = api.get(q.toString());
                page.path("items").forEach(items::add);
                cont = page.path("continue").isNull()
                        ? null
                        : page.path("continue").asString(null);
            } while (all && cont != null);
            if (output.equals("table") || output.equals("wide")) {
                if (items.isEmpty()) {
                    // as kubectl says it, rather than a lone header
                    spec.commandLine().getOut().println("No clusters found.");
                    spec.commandLine().getOut().flush();
                    return;
                }
                table(spec.commandLine().getOut(), items, output.equals("wide"));
                if (cont != null) {
                    spec.commandLine().getOut().println("(more: --all, or continue after " + cont + ")");
                }
            } else {
                JsonNode list =
                        network.aios.api.Json.object().set("items", network.aios.api.Json.MAPPER.valueToTree(items));
                Output.print(spec.commandLine().getOut(), list, output);
            }
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true, description = "Remove a cluster from the network.")
    static final class Delete implements Runnable {
        @Mixin
        ClientOptions client;

        @Parameters(paramLabel = "ID")
        String id;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(
                names = "--cascade",
                description = "Remove the cluster's infrastructure first (with the control plane's credential), "
                        + "then delete the registration and the add-on registrations bound to it (named in the "
                        + "answer); prints the removal job.")
        boolean cascade;

        @Override
        public void run() {
            JsonNode answer =
                    client.client().delete("/api/v1/clusters/" + ApiClient.enc(id) + (cascade ? "?cascade=true" : ""));
            List<String> addons = new java.util.ArrayList<>();
            if (answer != null) {
                answer.path("addonsDeleted").forEach(a -> addons.add(a.asString()));
            }
            String withAddons =
                    addons.isEmpty() ? "" : ", with the add-on registrations bound to it: " + String.join(", ", addons);
            if (answer != null && answer.hasNonNull("job_id")) {
                spec.commandLine()
                        .getOut()
                        .println("cluster " + id + ": its infrastructure is being removed (job "
                                + answer.path("job_id").asString() + "); then the registration is deleted"
                                + withAddons + ". Follow it: aios cluster infra status " + id + " --wait");
                return;
            }
            spec.commandLine().getOut().println("cluster " + id + " deleted" + withAddons);
        }
    }

    @Command(
            name = "update",
            mixinStandardHelpOptions = true,
            description = "Replace a cluster's document (PUT) from a file, as `get -o json` shows it.")
    static final class Update implements Runnable {
        @Mixin
        ClientOptions client;

        @Parameters(paramLabel = "ID")
        String id;

        @Option(
                names = {"-f", "--file"},
                required = true,
                description = "The document (JSON, comments allowed).")
        Path file;

        @Option(
                names = "--if-match",
                description = "The version this edit starts from; default: the file's system.version, else the "
                        + "cluster's current version (then the last writer wins).")
        Long ifMatch;

        @Mixin
        JsonOutput output;

        @Override
        public void run() {
            byte[] body = read(file);
            long version = ifMatch != null ? ifMatch : versionIn(body);
            output.print(client.client().put("/api/v1/clusters/" + ApiClient.enc(id), body, version));
        }

        private long versionIn(byte[] body) {
            try {
                JsonNode v =
                        network.aios.api.DocumentParser.parse(body).document().at("/system/version");
                if (v.canConvertToLong()) {
                    return v.asLong();
                }
            } catch (network.aios.api.MalformedDocumentException e) {
                // the server says what is wrong with it, at the line and column
            }
            return client.client()
                    .get("/api/v1/clusters/" + ApiClient.enc(id))
                    .at("/system/version")
                    .asLong();
        }
    }

    @Command(
            name = "patch",
            mixinStandardHelpOptions = true,
            description = "Change part of a cluster's document: a JSON merge patch (RFC 7396), e.g. "
                    + "-p '{\"tags\": [\"gpu\"]}'.")
    static final class Patch implements Runnable {
        @Mixin
        ClientOptions client;

        @Parameters(paramLabel = "ID")
        String id;

        @Option(
                names = {"-p", "--patch"},
                description = "The merge patch, inline.")
        String patch;

        @Option(
                names = {"-f", "--file"},
                description = "The merge patch, from a file.")
        Path file;

        @Mixin
        JsonOutput output;

        @Override
        public void run() {
            if ((patch == null) == (file == null)) {
                throw new CliException("give the merge patch with -p '<json>' or -f <file>", 2);
            }
            byte[] body = patch != null ? patch.getBytes(java.nio.charset.StandardCharsets.UTF_8) : read(file);
            output.print(client.client().patch("/api/v1/clusters/" + ApiClient.enc(id), body));
        }
    }
}
