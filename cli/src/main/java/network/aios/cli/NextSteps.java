package network.aios.cli;

import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The CLI command for a request the control plane names as the next step of an error ({@code next: {method,
 * path}}): a person who used the CLI is told the command, not the HTTP call behind it.
 */
final class NextSteps {
    private record Rule(Pattern request, String command) {}

    private static final String ADDON = "(executor|split-runner|container_registry|asset_registry|inference_server)";

    private static final List<Rule> RULES = List.of(
            rule("DELETE /api/v1/clusters/([^/?]+)/infra", "aios cluster infra remove $1 --wait"),
            rule("PUT /api/v1/clusters/([^/?]+)/infra", "aios cluster infra create $1 --kubeconfig FILE --wait"),
            rule("GET /api/v1/clusters/([^/?]+)/infra", "aios cluster infra status $1 --wait"),
            rule("GET /api/v1/clusters/([^/?]+)/health", "aios cluster describe $1"),
            rule("DELETE /api/v1/clusters/([^/?]+)\\?cascade=true", "aios cluster delete $1 --cascade"),
            rule("POST /api/v1/clusters/([^/?]+)/join", "aios cluster join $1"),
            rule("GET /api/v1/clusters/([^/?]+)/join", "aios cluster join-status $1"),
            rule("DELETE /api/v1/clusters/([^/?]+)/join", "aios cluster join-revoke $1"),
            rule("POST /api/v1/clusters/([^/?]+)/accept", "aios cluster accept $1"),
            rule("GET /" + ADDON + "/([^/?]+)/infra", "aios $1 infra status $2 --wait"),
            rule("DELETE /" + ADDON + "/([^/?]+)\\?cascade=true", "aios $1 delete $2 --cascade --wait"));

    private NextSteps() {}

    private static Rule rule(String request, String command) {
        return new Rule(Pattern.compile(request), command);
    }

    /** The command for {@code method path}, if the CLI has one. */
    static Optional<String> command(String method, String path) {
        String request = method + " " + path;
        for (Rule r : RULES) {
            Matcher m = r.request().matcher(request);
            if (m.matches()) {
                String command = m.replaceFirst(r.command());
                return Optional.of(command.replace("aios container_registry ", "aios registry ")
                        .replace("aios asset_registry ", "aios asset-registry ")
                        .replace("aios inference_server ", "aios inference-server "));
            }
        }
        return Optional.empty();
    }
}
