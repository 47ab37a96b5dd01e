package network.aios.cli;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import network.aios.api.Json;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code aios cluster cordon|uncordon|drain|relabel|refresh}: the control plane decides and signs a grant
 * for the command; the CLI carries the grant to the cluster's mgmt agent. Your token goes only to the
 * control plane.
 */
final class NodeCommands {
    private NodeCommands() {}

    /** Asks for a grant, delivers it, prints the agent's answer; exit 0 when it carried the command out. */
    static int run(
            ClientOptions client,
            CommandLine.Model.CommandSpec spec,
            String cluster,
            String agentUrl,
            ObjectNode request) {
        JsonNode g =
                client.client().post("/api/v1/clusters/" + ApiClient.enc(cluster) + "/commands", Json.bytes(request));
        String url = agentUrl != null
                ? agentUrl.replaceAll("/+$", "") + "/commands"
                : g.path("agentUrl").asString(null);
        if (url == null) {
            throw new CliException(
                    "cluster " + cluster + " has no mgmt agent yet (no infrastructure): " + "aios cluster infra create "
                            + cluster + " --kubeconfig <file>",
                    1);
        }
        HttpClient.Builder http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5));
        if (url.startsWith("https://")) {
            // the agent must prove it is this cluster's: a certificate from the network's agent CA naming the cluster
            String ca = g.path("agentCa").asString(null);
            String identity = g.path("agentIdentity").asString(null);
            if (ca == null || identity == null) {
                throw new CliException(
                        "the control plane did not say how to recognise " + cluster + "'s agents "
                                + "(agentCa, agentIdentity): is it older than this CLI?",
                        3);
            }
            http.sslContext(network.aios.tls.AgentTrust.forIdentity(ca, identity));
        } else {
            spec.commandLine()
                    .getErr()
                    .println("note: " + url + " is plain HTTP (the owner's gateway): the agent's "
                            + "identity is not checked; the grant works once, for this command only");
        }
        HttpResponse<String> r =
                deliver(http.build(), url, cluster, g.path("grant").asString(), spec);
        JsonNode answer;
        try {
            answer = Json.parse(r.body());
        } catch (RuntimeException e) {
            throw new CliException(
                    "the mgmt agent at " + url + " answered HTTP " + r.statusCode() + " without JSON", 3);
        }
        if (r.statusCode() / 100 != 2) {
            spec.commandLine()
                    .getErr()
                    .println("error " + r.statusCode() + " "
                            + answer.at("/error/code").asString("") + ": "
                            + answer.at("/error/message").asString(""));
            return 1;
        }
        spec.commandLine().getOut().println(Json.pretty(answer));
        return 0;
    }

    /**
     * Sends the grant. A refused connection delivered nothing, so it is tried again for a while (agents that
     * were just started take a few seconds to listen); any other failure is final: the grant may have arrived.
     */
    private static HttpResponse<String> deliver(
            HttpClient http, String url, String cluster, String grant, CommandLine.Model.CommandSpec spec) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(url))
                .timeout(Duration.ofSeconds(120))
                .header("Authorization", "Grant " + grant)
                .POST(HttpRequest.BodyPublishers.noBody())
                .build();
        long deadline = System.nanoTime() + CONNECT_PATIENCE.toNanos();
        boolean noted = false;
        while (true) {
            try {
                return http.send(request, HttpResponse.BodyHandlers.ofString());
            } catch (java.net.ConnectException e) {
                if (ApiClient.unresolved(e)) {
                    throw new CliException(
                            "the mgmt agent's host name in " + url + " does not resolve: give an --agent-url that does",
                            3);
                }
                if (System.nanoTime() > deadline) {
                    throw new CliException(
                            "the mgmt agent at " + url + " refused the connection for " + CONNECT_PATIENCE.toSeconds()
                                    + " s; is it running? (or give --agent-url)",
                            3);
                }
                if (!noted) {
                    spec.commandLine().getErr().println("note: " + url + " is not listening yet; trying again");
                    noted = true;
                }
                Polling.pause();
            } catch (javax.net.ssl.SSLHandshakeException e) {
                throw new CliException(
                        "the agent at " + url + " is not " + cluster + "'s mgmt agent: its certificate "
                                + "does not chain to the network's agent CA or names another cluster ("
                                + e.getMessage() + ")",
                        3);
            } catch (java.io.IOException e) {
                throw new CliException(
                        "the mgmt agent at " + url + " did not answer ("
                                + e.getClass().getSimpleName()
                                + "); if it is not reachable from here, give --agent-url",
                        3);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CliException("interrupted", 3);
            }
        }
    }

    private static final Duration CONNECT_PATIENCE = Duration.ofSeconds(20);

    abstract static class Base implements java.util.concurrent.Callable<Integer> {
        @Mixin
        ClientOptions client;

        @Option(
                names = "--agent-url",
                description = "Where the cluster's mgmt agent is reached (default: the "
                        + "cluster's config.urlMap mgmtService).")
        String agentUrl;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        abstract String cluster();

        abstract ObjectNode request();

        @Override
        public Integer call() {
            return run(client, spec, cluster(), agentUrl, request());
        }
    }

    /** A command on one node: {@code CLUSTER NODE}. */
    abstract static class OnNode extends Base {
        @Parameters(index = "0", paramLabel = "CLUSTER")
        String cluster;

        @Parameters(index = "1", paramLabel = "NODE", description = "the node's nodeID")
        String node;

        private final String command;

        OnNode(String command) {
            this.command = command;
        }

        String cluster() {
            return cluster;
        }

        ObjectNode request() {
            return Json.object().put("command", command).put("node", node);
        }
    }

    @Command(name = "cordon", mixinStandardHelpOptions = true, description = "Mark a node unschedulable.")
    static final class Cordon extends OnNode {
        Cordon() {
            super("cordon");
        }
    }

    @Command(name = "uncordon", mixinStandardHelpOptions = true, description = "Make a node schedulable again.")
    static final class Uncordon extends OnNode {
        Uncordon() {
            super("uncordon");
        }
    }

    @Command(
            name = "drain",
            mixinStandardHelpOptions = true,
            description =
                    "Cordon a node and evict its pods " + "(disruption budgets hold; DaemonSet and mirror pods stay).")
    static final class Drain extends OnNode {
        Drain() {
            super("drain");
        }
    }

    @Command(name = "relabel", mixinStandardHelpOptions = true, description = "Give a node another nodeID label.")
    static final class Relabel extends Base {
        @Parameters(index = "0", paramLabel = "CLUSTER")
        String cluster;

        @Parameters(index = "1", paramLabel = "NODE", description = "the node's nodeID now")
        String node;

        @Parameters(index = "2", paramLabel = "NEW_ID")
        String nodeId;

        String cluster() {
            return cluster;
        }

        ObjectNode request() {
            return Json.object().put("command", "relabel").put("node", node).put("nodeId", nodeId);
        }
    }

    @Command(name = "refresh", mixinStandardHelpOptions = true, description = "Have the cluster report its nodes now.")
    static final class Refresh extends Base {
        @Parameters(index = "0", paramLabel = "CLUSTER")
        String cluster;

        String cluster() {
            return cluster;
        }

        ObjectNode request() {
            return Json.object().put("command", "refresh");
        }
    }
}
