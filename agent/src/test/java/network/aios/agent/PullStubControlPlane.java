package network.aios.agent;

import io.javalin.Javalin;
import io.javalin.http.Context;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import network.aios.api.Json;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The control plane's half of docs/PULL.md's agent routes, as small as the pull agent's tests need: a
 * single-use bootstrap token, pull credentials (rotation revokes the one presented), a desired set the test
 * replaces (its revision a digest of it; a long poll naming the current revision waits for a change), and the
 * reports received, in order.
 */
final class PullStubControlPlane implements AutoCloseable {
    static final String CLUSTER_ID = "pull-it";
    private static final SecureRandom RANDOM = new SecureRandom();

    final String bootstrapToken = "aiosjoin_" + hex(8) + "_" + secret();
    final AtomicInteger exchanges = new AtomicInteger();
    final AtomicInteger rotations = new AtomicInteger();
    /** Every credential issued, oldest first. */
    final List<String> issued = new CopyOnWriteArrayList<>();
    /** The credential each desired request presented. */
    final List<String> desiredCalls = new CopyOnWriteArrayList<>();

    final Set<String> valid = ConcurrentHashMap.newKeySet();
    volatile String clusterUid;
    /** Answer 401 to every desired request (the credential revoked). */
    volatile boolean revokeOnDesired;

    private final LinkedBlockingQueue<JsonNode> reports = new LinkedBlockingQueue<>();
    private final Object lock = new Object();
    private ObjectNode desired;
    private boolean tokenUsed;
    private final Javalin http;

    PullStubControlPlane() {
        http = Javalin.create(c -> {
            c.startup.showJavalinBanner = false;
            c.jetty.host = "127.0.0.1";
            c.jetty.port = 0;
            c.routes.post("/api/v1/pull/exchange", this::exchange);
            c.routes.get("/api/v1/pull/desired", this::desired);
            c.routes.post("/api/v1/pull/report", this::report);
            c.routes.post("/api/v1/pull/rotate", this::rotate);
        });
        http.start();
    }

    String url() {
        return "http://127.0.0.1:" + http.port();
    }

    /** A credential this control plane accepts, as an earlier run's exchange would have issued it. */
    String issue() {
        String credential = "aios_" + hex(8) + "_" + secret();
        issued.add(credential);
        valid.add(credential);
        return credential;
    }

    /** Serves {@code doc} from now on (with its revision); a long poll waiting on the old one answers at once. */
    String serve(ObjectNode doc) {
        synchronized (lock) {
            ObjectNode d = doc.deepCopy();
            d.remove("revision");
            d.put("revision", digest(d));
            desired = d;
            lock.notifyAll();
            return d.get("revision").asString();
        }
    }

    /** The first report from now on that {@code matches}, reports before it dropped; fails after {@code timeout}. */
    JsonNode awaitReport(Predicate<JsonNode> matches, Duration timeout, String what) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (true) {
            JsonNode r = reports.poll(Math.max(0, end - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (r == null) {
                throw new AssertionError("timed out after " + timeout.toSeconds() + " s waiting for " + what);
            }
            if (matches.test(r)) {
                return r;
            }
        }
    }

    /** Drops the reports received so far. */
    void forgetReports() {
        reports.clear();
    }

    private void exchange(Context ctx) {
        JsonNode body = Json.parse(ctx.body());
        synchronized (lock) {
            if (tokenUsed || !bootstrapToken.equals(body.path("bootstrapToken").asString())) {
                Web.fail(ctx, 401, "bootstrap_token_invalid", "", "the bootstrap token is not valid");
                return;
            }
            tokenUsed = true;
        }
        exchanges.incrementAndGet();
        clusterUid = body.path("clusterUid").asString();
        Web.json(
                ctx,
                201,
                Json.object()
                        .put("clusterId", CLUSTER_ID)
                        .put("credential", issue())
                        .put("state", "accepted"));
    }

    private void desired(Context ctx) throws InterruptedException {
        String credential = bearer(ctx);
        desiredCalls.add(String.valueOf(credential));
        if (!valid.contains(credential) || revokeOnDesired) {
            Web.fail(ctx, 401, "unauthorized", "", "no such credential");
            return;
        }
        int wait = Math.min(
                60, Integer.parseInt(ctx.queryParam("waitSeconds") == null ? "0" : ctx.queryParam("waitSeconds")));
        String named = ctx.header("If-None-Match");
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(wait);
        synchronized (lock) {
            while (named != null && desired != null && named.equals(etag()) && System.nanoTime() < end) {
                lock.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(end - System.nanoTime())));
            }
            if (desired == null) {
                ctx.header("Retry-After", "1");
                Web.fail(ctx, 409, "join_pending", "", "the join waits for acceptance");
            } else if (named != null && named.equals(etag())) {
                ctx.status(304);
            } else {
                ctx.header("ETag", etag());
                Web.json(ctx, desired);
            }
        }
    }

    private void report(Context ctx) {
        if (!valid.contains(bearer(ctx))) {
            Web.fail(ctx, 401, "unauthorized", "", "no such credential");
            return;
        }
        reports.add(Json.parse(ctx.body()));
        Web.json(ctx, Json.object().put("state", "ready"));
    }

    private void rotate(Context ctx) {
        String credential = bearer(ctx);
        if (credential == null || !valid.remove(credential)) {
            Web.fail(ctx, 401, "unauthorized", "", "no such credential");
            return;
        }
        rotations.incrementAndGet();
        Web.json(ctx, 201, Json.object().put("credential", issue()));
    }

    private String etag() {
        return "\"" + desired.get("revision").asString() + "\"";
    }

    private static String bearer(Context ctx) {
        String h = ctx.header("Authorization");
        return h != null && h.startsWith("Bearer ") ? h.substring(7) : null;
    }

    private static String digest(JsonNode doc) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(Json.bytes(doc)))
                    .substring(0, 16);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String hex(int bytes) {
        byte[] b = new byte[bytes];
        RANDOM.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    private static String secret() {
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    @Override
    public void close() {
        http.stop();
    }
}
