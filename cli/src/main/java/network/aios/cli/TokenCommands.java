package network.aios.cli;

import network.aios.api.Json;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import tools.jackson.databind.JsonNode;

/** {@code aios token ...}: API tokens for cluster owners (admin only). */
@Command(
        name = "token",
        mixinStandardHelpOptions = true,
        description = "API tokens (admin).",
        subcommands = {TokenCommands.Create.class, TokenCommands.ListTokens.class, TokenCommands.Revoke.class})
final class TokenCommands {
    @Command(name = "create", mixinStandardHelpOptions = true, description = "Issue a token; its secret is shown once.")
    static final class Create implements Runnable {
        @Mixin
        ClientOptions client;

        @Parameters(paramLabel = "NAME")
        String name;

        @Option(names = "--role", defaultValue = "owner", description = "owner (default) or admin.")
        String role;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public void run() {
            JsonNode r = client.client()
                    .post(
                            "/api/v1/tokens",
                            Json.bytes(Json.object().put("name", name).put("role", role)));
            spec.commandLine().getOut().println(r.path("token").asString());
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List tokens (never their secrets).")
    static final class ListTokens implements Runnable {
        @Mixin
        ClientOptions client;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public void run() {
            java.util.List<java.util.List<String>> rows = new java.util.ArrayList<>();
            client.client()
                    .get("/api/v1/tokens")
                    .path("items")
                    .forEach(t -> rows.add(java.util.List.of(
                            t.path("name").asString(),
                            t.path("role").asString(),
                            t.path("createdAt").asString(),
                            t.path("revoked").asBoolean() ? "revoked" : "active")));
            Output.table(spec.commandLine().getOut(), java.util.List.of("NAME", "ROLE", "CREATED", "STATE"), rows);
        }
    }

    @Command(
            name = "revoke",
            aliases = "delete",
            mixinStandardHelpOptions = true,
            description = "Revoke a token by name.")
    static final class Revoke implements Runnable {
        @Mixin
        ClientOptions client;

        @Parameters(paramLabel = "NAME")
        String name;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public void run() {
            client.client().delete("/api/v1/tokens/" + ApiClient.enc(name));
            spec.commandLine().getOut().println("token " + name + " revoked");
        }
    }
}
