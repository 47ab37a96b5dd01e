package network.aios.server.health;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import network.aios.api.ClusterDocument;
import network.aios.api.Condition;
import network.aios.api.FieldError;
import network.aios.api.InventoryDiff;
import network.aios.api.Json;
import network.aios.api.ObservedInventory;
import network.aios.server.auth.Principal;
import network.aios.server.domain.DomainException;
import network.aios.store.AuditStore;
import network.aios.store.ClusterRecord;
import network.aios.store.ClusterStore;
import network.aios.store.ObservationStore;
import network.aios.store.ObservationStore.Beat;
import network.aios.store.ObservationStore.Transition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The network's view of each cluster, from what its agents report. A heartbeat is checked and
 * compared with the registered document (InventoryVerified True or False, with the differences)
 * when answered, and stored with the others in a batch a moment later (several replicas can share
 * the work: every statement is idempotent). A sweeper turns Ready to Unknown once a cluster has been
 * silent longer than the grace, and keeps the reputation up to date.
 */
public final class ClusterHealth implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ClusterHealth.class);
    /** How often received heartbeats are written (a crash loses at most this much; the next beat repeats it). */
    static final Duration FLUSH_EVERY = Duration.ofMillis(200);

    static final Duration SWEEP_EVERY = Duration.ofSeconds(1);
    static final Duration ACCOUNT_EVERY = Duration.ofSeconds(5);
    /** What agents are told to use; the grace must be a few of these. */
    public static final Duration HEARTBEAT_INTERVAL = Duration.ofSeconds(5);
    /** A metrics snapshot older than this is marked stale (three of the agent's 15 s intervals). */
    public static final Duration METRICS_STALE = Duration.ofSeconds(45);

    private final ObservationStore store;
    private final AuditStore audit;
    private final ClusterStore clusters;
    private final Clock clock;
    private final Duration grace;
    private final Map<String, Beat> pending = new ConcurrentHashMap<>();
    private final Map<String, String> flushedHash = new ConcurrentHashMap<>();
    private final Map<String, CachedDocument> documents = new ConcurrentHashMap<>();
    private final Map<String, Verdict> verdicts = new ConcurrentHashMap<>();
    private final ScheduledExecutorService ticker = Executors.newScheduledThreadPool(2, r -> {
        Thread t = new Thread(r, "cluster-health");
        t.setDaemon(true);
        return t;
    });

    private record CachedDocument(long version, ClusterDocument doc, Instant loadedAt) {}

    /**
     * How long a document read for comparison is reused. An edit made through this replica applies at
     * the next heartbeat ({@link #documentChanged}); one made through another replica within this time.
     */
    static final Duration DOCUMENT_TTL = Duration.ofSeconds(60);

    /** A cluster's document changed (or it was deleted): compare the next heartbeat with the new one. */
    public void documentChanged(String clusterId) {
        documents.remove(clusterId);
        flushedHash.remove(clusterId); // if it was deleted, its row went too: the next beat carries the inventory
    }

    /** The comparison of one inventory (by hash) with one version of the document. */
    private record Verdict(String hash, long docVersion, boolean verified, String driftJson) {}

    private final InventoryAttestor attestor;
    private final network.aios.store.AttestationStore attestations;
    /** Heartbeats one cluster may send a second; agents send one every 5 s and one on each node change. */
    static final int MAX_BEATS_PER_SECOND = 5;

    private final Map<String, long[]> beatWindows = new ConcurrentHashMap<>();

    public ClusterHealth(
            ObservationStore store,
            ClusterStore clusters,
            AuditStore audit,
            Clock clock,
            Duration grace,
            InventoryAttestor attestor,
            network.aios.store.AttestationStore attestations) {
        this.attestor = attestor;
        this.attestations = attestations;
        this.audit = audit;
        this.store = store;
        this.clusters = clusters;
        this.clock = clock;
        this.grace = grace;
    }

    /** Starts the heartbeat flush, the silence sweep and the reputation accounting, supervised by {@code loops}. */
    public void start(network.aios.server.runtime.Loops loops) {
        ticker.scheduleWithFixedDelay(
                loops.supervise("heartbeat-flush", FLUSH_EVERY, this::flush),
                FLUSH_EVERY.toMillis(),
                FLUSH_EVERY.toMillis(),
                TimeUnit.MILLISECONDS);
        ticker.scheduleWithFixedDelay(
                loops.supervise("silence-sweep", SWEEP_EVERY, this::sweep),
                SWEEP_EVERY.toMillis(),
                SWEEP_EVERY.toMillis(),
                TimeUnit.MILLISECONDS);
        ticker.scheduleWithFixedDelay(
                loops.supervise("reputation", ACCOUNT_EVERY, () -> store.account(clock.instant())),
                ACCOUNT_EVERY.toMillis(),
                ACCOUNT_EVERY.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    public Duration grace() {
        return grace;
    }

    /** Only the cluster's own agent credential reports for it. */
    static void requireAgentOf(Principal who, String clusterId) {
        if (who.role() != Principal.Role.AGENT) {
            throw DomainException.forbidden("only the cluster's agents report for it (their credential is minted by "
                    + "create-cluster-infra)");
        }
        if (!clusterId.equals(who.clusterId())) {
            throw DomainException.forbidden(
                    "this agent credential acts for cluster '" + who.clusterId() + "' only, not '" + clusterId + "'");
        }
    }

    /** A heartbeat: {@code {agent: {version}, inventory: {nodes: [...]}}}. Answers the conditions it leads to. */
    public ObjectNode heartbeat(Principal who, String clusterId, JsonNode body) {
        requireAgentOf(who, clusterId);
        throttle(clusterId);
        ObservedInventory.Bound bound = ObservedInventory.bind(body.get("inventory"), "/inventory"); // once
        List<FieldError> errors = new ArrayList<>(bound.errors());
        JsonNode version = body.at("/agent/version");
        if (!version.isMissingNode() && !version.isString()) {
            errors.add(new FieldError("/agent/version", "must be a string"));
        }
        if (!errors.isEmpty()) {
            throw DomainException.invalid(errors);
        }
        ObservedInventory seen = bound.inventory();
        String inventoryJson = Json.MAPPER.writeValueAsString(seen);
        String hash = sha256(inventoryJson);
        CachedDocument doc = document(clusterId);
        Verdict v = verdicts.get(clusterId);
        if (v == null || !v.hash().equals(hash) || v.docVersion() != doc.version()) {
            List<InventoryDiff.Difference> diff = InventoryDiff.compare(doc.doc(), seen);
            v = new Verdict(hash, doc.version(), diff.isEmpty(), Json.MAPPER.writeValueAsString(diff));
            verdicts.put(clusterId, v);
        }
        Instant now = clock.instant();
        // a report the control plane's own read contradicted is not evidence: it counts as unverified
        boolean contradicted = attestor.attested(clusterId).map(ok -> !ok).orElse(false);
        boolean verified = v.verified() && !contradicted;
        String driftJson = contradicted ? withAttestation(v.driftJson()) : v.driftJson();
        pending.merge(
                clusterId,
                new Beat(
                        clusterId,
                        now,
                        version.asString(null),
                        inventoryJson,
                        hash,
                        verified,
                        driftJson,
                        1,
                        verified ? 1 : 0),
                (earlier, later) -> later.after(earlier));
        ObjectNode out = Json.object().put("accepted", true).put("heartbeatSeconds", HEARTBEAT_INTERVAL.toSeconds());
        out.put("inventoryVerified", verified);
        out.set("drift", Json.MAPPER.readTree(driftJson));
        return out;
    }

    private static String withAttestation(String driftJson) {
        ArrayNode d = (ArrayNode) Json.MAPPER.readTree(driftJson);
        d.addObject()
                .put("path", "/attestation")
                .put("declared", "what the cluster's API shows")
                .put("observed", "what the agents report")
                .put(
                        "message",
                        "the control plane read the cluster's nodes "
                                + "itself and they differ from the agents' report (see ReportAttested)");
        return Json.MAPPER.writeValueAsString(d);
    }

    /** At most {@link #MAX_BEATS_PER_SECOND} heartbeats a second per cluster (fixed one-second windows). */
    private void throttle(String clusterId) {
        long second = clock.millis() / 1000;
        long[] w = beatWindows.compute(
                clusterId,
                (k, old) -> old == null || old[0] != second ? new long[] {second, 1} : new long[] {second, old[1] + 1});
        if (w[1] > MAX_BEATS_PER_SECOND) {
            throw new DomainException(
                    DomainException.Kind.TOO_MANY_REQUESTS,
                    "too_many_heartbeats",
                    "cluster '" + clusterId + "' sent more than " + MAX_BEATS_PER_SECOND + " heartbeats this second",
                    List.of(),
                    "agents send one every " + HEARTBEAT_INTERVAL.toSeconds() + " s and one on each node change");
        }
        if (beatWindows.size() > 100_000) {
            beatWindows.values().removeIf(x -> x[0] != second);
        }
    }

    private CachedDocument document(String clusterId) {
        CachedDocument c = documents.get(clusterId);
        Instant now = clock.instant();
        if (c == null || Duration.between(c.loadedAt(), now).compareTo(DOCUMENT_TTL) > 0) {
            ClusterRecord r =
                    clusters.get(clusterId).orElseThrow(() -> DomainException.notFound("cluster '" + clusterId + "'"));
            c = new CachedDocument(r.version(), ClusterDocument.of(r.document()), now);
            documents.put(clusterId, c);
        }
        return c;
    }

    /** Writes what arrived since the last flush; on failure it stays pending (merged with what comes next). */
    synchronized void flush() {
        List<Beat> taken = new ArrayList<>();
        for (String id : new ArrayList<>(pending.keySet())) {
            Beat b = pending.remove(id);
            if (b != null) {
                taken.add(b);
            }
        }
        if (taken.isEmpty()) {
            return;
        }
        // an inventory the database already has is not sent again
        List<Beat> batch = taken.stream()
                .map(b -> b.hash().equals(flushedHash.get(b.clusterId())) ? b.withoutInventory() : b)
                .toList();
        try {
            ObservationStore.Flushed done = store.flush(batch, clock.instant());
            for (Transition t : done.transitions()) {
                LOG.info(
                        "cluster {} is {} ({})",
                        t.clusterId(),
                        t.status(),
                        "live".equals(t.status())
                                ? "inventory verified, heartbeats fresh"
                                : "its inventory differs from its document");
            }
            taken.forEach(b -> flushedHash.put(b.clusterId(), b.hash()));
            done.inventoryMissing().forEach(flushedHash::remove); // their next beat carries the inventory again
        } catch (RuntimeException e) {
            for (Beat b : taken) {
                pending.merge(b.clusterId(), b, (arrivedMeanwhile, failed) -> arrivedMeanwhile.after(failed));
            }
            throw e;
        }
    }

    void sweep() {
        Instant now = clock.instant();
        for (Transition t : store.markSilent(now.minus(grace), now)) {
            LOG.warn(
                    "cluster {}: no heartbeat for more than {} s: Ready is Unknown{}",
                    t.clusterId(),
                    grace.toSeconds(),
                    t.status() == null ? "" : ", status " + t.status());
        }
    }

    private static void quietly(String what, Runnable r) {
        try {
            r.run();
        } catch (RuntimeException e) {
            LOG.warn("{} failed", what, e);
        }
    }

    /** The management commands an agent runs are audited here: {@code {at, by, command, status, request, result}}. */
    public void audit(Principal who, String clusterId, JsonNode record) {
        requireAgentOf(who, clusterId);
        List<FieldError> errors = new ArrayList<>();
        if (!record.path("command").isString()
                || !record.path("command").asString().matches("[a-z]{1,32}")) {
            errors.add(new FieldError("/command", "must be the command's name"));
        }
        if (!record.path("by").isString() || record.path("by").asString().isBlank()) {
            errors.add(new FieldError("/by", "must name who gave the command"));
        }
        if (!errors.isEmpty()) {
            throw DomainException.invalid(errors);
        }
        // the actor is who the server authenticated (this cluster's agent); whom the agent names stays in the
        // detail as its claim: an agent's credential is readable by the member cluster's admin
        audit.record(
                clock.instant(),
                who.name().replaceAll("\\.[0-9a-f]+$", ""),
                "mgmt." + record.get("command").asString(),
                clusterId,
                Json.MAPPER.writeValueAsString(record));
    }

    /** Stores the metrics agent's snapshot. */
    public void metrics(Principal who, String clusterId, JsonNode body) {
        requireAgentOf(who, clusterId);
        if (!body.isObject() || !body.path("nodes").isArray()) {
            throw DomainException.invalid(List.of(new FieldError("/nodes", "must be an array")));
        }
        String json = Json.MAPPER.writeValueAsString(body);
        boolean stored = store.putMetrics(clusterId, json, clock.instant());
        if (!stored) {
            flush(); // its first heartbeat may still be on its way to the database (or being written now)
            stored = store.putMetrics(clusterId, json, clock.instant());
        }
        if (!stored) {
            throw new DomainException(
                    DomainException.Kind.CONFLICT,
                    "no_heartbeat_yet",
                    "cluster '" + clusterId + "' has sent no heartbeat yet; "
                            + "metrics are kept once its controller reports",
                    List.of(),
                    null);
        }
    }

    /** The conditions, heartbeat, declared vs observed inventory and reputation of a cluster. */
    public ObjectNode view(ClusterRecord cluster) {
        quietly("heartbeat flush", this::flush); // what this replica has received counts
        ObjectNode out = Json.object()
                .put("clusterId", cluster.id())
                .put("status", cluster.status())
                .put("reputation", cluster.reputation());
        var observed = store.get(cluster.id());
        Instant now = clock.instant();
        ArrayNode conditions = out.putArray("conditions");
        if (observed.isEmpty()) {
            conditions.add(new Condition(
                            "Ready",
                            Condition.Status.UNKNOWN,
                            "NoHeartbeat",
                            "no heartbeat received from this cluster's agents yet",
                            null,
                            null)
                    .json());
            out.putNull("heartbeat");
            out.putNull("observed");
            return out;
        }
        ObservationStore.Observation o = observed.get();
        boolean fresh = "True".equals(o.ready()) && o.lastHeartbeatAt().isAfter(now.minus(grace));
        long age = Duration.between(o.lastHeartbeatAt(), now).toSeconds();
        conditions.add(new Condition(
                        "Ready",
                        fresh ? Condition.Status.TRUE : Condition.Status.UNKNOWN,
                        fresh ? "HeartbeatFresh" : "HeartbeatMissing",
                        fresh
                                ? "last heartbeat " + age + " s ago"
                                : "no heartbeat for " + age + " s (grace " + grace.toSeconds() + " s)",
                        o.readySince(),
                        null)
                .json());
        // one type, whose status says whether the report matches the document (version = observedGeneration)
        conditions.add(new Condition(
                        "InventoryVerified",
                        Condition.Status.of(o.verified()),
                        o.verified() ? "MatchesDocument" : "DiffersFromDocument",
                        o.verified()
                                ? "the nodes, GPUs, vCPUs and memory the agent sees match the document"
                                : o.drift().size() + " difference(s) between the document and the cluster",
                        o.verifiedSince(),
                        cluster.version())
                .json());
        conditions.add(attestations
                .get(cluster.id())
                .map(a -> new Condition(
                        "ReportAttested",
                        Condition.Status.of(a.attested()),
                        a.attested() ? "MatchesClusterApi" : "DiffersFromClusterApi",
                        a.attested()
                                ? "the control plane read the nodes itself (" + a.checks() + " checks, last "
                                        + Duration.between(a.checkedAt(), now).toSeconds()
                                        + " s ago) and they match the agents' report"
                                : a.diff().size() + " difference(s) between the agents' report and the cluster's API",
                        a.since(),
                        null))
                .orElseGet(() -> new Condition(
                        "ReportAttested",
                        Condition.Status.UNKNOWN,
                        "NotChecked",
                        "the control plane has not read this cluster's nodes itself yet (it does so with its own credential, "
                                + "at a random interval, while it holds one)",
                        null,
                        null))
                .json());
        attestations.get(cluster.id()).filter(a -> !a.attested()).ifPresent(a -> out.set("attestationDiff", a.diff()));
        out.putObject("heartbeat")
                .put("lastAt", o.lastHeartbeatAt().toString())
                .put("ageSeconds", age)
                .put("agentVersion", o.agentVersion())
                .put("count", o.heartbeats());
        out.set("drift", o.drift());
        out.set("observed", o.inventory());
        double availability = (o.readySeconds() + 1800) / (o.observedSeconds() + 3600);
        double verification = (o.verifiedHeartbeats() + 5.0) / (o.heartbeats() + 10);
        out.putObject("reputationInputs")
                .put("availability", Math.round(availability * 1000) / 1000.0)
                .put("verification", Math.round(verification * 1000) / 1000.0)
                .put("observedSeconds", Math.round(o.observedSeconds()))
                .put("readySeconds", Math.round(o.readySeconds()))
                .put("heartbeats", o.heartbeats())
                .put("verifiedHeartbeats", o.verifiedHeartbeats())
                .put(
                        "formula",
                        "100 * (0.6 * (readySeconds + 1800) / (observedSeconds + 3600) "
                                + "+ 0.4 * (verifiedHeartbeats + 5) / (heartbeats + 10))");
        return out;
    }

    /** The latest metrics snapshot, with when it arrived and whether it is stale; empty if none. */
    public java.util.Optional<ObjectNode> latestMetrics(String clusterId) {
        return store.get(clusterId).filter(o -> o.metrics() != null).map(o -> {
            ObjectNode m = (ObjectNode) o.metrics().deepCopy();
            m.put("receivedAt", o.metricsAt().toString());
            m.put("stale", Duration.between(o.metricsAt(), clock.instant()).compareTo(METRICS_STALE) > 0);
            return m;
        });
    }

    private static String sha256(String s) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        ticker.shutdownNow();
        quietly("final heartbeat flush", this::flush);
    }
}
