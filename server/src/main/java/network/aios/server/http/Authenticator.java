package network.aios.server.http;

import io.javalin.http.Context;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;
import network.aios.server.auth.AuthThrottle;
import network.aios.server.auth.Principal;
import network.aios.server.auth.TokenService;
import network.aios.server.domain.DomainException;

/**
 * Reads the caller's token from {@code Authorization: Bearer <token>} or from the password of HTTP
 * Basic auth, so URLs like {@code http://admin:TOKEN@host/api/createCluster} work with unchanged
 * curl commands and Python scripts. The user name of Basic auth is ignored.
 */
public final class Authenticator {
    public static final String PRINCIPAL = "aios.principal";
    private final TokenService tokens;
    private final AuthThrottle throttle;
    private final network.aios.server.auth.WriteLimits writes;
    private final network.aios.server.auth.InFlight inFlight;
    private final network.aios.server.auth.AgentOwners agentOwners;
    private static final String HOLDS = "aios.inFlight";

    public Authenticator(
            TokenService tokens,
            AuthThrottle throttle,
            network.aios.server.auth.WriteLimits writes,
            network.aios.server.auth.InFlight inFlight,
            network.aios.server.auth.AgentOwners agentOwners) {
        this.tokens = tokens;
        this.throttle = throttle;
        this.writes = writes;
        this.inFlight = inFlight;
        this.agentOwners = agentOwners;
    }

    /**
     * A servlet filter around the whole request, answer written included: gives back the permit its caller
     * took when authenticated (a client that reads its answer slowly holds its permit meanwhile).
     */
    public jakarta.servlet.Filter releaseWhenWritten() {
        return (request, response, chain) -> {
            try {
                chain.doFilter(request, response);
            } finally {
                Object key = request.getAttribute(HOLDS);
                if (key != null) {
                    request.removeAttribute(HOLDS);
                    inFlight.leave((String) key);
                }
            }
        };
    }

    public void authenticate(Context ctx) {
        Optional<String> token = presented(ctx.header("Authorization"));
        Optional<Principal> found = token.flatMap(tokens::authenticate);
        if (found.isEmpty() && token.isPresent()) {
            // only wrong credentials are throttled: a valid token always passes, so nobody can lock others
            // out (behind a proxy or NAT many callers share an address)
            String source = "ip:" + ctx.ip();
            String id = tokenId(token.get());
            long wait = Math.max(throttle.retryAfter(source), id == null ? 0 : throttle.retryAfter("id:" + id));
            if (wait > 0) {
                ctx.header("Retry-After", Long.toString(wait));
                throw new DomainException(
                        DomainException.Kind.TOO_MANY_REQUESTS,
                        "too_many_failed_authentications",
                        "too many failed authentications " + "from this address or for this token; retry in " + wait
                                + " s",
                        null,
                        null);
            }
            throttle.failed(source);
            if (id != null) {
                throttle.failed("id:" + id);
            }
        }
        Principal p = found.orElseThrow(() -> {
            ctx.header("WWW-Authenticate", "Basic realm=\"aios\", Bearer realm=\"aios\"");
            return new DomainException(
                    DomainException.Kind.UNAUTHENTICATED,
                    "unauthorized",
                    "a valid API token is required: send it as "
                            + "'Authorization: Bearer <token>' or as the password of HTTP Basic auth "
                            + "(http://admin:<token>@host:port/...)",
                    null,
                    null);
        });
        if (p.role() == Principal.Role.AGENT && !agentMayCall(ctx.method().name(), ctx.path())) {
            // an agent credential lives on a member cluster: it reports for that cluster and does nothing else
            throw DomainException.forbidden(
                    "an agent credential may only report its cluster's heartbeats, metrics and commands");
        }
        if (p.role() == Principal.Role.PULL && !pullAgentMayCall(ctx.method().name(), ctx.path())) {
            throw DomainException.forbidden(
                    "a pull credential may only fetch its cluster's desired state and report what it applied");
        }
        // first the requests under way (a refused one spends no write), then the pace of writes
        String key = network.aios.server.auth.InFlight.key(p, agentOwners);
        if (key != null) {
            if (!inFlight.enter(key)) {
                throw new DomainException(
                        DomainException.Kind.TOO_MANY_REQUESTS,
                        "too_many_requests_in_flight",
                        "this owner (with its clusters' agents) has " + inFlight.limit()
                                + " requests under way; send the next when one has answered",
                        null,
                        null);
            }
            ctx.attribute(HOLDS, key);
        }
        if (!ctx.method().name().equals("GET")
                && !ctx.method().name().equals("HEAD")
                && !READS_BY_POST.matcher(ctx.path()).matches()) {
            // every write of an owner or an agent is paced, whatever the route: one caller cannot flood
            java.time.Duration wait = writes.take(p);
            if (!wait.isZero()) {
                long seconds = Math.max(1, (wait.toMillis() + 999) / 1000);
                ctx.header("Retry-After", Long.toString(seconds));
                throw new DomainException(
                        DomainException.Kind.TOO_MANY_REQUESTS,
                        "write_rate_exceeded",
                        (p.role() == Principal.Role.AGENT ? "this cluster's agents write" : "this owner writes")
                                + " faster than the network allows; retry in " + seconds + " s",
                        null,
                        null);
            }
        }
        ctx.attribute(PRINCIPAL, p);
    }

    /** Routes that read, though by POST (a query in the body): not writes, so not paced as writes. */
    private static final java.util.regex.Pattern READS_BY_POST =
            java.util.regex.Pattern.compile("/clusters/query|/api/v1/policies/[^/]+/(check|dry-run)");

    /** What an agent may send (its cluster is checked by the route): reports, nothing that reads. */
    private static final java.util.regex.Pattern AGENT_REPORTS =
            java.util.regex.Pattern.compile("/api/v1/clusters/[^/]+/(heartbeat|metrics|audit)");

    static boolean agentMayCall(String method, String path) {
        return method.equals("POST") && AGENT_REPORTS.matcher(path).matches()
                || method.equals("GET") && path.equals("/api/v1/whoami");
    }

    /** What a pull agent may call: its desired state, its reports, its credential's rotation. */
    static boolean pullAgentMayCall(String method, String path) {
        return method.equals("GET") && path.equals("/api/v1/pull/desired")
                || method.equals("POST") && (path.equals("/api/v1/pull/report") || path.equals("/api/v1/pull/rotate"))
                || method.equals("GET") && path.equals("/api/v1/whoami");
    }

    public static Principal principal(Context ctx) {
        Principal p = ctx.attribute(PRINCIPAL);
        if (p == null) {
            throw new IllegalStateException("route reached without authentication");
        }
        return p;
    }

    public static void requireAdmin(Principal p) {
        Principal.requireAdmin(p);
    }

    /** The id part of a token ({@code aios_<id>_<secret>}), or null when it has none. */
    private static String tokenId(String token) {
        String t = token.trim();
        return t.startsWith("aios_") && t.length() > 21 && t.charAt(21) == '_' ? t.substring(5, 21) : null;
    }

    static Optional<String> presented(String header) {
        if (header == null) {
            return Optional.empty();
        }
        String h = header.trim();
        if (h.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return Optional.of(h.substring(7).trim());
        }
        if (h.regionMatches(true, 0, "Basic ", 0, 6)) {
            try {
                String decoded =
                        new String(Base64.getDecoder().decode(h.substring(6).trim()), StandardCharsets.UTF_8);
                int colon = decoded.indexOf(':');
                return colon < 0 ? Optional.empty() : Optional.of(decoded.substring(colon + 1));
            } catch (IllegalArgumentException e) {
                return Optional.empty();
            }
        }
        return Optional.empty();
    }
}
