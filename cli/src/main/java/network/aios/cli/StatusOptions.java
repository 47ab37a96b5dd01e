package network.aios.cli;

import picocli.CommandLine.Option;

/** The options of an infra status command (a cluster's, an executor's, a split runner's). */
final class StatusOptions {
    @Option(
            names = "--wait",
            description =
                    "Print the latest job's outcome, following it first if it is under way; exit 1 if it " + "failed.")
    boolean await;

    @Option(
            names = {"-o", "--output"},
            description = "yaml or json: the whole status.")
    String output;
}
