package network.aios.server.engine;

import static network.aios.store.JobState.APPLYING;
import static network.aios.store.JobState.BOOTSTRAPPING;
import static network.aios.store.JobState.FAILED;
import static network.aios.store.JobState.PENDING;
import static network.aios.store.JobState.READY;
import static network.aios.store.JobState.REMOVED;
import static network.aios.store.JobState.WAITING_READY;

import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import network.aios.api.kubeconfig.KubeconfigException;
import network.aios.member.ClusterOps;
import network.aios.member.KubeFailure;
import network.aios.member.desired.ObjectRef;
import network.aios.member.desired.Owner;
import network.aios.server.auth.TokenService;
import network.aios.server.security.AgentCertificates;
import network.aios.server.security.SecretBox;
import network.aios.store.InfraJob;
import network.aios.store.InventoryStore.InventoryItem;
import network.aios.store.JobKind;
import network.aios.store.JobReason;
import network.aios.store.JobStore;
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

    /**
     * How long the bootstrap step waits (by a watch) for the token controller to fill in the control plane's
     * token, usually a fraction of a second; past it the step ends and looks again after {@link #TOKEN_POLL}
     * (which re-applies the bootstrap objects, so a missing account is made again).
     */
    static final Duration TOKEN_WAIT = Duration.ofSeconds(2);

    static final Duration TOKEN_POLL = Duration.ofMillis(100);
    /** The reason of a resync that found the infrastructure gone from the cluster (the target is then failed). */

    /** Inventory order: bootstrap objects first (0..), the agent services from here. */
    static final int SERVICES_SEQ = 100;
    /** Routes come after the bootstrap (0..) and the agent services (100..) in the inventory. */
    static final int ROUTES_SEQ = 1000;

    private final Targets targets;
    private final JobStore store;
    private final Clock clock;
    private final Duration readyTimeout;
    private final RetryPolicy retry;
    private final MemberAccess access;
    private final ReadinessWatches watches;
    private final RemovalSteps removal;
    private final ApplyStep apply;
    private final BootstrapStep bootstrap;

    InfraSteps(
            Targets targets,
            JobStore store,
            TokenService tokens,
            SecretBox box,
            ClusterConnector connector,
            Clock clock,
            RetryPolicy retry,
            AgentCertificates certificates,
            ReadinessWatches watches) {
        this.watches = watches;
        this.targets = targets;
        this.store = store;
        this.clock = clock;
        this.readyTimeout = retry.readyTimeout();
        this.access = new MemberAccess(store, box, connector, clock);
        this.removal = new RemovalSteps(targets, store, access, clock, readyTimeout);
        this.apply = new ApplyStep(store, box, clock, access, certificates);
        this.bootstrap = new BootstrapStep(targets, store, tokens, box, connector, access, clock, retry.readyTimeout());
        this.retry = retry;
    }

    InfraJob step(InfraJob job, String lease) {
        network.aios.server.runtime.Halt.step(
                job.kind().wire() + " " + job.state().wire());
        try {
            InfraJob next = job.kind().applies() ? create(job, lease) : removal.step(job, lease);
            return next.withAttempts(0); // a step that went through ends the run of failures
        } catch (KubernetesClientException e) {
            return failure(job, e);
        } catch (KubeconfigException e) {
            return finish(job.next(FAILED, JobReason.INVALID_KUBECONFIG, "the stored kubeconfig is no longer usable"));
        }
    }

    // ---- create ----------------------------------------------------------------------------------------

    private InfraJob create(InfraJob job, String lease) throws KubeconfigException {
        Target target = targets.resolve(job.key());
        if (!target.registered()) {
            return finish(job.next(FAILED, JobReason.REGISTRATION_GONE, "it was deleted from the registry"));
        }
        switch (job.state()) {
            case PENDING -> {
                if (job.kind() == JobKind.RESYNC) {
                    // no owner's kubeconfig: the control plane's own credential, or nothing to resync with
                    Optional<Credential> own = access.credential(job.key());
                    if (own.isEmpty()) {
                        return finish(job.next(
                                FAILED,
                                JobReason.NO_CREDENTIAL,
                                "the control plane holds no credential for " + job.key()));
                    }
                    try (ClusterOps ops = access.open(own.get())) {
                        Optional<String> lost = lost(ops, target);
                        if (lost.isPresent()) {
                            return finish(job.next(FAILED, JobReason.INFRASTRUCTURE_LOST, lost.get()));
                        }
                    }
                    return requeue(
                            job.next(APPLYING, JobReason.RESYNCING, "re-applying the desired state"), Duration.ZERO);
                }
                try (ClusterOps ops = access.adminOps(job)) {
                    String version = ops.version();
                    return requeue(
                            job.next(BOOTSTRAPPING, JobReason.VALIDATED, "API server " + version + " answers"),
                            Duration.ZERO);
                }
            }
            case BOOTSTRAPPING -> {
                return bootstrap.step(job, lease, target);
            }
            case APPLYING -> {
                return apply.step(job, lease, target);
            }
            case WAITING_READY -> {
                Credential cred = access.credential(job.key()).orElseThrow();
                try (ClusterOps ops = access.open(cred)) {
                    long looked = System.nanoTime();
                    List<String> waiting = ops.notReady(target.namespace(), target.deployments());
                    if (!waiting.isEmpty()) {
                        watches.ensure(job.key(), job.id(), ops, target.namespace());
                    } else {
                        watches.stop(job.key());
                    }
                    if (waiting.isEmpty()) {
                        // what the registry records of it is written with the job (registryWrites)
                        if (job.kind() == JobKind.RESYNC) {
                            return finish(job.next(READY, JobReason.RESYNCED, Repairs.summary(job.receipt())));
                        }
                        LOG.info("{} infrastructure ready (job {})", job.key(), job.id());
                        return finish(job.next(
                                READY,
                                JobReason.READY,
                                "all " + job.progressTotal() + " service objects applied and "
                                        + target.readyMessage()));
                    }
                    if (Duration.between(job.createdAt(), clock.instant()).compareTo(readyTimeout) > 0) {
                        watches.stop(job.key());
                        return finish(job.next(
                                FAILED,
                                JobReason.NOT_READY,
                                "not available after " + readyTimeout.toMinutes() + " min: "
                                        + String.join(", ", waiting)));
                    }
                    return requeue(
                            job.next(
                                    WAITING_READY,
                                    JobReason.WAITING_FOR_DEPLOYMENTS,
                                    "waiting for " + String.join(", ", waiting)),
                            // a change the watch saw while this look ran would be lost to the next poll
                            watches.changedSince(job.key(), looked) ? Duration.ZERO : READY_POLL);
                }
            }
            default -> throw new IllegalStateException("create job in state " + job.state());
        }
    }

    /**
     * Why the target's infrastructure is no longer on the cluster, if it is not: its namespace gone, going, or
     * another registration's. A namespace made before claims is claimed now (where the identity may).
     */
    private Optional<String> lost(ClusterOps ops, Target target) {
        String ns = target.namespace();
        Optional<Owner.NamespaceState> state = ops.namespace(ns);
        if (state.isEmpty() || state.get().terminating()) {
            return Optional.of("namespace " + ns + " is " + (state.isEmpty() ? "gone from" : "being deleted on")
                    + " the cluster, and the infrastructure with it: create it again with the owner's kubeconfig");
        }
        Owner owner = target.owner();
        if (!owner.holds(state.get())) {
            return Optional.of("namespace " + ns + " no longer holds this registration's infrastructure (claimed by "
                    + String.join(", ", Owner.claimants(state.get()))
                    + "): create it again with the owner's kubeconfig");
        }
        return Optional.empty();
    }

    static ObjectRef ref(InventoryItem i) {
        return new ObjectRef(i.apiVersion(), i.kind(), i.namespace(), i.name(), i.uid());
    }

    static String describe(InventoryItem i) {
        return i.kind() + " " + (i.namespace() == null ? "" : i.namespace() + "/") + i.name();
    }

    /** A bug or an unreadable secret: the job fails with a reason that leaks nothing. */
    InfraJob internalFailure(InfraJob job) {
        return finish(job.next(FAILED, JobReason.INTERNAL_ERROR, "the control plane failed on this step; see its log"));
    }

    /** 5xx, 429 and connection failures are worth retrying; other answers are final. */
    private InfraJob failure(InfraJob job, KubernetesClientException e) {
        KubeFailure kind = KubeFailure.of(e);
        if (kind == KubeFailure.INTERRUPTED) {
            // this control plane is shutting down mid-step; the step is repeated, not counted as a failure
            return requeue(
                    job.next(job.state(), JobReason.INTERRUPTED, "interrupted by a control-plane shutdown; resuming"),
                    Duration.ZERO);
        }
        // a resync refused its own credential may have met a passing hiccup (an authentication webhook): it is
        // retried like an outage, and only then taken for the infrastructure gone
        boolean transientError = kind == KubeFailure.TRANSIENT
                || kind == KubeFailure.UNAUTHORIZED && job.kind() == JobKind.RESYNC && job.adminSealed() == null;
        String what = KubeFailure.describe(e);
        if (transientError && job.attempts() + 1 < retry.maxAttempts()) {
            Duration backoff = retry.backoff(job.attempts());
            InfraJob again = job.next(
                            job.state(),
                            JobReason.RETRYING,
                            what + "; retry " + (job.attempts() + 1) + " of " + (retry.maxAttempts() - 1) + " in "
                                    + backoff.toMillis() + " ms")
                    .withAttempts(job.attempts() + 1)
                    .runAt(clock.instant().plus(backoff));
            LOG.warn("infra job {} ({} {}): {}", job.id(), job.kind(), job.key(), again.message());
            LOG.debug("infra job {} transient failure", job.id(), e);
            return again;
        }
        LOG.warn("infra job {} ({} {}) failed: {} [{}]", job.id(), job.kind(), job.key(), what, e.getMessage());
        if (kind == KubeFailure.UNAUTHORIZED && job.adminSealed() == null && job.kind() != JobKind.CREATE) {
            // the control plane's own credential: its token lived in the namespace, which may be gone
            return finish(job.next(
                    FAILED,
                    job.kind() == JobKind.RESYNC ? JobReason.INFRASTRUCTURE_LOST : JobReason.CREDENTIAL_REFUSED,
                    "the member cluster refused the control plane's own credential (401): its namespace, where that "
                            + "credential lived, was probably deleted on the cluster. "
                            + (job.kind() == JobKind.RESYNC
                                    ? "Create the infrastructure again with the owner's kubeconfig"
                                    : "Remove it with the owner's kubeconfig (kube_config_data; aios ... infra remove"
                                            + " <id> --kubeconfig FILE), which looks at what is left")));
        }
        return finish(job.next(
                FAILED,
                switch (kind) {
                    case FORBIDDEN -> JobReason.FORBIDDEN;
                    case EGRESS_REFUSED -> JobReason.EGRESS_REFUSED;
                    case TRANSIENT -> JobReason.UNREACHABLE;
                    default -> JobReason.REJECTED;
                },
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
        String key = next.key();
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
            // a failed create or removal is failed (not left provisioning or deprovisioning); a resync only when
            // it found the infrastructure gone, not for an API server that did not answer for a while
            case FAILED ->
                next.reason() == JobReason.WRONG_CLUSTER
                        ? () -> {
                            // nothing was touched: the infrastructure is as ready as before the request
                            Target target = targets.resolve(key);
                            access.credential(key).ifPresent(target::ready);
                        }
                        : next.kind() != JobKind.RESYNC || next.reason() == JobReason.INFRASTRUCTURE_LOST
                                ? () -> {
                                    targets.resolve(key).failed();
                                    if (next.reason() == JobReason.INFRASTRUCTURE_LOST) {
                                        store.audit(clock.instant(), "infra-job", "infra.lost", key, null);
                                    }
                                }
                                : () -> {};
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
