package network.aios.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import network.aios.api.Json;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Pull mode from the owner's and the admin's side (docs/PULL.md, "Owner and admin routes"): {@code aios cluster
 * join | accept | refuse | join-status | join-revoke}. The control plane holds no credential to the cluster: a
 * single-use bootstrap token, carried by the manifest {@code join} prints, lets an agent on it dial out and ask to
 * join; the admin accepts or refuses.
 */
final class JoinCommands {
    /** The longest a bootstrap token may live. */
    static final Duration MAX_TTL = Duration.ofHours(24);

    private static final Pattern TTL = Pattern.compile("(?:(\\d{1,6})h)?(?:(\\d{1,6})m)?(?:(\\d{1,6})s)?");

    private JoinCommands() {}

    /** {@code --ttl} as kubectl writes durations: 90s, 30m, 1h, 2h30m (a bare number: seconds); 1 s to 24 h. */
    static Duration ttl(String text) {
        String t = text == null ? "" : text.strip();
        Duration d = null;
        if (t.matches("\\d{1,6}")) {
            d = Duration.ofSeconds(Long.parseLong(t));
        } else {
            Matcher m = TTL.matcher(t);
            if (!t.isEmpty() && m.matches()) {
                d = Duration.ofHours(number(m.group(1)))
                        .plusMinutes(number(m.group(2)))
                        .plusSeconds(number(m.group(3)));
            }
        }
        if (d == null) {
            throw new CliException(
                    "--ttl " + text + ": not a duration; give one such as 90s, 30m, 1h or 2h30m (at most 24h)", 2);
        }
        if (d.isZero()) {
            throw new CliException("--ttl " + text + ": a token must live for some time (e.g. 30m, 1h)", 2);
        }
        if (d.compareTo(MAX_TTL) > 0) {
            throw new CliException("--ttl " + text + ": a bootstrap token lives at most 24h", 2);
        }
        return d;
    }

    /** {@code --timeout}: written as {@code --ttl} is (90s, 10m, 1h), at most 24 h. */
    static Duration duration(String text) {
        try {
            return ttl(text);
        } catch (CliException e) {
            throw new CliException("--timeout " + text + ": give a duration such as 90s, 10m or 1h (at most 24h)", 2);
        }
    }

    private static long number(String digits) {
        return digits == null ? 0 : Long.parseLong(digits);
    }

    /** A duration as it was written: 2h30m, 90s → 1m30s. */
    static String human(Duration d) {
        StringBuilder sb = new StringBuilder();
        if (d.toHours() > 0) {
            sb.append(d.toHours()).append('h');
        }
        if (d.toMinutesPart() > 0) {
            sb.append(d.toMinutesPart()).append('m');
        }
        if (d.toSecondsPart() > 0 || sb.length() == 0) {
            sb.append(d.toSecondsPart()).append('s');
        }
        return sb.toString();
    }

    /** {@code -o}: checked before the request, which changes things on the server (a token is issued, a join decided). */
    static String format(String output) {
        if (output != null && !output.equals("json") && !output.equals("yaml")) {
            throw new CliException("unknown output format '" + output + "': use json or yaml", 2);
        }
        return output;
    }

    static String path(String id, String tail) {
        return "/api/v1/clusters/" + ApiClient.enc(id) + tail;
    }

    /** A field of the join's view, or "-" when it has none. */
    static String text(JsonNode view, String field) {
        String v = view.path(field).isNull() ? "" : view.path(field).asString("");
        return v.isEmpty() ? "-" : v;
    }

    @Command(
            name = "join",
            mixinStandardHelpOptions = true,
            description = "Pull mode: issue a single-use bootstrap token for the cluster and print the manifest that "
                    + "carries it (stdout, for `| kubectl apply -f -`): its agent dials out and asks to join; the "
                    + "control plane never holds a credential to the cluster. A new join revokes the previous "
                    + "unused token.")
    static final class Join implements Callable<Integer> {
        @Mixin
        ClientOptions client;

        @Parameters(paramLabel = "ID")
        String id;

        @Option(
                names = "--ttl",
                defaultValue = "1h",
                description = "How long the token may wait to be used (e.g. 90s, 30m, 2h30m; default ${DEFAULT-VALUE}, "
                        + "at most 24h).")
        String ttl;

        @Option(
                names = "--accept-by-policy",
                description = "Let the network's policy accept the join when the agent asks, instead of the admin.")
        boolean acceptByPolicy;

        @Option(
                names = {"-o", "--output"},
                description = "json or yaml: the whole answer (token, expiresAt, manifest) instead of the manifest "
                        + "alone.")
        String output;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            Duration lifetime = ttl(ttl);
            format(output);
            ObjectNode body =
                    Json.object().put("ttlSeconds", lifetime.toSeconds()).put("acceptByPolicy", acceptByPolicy);
            JsonNode r = client.client().post(path(id, "/join"), Json.bytes(body));
            PrintWriter out = spec.commandLine().getOut();
            if (output != null) {
                Output.print(out, r, output);
                return 0;
            }
            String manifest = r == null || r.path("manifest").isNull()
                    ? ""
                    : r.path("manifest").asString("");
            if (manifest.isEmpty()) {
                throw new CliException(
                        "the control plane issued a token for " + id + " but answered without a manifest; "
                                + "`aios cluster join " + id + " -o json` shows its whole answer",
                        3);
            }
            out.print(manifest.endsWith("\n") ? manifest : manifest + "\n");
            out.flush();
            PrintWriter err = spec.commandLine().getErr();
            err.println("join token for cluster " + id + ": single use, expires " + text(r, "expiresAt") + " (in "
                    + human(lifetime) + "); the manifest on stdout carries it and it is not shown again.");
            err.println("next:");
            String[][] steps = {
                {"kubectl apply -f <the manifest>", "on the member cluster: its agent dials out and asks to join"},
                {
                    "aios cluster accept " + id,
                    acceptByPolicy
                            ? "the admin, unless the network's policy accepts it (--accept-by-policy)"
                            : "the admin accepts it (or: aios cluster refuse " + id + " --reason TEXT)"
                },
                {"aios cluster join-status " + id, "follow it: issued, requested, accepted"}
            };
            int width = 0;
            for (String[] step : steps) {
                width = Math.max(width, step[0].length());
            }
            for (String[] step : steps) {
                err.println("  " + String.format("%-" + (width + 3) + "s", step[0]) + step[1]);
            }
            err.flush();
            return 0;
        }
    }

    @Command(
            name = "accept",
            mixinStandardHelpOptions = true,
            description =
                    "Accept a cluster's pending pull-mode join (admin): its agent then applies the AIOS services.")
    static final class Accept implements Callable<Integer> {
        @Mixin
        ClientOptions client;

        @Parameters(paramLabel = "ID")
        String id;

        @Option(
                names = {"-o", "--output"},
                description = "json or yaml: the join's view.")
        String output;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            format(output);
            JsonNode view = client.client().post(path(id, "/accept"), Json.bytes(Json.object()));
            PrintWriter out = spec.commandLine().getOut();
            if (output != null) {
                Output.print(out, view, output);
                return 0;
            }
            out.println("cluster " + id + ": join " + (view == null ? "accepted" : text(view, "state"))
                    + "; follow it: aios cluster join-status " + id);
            out.flush();
            return 0;
        }
    }

    @Command(
            name = "refuse",
            mixinStandardHelpOptions = true,
            description = "Refuse a cluster's pull-mode join (admin); its agent is told so, and its pull credential is "
                    + "revoked by the cluster's next join.")
    static final class Refuse implements Callable<Integer> {
        @Mixin
        ClientOptions client;

        @Parameters(paramLabel = "ID")
        String id;

        @Option(names = "--reason", description = "Why; the owner sees it in join-status.")
        String reason;

        @Option(
                names = {"-o", "--output"},
                description = "json or yaml: the join's view.")
        String output;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            format(output);
            ObjectNode body = Json.object();
            if (reason != null) {
                body.put("reason", reason);
            }
            JsonNode view = client.client().post(path(id, "/refuse"), Json.bytes(body));
            PrintWriter out = spec.commandLine().getOut();
            if (output != null) {
                Output.print(out, view, output);
                return 0;
            }
            out.println("cluster " + id + ": join " + (view == null ? "refused" : text(view, "state"))
                    + (reason == null ? "" : " (" + reason + ")")
                    + "; its agent is told so, and its pull credential is revoked by the cluster's next join");
            out.flush();
            return 0;
        }
    }

    @Command(
            name = "join-revoke",
            mixinStandardHelpOptions = true,
            description =
                    "Revoke a cluster's pull-mode join: its bootstrap token and its pull credential stop working.")
    static final class JoinRevoke implements Callable<Integer> {
        @Mixin
        ClientOptions client;

        @Parameters(paramLabel = "ID")
        String id;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            client.client().delete(path(id, "/join"));
            spec.commandLine()
                    .getOut()
                    .println(
                            "cluster " + id + ": join revoked; its bootstrap token and pull credential no longer work");
            spec.commandLine().getOut().flush();
            return 0;
        }
    }
}
