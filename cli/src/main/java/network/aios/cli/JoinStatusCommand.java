package network.aios.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import tools.jackson.databind.JsonNode;

/** {@code aios cluster join-status ID [--wait STATE]}: where a cluster's pull-mode join stands. */
@Command(
        name = "join-status",
        mixinStandardHelpOptions = true,
        description = "A cluster's pull-mode join: its state (issued, requested, accepted, refused, expired, "
                + "revoked), when it expires, was requested and decided, and why; never the token.")
final class JoinStatusCommand implements Callable<Integer> {
    @Mixin
    ClientOptions client;

    @Parameters(paramLabel = "ID")
    String id;

    @Option(
            names = {"-o", "--output"},
            description = "json or yaml: the whole view.")
    String output;

    @Option(
            names = "--wait",
            paramLabel = "STATE",
            description = "Wait until the join is in this state (issued, requested, accepted, refused, expired, "
                    + "revoked, removing, removed), or 'ready': accepted and its infrastructure applied and "
                    + "reported available by the agent. Exit 1 if it ends refused, expired or revoked instead.")
    String waitFor;

    @Option(
            names = "--timeout",
            description = "With --wait: give up after this long (e.g. 90s, 10m), exit 4. Default 10m.")
    String timeout;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        JoinCommands.format(output);
        ApiClient api = client.client();
        JsonNode view = api.get(JoinCommands.path(id, "/join"));
        if (waitFor != null) {
            view = await(api, view);
            if (!reached(view, waitFor)) {
                spec.commandLine()
                        .getErr()
                        .println("the join of " + id + " is " + JoinCommands.text(view, "state")
                                + (JoinCommands.text(view, "reason").equals("-")
                                        ? ""
                                        : " (" + JoinCommands.text(view, "reason") + ")")
                                + ": it will not become " + waitFor);
                spec.commandLine().getErr().flush();
                return 1;
            }
        }
        PrintWriter out = spec.commandLine().getOut();
        if (output != null) {
            Output.print(out, view, output);
            return 0;
        }
        String state = JoinCommands.text(view, "state");
        String createdBy = JoinCommands.text(view, "createdBy");
        String uid = JoinCommands.text(view, "clusterUid");
        String decidedBy = JoinCommands.text(view, "decidedBy");
        out.println("cluster:    " + id);
        out.println("state:      " + state);
        out.println("expires:    " + JoinCommands.text(view, "expiresAt"));
        out.println("created:    " + JoinCommands.text(view, "createdAt")
                + (createdBy.equals("-") ? "" : " by " + createdBy));
        out.println("requested:  " + JoinCommands.text(view, "requestedAt")
                + (uid.equals("-") ? "" : " (cluster uid " + uid + ")"));
        out.println("decided:    " + JoinCommands.text(view, "decidedAt")
                + (decidedBy.equals("-") ? "" : " by " + decidedBy));
        out.println("reason:     " + JoinCommands.text(view, "reason"));
        out.println("status:     " + JoinCommands.text(view, "clusterStatus") + " (the cluster's)");
        if (view.path("receipt").isObject()) {
            JsonNode r = view.get("receipt");
            out.println("receipt:    " + (r.path("clean").asBoolean() ? "clean" : "with residue") + ", "
                    + r.path("deleted").size() + " deleted, "
                    + r.path("residual").size() + " residual");
            r.path("residual")
                    .forEach(x -> out.println("  residual  " + x.path("object").asString() + "  ("
                            + x.path("error").asString() + ")"));
        }
        out.println("accept by:  " + (view.path("acceptByPolicy").asBoolean() ? "the network's policy" : "the admin"));
        String next = switch (state) {
            case "issued" -> "apply the manifest on the cluster (kubectl apply -f); its agent asks to join";
            case "requested" ->
                "aios cluster accept " + id + " (or: aios cluster refuse " + id + " --reason TEXT), the admin";
            case "expired", "revoked" -> "aios cluster join " + id + " for a new token";
            default -> null;
        };
        if (next != null) {
            out.println("next:       " + next);
        }
        out.flush();
        return 0;
    }

    /** Polls the join until it reaches the state asked for, or one it cannot leave. */
    private JsonNode await(ApiClient api, JsonNode first) {
        java.time.Duration limit = timeout == null ? java.time.Duration.ofMinutes(10) : JoinCommands.duration(timeout);
        long deadline = System.nanoTime() + limit.toNanos();
        JsonNode view = first;
        while (!reached(view, waitFor)
                && !(FINAL.contains(view.path("state").asString(""))
                        && !view.path("state").asString("").equals(waitFor))) {
            if (System.nanoTime() > deadline) {
                throw new CliException(
                        "the join of " + id + " is still " + JoinCommands.text(view, "state") + " after "
                                + JoinCommands.human(limit) + "; it goes on (aios cluster join-status " + id + ")",
                        4);
            }
            Polling.pause();
            view = api.get(JoinCommands.path(id, "/join"));
        }
        return view;
    }

    private static final java.util.Set<String> FINAL = java.util.Set.of("refused", "expired", "revoked", "removed");

    /** Whether the view is in {@code wanted} ({@code ready}: accepted, and the cluster's infrastructure up). */
    static boolean reached(JsonNode view, String wanted) {
        String state = view.path("state").asString("");
        if (wanted.equals("ready")) {
            return state.equals("accepted")
                    && java.util.List.of("live", "degraded")
                            .contains(view.path("clusterStatus").asString(""));
        }
        return state.equals(wanted);
    }
}
