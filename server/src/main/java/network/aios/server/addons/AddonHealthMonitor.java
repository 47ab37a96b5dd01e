package network.aios.server.addons;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import network.aios.api.AddonKind;
import network.aios.egress.EgressGuard;
import network.aios.egress.EgressRefusedException;
import network.aios.store.AddonRecord;
import network.aios.store.AddonStore;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Probes every registered add-on's URL periodically: a container registry at the OCI endpoint
 * {@code /v2/} (200 or 401 both mean a registry answers), the others at {@code <kind>_health_path}
 * (default {@code /}). Any answer below 500 is "up" and moves last-seen; no answer, a timeout or a 5xx
 * is "down". Only GETs with a short timeout, through the egress guard, no redirects followed, bodies
 * ignored; what is recorded is the status code or the kind of failure, never the answer.
 */
public final class AddonHealthMonitor implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AddonHealthMonitor.class);
    private final AddonStore store;
    private final Clock clock;
    private final Duration interval;
    private final OkHttpClient http;
    private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "aios-addon-health");
        t.setDaemon(true);
        return t;
    });

    public AddonHealthMonitor(AddonStore store, Clock clock, Duration interval, EgressGuard guard) {
        this.http = guard.client()
                .connectTimeout(Duration.ofSeconds(3))
                .callTimeout(Duration.ofSeconds(5))
                .build();
        this.store = store;
        this.clock = clock;
        this.interval = interval;
    }

    /** Starts probing; an interval of zero leaves probing off. */
    public void start(network.aios.server.runtime.Loops loops) {
        if (interval.isZero()) {
            return;
        }
        Duration every = tick(interval).compareTo(interval) > 0 ? interval : tick(interval);
        ticker.scheduleWithFixedDelay(
                loops.supervise("addon-probes", every, this::probeAll),
                every.toMillis(),
                every.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    /** Probes at once, and at once per owner. */
    static final int PARALLEL = 8;

    static final int PER_OWNER = 2;

    private final network.aios.server.runtime.FairPool probes =
            new network.aios.server.runtime.FairPool("aios-addon-probe", PARALLEL, PER_OWNER);

    /** When each add-on is due for its next probe (an add-on not probed yet is due now). */
    private final java.util.Map<String, java.time.Instant> due = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * One tick: starts a probe of every deployed add-on that is due and may start now ({@link
     * network.aios.server.runtime.FairPool}): at most {@link #PARALLEL} at once and {@link #PER_OWNER} of one
     * owner's, none of an add-on still being probed. One that may not start stays due and is offered again on
     * the next tick. One owner's many add-ons at addresses that never answer hold its own share and are probed
     * less often; everyone else's interval is unchanged.
     */
    void probeAll() {
        java.time.Instant now = clock.instant();
        java.util.Set<String> seen = new java.util.HashSet<>();
        java.util.List<AddonRecord> dueNow = new java.util.ArrayList<>();
        for (AddonRecord a : store.all()) {
            if (a.publicUrl() != null) { // a deployed kind has a URL once deployed
                seen.add(key(a));
                if (!now.isBefore(dueAt(a))) {
                    dueNow.add(a);
                }
            }
        }
        due.keySet().retainAll(seen);
        // the longest overdue first (never probed: first of all), so the same ones cannot take every turn
        dueNow.sort(java.util.Comparator.comparing(this::dueAt));
        for (AddonRecord a : dueNow) {
            java.time.Instant when = dueAt(a);
            due.put(key(a), now.plus(interval));
            if (!probes.offer(a.owner(), key(a), () -> probe(a))) {
                due.put(key(a), when); // not started: still due
            }
        }
    }

    private static String key(AddonRecord a) {
        return a.kind() + "/" + a.id();
    }

    private java.time.Instant dueAt(AddonRecord a) {
        return due.getOrDefault(key(a), java.time.Instant.EPOCH);
    }

    /** How often the loop looks for add-ons due: a tenth of the interval, at least every second. */
    static Duration tick(Duration interval) {
        Duration tenth = interval.dividedBy(10);
        return tenth.compareTo(Duration.ofSeconds(1)) < 0 ? Duration.ofSeconds(1) : tenth;
    }

    private void probe(AddonRecord a) {
        String url = a.publicUrl().replaceAll("/+$", "") + path(a);
        boolean up;
        String message;
        try (Response r =
                http.newCall(new Request.Builder().url(url).get().build()).execute()) {
            // said in a fixed vocabulary, never what the address answered: a probe must not be a port and
            // status scanner for whoever registers URLs
            up = r.code() < 500;
            message = up ? "up: it answers" : "unhealthy: it answers with a server error";
        } catch (java.io.IOException | IllegalArgumentException e) {
            up = false;
            message = EgressRefusedException.in(e)
                    .map(x -> "not probed: the address is refused by the egress guard (" + x.reason() + ")")
                    .orElseGet(() -> "down: " + unreachable(e));
        }
        store.recordHealth(a.id(), up, message, clock.instant());
    }

    /** Why a probe got no answer, in a fixed vocabulary. */
    static String unreachable(Exception e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.net.SocketTimeoutException || t instanceof java.io.InterruptedIOException) {
                return "timed out";
            }
            if (t instanceof javax.net.ssl.SSLException) {
                return "TLS failed";
            }
            if (t instanceof java.net.ConnectException) {
                return "refused";
            }
            if (t instanceof java.net.UnknownHostException) {
                return "the name does not resolve";
            }
        }
        return "no answer";
    }

    static String path(AddonRecord a) {
        if (AddonKind.CONTAINER_REGISTRY.wire().equals(a.kind())) {
            return "/v2/";
        }
        // validated at registration: '/' and path characters only, so it cannot change the URL's host
        String p = a.document().path(a.kind() + "_health_path").asString("/");
        String path = p.startsWith("/") ? p : "/" + p; // registered before paths had to start with '/'
        return path.matches("/(?!/)[A-Za-z0-9._~/-]{0,199}") ? path : "/";
    }

    @Override
    public void close() {
        ticker.shutdownNow();
        probes.close();
    }
}
