package network.aios.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The options of an infra removal (a cluster's, an executor's, a split runner's). */
final class RemovalOptions {
    @Option(
            names = "--kubeconfig",
            description = "Optional: an admin kubeconfig (otherwise the stored least-privilege credential is used).")
    Path kubeconfig;

    @Option(names = "--wait", description = "Follow the job (a pull cluster: its agent's removal) until it finishes.")
    boolean await;
}
