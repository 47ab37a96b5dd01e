package network.aios.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The one launcher: {@code aios server} runs the control plane; every other command is its client. */
@Command(
        name = "aios",
        mixinStandardHelpOptions = true,
        version = "aios 0.1.0",
        description = "AIOS Network control plane and client.",
        subcommands = {
            ServerCommand.class,
            ClusterCommands.class,
            PolicyCommands.class,
            TokenCommands.class,
            QuotaCommands.class,
            AuditCommand.class,
            AddonCommands.Registry.class,
            AddonCommands.AssetRegistry.class,
            AddonCommands.InferenceServer.class,
            AddonCommands.Executor.class,
            AddonCommands.SplitRunner.class,
            JobCommands.class,
            NodeJoinCommands.class,
            CommandLine.HelpCommand.class
        })
public final class Aios implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** The client flags also before the command, as kubectl takes them ({@code aios --server URL cluster list}). */
    @CommandLine.Option(
            names = "--server",
            description = "Control plane URL (env AIOS_SERVER); also after the command.")
    String server;

    @CommandLine.Option(names = "--token", description = "API token (env AIOS_TOKEN); also after the command.")
    String token;

    @CommandLine.Option(names = "--config", description = "Client config file; also after the command.")
    java.nio.file.Path config;

    @CommandLine.Option(names = "--cacert", description = "PEM certificate(s) to trust (env AIOS_CACERT); also after.")
    java.nio.file.Path cacert;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Aios());
        // a mistake on the command line: the error and where help is, not the whole help text
        cl.setParameterExceptionHandler((ex, args) -> {
            CommandLine cmd = ex.getCommandLine();
            cmd.getErr().println("error: " + ex.getMessage());
            CommandLine.UnmatchedArgumentException.printSuggestions(ex, cmd.getErr());
            cmd.getErr().println("See '" + cmd.getCommandSpec().qualifiedName() + " --help'.");
            return 2;
        });
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            if (ex instanceof ApiClient.ApiError api) {
                cmd.getErr().println(api.render());
                return 1;
            }
            if (ex instanceof CliException c) {
                cmd.getErr().println("error: " + c.getMessage());
                return c.exitCode();
            }
            throw ex;
        });
        return cl;
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }
}
