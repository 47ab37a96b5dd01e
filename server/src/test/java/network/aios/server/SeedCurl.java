package network.aios.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import network.aios.api.Json;
import tools.jackson.databind.JsonNode;

/** The seed's curl commands, taken from its text and pointed at a test server: nothing retyped. */
public final class SeedCurl {
    private SeedCurl() {}

    static String seed() throws Exception {
        return Files.readString(Path.of("..", "..", "shared", "seed", "onboarding-cluster.md"));
    }

    /** Every curl command in the seed's shell blocks that calls {@code path} (comments dropped). */
    public static List<String> commands(String method, String path) throws Exception {
        List<String> out = new ArrayList<>();
        Matcher block = Pattern.compile("```sh\\n(.*?)```", Pattern.DOTALL).matcher(seed());
        while (block.find()) {
            // a command runs from "curl" to the next command, comment, blank line or the block's end
            for (String c : block.group(1).split("\\n(?=curl |#)|\\n\\s*\\n")) {
                if (!c.startsWith("curl -X " + method + " ")) {
                    continue;
                }
                if (c.lines().findFirst().orElse("").matches(".*" + Pattern.quote(path) + "[\" \\\\].*")) {
                    out.add(c);
                }
            }
        }
        assertThat(out).as("the seed has a curl -X " + method + " for " + path).isNotEmpty();
        return out;
    }

    /** The first such command, with its host (a placeholder or a sample URL) replaced by the server's. */
    public static String pointed(TestServer server, String method, String path) throws Exception {
        String c = commands(method, path).get(0);
        String base = "http://admin:" + server.adminToken + "@127.0.0.1:" + server.cp.port();
        String first = c.lines().findFirst().orElseThrow();
        String firstPointed = first.replaceFirst("(\"?)(<[^>]+>|http://[^/\" ]+)/", "$1" + base + "/");
        return firstPointed + c.substring(first.length());
    }

    /** Runs a command with bash in {@code dir} (curl silenced) and parses what it printed. */
    public static JsonNode run(String command, Path dir) throws Exception {
        Process p = new ProcessBuilder("bash", "-c", command.strip() + " -s")
                .directory(dir.toFile())
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(out).isZero();
        return Json.parse(out);
    }
}
