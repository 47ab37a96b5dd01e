package network.aios.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import network.aios.api.Json;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** {@code aios node join-token|join-tokens|revoke-join-token}: external nodes joining a cluster with kubeadm. */
@Command(
        name = "node",
        mixinStandardHelpOptions = true,
        description = "External nodes: a kubeadm join token for a node the add_node policy admits (clusters with "
                + "config.allowExternalNodes).",
        subcommands = {
            NodeJoinCommands.JoinToken.class,
            NodeJoinCommands.JoinTokens.class,
            NodeJoinCommands.JoinStatus.class,
            NodeJoinCommands.Revoke.class
        })
final class NodeJoinCommands {
    private NodeJoinCommands() {}

    static String path(String cluster, String tail) {
        return "/api/v1/clusters/" + ApiClient.enc(cluster) + "/join-tokens" + tail;
    }

    @Command(
            name = "join-token",
            mixinStandardHelpOptions = true,
            description = "Ask for a kubeadm join token for one node (-f: the node, shaped like a /nodes/nodeData "
                    + "entry, or {\"node\": ...}); prints the whole `kubeadm join` command once the token is on the "
                    + "cluster. It is shown once and works once: the document gains the node when it appears.")
    static final class JoinToken implements Callable<Integer> {
        @Mixin
        ClientOptions client;

        @Parameters(paramLabel = "CLUSTER")
        String cluster;

        @Option(
                names = {"-f", "--file"},
                required = true,
                description = "The joining node (JSON)")
        Path file;

        @Option(
                names = "--ttl",
                defaultValue = "1h",
                description = "How long the token may wait for its node (e.g. 30m, 2h; default ${DEFAULT-VALUE}, "
                        + "at least 1m, at most 24h).")
        String ttl;

        @Option(names = "--dry-run", description = "Only ask the add_node policy; issue nothing.")
        boolean dryRun;

        @Option(names = "--no-wait", description = "Print the command at once, before the token is on the cluster.")
        boolean noWait;

        @Option(
                names = "--timeout",
                defaultValue = "2m",
                description = "How long to wait for the token to be on " + "the cluster (default ${DEFAULT-VALUE}).")
        String timeout;

        @Option(
                names = {"-o", "--output"},
                description = "json or yaml: the whole answer (joinCommand, expiresAt, tokenId, ...).")
        String output;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            Duration lifetime = JoinCommands.ttl(ttl);
            Duration limit = JoinCommands.duration(timeout);
            JoinCommands.format(output);
            JsonNode given;
            try {
                given = Json.MAPPER.readTree(ClusterCommands.read(file));
            } catch (tools.jackson.core.JacksonException e) {
                throw new CliException(file + " is not JSON: " + e.getOriginalMessage(), 2);
            }
            ObjectNode body = Json.object();
            body.set("node", given != null && given.has("node") ? given.get("node") : given);
            body.put("ttlSeconds", lifetime.toSeconds());
            ApiClient api = client.client();
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            if (dryRun) {
                JsonNode r = api.post(path(cluster, "?dryRun=true"), Json.bytes(body));
                if (output != null) {
                    Output.print(out, r, output);
                } else {
                    out.println((r.path("allowed").asBoolean() ? "allowed" : "denied") + " by the add_node policy"
                            + (r.path("policyVersion").isNull()
                                    ? " (none in force)"
                                    : " (version " + r.path("policyVersion").asInt() + ")")
                            + reasons(r));
                    out.println(
                            "the document would have " + r.at("/totals/nodes").asInt() + " nodes, "
                                    + r.at("/totals/gpus").asInt() + " GPUs, "
                                    + r.at("/totals/vcpus").asInt() + " vCPUs");
                }
                return r.path("allowed").asBoolean() ? 0 : 1;
            }
            JsonNode r = api.post(path(cluster, ""), Json.bytes(body));
            String joinId = r.path("id").asString();
            JsonNode view = r;
            if (!noWait) {
                Instant deadline = Instant.now().plus(limit);
                while (!view.path("ready").asBoolean()) {
                    if (!"issued".equals(view.path("state").asString())) {
                        throw new CliException(
                                "join token " + joinId + " is "
                                        + view.path("state").asString() + " before it reached the cluster",
                                4);
                    }
                    if (Instant.now().isAfter(deadline)) {
                        err.println("the token is not on the cluster yet after " + JoinCommands.human(limit)
                                + " (aios node join-tokens " + cluster + "); the command, once it is:");
                        break;
                    }
                    Polling.pause();
                    view = api.get(path(cluster, "/" + ApiClient.enc(joinId)));
                }
            }
            if (output != null) {
                ObjectNode whole = ((ObjectNode) r).deepCopy();
                whole.put("ready", view.path("ready").asBoolean());
                Output.print(out, whole, output);
                return 0;
            }
            out.println(r.path("joinCommand").asString());
            out.flush();
            err.println("run it as root on node " + r.path("nodeId").asString() + " before "
                    + r.path("expiresAt").asString() + "; it works once and is not shown again. The node needs TCP "
                    + r.path("endpoint").asString() + " (API server); the control-plane node needs 10250 from it.");
            err.println("follow it: aios node join-tokens " + cluster);
            err.flush();
            return 0;
        }

        private static String reasons(JsonNode r) {
            List<String> rs = new ArrayList<>();
            r.path("reasons").forEach(x -> rs.add(x.asString()));
            return rs.isEmpty() ? "" : ": " + String.join("; ", rs);
        }
    }

    @Command(
            name = "join-tokens",
            mixinStandardHelpOptions = true,
            description = "A cluster's join tokens, newest first.")
    static final class JoinTokens implements Callable<Integer> {
        @Mixin
        ClientOptions client;

        @Parameters(paramLabel = "CLUSTER")
        String cluster;

        @Option(
                names = {"-o", "--output"},
                description = "json or yaml")
        String output;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            JoinCommands.format(output);
            JsonNode r = client.client().get(path(cluster, ""));
            if (output != null) {
                Output.print(spec.commandLine().getOut(), r, output);
                return 0;
            }
            List<List<String>> rows = new ArrayList<>();
            for (JsonNode j : r.path("items")) {
                rows.add(List.of(
                        j.path("id").asString(),
                        j.path("nodeId").asString(),
                        j.path("tokenId").asString(),
                        j.path("state").asString(),
                        j.path("secret").asString(),
                        j.path("expiresAt").asString(),
                        j.path("note").asString("")));
            }
            Output.table(
                    spec.commandLine().getOut(),
                    List.of("ID", "NODE", "TOKEN", "STATE", "SECRET", "EXPIRES", "NOTE"),
                    rows);
            return 0;
        }
    }

    @Command(
            name = "join-status",
            mixinStandardHelpOptions = true,
            description = "Where a node's newest join stands: issued, joined (the document has the node), expired,"
                    + " revoked, left (the document lost it).")
    static final class JoinStatus implements Callable<Integer> {
        @Mixin
        ClientOptions client;

        @Parameters(index = "0", paramLabel = "CLUSTER")
        String cluster;

        @Parameters(index = "1", paramLabel = "NODE_ID")
        String nodeId;

        @Option(names = "--wait", paramLabel = "STATE", description = "Wait until the join is in STATE.")
        String wait;

        @Option(
                names = "--timeout",
                defaultValue = "2m",
                description = "How long --wait waits (default ${DEFAULT-VALUE}).")
        String timeout;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            Duration limit = JoinCommands.duration(timeout);
            Instant deadline = Instant.now().plus(limit);
            ApiClient api = client.client();
            JsonNode j = newest(api);
            while (wait != null && !wait.equals(j.path("state").asString())) {
                if (Instant.now().isAfter(deadline)) {
                    throw new CliException(
                            "the join of node " + nodeId + " is still "
                                    + j.path("state").asString() + " after " + JoinCommands.human(limit),
                            4);
                }
                Polling.pause();
                j = newest(api);
            }
            spec.commandLine()
                    .getOut()
                    .println(nodeId + ": " + j.path("state").asString() + " (join "
                            + j.path("id").asString()
                            + ", token " + j.path("tokenId").asString() + ", secret "
                            + j.path("secret").asString()
                            + ")"
                            + (j.hasNonNull("note") ? ": " + j.path("note").asString() : ""));
            return 0;
        }

        private JsonNode newest(ApiClient api) {
            for (JsonNode j : api.get(path(cluster, "")).path("items")) {
                if (nodeId.equals(j.path("nodeId").asString())) {
                    return j; // newest first
                }
            }
            throw new CliException(
                    "node " + nodeId + " of cluster " + cluster + " has no join token" + " (aios node join-token "
                            + cluster + " -f NODE.json)",
                    1);
        }
    }

    @Command(
            name = "revoke-join-token",
            mixinStandardHelpOptions = true,
            description = "Revoke a token in flight; its Secret is deleted from the cluster.")
    static final class Revoke implements Callable<Integer> {
        @Mixin
        ClientOptions client;

        @Parameters(index = "0", paramLabel = "CLUSTER")
        String cluster;

        @Parameters(index = "1", paramLabel = "JOIN_ID")
        String joinId;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            JsonNode r = client.client().delete(path(cluster, "/" + ApiClient.enc(joinId)));
            spec.commandLine()
                    .getOut()
                    .println("join token " + joinId + " (node "
                            + r.path("nodeId").asString() + ") is "
                            + r.path("state").asString());
            return 0;
        }
    }
}
