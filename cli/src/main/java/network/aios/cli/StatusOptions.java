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

    @Option(
            names = "--timeout",
            description = "With --wait: give up waiting after this long (e.g. 90s, 10m, 1h; the job goes on), exit 4.")
    String timeout;

    /** The --timeout as a duration, or null (wait as long as the job takes). */
    java.time.Duration timeout() {
        if (timeout == null) {
            return null;
        }
        java.util.regex.Matcher m =
                java.util.regex.Pattern.compile("(\\d+)([smh]?)").matcher(timeout.strip());
        if (!m.matches()) {
            throw new CliException("--timeout " + timeout + ": give a number of seconds, or 90s, 10m, 1h", 2);
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "m" -> java.time.Duration.ofMinutes(n);
            case "h" -> java.time.Duration.ofHours(n);
            default -> java.time.Duration.ofSeconds(n);
        };
    }
}
