package network.aios.server.engine;

import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Function;
import network.aios.member.ClusterOps;
import network.aios.member.desired.InfraSettings;
import network.aios.server.auth.TokenService;
import network.aios.server.security.AgentCertificates;
import network.aios.server.security.SecretBox;
import network.aios.store.AddonStore;
import network.aios.store.ClusterStore;
import network.aios.store.GatewayRouteStore;
import network.aios.store.JobStore;

/**
 * The job engine — runner, steps, waves, readiness, retry and member-cluster access — built once, in the
 * composition root. Request services reach it only through what is here: wake it for a job they queued, ask for a
 * target's desired state to be applied soon, look at a target, read a member cluster with the control plane's own
 * credential. It never depends on HTTP or on the request services (LayersTest).
 */
public final class Engine implements AutoCloseable {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Engine.class);

    private final JobStore store;
    private final Clock clock;
    private final MemberAccess access;
    private final Targets targets;
    private final ReadinessWatches watches;
    private final JobRunner runner;
    private final AgentCertificates certificates;
    private final Duration resyncEvery;

    public Engine(
            ClusterStore clusters,
            AddonStore addons,
            GatewayRouteStore routes,
            JobStore store,
            TokenService tokens,
            SecretBox box,
            InfraSettings settings,
            ClusterConnector connector,
            Clock clock,
            RetryPolicy retry,
            int parallelism,
            AgentCertificates certificates,
            Duration resyncEvery) {
        this.store = store;
        this.clock = clock;
        this.certificates = certificates;
        this.resyncEvery = resyncEvery;
        this.access = new MemberAccess(store, box, connector, clock);
        this.targets = new Targets(clusters, addons, tokens, settings, routes, clock);
        this.watches = new ReadinessWatches(this::nudge);
        InfraSteps steps = new InfraSteps(targets, store, tokens, box, connector, clock, retry, certificates, watches);
        this.runner = new JobRunner(store, steps, clock, parallelism);
    }

    /** A waiting job's Deployments changed: it is due now, and the runner looks at once. */
    private void nudge(String key) {
        if (store.runNow(key, clock.instant())) {
            runner.wake();
        }
    }

    /**
     * Starts the runner; {@code soleUser}: this control plane is the database's only user (embedded), so the
     * jobs a crash left leased are its own, and resume at once instead of when their leases run out.
     */
    public void start(boolean soleUser, network.aios.server.runtime.Loops loops) {
        if (soleUser) {
            int released = store.releaseLeases();
            if (released > 0) {
                LOG.info("resuming {} infra job(s) left mid-step by the previous run", released);
            }
        }
        runner.start(loops);
        runner.resyncEvery(resyncEvery, loops);
    }

    /** Look for work now: a job was just queued. */
    public void wake() {
        runner.wake();
    }

    /**
     * The target's desired state changed outside a job (a gateway route added or removed): applied under the
     * engine's lease soon, never from inside the request that changed it.
     */
    public void applySoon(String key) {
        runner.applySoon(key);
    }

    /** The target a job key names ({@code <kind>/<id>}: an add-on; anything else a cluster id). */
    public TargetView target(String key) {
        return targets.resolve(key);
    }

    /**
     * Whether the agents' serving certificate the control plane keeps for a cluster still serves (names this
     * registration, far from expiry); always true for a target whose agents get none (an add-on).
     */
    public boolean servingCertificateCurrent(String key) {
        Target t = targets.resolve(key);
        return !t.needsAgentToken()
                || access.credential(key)
                        .map(Credential::serving)
                        .filter(s -> certificates.stillServes(s, t.agentIdentity()))
                        .isPresent();
    }

    /**
     * Runs {@code read} against the member cluster with the control plane's own credential there (never an
     * agent's); empty when the control plane holds none (no infrastructure, or a pull-mode cluster).
     */
    public <T> Optional<T> readWithOwnCredential(String key, Function<ClusterOps, T> read) {
        return access.credential(key).map(c -> {
            try (ClusterOps ops = access.open(c)) {
                return read.apply(ops);
            }
        });
    }

    /** The context an owner's kubeconfig is sealed under for job {@code jobId} (only that job opens it). */
    public static String adminContext(String jobId) {
        return MemberAccess.adminContext(jobId);
    }

    @Override
    public void close() {
        watches.close();
        runner.close();
    }
}
