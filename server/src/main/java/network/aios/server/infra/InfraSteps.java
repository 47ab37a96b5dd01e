package network.aios.server.infra;

import static network.aios.store.JobState.APPLYING;
import static network.aios.store.JobState.BOOTSTRAPPING;
import static network.aios.store.JobState.FAILED;
import static network.aios.store.JobState.PENDING;
import static network.aios.store.JobState.READY;
import static network.aios.store.JobState.REMOVED;
import static network.aios.store.JobState.VALIDATING;
import static network.aios.store.JobState.WAITING_READY;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import network.aios.api.Json;
import network.aios.api.kubeconfig.KubeconfigException;
import network.aios.infra.ClusterOps;
import network.aios.infra.InfraNames;
import network.aios.infra.KubeFailure;
import network.aios.infra.Kubeconfigs;
import network.aios.infra.ObjectRef;
import network.aios.server.auth.TokenService;
import network.aios.server.security.AgentCertificates;
import network.aios.server.security.SecretBox;
import network.aios.store.InfraJob;
import network.aios.store.InfraStore;
import network.aios.store.InventoryStore.InventoryItem;
import network.aios.store.JobKind;
import network.aios.tls.AgentCa;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * One pass of an infra job: observe where it is, act on the next step, and return the job as it
 * should be persisted (the runner saves it). Each step is idempotent (server-side apply; deletes
 * that tolerate "already gone"), so a pass repeated after a crash does no harm. Transient API
 * errors requeue with backoff; permanent ones fail the job with the reason.
 */
final class InfraSteps {
    private static final Logger LOG = LoggerFactory.getLogger(InfraSteps.class);
    /** How often a waiting job looks again (four GETs a look); short, since rollout time is what owners wait on. */
    static final Duration READY_POLL = Duration.ofMillis(250);

    static final Duration TOKEN_POLL = Duration.ofMillis(100);
    /** Inventory order: bootstrap objects first (0..), the agent services from here. */
    static final int SERVICES_SEQ = 100;

    private static final String MAPPING_API_VERSION = InfraNames.MAPPING_GROUP + "/" + InfraNames.MAPPING_VERSION;

    private final Targets targets;
    private final InfraStore store;
    private final TokenService tokens;
    private final SecretBox box;
    private final ClusterConnector connector;
    private final Clock clock;
    private final Duration readyTimeout;
    private final RetryPolicy retry;
    private final MemberAccess access;
    private final AgentCertificates certificates;
    private final ReadinessWatches watches;
    private final RemovalSteps removal;

    InfraSteps(
            Targets targets,
            InfraStore store,
            TokenService tokens,
            SecretBox box,
            ClusterConnector connector,
            Clock clock,
            RetryPolicy retry,
            AgentCertificates certificates) {
        this(targets, store, tokens, box, connector, clock, retry, certificates, new ReadinessWatches(key -> {}));
    }

    InfraSteps(
            Targets targets,
            InfraStore store,
            TokenService tokens,
            SecretBox box,
            ClusterConnector connector,
            Clock clock,
            RetryPolicy retry,
            AgentCertificates certificates,
            ReadinessWatches watches) {
        this.watches = watches;
        this.certificates = certificates;
        this.targets = targets;
        this.store = store;
        this.tokens = tokens;
        this.box = box;
        this.connector = connector;
        this.clock = clock;
        this.readyTimeout = retry.readyTimeout();
        this.access = new MemberAccess(store, box, connector, clock);
        this.removal = new RemovalSteps(targets, store, access, clock, readyTimeout);
        this.retry = retry;
    }

    InfraJob step(InfraJob job, String lease) {
        try {
            InfraJob next = job.kind().applies() ? create(job, lease) : removal.step(job, lease);
            return next.withAttempts(0); // a step that went through ends the run of failures
        } catch (KubernetesClientException e) {
            return failure(job, e);
        } catch (KubeconfigException e) {
            return finish(job.next(FAILED, "InvalidKubeconfig", "the stored kubeconfig is no longer usable"));
        }
    }

    // ---- create ----------------------------------------------------------------------------------------

    private InfraJob create(InfraJob job, String lease) throws KubeconfigException {
        Target target = targets.resolve(job.clusterId());
        if (!target.registered()) {
            return finish(job.next(FAILED, "RegistrationGone", "it was deleted from the registry"));
        }
        switch (job.state()) {
            case PENDING, VALIDATING -> {
                if (job.kind() == JobKind.RESYNC) {
                    // no owner's kubeconfig: the control plane's own credential, or nothing to resync with
                    if (access.credential(job.clusterId()).isEmpty()) {
                        return finish(job.next(
                                FAILED,
                                "NoCredential",
                                "the control plane holds no credential for " + job.clusterId()));
                    }
                    return requeue(job.next(APPLYING, "Resyncing", "re-applying the desired state"), Duration.ZERO);
                }
                try (ClusterOps ops = access.adminOps(job)) {
                    String version = ops.version();
                    return requeue(
                            job.next(BOOTSTRAPPING, "Validated", "API server " + version + " answers"), Duration.ZERO);
                }
            }
            case BOOTSTRAPPING -> {
                return bootstrap(job, lease, target);
            }
            case APPLYING -> {
                return apply(job, lease, target);
            }
            case WAITING_READY -> {
                Credential cred = access.credential(job.clusterId()).orElseThrow();
                try (ClusterOps ops = access.open(cred)) {
                    List<String> waiting = ops.notReady(target.namespace(), target.deployments());
                    if (!waiting.isEmpty()) {
                        watches.ensure(job.clusterId(), job.id(), ops, target.namespace());
                    } else {
                        watches.stop(job.clusterId());
                    }
                    if (waiting.isEmpty()) {
                        // what the registry records of it is written with the job (registryWrites)
                        if (job.kind() == JobKind.RESYNC) {
                            return finish(job.next(READY, "Resynced", Repairs.summary(job.receipt())));
                        }
                        LOG.info("{} infrastructure ready (job {})", job.clusterId(), job.id());
                        return finish(job.next(
                                READY,
                                "Ready",
                                "all " + job.progressTotal() + " objects applied and " + target.readyMessage()));
                    }
                    if (Duration.between(job.createdAt(), clock.instant()).compareTo(readyTimeout) > 0) {
                        watches.stop(job.clusterId());
                        return finish(job.next(
                                FAILED,
                                "NotReady",
                                "not available after " + readyTimeout.toMinutes() + " min: "
                                        + String.join(", ", waiting)));
                    }
                    return requeue(
                            job.next(
                                    WAITING_READY,
                                    "WaitingForDeployments",
                                    "waiting for " + String.join(", ", waiting)),
                            READY_POLL);
                }
            }
            default -> throw new IllegalStateException("create job in state " + job.state());
        }
    }

    private InfraJob bootstrap(InfraJob job, String lease, Target target) throws KubeconfigException {
        Kubeconfigs.Parsed admin = access.adminKubeconfig(job);
        try (ClusterOps ops = connector.open(admin.config())) {
            String nsUid = access.applyRecorded(ops, job, lease, BOOTSTRAPPING, 0, List.of(target.namespaceObject()))
                    .get(0)
                    .ref()
                    .uid();
            access.applyRecorded(ops, job, lease, BOOTSTRAPPING, 1, target.bootstrap(nsUid));
            Optional<String> token = ops.controlPlaneToken(target.namespace());
            if (token.isEmpty()) {
                return requeue(
                        job.next(BOOTSTRAPPING, "WaitingForToken", "waiting for the ServiceAccount token"), TOKEN_POLL);
            }
            String agentToken = !target.needsAgentToken()
                    ? null
                    : access.credential(job.clusterId())
                            .map(Credential::agentToken)
                            .orElseGet(() -> mintAgentToken(job.clusterId()));
            Credential cred = new Credential(
                    admin.server(),
                    admin.caData(),
                    admin.insecure(),
                    token.get(),
                    agentToken,
                    access.credential(job.clusterId()).map(Credential::serving).orElse(null));
            store.credentials()
                    .put(
                            job.clusterId(),
                            box.seal(cred.bytes(), MemberAccess.credentialContext(job.clusterId())),
                            clock.instant());
        }
        // the owner's kubeconfig has done its one job: forget it
        return job.next(
                        APPLYING,
                        "Bootstrapped",
                        "the control plane's own ServiceAccount is set up; the admin " + "kubeconfig was dropped")
                .withProgress(0, 0)
                .withoutAdmin()
                .runAt(clock.instant());
    }

    private String mintAgentToken(String clusterId) {
        tokens.revokeAgent(clusterId);
        return tokens.issueAgent(clusterId, "infra-job").token();
    }

    private InfraJob apply(InfraJob job, String lease, Target target) {
        Credential cred = access.credential(job.clusterId())
                .orElseThrow(() -> new IllegalStateException("no credential for " + job.clusterId()));
        if (target.needsAgentToken()) {
            // the agents' serving certificate: kept while it names these hosts and is far from expiry
            AgentCa.Issued serving = certificates.ensure(cred.serving(), target.agentIdentity());
            if (serving != cred.serving()) {
                cred = cred.withServing(serving);
                store.credentials()
                        .put(
                                job.clusterId(),
                                box.seal(cred.bytes(), MemberAccess.credentialContext(job.clusterId())),
                                clock.instant());
                LOG.info("{}: issued the agents' serving certificate (until {})", job.clusterId(), serving.notAfter());
            }
        }
        List<HasMetadata> objects = target.services(cred);
        List<HasMetadata> routes = target.routes();
        Repairs repairs = new Repairs(job.receipt());
        try (ClusterOps ops = access.open(cred)) {
            // a resync first notes what is there, so it can say what it repaired
            boolean resync = job.kind() == JobKind.RESYNC;
            List<Optional<String>> before = resync ? revisions(ops, objects) : null;
            List<Optional<String>> routesBefore = resync ? revisions(ops, routes) : null;
            java.util.Map<String, String> recorded = resync ? recordedRevisions(job.clusterId()) : java.util.Map.of();
            List<ClusterOps.Applied> applied = access.applyRecorded(ops, job, lease, APPLYING, SERVICES_SEQ, objects);
            if (resync) {
                for (int i = 0; i < applied.size(); i++) {
                    repairs.compare(
                            applied.get(i),
                            before.get(i),
                            recorded.get(key(applied.get(i).ref())));
                }
            }
            for (int i = 0; i < routes.size(); i++) {
                applyRoute(ops, job, routes.get(i), resync ? routesBefore.get(i) : null, recorded, repairs);
            }
            prune(ops, target, objects, repairs);
        }
        if (job.kind() == JobKind.RESYNC
                && repairs.onlyFailedAsBefore(
                        store.lastResyncReceipt(job.clusterId()).orElse(null))) {
            // the same refusal the last resync reported (and kept in its receipt): nothing new to say
            repairs = new Repairs(null);
        }
        if (repairs.any()) {
            LOG.info("{}: {} (job {})", job.clusterId(), repairs.summary(), job.id());
            store.audit(
                    clock.instant(),
                    job.requestedBy(),
                    "infra." + job.kind().wire() + ".changed",
                    job.clusterId(),
                    Json.MAPPER.writeValueAsString(repairs.receipt()));
        }
        InfraJob next = job.next(
                        WAITING_READY,
                        "Applied",
                        "applied " + objects.size() + " objects" + (repairs.any() ? "; " + repairs.summary() : ""))
                .withReceipt(repairs.any() || job.receipt() != null ? repairs.receipt() : null);
        return requeue(next.withProgress(objects.size(), objects.size()), Duration.ZERO);
    }

    /**
     * One route's Mapping, applied on its own: a route the owner's gateway refuses (its Mapping CRD gone, a
     * webhook saying no) is recorded in the receipt and does not fail the services' apply.
     */
    private void applyRoute(
            ClusterOps ops,
            InfraJob job,
            HasMetadata route,
            Optional<String> before,
            java.util.Map<String, String> recorded,
            Repairs repairs) {
        try {
            ClusterOps.Applied a = access.applyRecorded(
                            ops, job.clusterId(), RouteService.ROUTES_SEQ, List.of(route), (done, ref) -> {})
                    .get(0);
            if (before != null) {
                repairs.compare(a, before, recorded.get(key(a.ref())));
            }
        } catch (KubernetesClientException e) {
            KubeFailure failure = KubeFailure.of(e);
            if (failure == KubeFailure.TRANSIENT || failure == KubeFailure.INTERRUPTED) {
                throw e;
            }
            repairs.failed(ObjectRef.of(route).toString(), KubeFailure.describe(e));
            LOG.warn("{}: route {} not applied: {}", job.clusterId(), ObjectRef.of(route), KubeFailure.describe(e));
        }
    }

    /** The revision each recorded object was left at by the last apply, by {@link #key}. */
    private java.util.Map<String, String> recordedRevisions(String key) {
        java.util.Map<String, String> out = new java.util.HashMap<>();
        for (InventoryItem i : store.inventory().list(key)) {
            if (i.revision() != null) {
                out.put(key(ref(i)), i.revision());
            }
        }
        return out;
    }

    private static String key(ObjectRef r) {
        return r.kind() + " " + r.namespace() + "/" + r.name();
    }

    private static List<Optional<String>> revisions(ClusterOps ops, List<HasMetadata> objects) {
        return objects.stream().map(o -> ops.revision(ObjectRef.of(o))).toList();
    }

    /**
     * Deletes what an earlier apply made and the desired state no longer has: in the services' range of the
     * inventory, an object an upgrade dropped; and any route Mapping on the cluster whose route is gone (its
     * removal failed half-way, or raced this resync and the Mapping came back). Never the bootstrap identity.
     * Routes are judged by what is on the cluster, listed before the routes are read: a route is stored before
     * its Mapping is applied, so one added meanwhile is never taken for a forgotten one.
     */
    private void prune(ClusterOps ops, Target target, List<HasMetadata> desired, Repairs repairs) {
        String key = target.key();
        java.util.Set<String> wanted = new java.util.HashSet<>();
        for (HasMetadata o : desired) {
            wanted.add(ObjectRef.of(o).toString() + "@" + o.getApiVersion());
        }
        for (InventoryItem i : store.inventory().list(key)) {
            if (i.seq() < SERVICES_SEQ
                    || i.seq() >= RouteService.ROUTES_SEQ
                    || wanted.contains(ref(i).toString() + "@" + i.apiVersion())) {
                continue;
            }
            ops.delete(ref(i));
            store.inventory().forget(key, i.apiVersion(), i.kind(), i.namespace(), i.name());
            repairs.pruned(describe(i));
        }
        if (!target.hasRoutes()) {
            return;
        }
        List<ObjectRef> onCluster =
                ops.labelled(MAPPING_API_VERSION, "Mapping", target.namespace(), InfraNames.COMPONENT_LABEL, "route");
        java.util.Set<String> routes = new java.util.HashSet<>();
        for (HasMetadata o : target.routes()) {
            routes.add(o.getMetadata().getName());
        }
        for (ObjectRef m : onCluster) {
            if (!routes.contains(m.name())) {
                ops.delete(m);
                store.inventory().forget(key, MAPPING_API_VERSION, "Mapping", m.namespace(), m.name());
                repairs.pruned("Mapping " + m.namespace() + "/" + m.name());
            }
        }
    }

    static ObjectRef ref(InventoryItem i) {
        return new ObjectRef(i.apiVersion(), i.kind(), i.namespace(), i.name(), i.uid());
    }

    static String describe(InventoryItem i) {
        return i.kind() + " " + (i.namespace() == null ? "" : i.namespace() + "/") + i.name();
    }

    /** A bug or an unreadable secret: the job fails with a reason that leaks nothing. */
    InfraJob internalFailure(InfraJob job) {
        return finish(job.next(FAILED, "InternalError", "the control plane failed on this step; see its log"));
    }

    /** 5xx, 429 and connection failures are worth retrying; other answers are final. */
    private InfraJob failure(InfraJob job, KubernetesClientException e) {
        KubeFailure kind = KubeFailure.of(e);
        if (kind == KubeFailure.INTERRUPTED) {
            // this control plane is shutting down mid-step; the step is repeated, not counted as a failure
            return requeue(
                    job.next(job.state(), "Interrupted", "interrupted by a control-plane shutdown; resuming"),
                    Duration.ZERO);
        }
        boolean transientError = kind == KubeFailure.TRANSIENT;
        String what = KubeFailure.describe(e);
        if (transientError && job.attempts() + 1 < retry.maxAttempts()) {
            Duration backoff = retry.backoff(job.attempts());
            InfraJob again = job.next(
                            job.state(),
                            "Retrying",
                            what + "; retry " + (job.attempts() + 1) + " of " + (retry.maxAttempts() - 1) + " in "
                                    + backoff.toMillis() + " ms")
                    .withAttempts(job.attempts() + 1)
                    .runAt(clock.instant().plus(backoff));
            LOG.warn("infra job {} ({} {}): {}", job.id(), job.kind(), job.clusterId(), again.message());
            LOG.debug("infra job {} transient failure", job.id(), e);
            return again;
        }
        LOG.warn("infra job {} ({} {}) failed: {} [{}]", job.id(), job.kind(), job.clusterId(), what, e.getMessage());
        return finish(job.next(
                FAILED,
                kind == KubeFailure.FORBIDDEN ? "Forbidden" : transientError ? "Unreachable" : "Rejected",
                what));
    }

    private InfraJob requeue(InfraJob j, Duration after) {
        return requeue(j, after, clock);
    }

    static InfraJob requeue(InfraJob j, Duration after, Clock clock) {
        return j.runAt(clock.instant().plus(after));
    }

    /** A finished job keeps no admin kubeconfig. */
    private InfraJob finish(InfraJob j) {
        return finish(j, clock);
    }

    static InfraJob finish(InfraJob j, Clock clock) {
        Instant now = clock.instant();
        return j.withoutAdmin().runAt(now).finishedAt(now);
    }

    /**
     * Saves a step's result as the runner does: an unfinished job alone; a finished one with what the registry
     * records of it, in the same transaction ({@link #registryWrites}). False if the lease was lost, and then
     * nothing is written.
     */
    boolean save(InfraJob next, String lease) {
        Instant now = clock.instant();
        return next.finished() ? store.save(next, lease, now, registryWrites(next)) : store.save(next, lease, now);
    }

    /**
     * What the registry records of where a job ended: the target's phase and URLs, what was made ready, and
     * what a removal forgets. Derived from the outcome alone, and written only with it, so the registry never
     * shows a phase whose job was not saved (a step that lost its lease, a save that failed).
     */
    Runnable registryWrites(InfraJob next) {
        String key = next.clusterId();
        if (!next.finished()) {
            return () -> {};
        }
        return switch (next.state()) {
            case READY ->
                () -> {
                    // a resync records what the registry shows too (urlMap after a changed host name); the phase is
                    // ready already, and the cluster's status is computed from phase and health, not written here
                    Target target = targets.resolve(key);
                    store.putApplied(key, target.fingerprint(), clock.instant());
                    target.ready(access.credential(key).orElseThrow(() -> new IllegalStateException("no credential")));
                };
            case FAILED ->
                next.kind() == JobKind.CREATE ? () -> targets.resolve(key).failed() : () -> {};
            case REMOVED ->
                () -> {
                    store.inventory().clear(key);
                    store.credentials().drop(key);
                    store.dropApplied(key);
                    ObjectNode receipt = (ObjectNode) next.receipt();
                    targets.resolve(key)
                            .removed(
                                    receipt.path("clean").asBoolean(false),
                                    store.deletesCluster(next.id()),
                                    next.requestedBy(),
                                    receipt);
                };
            default -> () -> {};
        };
    }
}
