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
            AuditCommand.class,
            AddonCommands.Registry.class,
            AddonCommands.AssetRegistry.class,
            AddonCommands.InferenceServer.class,
            AddonCommands.Executor.class,
            AddonCommands.SplitRunner.class,
            CommandLine.HelpCommand.class
        })
public final class Aios implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Aios());
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
