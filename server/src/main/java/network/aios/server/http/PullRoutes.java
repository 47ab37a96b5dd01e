package network.aios.server.http;

import static network.aios.server.http.Authenticator.principal;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import network.aios.api.FieldError;
import network.aios.api.Json;
import network.aios.server.auth.Principal;
import network.aios.server.domain.DomainException;
import network.aios.server.pull.PullJoins;
import network.aios.server.pull.PullService;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Pull mode's routes (docs/PULL.md): the owner's and admin's joins, and the pull agent's exchange, desired state
 * (a long poll that holds no request thread while it waits, woken by {@link
 * network.aios.server.pull.PullSignals}) and reports.
 */
public final class PullRoutes implements AutoCloseable {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(PullRoutes.class);
    /** The one path reached without an API token: the bootstrap token in the body is the credential. */
    public static final String EXCHANGE = "/api/v1/pull/exchange";

    private static final int MAX_WAIT_SECONDS = 60;
    /** Long polls one cluster may have waiting on this replica; past it a poll is answered at once. */
    private static final int MAX_WAITING_PER_CLUSTER = 4;
    /** How often a waiting long poll looks without a signal (a change made on another replica). */
    private static final java.time.Duration FALLBACK_LOOK = java.time.Duration.ofSeconds(5);

    private final PullService pull;
    private final java.time.Clock clock;
    private final ScheduledExecutorService waits = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "pull-long-poll");
        t.setDaemon(true);
        return t;
    });

    private final network.aios.server.auth.AuthThrottle throttle;

    public PullRoutes(PullService pull, java.time.Clock clock, network.aios.server.auth.AuthThrottle throttle) {
        this.pull = pull;
        this.clock = clock;
        this.throttle = throttle;
    }

    /** An exchange's body is a token and a uid: anything much larger is refused before it is parsed. */
    private static final int MAX_EXCHANGE_BYTES = 2048;

    public void register(RoutesConfig r) {
        r.post("/api/v1/clusters/{id}/join", this::join);
        r.get(
                "/api/v1/clusters/{id}/join",
                ctx -> Http.json(ctx, 200, pull.describe(principal(ctx), ctx.pathParam("id"))));
        r.delete("/api/v1/clusters/{id}/join", ctx -> {
            pull.joins().revoke(principal(ctx), ctx.pathParam("id"));
            ctx.status(204);
        });
        r.post(
                "/api/v1/clusters/{id}/accept",
                ctx -> Http.json(ctx, 200, PullService.view(pull.joins().accept(principal(ctx), ctx.pathParam("id")))));
        r.post("/api/v1/clusters/{id}/refuse", ctx -> {
            JsonNode body = optionalBody(ctx);
            JsonNode reason = body.path("reason");
            if (!reason.isMissingNode()
                    && !reason.isNull()
                    && (!reason.isString() || reason.asString().length() > 500)) {
                throw DomainException.invalid(
                        List.of(new FieldError("/reason", "must be a string of at most 500 characters")));
            }
            Http.json(
                    ctx,
                    200,
                    PullService.view(pull.joins()
                            .refuse(
                                    principal(ctx),
                                    ctx.pathParam("id"),
                                    reason.isString() ? reason.asString() : null)));
        });
        r.post(EXCHANGE, this::exchange);
        r.get("/api/v1/pull/desired", this::desired);
        r.post(
                "/api/v1/pull/report",
                ctx -> Http.json(
                        ctx,
                        200,
                        Json.object()
                                .put(
                                        "state",
                                        pull.desired()
                                                .report(pullAgent(ctx), Bodies.object(ctx.bodyAsBytes()))
                                                .wire())));
        r.post(
                "/api/v1/pull/rotate",
                ctx -> Http.json(
                        ctx, 201, Json.object().put("credential", pull.desired().rotate(pullAgent(ctx)))));
    }

    /** The caller, who must be a pull agent: these routes are its alone. */
    private static Principal pullAgent(Context ctx) {
        Principal p = principal(ctx);
        if (p.role() != Principal.Role.PULL) {
            throw DomainException.forbidden("only a pull agent's credential may call this");
        }
        return p;
    }

    private static JsonNode optionalBody(Context ctx) {
        byte[] raw = ctx.bodyAsBytes();
        return raw.length == 0 ? Json.object() : Bodies.object(raw);
    }

    private void join(Context ctx) {
        JsonNode body = optionalBody(ctx);
        List<FieldError> errors = new java.util.ArrayList<>();
        JsonNode ttl = body.path("ttlSeconds");
        if (!ttl.isMissingNode() && !ttl.isNull() && !(ttl.isIntegralNumber() && ttl.canConvertToLong())) {
            errors.add(new FieldError("/ttlSeconds", "must be a whole number of seconds"));
        }
        JsonNode abp = body.path("acceptByPolicy");
        if (!abp.isMissingNode() && !abp.isNull() && !abp.isBoolean()) {
            errors.add(new FieldError("/acceptByPolicy", "must be true or false"));
        }
        if (!errors.isEmpty()) {
            throw DomainException.invalid(errors);
        }
        PullJoins.Issued issued = pull.joins()
                .join(
                        principal(ctx),
                        ctx.pathParam("id"),
                        ttl.isIntegralNumber() ? Duration.ofSeconds(ttl.asLong()) : null,
                        abp.asBoolean(false));
        ObjectNode out = PullService.view(issued.join());
        out.put("token", issued.token());
        out.put("manifest", issued.manifest());
        out.put("note", "the token is single-use and shown once; the manifest carries it: kubectl apply -f -");
        Http.json(ctx, 201, out);
    }

    private void exchange(Context ctx) {
        // reached without an API token: its failures are throttled as failed logins are (the secret is 256 bits, so
        // guessing is hopeless; this bounds what an anonymous caller can make the control plane do)
        byte[] raw = ctx.bodyAsBytes();
        if (raw.length > MAX_EXCHANGE_BYTES) {
            throw new DomainException(
                    DomainException.Kind.TOO_LARGE,
                    "too_large",
                    "an exchange is a bootstrap token and a cluster uid: at most " + MAX_EXCHANGE_BYTES + " bytes",
                    null,
                    null);
        }
        String source = "ip:" + ctx.ip();
        JsonNode body = Bodies.object(raw);
        JsonNode token = body.path("bootstrapToken");
        JsonNode uid = body.path("clusterUid");
        PullJoins.Exchanged e;
        try {
            e = pull.joins()
                    .exchange(token.isString() ? token.asString() : null, uid.isString() ? uid.asString() : null);
        } catch (DomainException refused) {
            if (refused.kind() != DomainException.Kind.UNAUTHENTICATED) {
                throw refused;
            }
            // as failed logins: a valid token always passes (nobody behind the same address is locked out by
            // another); failures past the limit are answered 429 and say when to try again
            long wait = throttle.retryAfter(source);
            if (wait > 0) {
                ctx.header("Retry-After", Long.toString(wait));
                throw new DomainException(
                        DomainException.Kind.TOO_MANY_REQUESTS,
                        "too_many_failed_authentications",
                        "too many failed exchanges from this address; retry in " + wait + " s",
                        null,
                        null);
            }
            throttle.failed(source);
            throw refused;
        }
        Http.json(
                ctx,
                201,
                Json.object()
                        .put("clusterId", e.clusterId())
                        .put("credential", e.credential())
                        .put("state", e.state().wire()));
    }

    /**
     * The desired state; with {@code If-None-Match} naming the current revision, waits up to {@code waitSeconds}
     * for another (looked at when this replica changes something it is built from, and every 5 s) and answers 304 if
     * none came. The wait is a scheduled look, not a blocked thread, so agents waiting hold none of the server's
     * request threads.
     */
    private void desired(Context ctx) {
        Principal agent = pullAgent(ctx);
        String known = unquote(ctx.header("If-None-Match"));
        int wait = waitSeconds(ctx.queryParam("waitSeconds"));
        ObjectNode now;
        try {
            now = pull.desired().desired(agent);
        } catch (DomainException e) {
            if ("join_pending".equals(e.code())) {
                ctx.header("Retry-After", "5");
            }
            throw e;
        }
        // one agent per cluster: a few polls at once are its retries; more wait no longer (answered at once), so the
        // agents of one cluster cannot fill the scheduler that serves every cluster's waits
        if (known == null
                || wait == 0
                || !known.equals(now.path("revision").asString())
                || pull.signals().watching(agent.clusterId()) >= MAX_WAITING_PER_CLUSTER) {
            answer(ctx, now, known);
            return;
        }
        Instant deadline = clock.instant().plusSeconds(wait);
        CompletableFuture<Void> done = new CompletableFuture<>();
        ctx.future(() -> done);
        Waiter w = new Waiter(ctx, agent, known, deadline, done);
        w.signal = pull.signals().watch(agent.clusterId(), () -> waits.execute(w::look));
        if (w.answered.get()) {
            w.stopWatching(); // answered by a signal before the handle was kept
        }
        w.scheduleLook();
    }

    /**
     * One waiting long poll: looks again when its cluster's desired state may have changed on this replica (a
     * signal), every {@link #FALLBACK_LOOK} otherwise (a change made on another replica, a renewed certificate), and
     * at its deadline; answers once.
     */
    private final class Waiter {
        private final Context ctx;
        private final Principal agent;
        private final String known;
        private final Instant deadline;
        private final CompletableFuture<Void> done;
        private final java.util.concurrent.atomic.AtomicBoolean answered =
                new java.util.concurrent.atomic.AtomicBoolean();
        private volatile AutoCloseable signal;

        Waiter(Context ctx, Principal agent, String known, Instant deadline, CompletableFuture<Void> done) {
            this.ctx = ctx;
            this.agent = agent;
            this.known = known;
            this.deadline = deadline;
            this.done = done;
        }

        void scheduleLook() {
            long left = java.time.Duration.between(clock.instant(), deadline).toMillis();
            waits.schedule(this::look, Math.max(0, Math.min(left, FALLBACK_LOOK.toMillis())), TimeUnit.MILLISECONDS);
        }

        synchronized void look() {
            if (answered.get()) {
                return;
            }
            try {
                ObjectNode now = pull.desired().desired(agent);
                if (known.equals(now.path("revision").asString())
                        && clock.instant().isBefore(deadline)) {
                    scheduleLook();
                    return;
                }
                answer(ctx, now, known);
            } catch (DomainException e) {
                Http.error(ctx, e);
            } catch (Throwable e) { // whatever went wrong, the waiting request is answered (not left to its timeout)
                LOG.warn("a desired-state long poll failed for cluster {}", agent.clusterId(), e);
                Http.error(
                        ctx,
                        new DomainException(
                                DomainException.Kind.UNAVAILABLE,
                                "unavailable",
                                "the desired state could not be read; retry",
                                null,
                                null));
            }
            answered.set(true);
            stopWatching();
            done.complete(null);
        }

        void stopWatching() {
            AutoCloseable s = signal;
            if (s != null) {
                try {
                    s.close();
                } catch (Exception ignored) {
                    // only a map entry
                }
            }
        }
    }

    private static void answer(Context ctx, ObjectNode desired, String known) {
        String revision = desired.path("revision").asString();
        ctx.header("ETag", "\"" + revision + "\"");
        if (revision.equals(known)) {
            ctx.status(304);
            return;
        }
        Http.json(ctx, 200, desired);
    }

    private static String unquote(String etag) {
        if (etag == null || etag.isBlank()) {
            return null;
        }
        String t = etag.trim();
        if (t.startsWith("W/")) {
            t = t.substring(2);
        }
        return t.length() >= 2 && t.startsWith("\"") && t.endsWith("\"") ? t.substring(1, t.length() - 1) : t;
    }

    private static int waitSeconds(String raw) {
        if (raw == null) {
            return 0;
        }
        try {
            int n = Integer.parseInt(raw);
            if (n >= 0 && n <= MAX_WAIT_SECONDS) {
                return n;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw DomainException.invalid(List.of(new FieldError(
                "/query/waitSeconds", "must be a whole number of seconds from 0 to " + MAX_WAIT_SECONDS)));
    }

    @Override
    public void close() {
        waits.shutdownNow();
    }
}
