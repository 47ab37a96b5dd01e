package network.aios.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import network.aios.api.Json;
import picocli.CommandLine;
import picocli.CommandLine.Option;
import tools.jackson.databind.JsonNode;

/**
 * Where the server is, which token to use and, for https with a private CA, which certificate to
 * trust. Each comes from the flag, else the environment (AIOS_SERVER, AIOS_TOKEN, AIOS_CACERT), else
 * the config file (~/.config/aios/config.yaml: {server, token, cacert}),
 * else the defaults: http://127.0.0.1:8080 and the admin token a local server wrote to ./data/admin-token.
 */
public final class ClientOptions {
    @Option(names = "--server", description = "Control plane URL (env AIOS_SERVER).")
    String server;

    @Option(names = "--token", description = "API token (env AIOS_TOKEN).")
    String token;

    @Option(names = "--config", description = "Client config file (default ~/.config/aios/config.yaml).")
    Path config;

    @Option(
            names = "--cacert",
            description = "PEM certificate(s) to trust for an https server with a private CA or a "
                    + "self-signed certificate (env AIOS_CACERT).")
    Path cacert;

    @CommandLine.Spec(CommandLine.Spec.Target.MIXEE)
    CommandLine.Model.CommandSpec mixee;

    /** The flags given before the command ({@code aios --server URL cluster list}); after it, they win. */
    private Aios root() {
        Object root = mixee == null ? null : mixee.root().userObject();
        return root instanceof Aios a ? a : new Aios();
    }

    ApiClient client() {
        Aios root = root();
        if (config == null) {
            config = root.config;
        }
        JsonNode file = readConfig();
        String url =
                first(server, root.server, System.getenv("AIOS_SERVER"), text(file, "server"), "http://127.0.0.1:8080");
        String tok = first(token, root.token, System.getenv("AIOS_TOKEN"), text(file, "token"), localAdminToken());
        Path caFlag = cacert != null ? cacert : root.cacert;
        String ca =
                first(caFlag == null ? null : caFlag.toString(), System.getenv("AIOS_CACERT"), text(file, "cacert"));
        return new ApiClient(url, tok, ca == null ? null : readCa(Path.of(ca)));
    }

    private static String readCa(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            throw new CliException("cannot read the CA certificate " + p + ": " + ClusterCommands.reason(e), 2);
        }
    }

    private JsonNode readConfig() {
        Path p = config != null ? config : Path.of(System.getProperty("user.home"), ".config", "aios", "config.yaml");
        if (!Files.exists(p)) {
            if (config != null) {
                throw new CliException("config file " + p + " does not exist", 2);
            }
            return null;
        }
        try {
            return Json.YAML.readTree(Files.readString(p));
        } catch (IOException | RuntimeException e) {
            throw new CliException("cannot read config file " + p + ": " + e.getMessage(), 2);
        }
    }

    private static String localAdminToken() {
        String data = System.getenv("AIOS_DATA");
        Path p = Path.of(data == null ? "data" : data, "admin-token");
        try {
            return Files.exists(p) ? Files.readString(p).trim() : null;
        } catch (IOException e) {
            return null;
        }
    }

    private static String text(JsonNode n, String field) {
        return n == null || !n.hasNonNull(field) ? null : n.get(field).asString();
    }

    private static String first(String... values) {
        for (String v : values) {
            if (v != null && !v.isBlank()) {
                return v;
            }
        }
        return null;
    }
}
