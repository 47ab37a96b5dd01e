package network.aios.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import tools.jackson.databind.JsonNode;

/** {@code aios job get ID}: any infrastructure job by its id (GET /api/v1/jobs/{id}), as the API has it. */
@Command(
        name = "job",
        mixinStandardHelpOptions = true,
        description = "Infrastructure jobs by id (the job_id a create or removal answered with).",
        subcommands = {JobCommands.Get.class})
final class JobCommands {
    @Command(
            name = "get",
            mixinStandardHelpOptions = true,
            description = "One job: its outcome and receipt in a few lines; -o json|yaml for all of it.")
    static final class Get implements Runnable {
        @Mixin
        ClientOptions client;

        @Parameters(paramLabel = "JOB_ID")
        String id;

        @Option(
                names = {"-o", "--output"},
                description = "json or yaml: the whole job (conditions, progress, receipt).")
        String output;

        @Option(names = "--wait", description = "Follow the job until it finishes; exit 1 if it failed.")
        boolean await;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public void run() {
            ApiClient api = client.client();
            java.io.PrintWriter out = spec.commandLine().getOut();
            JsonNode job = await ? InfraCommands.follow(api, id, out) : api.get("/api/v1/jobs/" + ApiClient.enc(id));
            if (output != null) {
                Output.print(out, job, output);
                return;
            }
            String target = job.hasNonNull("clusterId")
                    ? "cluster " + job.path("clusterId").asString()
                    : job.path("addonKind").asString() + " "
                            + job.path("addonId").asString();
            out.println(job.path("kind").asString() + " job " + id + " for " + target);
            if (!job.hasNonNull("finishedAt")) {
                out.println(InfraCommands.progress(job));
            } else if (InfraCommands.finish(job, out) != 0 && await) {
                throw new CliException("job " + id + " failed", 1);
            }
            out.flush();
        }
    }
}
