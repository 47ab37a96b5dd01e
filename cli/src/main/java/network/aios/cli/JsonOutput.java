package network.aios.cli;

import picocli.CommandLine;
import picocli.CommandLine.Option;
import tools.jackson.databind.JsonNode;

/** {@code -o json|yaml} (default json) and printing an answer in it: the option most commands share. */
final class JsonOutput {
    @Option(
            names = {"-o", "--output"},
            defaultValue = "json",
            description = "json or yaml.")
    String format;

    @CommandLine.Spec(CommandLine.Spec.Target.MIXEE)
    CommandLine.Model.CommandSpec spec;

    void print(JsonNode value) {
        Output.print(spec.commandLine().getOut(), value, format);
    }
}
