package network.aios.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import network.aios.server.KubeTestCluster;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The README's walk-throughs, run as a newcomer runs them: every {@code sh} block of "Two commands", the
 * "Walk-through" sections (the owner's helpers, push mode and pull mode), "Policy executors and model split runners" and "Configuration" (the TLS
 * start), in order, by bash, in a
 * checkout with a fresh data directory, against {@code scripts/dev-cluster.sh}'s real API server. A README
 * that drifts from the code fails here.
 *
 * <p>What differs from a person at a terminal, and only this: the control plane listens on a free port
 * (the blocks' {@code 127.0.0.1:8080} and {@code AIOS_SERVER} say which), the dev cluster gets its own
 * state directory and ports, {@code ./aios server} lines are run by the test (in the background, stopped
 * before the next one) and the {@code mvn} builds are not run again ({@code mvn verify} is what runs this
 * test, and the agent jar is this build's). A
 * command must exit 0, or 1 where its comment says it is denied; what a few of them print is checked too.
 */
class ReadmeWalkthroughIT {
    private static final Set<String> SECTIONS = Set.of(
            "## Two commands",
            "## Walk-through: the owner's document and nodeID labels, from the cluster",
            "## Walk-through: the seed's flow",
            "## Walk-through: the cluster's infrastructure",
            "## Walk-through: the cluster's own view (agents, heartbeats, drift)",
            "## Walk-through: pull mode (no kubeconfig handed over)",
            "### Policy executors and model split runners",
            "## Configuration");

    /** What some commands must print (a command matched by the key's regex, all the strings). */
    private static final Map<String, List<String>> PRINTS = Map.ofEntries(
            Map.entry("aios cluster validate", List.of("valid")),
            Map.entry("aios cluster init", List.of("to fill in before registering", "/config/publicHostname")),
            Map.entry(
                    "aios cluster label-nodes .*--dry-run",
                    List.of(
                            "worker-1: nodeID node-1 (unchanged)",
                            "worker-2: nodeID node-2 (unchanged)",
                            "nothing changed")),
            Map.entry("aios cluster label-nodes -f \\S+ --kubeconfig \\S+$", List.of("0 node(s) labelled")),
            Map.entry("aios cluster create .*--dry-run", List.of("\"my-cluster\"", "\"dryRun\" : true")),
            Map.entry("/api/createCluster", List.of("\"cluster-west-vision-001\"", "\"registered\"")),
            Map.entry("aios policy test add_cluster .*--policy", List.of("at least 4 GPUs")),
            Map.entry("aios token create", List.of("aios_")),
            Map.entry("aios cluster preflight", List.of("PASS")),
            Map.entry("create_infra.py", List.of("Cluster creation scheduled successfully")),
            Map.entry("grep -A6 urlMap", List.of("controllerService", ":32000/controller")),
            Map.entry("aios cluster describe .*--wait", List.of("Ready", "True")),
            Map.entry("aios cluster cordon", List.of("node-1")),
            Map.entry("api/v1/agent-ca", List.of("BEGIN CERTIFICATE")),
            Map.entry("aios node join-token .*--dry-run", List.of("allowed by the add_node policy", "3 nodes")),
            Map.entry(
                    "cat \\$W/join.txt",
                    List.of("kubeadm join 127.0.0.1:", " --token ", "--discovery-token-ca-cert-hash sha256:")),
            Map.entry("aios node join-status \\S+ edge-1 --wait joined", List.of("edge-1: joined")),
            Map.entry("grep -A1 '\\^nodes:'", List.of("count: 3")),
            Map.entry("aios node join-status \\S+ edge-1 --wait left", List.of("edge-1: left")),
            Map.entry("remove_infra.py", List.of("Cluster removal scheduled successfully")),
            Map.entry("aios cluster infra status \\S+ --wait", List.of("done: ")),
            Map.entry("aios cluster infra status \\S+ +#", List.of("state:     Ready", "objects:")),
            Map.entry(
                    "aios cluster join-status \\S+ --wait ready",
                    List.of("state:      accepted", "status:     degraded")),
            Map.entry("-n aios-system get services", List.of("aios-controller", "32300", "32303")),
            Map.entry("aios cluster infra remove \\S+ --wait", List.of("done: removed by the pull agent")),
            Map.entry("aios executor infra status .*--wait", List.of("done: Ready")),
            Map.entry("aios executor infra remove", List.of("done: Removed")),
            Map.entry("aios executor delete", List.of("executor executor-001 deleted")),
            Map.entry("aios split-runner create", List.of("runner-001 registered", "done: Ready", "31701")),
            Map.entry("aios split-runner delete", List.of("done: Removed", "split_runner runner-001 deleted")));

    private static final Pattern ASSIGNED =
            Pattern.compile("^(?:export )?([A-Za-z_][A-Za-z0-9_]*)=", Pattern.MULTILINE);

    private static final Pattern HEREDOC =
            Pattern.compile("(?<!<)<<(?!<)-?\\s*['\"]?([A-Za-z_]+)['\"]?\\s*(?:$|[|;&>#])");

    private final Path root = Path.of("..").toAbsolutePath().normalize();
    private Path checkout;
    private Path devState;
    private Process server;
    private final List<String> transcript = new ArrayList<>();

    @AfterEach
    void cleanUp() throws Exception {
        stopServer();
        if (devState != null) {
            bash("scripts/dev-cluster.sh down", Duration.ofMinutes(1));
        }
        if (checkout != null) {
            // everything the walk-through wrote (data, dev cluster, scratch files); the links to the repository
            // are deleted, not followed
            try (var paths = Files.walk(checkout)) {
                for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    @Test
    void theWalkThroughsRunAsWritten() throws Exception {
        Path k8s = KubeTestCluster.sharedK8sDir();
        if (k8s == null) {
            throw new IllegalStateException("the README's dev cluster needs ../shared/k8s (or AIOS_SHARED_K8S)");
        }
        checkout = Files.createTempDirectory("aios-readme");
        try (var entries = Files.list(root)) {
            for (Path e : entries.toList()) {
                String name = e.getFileName().toString();
                if (!name.equals("data") && !name.equals(".git")) {
                    Files.createSymbolicLink(checkout.resolve(name), e);
                }
            }
        }
        devState = checkout.resolve("dev-cluster");
        Files.createDirectory(checkout.resolve("tmp"));
        int port = network.aios.server.TestLocks.portRange();
        int devPort = network.aios.server.TestLocks.portRange();
        while (Math.abs(devPort - port) < 10) { // the dev cluster takes four ports from its base
            devPort = network.aios.server.TestLocks.portRange();
        }

        List<String> pending = new ArrayList<>();
        Set<String> variables = new LinkedHashSet<>();
        for (String command : commands(Files.readString(root.resolve("README.md")))) {
            String pointed = command.replace("127.0.0.1:8080", "127.0.0.1:" + port);
            if (command.startsWith("mvn ")) {
                // builds: `mvn verify` is what runs this test, and the agent jar the README builds next is
                // this build's own (rebuilding it here would rewrite jars the test JVMs have open)
                assertThat(command).matches("mvn (verify|-q -B -pl agent -am package -DskipTests)\\b.*");
                assertThat(root.resolve("agent/target/aios-agent.jar"))
                        .as("built by the reactor before cli")
                        .exists();
                continue;
            }
            if (command.startsWith("./aios server")) {
                runAll(pending, variables, port, k8s, devPort);
                pending.clear();
                // the test's port instead of the block's (the TLS start names 8443)
                startServer(withoutComment(pointed).replaceAll(" --port \\d+", "") + " --port " + port, port);
                continue;
            }
            pending.add(pointed);
            Matcher m = ASSIGNED.matcher(command);
            while (m.find()) {
                variables.add(m.group(1));
            }
        }
        runAll(pending, variables, port, k8s, devPort);
        assertThat(transcript)
                .as("the walk-throughs' commands")
                .anyMatch(c -> c.contains("create_infra.py"))
                .anyMatch(c -> c.contains("split-runner delete"));
    }

    /** Splits the chosen sections' sh blocks into whole commands (bash says when one is complete). */
    private static List<String> commands(String readme) throws Exception {
        List<String> out = new ArrayList<>();
        boolean inSection = false;
        boolean inBlock = false;
        StringBuilder current = new StringBuilder();
        String heredoc = null; // the terminator of the here-document being read
        for (String line : readme.split("\n", -1)) {
            if (!inBlock && line.startsWith("#")) {
                inSection = SECTIONS.contains(line.strip());
                continue;
            }
            if (line.startsWith("```")) {
                inBlock = !inBlock && line.strip().equals("```sh") && inSection;
                continue;
            }
            if (!inBlock
                    || (current.isEmpty() && (line.isBlank() || line.strip().startsWith("#")))) {
                continue;
            }
            current.append(line).append('\n');
            if (heredoc == null) {
                Matcher h = HEREDOC.matcher(line);
                heredoc = h.find() ? h.group(1) : null;
                if (heredoc != null) {
                    continue;
                }
            } else if (line.equals(heredoc)) {
                heredoc = null;
            } else {
                continue;
            }
            if (complete(current.toString())) {
                out.add(current.toString().strip());
                current.setLength(0);
            }
        }
        assertThat(current.toString())
                .as("an unfinished command at the end of a block")
                .isBlank();
        return out;
    }

    private static boolean complete(String text) throws Exception {
        if (text.endsWith("\\\n")) {
            return false;
        }
        Process p = new ProcessBuilder("bash", "-n", "-c", text)
                .redirectErrorStream(true)
                .start();
        p.getInputStream().readAllBytes();
        return p.waitFor() == 0;
    }

    /** One bash for the commands between two server starts; variables they set carry over to the next. */
    private void runAll(List<String> commands, Set<String> variables, int port, Path k8s, int devPort)
            throws Exception {
        if (commands.isEmpty()) {
            return;
        }
        StringBuilder script = new StringBuilder("exec 2>&1\n[ -f .vars ] && . ./.vars\n");
        for (int i = 0; i < commands.size(); i++) {
            script.append("printf '\\n@@begin ").append(i).append("\\n'; t0=$EPOCHREALTIME\n");
            script.append(commands.get(i)).append('\n');
            script.append("printf '\\n@@end ").append(i).append(" %d %s %s\\n' \"$?\" \"$t0\" \"$EPOCHREALTIME\"\n");
        }
        script.append("kill $(jobs -p) 2>/dev/null\n");
        script.append("declare -p ").append(String.join(" ", variables)).append(" > .vars 2>/dev/null\n");
        String output = run(script.toString(), port, k8s, devPort, Duration.ofMinutes(10));
        Map<Integer, String> outputs = new LinkedHashMap<>();
        Map<Integer, Integer> codes = new LinkedHashMap<>();
        Matcher m = Pattern.compile("@@begin (\\d+)\n(.*?)\n@@end \\1 (\\d+) ([0-9.]+) ([0-9.]+)\n", Pattern.DOTALL)
                .matcher(output);
        while (m.find()) {
            outputs.put(Integer.parseInt(m.group(1)), m.group(2));
            codes.put(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(3)));
            double seconds = Double.parseDouble(m.group(5)) - Double.parseDouble(m.group(4));
            System.out.printf(
                    "README %5.1f s  %s%n",
                    seconds,
                    commands.get(Integer.parseInt(m.group(1)))
                            .lines()
                            .findFirst()
                            .orElse(""));
        }
        for (int i = 0; i < commands.size(); i++) {
            String command = commands.get(i);
            transcript.add(command);
            String what = "README command:\n" + command + "\n--- its output:\n" + outputs.get(i)
                    + (outputs.containsKey(i) ? "" : "\n--- the whole run:\n" + output) + "\n--- server log:\n"
                    + serverLog();
            assertThat(codes.get(i)).as(what).isEqualTo(deniedByComment(command) ? 1 : 0);
            for (Map.Entry<String, List<String>> e : PRINTS.entrySet()) {
                if (Pattern.compile(e.getKey()).matcher(command).find()) {
                    assertThat(outputs.get(i)).as(what).contains(e.getValue());
                }
            }
        }
    }

    private static String withoutComment(String command) {
        int hash = command.indexOf(" # ");
        return (hash < 0 ? command : command.substring(0, hash)).strip();
    }

    /** The README marks the commands a policy refuses with a comment saying "denied". */
    private static boolean deniedByComment(String command) {
        int hash = command.indexOf(" # ");
        return hash >= 0 && command.substring(hash).contains("denied");
    }

    private String run(String script, int port, Path k8s, int devPort, Duration timeout) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("bash", "-c", script)
                .directory(checkout.toFile())
                .redirectErrorStream(true)
                .redirectOutput(checkout.resolve("walkthrough-" + System.nanoTime() + ".log")
                        .toFile());
        environment(pb, port, k8s, devPort);
        Path log = Path.of(pb.redirectOutput().file().getPath());
        Process p = pb.start();
        try {
            if (!p.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
                throw new AssertionError(
                        "the walk-through did not finish in " + timeout + ":\n" + Files.readString(log));
            }
        } finally {
            p.descendants().forEach(ProcessHandle::destroy);
            p.destroy();
        }
        return Files.readString(log, StandardCharsets.UTF_8);
    }

    private void environment(ProcessBuilder pb, int port, Path k8s, int devPort) {
        Map<String, String> env = pb.environment();
        env.keySet().removeIf(k -> k.startsWith("MAVEN_") || k.startsWith("AIOS_"));
        env.put("AIOS_SERVER", "http://127.0.0.1:" + port);
        env.put("AIOS_SHARED_K8S", k8s.toString());
        env.put("AIOS_DEV_CLUSTER", devState.toString());
        env.put("AIOS_DEV_CLUSTER_PORT", Integer.toString(devPort));
        env.put("TMPDIR", checkout.resolve("tmp").toString()); // the walk-through's mktemp: inside the checkout
        env.put("AIOS_JAVA_OPTS", "-Djava.io.tmpdir=" + checkout.resolve("tmp")); // and ./aios's JVMs'
    }

    private void bash(String command, Duration timeout) throws Exception {
        run(command, 0, KubeTestCluster.sharedK8sDir(), 0, timeout);
    }

    private void startServer(String command, int port) throws Exception {
        stopServer();
        ProcessBuilder pb = new ProcessBuilder("bash", "-c", "exec " + command)
                .directory(checkout.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(
                        checkout.resolve("server.log").toFile()));
        environment(pb, port, KubeTestCluster.sharedK8sDir(), 0);
        server = pb.start();
        HttpClient http = HttpClient.newHttpClient();
        boolean tls = command.contains("--tls-cert");
        KubeTestCluster.await(
                () -> {
                    if (!server.isAlive()) {
                        throw new AssertionError("`" + command + "` ended:\n" + serverLog());
                    }
                    try {
                        if (tls) { // the README's self-signed certificate names aios.example, not this address
                            return new ProcessBuilder(
                                                    "curl",
                                                    "-skf",
                                                    "-o",
                                                    "/dev/null",
                                                    "https://127.0.0.1:" + port + "/healthz")
                                            .start()
                                            .waitFor()
                                    == 0;
                        }
                        return http.send(
                                                HttpRequest.newBuilder(
                                                                URI.create("http://127.0.0.1:" + port + "/healthz"))
                                                        .build(),
                                                HttpResponse.BodyHandlers.discarding())
                                        .statusCode()
                                == 200;
                    } catch (IOException e) {
                        return false;
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return false;
                    }
                },
                Duration.ofMinutes(3),
                "`" + command + "` to answer");
    }

    private void stopServer() throws InterruptedException {
        if (server != null) {
            server.destroy(); // SIGTERM: a clean stop, as Ctrl-C
            if (!server.waitFor(60, TimeUnit.SECONDS)) {
                server.destroyForcibly();
            }
            server = null;
        }
    }

    private String serverLog() {
        try {
            String log = Files.readString(checkout.resolve("server.log"));
            return log.length() > 6000 ? log.substring(log.length() - 6000) : log;
        } catch (IOException e) {
            return "(no server log)";
        }
    }
}
