package network.aios.cli;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
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

/** {@code aios cluster infra ...} and {@code aios cluster preflight}: the AIOS services on a member cluster. */
@Command(
        name = "infra",
        mixinStandardHelpOptions = true,
        description = "Deploy, remove and watch the AIOS services on a registered cluster.",
        subcommands = {
            InfraCommands.Create.class,
            InfraCommands.Remove.class,
            InfraCommands.Status.class,
            InfraCommands.Render.class
        })
final class InfraCommands {
    static byte[] kubeconfigBody(Path kubeconfig) {
        return kubeconfigBody("kube_config_data", kubeconfig);
    }

    /** {@code {field: <the kubeconfig file's text>}}, or {@code {}} without one. */
    static byte[] kubeconfigBody(String field, Path kubeconfig) {
        ObjectNode body = Json.object();
        if (kubeconfig != null) {
            body.put(field, new String(ClusterCommands.read(kubeconfig), StandardCharsets.UTF_8));
        }
        return Json.bytes(body);
    }

    /** Polls a job until it finishes, redrawing one progress line; returns the finished job. */
    static JsonNode follow(ApiClient api, String jobId, PrintWriter out) {
        return follow(api, jobId, out, null);
    }

    /** As above, giving up after {@code timeout} (null: never) with exit 4; the job goes on. */
    static JsonNode follow(ApiClient api, String jobId, PrintWriter out, java.time.Duration timeout) {
        String last = "";
        long deadline = timeout == null ? Long.MAX_VALUE : System.nanoTime() + timeout.toNanos();
        while (true) {
            JsonNode job = api.get("/api/v1/jobs/" + ApiClient.enc(jobId));
            String line = progress(job);
            if (!line.equals(last)) {
                out.println(line);
                out.flush();
                last = line;
            }
            if (job.hasNonNull("finishedAt")) {
                return job;
            }
            if (System.nanoTime() > deadline) {
                throw new CliException(
                        "job " + jobId + " still " + job.path("state").asString() + " after --timeout "
                                + timeout.toString().substring(2).toLowerCase(java.util.Locale.ROOT)
                                + "; it goes on (look again with --wait)",
                        4);
            }
            Polling.pause();
        }
    }

    /** Prints what was scheduled and, with {@code await}, follows the job to its end. */
    static int scheduled(ApiClient api, JsonNode r, boolean await, PrintWriter out) {
        out.println(r.path("message").asString() + ": job " + r.path("job_id").asString());
        out.flush();
        return await ? finish(follow(api, r.path("job_id").asString(), out), out) : 0;
    }

    /**
     * A pull-mode cluster's removal: its agent removes what it applied and reports a receipt (with {@code await},
     * followed until it has); forced, the receipt names what was forgotten.
     */
    static int pulled(ApiClient api, JsonNode r, boolean await, PrintWriter out) {
        String id = r.path("clusterId").asString();
        out.println(r.path("message").asString());
        out.flush();
        JsonNode receipt = r.path("receipt");
        if (!receipt.isObject() && await) {
            JsonNode view = api.get("/api/v1/clusters/" + ApiClient.enc(id) + "/join");
            while (!view.path("state").asString("").equals("removed")) {
                Polling.pause();
                view = api.get("/api/v1/clusters/" + ApiClient.enc(id) + "/join");
            }
            receipt = view.path("receipt");
        }
        if (!receipt.isObject()) {
            return 0;
        }
        boolean clean = receipt.path("clean").asBoolean();
        out.println((clean ? "done: removed by the pull agent, " : "done, with residue: ")
                + receipt.path("deleted").size() + " deleted, "
                + receipt.path("residual").size() + " residual");
        receipt.path("residual")
                .forEach(x -> out.println("  residual  " + x.path("object").asString() + "  ("
                        + x.path("error").asString() + ")"));
        out.flush();
        return clean ? 0 : 1;
    }

    static int finish(JsonNode job, PrintWriter out) {
        String state = job.path("state").asString();
        boolean ok = state.equals("Ready") || state.equals("Removed");
        out.println((ok ? "done: " : "failed: ") + summary(job));
        for (JsonNode item : job.at("/receipt/items")) {
            out.println("  " + item.path("outcome").asString() + "  "
                    + item.path("object").asString()
                    + (item.hasNonNull("reason") ? "  (" + item.get("reason").asString() + ")" : ""));
        }
        out.flush();
        return ok ? 0 : 1;
    }

    /** "Applying 3/9  message": the step count only while the job knows how many there are. */
    static String progress(JsonNode job) {
        int total = job.at("/progress/total").asInt();
        String steps = total > 0 ? " " + job.at("/progress/done").asInt() + "/" + total : "";
        String message = job.path("message").asString("");
        return job.path("state").asString() + steps + (message.isEmpty() ? "" : "  " + message);
    }

    /** "Failed (Forbidden): message": the reason only when it says more than the state. */
    static String summary(JsonNode job) {
        String state = job.path("state").asString();
        String reason = job.path("reason").asString("");
        String message = job.path("message").asString("");
        return state
                + (reason.isEmpty() || reason.equals(state) ? "" : " (" + reason + ")")
                + (message.isEmpty() ? "" : ": " + message);
    }

    @Command(
            name = "create",
            mixinStandardHelpOptions = true,
            description = "Deploy the AIOS services (PUT /api/v1/clusters/ID/infra). The kubeconfig is used once, to "
                    + "set up the control plane's own least-privilege identity, then dropped.")
    static final class Create implements Callable<Integer> {
        @Mixin
        ClientOptions client;

        @Parameters(paramLabel = "ID")
        String id;

        @Option(names = "--kubeconfig", required = true, description = "The cluster's admin kubeconfig.")
        Path kubeconfig;

        @Option(names = "--wait", description = "Follow the job until it finishes.")
        boolean await;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            ApiClient api = client.client();
            JsonNode r = api.put("/api/v1/clusters/" + ApiClient.enc(id) + "/infra", kubeconfigBody(kubeconfig));
            return scheduled(api, r, await, spec.commandLine().getOut());
        }
    }

    @Command(
            name = "remove",
            aliases = "delete",
            mixinStandardHelpOptions = true,
            description = "Remove everything the control plane created on the cluster; prints a receipt with --wait.")
    static final class Remove implements Callable<Integer> {
        @Mixin
        ClientOptions client;

        @Parameters(paramLabel = "ID")
        String id;

        @Mixin
        RemovalOptions options;

        @Option(
                names = "--force",
                description = "A pull-mode cluster whose agent never answers: forget it now; what it had applied is "
                        + "named as residue in the receipt.")
        boolean force;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            ApiClient api = client.client();
            JsonNode r = api.delete(
                    "/api/v1/clusters/" + ApiClient.enc(id) + "/infra" + (force ? "?force=true" : ""),
                    kubeconfigBody(options.kubeconfig));
            if ("pull".equals(r.path("mode").asString(""))) {
                return pulled(api, r, options.await, spec.commandLine().getOut());
            }
            return scheduled(api, r, options.await, spec.commandLine().getOut());
        }
    }

    @Command(
            name = "status",
            mixinStandardHelpOptions = true,
            description = "The latest infra job, in a few lines; -o yaml|json for everything (conditions, receipt, "
                    + "the inventory of objects on the cluster).")
    static final class Status implements Callable<Integer> {
        @Mixin
        ClientOptions client;

        @Parameters(paramLabel = "ID")
        String id;

        @Mixin
        StatusOptions options;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            return show(
                    client.client(),
                    "/api/v1/clusters/" + ApiClient.enc(id) + "/infra",
                    "aios cluster infra create " + id + " --kubeconfig FILE",
                    options,
                    spec.commandLine().getOut());
        }
    }

    /**
     * An infra status ({@code path}: a cluster's or an add-on's): with {@code await}, the latest job's outcome
     * (followed to its end if under way; exit 1 if it failed); with {@code output}, all of it; otherwise a few
     * lines.
     */
    static int show(ApiClient api, String path, String createCommand, StatusOptions options, PrintWriter out) {
        boolean await = options.await;
        String output = options.output;
        java.time.Duration timeout = options.timeout();
        JsonNode s = api.get(path);
        JsonNode job = s.get("job");
        if (await && job != null && !job.isNull()) {
            // the outcome, whether the job is under way or already over; the exit status says which
            return finish(
                    job.hasNonNull("finishedAt")
                            ? job
                            : follow(api, job.get("id").asString(), out, timeout),
                    out);
        }
        if (output != null) {
            Output.print(out, s, output);
            return 0;
        }
        if (job == null || job.isNull()) {
            out.println("no infrastructure job yet: " + createCommand);
        } else {
            int retries = job.path("attempts").asInt();
            out.println("job:       " + job.path("id").asString() + " ("
                    + job.path("kind").asString()
                    + (retries > 0 ? ", " + retries + (retries == 1 ? " retry" : " retries") : "") + ")");
            out.println("state:     " + (job.hasNonNull("finishedAt") ? summary(job) : progress(job)));
            out.println("started:   " + job.path("createdAt").asString());
            out.println(
                    job.hasNonNull("finishedAt")
                            ? "finished:  " + job.path("finishedAt").asString()
                            : "updated:   " + job.path("updatedAt").asString());
        }
        out.println(
                "objects:   " + s.path("inventory").size()
                        + " recorded on the cluster: the services and the control plane's own identity and RBAC (-o yaml lists them)");
        out.flush();
        return 0;
    }

    @Command(
            name = "render",
            mixinStandardHelpOptions = true,
            description = "Print the manifests the infrastructure consists of (YAML; credentials redacted).")
    static final class Render implements Runnable {
        @Mixin
        ClientOptions client;

        @Parameters(paramLabel = "ID")
        String id;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public void run() {
            spec.commandLine()
                    .getOut()
                    .print(client.client().getText("/api/v1/clusters/" + ApiClient.enc(id) + "/infra/manifests"));
            spec.commandLine().getOut().flush();
        }
    }

    @Command(
            name = "preflight",
            mixinStandardHelpOptions = true,
            description = "Check a cluster against the prerequisites and its document; prints the fix for each miss.")
    static final class Preflight implements Callable<Integer> {
        @Mixin
        ClientOptions client;

        @Parameters(paramLabel = "ID")
        String id;

        @Option(names = "--kubeconfig", required = true)
        Path kubeconfig;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            JsonNode r = client.client()
                    .post("/api/v1/clusters/" + ApiClient.enc(id) + "/preflight", kubeconfigBody(kubeconfig));
            List<List<String>> rows = new ArrayList<>();
            for (JsonNode c : r.path("checks")) {
                rows.add(List.of(
                        c.path("status").asString().toUpperCase(),
                        c.path("name").asString(),
                        c.path("message").asString()));
            }
            PrintWriter out = spec.commandLine().getOut();
            Output.table(out, List.of("STATUS", "CHECK", "DETAIL"), rows);
            for (JsonNode c : r.path("checks")) {
                if (c.hasNonNull("fix") && !c.path("status").asString().equals("pass")) {
                    out.println("fix " + c.path("name").asString() + ": "
                            + c.get("fix").asString());
                }
            }
            out.flush();
            return r.path("passed").asBoolean() ? 0 : 1;
        }
    }
}
