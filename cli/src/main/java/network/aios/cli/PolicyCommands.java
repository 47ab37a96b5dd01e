package network.aios.cli;

import java.nio.file.Path;
import network.aios.api.DocumentParser;
import network.aios.api.Json;
import network.aios.api.MalformedDocumentException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** {@code aios policy ...}: the network's pre-check policies. */
@Command(
        name = "policy",
        mixinStandardHelpOptions = true,
        description = "Network pre-check policies (CEL rules).",
        subcommands = {
            PolicyCommands.Get.class,
            PolicyCommands.Set.class,
            PolicyCommands.Test.class,
            PolicyCommands.Versions.class
        })
final class PolicyCommands {
    /** Policies are written in YAML or JSON. */
    static JsonNode readPolicy(Path file) {
        try {
            return Json.YAML.readTree(ClusterCommands.read(file));
        } catch (RuntimeException e) {
            throw new CliException(file + " is not valid YAML or JSON: " + e.getMessage(), 2);
        }
    }

    @Command(name = "get", mixinStandardHelpOptions = true, description = "Show the policy in force for an action.")
    static final class Get implements Runnable {
        @Mixin
        ClientOptions client;

        @Parameters(paramLabel = "ACTION", description = "add_cluster, update_cluster, remove_cluster, ...")
        String action;

        @Option(
                names = {"-o", "--output"},
                defaultValue = "yaml")
        String output;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public void run() {
            Output.print(
                    spec.commandLine().getOut(),
                    client.client().get("/api/v1/policies/" + ApiClient.enc(action)),
                    output);
        }
    }

    @Command(name = "versions", mixinStandardHelpOptions = true, description = "List an action's policy versions.")
    static final class Versions implements Runnable {
        @Mixin
        ClientOptions client;

        @Parameters(paramLabel = "ACTION")
        String action;

        @Option(
                names = {"-o", "--output"},
                defaultValue = "yaml")
        String output;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public void run() {
            Output.print(
                    spec.commandLine().getOut(),
                    client.client().get("/api/v1/policies/" + ApiClient.enc(action) + "/versions"),
                    output);
        }
    }

    @Command(
            name = "set",
            mixinStandardHelpOptions = true,
            description = "Store a new version of an action's policy (admin).")
    static final class Set implements Runnable {
        @Mixin
        ClientOptions client;

        @Parameters(paramLabel = "ACTION")
        String action;

        @Option(
                names = {"-f", "--file"},
                required = true,
                description = "Policy: {rules: [{expression, message}], executor?}")
        Path file;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public void run() {
            JsonNode r = client.client().put("/api/v1/policies/" + ApiClient.enc(action), Json.bytes(readPolicy(file)));
            spec.commandLine()
                    .getOut()
                    .println("policy " + action + " is now version "
                            + r.path("version").asInt());
        }
    }

    @Command(
            name = "test",
            mixinStandardHelpOptions = true,
            description =
                    "Check a cluster document against the policy in force, or (network admin) against --policy FILE.")
    static final class Test implements java.util.concurrent.Callable<Integer> {
        @Mixin
        ClientOptions client;

        @Parameters(paramLabel = "ACTION")
        String action;

        @Option(
                names = {"-f", "--file"},
                required = true,
                description = "Cluster document.")
        Path file;

        @Option(names = "--policy", description = "A policy file to try instead of the stored one.")
        Path policy;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            ObjectNode body = Json.object();
            try {
                body.set(
                        "cluster_data",
                        DocumentParser.parse(ClusterCommands.read(file)).document());
            } catch (MalformedDocumentException e) {
                throw new CliException(file + ": not valid JSON: " + e.getMessage(), 2);
            }
            if (policy != null) {
                body.set("policy", readPolicy(policy));
            }
            // trying another policy is the admin's dry-run; anyone may check a document against the one in force
            JsonNode r = client.client()
                    .post(
                            "/api/v1/policies/" + ApiClient.enc(action) + (policy != null ? "/dry-run" : "/check"),
                            Json.bytes(body));
            boolean allowed = r.path("allowed").asBoolean();
            spec.commandLine()
                    .getOut()
                    .println(allowed ? "allowed" : r.path("outcome").asString() + ":");
            r.path("reasons").forEach(x -> spec.commandLine().getOut().println("  - " + x.asString()));
            return allowed ? 0 : 1;
        }
    }
}
