package network.aios.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import tools.jackson.databind.JsonNode;

/** {@code aios cluster describe ID}: everything the network knows about a cluster, for a person. */
@Command(
        name = "describe",
        mixinStandardHelpOptions = true,
        description = "Conditions, heartbeat age, declared vs "
                + "observed inventory, drift, gateway routes and URLs of a cluster.")
final class DescribeCommand implements Callable<Integer> {
    @Mixin
    ClientOptions client;

    @Parameters(paramLabel = "ID")
    String id;

    @CommandLine.Option(
            names = "--wait",
            paramLabel = "SECONDS",
            arity = "0..1",
            fallbackValue = "120",
            description = "Wait for the agents' first heartbeat (Ready=True), at most SECONDS (default 120).")
    Integer waitSeconds;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** Polls the health until a heartbeat has made the cluster Ready; a timeout is exit status 1. */
    private JsonNode awaitReady(ApiClient api, String enc, JsonNode h) {
        Instant deadline = Instant.now().plusSeconds(waitSeconds);
        while (!ready(h)) {
            if (Instant.now().isAfter(deadline)) {
                throw new CliException(
                        "no heartbeat made " + id + " Ready within " + waitSeconds + " s: are its agents running "
                                + "and can they reach the control plane? (aios cluster describe " + id + ")",
                        1);
            }
            Polling.pause();
            h = api.get("/api/v1/clusters/" + enc + "/health");
        }
        return h;
    }

    private static boolean ready(JsonNode health) {
        for (JsonNode k : health.path("conditions")) {
            if (k.path("type").asString().equals("Ready")) {
                return k.path("status").asString().equals("True");
            }
        }
        return false;
    }

    @Override
    public Integer call() {
        ApiClient api = client.client();
        String enc = ApiClient.enc(id);
        // health first: it writes what this replica has received, so the status read next reflects it
        JsonNode h = api.get("/api/v1/clusters/" + enc + "/health");
        if (waitSeconds != null) {
            h = awaitReady(api, enc, h);
        }
        JsonNode c = api.get("/api/v1/clusters/" + enc);
        JsonNode routes = api.get("/api/v1/clusters/" + enc + "/routes");
        PrintWriter out = spec.commandLine().getOut();
        out.println("Cluster:     " + c.path("id").asString() + "   (region "
                + c.path("regionId").asString("-") + ", owner "
                + c.at("/system/owner").asString() + ", version "
                + c.at("/system/version").asLong() + ")");
        out.println("Status:      " + c.path("status").asString() + "   Reputation: "
                + c.path("reputation").asDouble());
        JsonNode join = api.get("/api/v1/clusters/" + enc + "/join");
        String joinState = join.path("state").asString("none");
        if (!joinState.equals("none")) {
            // pull mode: how the cluster joined (or why it did not), refused and expired joins included
            out.println("Pull mode:   join " + joinState
                    + (join.hasNonNull("decidedBy")
                            ? " by " + join.get("decidedBy").asString()
                            : "")
                    + (join.hasNonNull("reason") ? " (" + join.get("reason").asString() + ")" : "")
                    + (join.hasNonNull("reportedAt")
                            ? ", agent last reported "
                                    + since(join.get("reportedAt").asString()) + " ago"
                            : ""));
        }
        out.println();
        out.println("Conditions:");
        List<List<String>> rows = new ArrayList<>();
        for (JsonNode k : h.path("conditions")) {
            rows.add(List.of(
                    "  " + k.path("type").asString(),
                    k.path("status").asString(),
                    k.path("reason").asString(),
                    since(k.path("lastTransitionTime").asString(null)),
                    k.path("message").asString("")));
        }
        Output.table(out, List.of("  TYPE", "STATUS", "REASON", "SINCE", "MESSAGE"), rows);
        JsonNode hb = h.path("heartbeat");
        out.println();
        out.println("Heartbeat:   "
                + (hb.isObject()
                        ? hb.path("ageSeconds").asLong() + " s ago (agent "
                                + hb.path("agentVersion").asString("?") + ", "
                                + hb.path("count").asLong() + " received)"
                        : "none yet"));
        out.println();
        out.println("Inventory (declared | observed):");
        Map<String, JsonNode> observed = new TreeMap<>();
        for (JsonNode n : h.at("/observed/nodes")) {
            observed.put(n.path("nodeId").asString(n.path("name").asString()), n);
        }
        rows = new ArrayList<>();
        for (JsonNode d : c.at("/nodes/nodeData")) {
            String nid = d.path("id").asString();
            JsonNode o = observed.remove(nid);
            rows.add(List.of(
                    "  " + nid,
                    d.at("/gpus/count").asInt() + " x " + String.join(",", strings(d.at("/gpus/modelNames"))),
                    Integer.toString(d.at("/vcpus/count").asInt()),
                    d.path("memory").asLong() + " MB",
                    "|",
                    o == null
                            ? "(not seen)"
                            : o.at("/capacity/gpus").asInt() + " x "
                                    + o.at("/gpu/product").asString("-"),
                    o == null
                            ? ""
                            : Integer.toString((int) o.at("/capacity/vcpus").asDouble()),
                    o == null ? "" : o.at("/capacity/memoryMB").asLong() + " MB"));
        }
        for (Map.Entry<String, JsonNode> extra : observed.entrySet()) {
            JsonNode o = extra.getValue();
            rows.add(List.of(
                    "  " + extra.getKey(),
                    "(not declared)",
                    "",
                    "",
                    "|",
                    o.at("/capacity/gpus").asInt() + " x "
                            + o.at("/gpu/product").asString("-"),
                    Integer.toString((int) o.at("/capacity/vcpus").asDouble()),
                    o.at("/capacity/memoryMB").asLong() + " MB"));
        }
        Output.table(out, List.of("  NODE", "GPUS", "VCPUS", "MEMORY", "|", "GPUS", "VCPUS", "MEMORY"), rows);
        out.println();
        if (h.path("drift").isArray() && !h.path("drift").isEmpty()) {
            out.println("Drift:");
            for (JsonNode d : h.path("drift")) {
                out.println("  " + d.path("path").asString() + ": "
                        + d.path("message").asString());
            }
        } else {
            out.println("Drift:       " + (h.path("observed").isObject() ? "none" : "unknown (no inventory reported)"));
        }
        out.println();
        out.println("Routes:");
        if (routes.path("items").isEmpty()) {
            out.println("  (none)");
        }
        for (JsonNode r : routes.path("items")) {
            out.println("  " + r.path("prefix").asString() + " -> "
                    + r.path("service").asString());
        }
        out.println();
        out.println("URLs:");
        JsonNode urls = c.at("/config/urlMap");
        if (!urls.isObject()) {
            out.println("  (none: no infrastructure)");
        } else {
            urls.properties()
                    .forEach(e ->
                            out.println("  " + e.getKey() + ": " + e.getValue().asString()));
        }
        out.flush();
        return 0;
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asString()));
        return out;
    }

    private static String since(String iso) {
        if (iso == null) {
            return "-";
        }
        long s = Duration.between(Instant.parse(iso), Instant.now()).toSeconds();
        return s < 120 ? s + "s" : s < 7200 ? s / 60 + "m" : s / 3600 + "h";
    }
}
