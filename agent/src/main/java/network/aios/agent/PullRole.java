package network.aios.agent;

import io.javalin.config.RoutesConfig;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicBoolean;
import network.aios.api.Json;
import network.aios.member.desired.NodeJoin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Pull mode's agent ({@code --role=pull}, {@code docs/PULL.md}): the control plane holds no credential to
 * this cluster; this role dials out instead. It exchanges the single-use bootstrap token for a pull
 * credential ({@link PullCredentials}), long-polls the desired set, applies it with its own identity
 * ({@link PullApplier}), reports, repairs drift every {@code resyncSeconds}, reports again when the
 * Deployments' readiness changes, and on {@code remove: true} deletes what it made and stops.
 *
 * <p>Every step runs on one thread ({@link PullLoop}), so the role's state needs no locks; the long poll waits
 * in the HTTP client, not on that thread, so a readiness change is reported while a poll is pending. The role
 * stops by itself when the credential is revoked (401), the join refused (403), the bootstrap token refused,
 * or after a removal; {@link #finished()} then gives the process's exit code.
 */
final class PullRole implements Role {
    private static final Logger LOG = LoggerFactory.getLogger(PullRole.class);
    /** However fast the control plane answers, desired sets are not asked for more often than this. */
    private static final Duration MIN_POLL_INTERVAL = Duration.ofSeconds(1);

    private final AgentContext agent;
    private final PullSettings settings;
    private final PullApplier applier;
    private final PullNodeJoins nodeJoins;
    private final PullStatus status = new PullStatus();
    private final PullLoop loop = new PullLoop(this::problem);
    private final PullCredentials credentials;
    private final PullClient client;
    private final CompletableFuture<Integer> finished = new CompletableFuture<>();
    private final AtomicBoolean readinessQueued = new AtomicBoolean();
    private final PullReadinessWatch watch;

    // the loop thread's own
    private PullDesired applied;
    private List<PullResult> lastResults = List.of();
    private List<String> lastNotReady = List.of();
    private Instant nextResync = Instant.MIN;

    PullRole(AgentContext agent, PullCredentialStore store) {
        this.agent = agent;
        this.settings = agent.config().pull();
        this.client =
                new PullClient(agent.config().controlPlaneUrl(), agent.config().controlPlaneCa());
        this.credentials = new PullCredentials(store, client, status, agent.clock(), settings.rotateAfter());
        this.applier = new PullApplier(agent.kube());
        this.nodeJoins = new PullNodeJoins(agent.kube());
        this.watch = new PullReadinessWatch(agent.kube(), this::readinessChanged);
    }

    @Override
    public void start() {
        PullJoin join =
                new PullJoin(agent.kube(), settings.bootstrap(), credentials, status, loop, new PullJoin.Outcome() {
                    @Override
                    public void joined() {
                        poll();
                    }

                    @Override
                    public void stop(String state, int exitCode) {
                        PullRole.this.stop(state, exitCode);
                    }
                });
        loop.run(join::begin, () -> loop.retry(join::begin));
    }

    @Override
    public CompletableFuture<Integer> finished() {
        return finished;
    }

    @Override
    public void routes(RoutesConfig r) {
        r.get("/status", ctx -> Web.json(ctx, status.view()));
    }

    @Override
    public void close() {
        watch.close();
        loop.close();
    }

    /** Asks for the desired set: a long poll naming the applied revision, or at once when a resync is due. */
    private void poll() {
        PullClient.Answer rotated;
        try {
            rotated = credentials.rotateIfDue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        if (rotated != null && rotated.status() != 201 && refusedForGood(rotated, "rotate")) {
            return;
        }
        Instant now = agent.clock().instant();
        boolean resync = applied == null || !now.isBefore(nextResync);
        // a long poll ends by the next resync, which then asks without a revision (a full answer to apply again)
        int wait = resync
                ? PullSettings.LONG_POLL_SECONDS
                : (int) Math.max(
                        1,
                        Math.min(
                                PullSettings.LONG_POLL_SECONDS,
                                Duration.between(now, nextResync).toSeconds() + 1));
        long asked = System.nanoTime();
        client.desired(credentials.secret(), resync ? null : applied.revision(), wait)
                .whenComplete((a, e) -> loop.run(() -> onDesired(a, e, asked), () -> loop.retry(this::poll)));
    }

    private void onDesired(PullClient.Answer a, Throwable error, long asked) {
        if (error != null) {
            unreachable(
                    "desired",
                    error instanceof CompletionException && error.getCause() != null ? error.getCause() : error);
            loop.retry(this::poll);
            return;
        }
        loop.answered();
        Duration pause = MIN_POLL_INTERVAL.minusNanos(System.nanoTime() - asked);
        switch (a.status()) {
            case 200 -> {
                status.problem(null);
                PullDesired d = PullDesired.parse(a.body());
                if (d.revision() == null) { // the ETag names it too
                    d = new PullDesired(
                            d.clusterId(),
                            a.revision().orElse(null),
                            d.remove(),
                            d.fieldManager(),
                            d.waves(),
                            d.prune(),
                            d.deployments(),
                            d.resyncSeconds(),
                            d.nodeJoins());
                }
                status.clusterId(d.clusterId());
                if (d.remove()) {
                    remove(d);
                } else {
                    apply(d);
                    loop.later(this::poll, pause);
                }
            }
            case 304 -> loop.later(this::poll, pause);
            case 409 -> {
                status.state("pending");
                long s = a.retryAfterSeconds();
                LOG.info("the join waits for the network's acceptance; asking again in {} s", s);
                loop.later(this::poll, Duration.ofSeconds(s));
            }
            default -> {
                if (!refusedForGood(a, "desired")) {
                    loop.retry(this::poll);
                }
            }
        }
    }

    /** The whole set applied (on a resync too: drift repaired), pruned, reported; readiness watched. */
    private void apply(PullDesired d) {
        status.state("applying");
        if (applied == null || !Objects.equals(applied.revision(), d.revision())) {
            LOG.info("applying revision {} ({} waves)", d.revision(), d.waves().size());
        }
        List<PullResult> results = applier.apply(d);
        // external nodes' bootstrap tokens, and where nodes join: the cluster-info read once per apply round
        List<PullNodeJoins.Result> tokens = nodeJoins.apply(d.nodeJoins());
        NodeJoin.ClusterInfo info = nodeJoins.clusterInfo().orElse(null);
        applied = d;
        lastResults = results;
        nextResync = agent.clock().instant().plusSeconds(d.resyncSeconds());
        status.applied(d.revision(), agent.clock().instant());
        List<String> notReady = applier.notReady(d);
        report(d.revision(), results, notReady, false, tokens, info);
        if (finished.isDone()) {
            return;
        }
        if (notReady.isEmpty()) {
            watch.close();
        } else {
            watch.watch(d.prune().namespace());
        }
        status.state(notReady.isEmpty() ? "ready" : "progressing");
    }

    /** Removal: everything of this registration's deleted, reported until the control plane has heard it. */
    private void remove(PullDesired d) {
        status.state("removing");
        watch.close();
        List<PullResult> results = applier.remove(d);
        LOG.info("removal: {} objects deleted or failed", results.size());
        reportRemoval(d.revision(), results);
    }

    private void reportRemoval(String revision, List<PullResult> results) {
        int answer = report(revision, results, List.of(), true);
        if (finished.isDone()) {
            return;
        }
        if (answer < 0 || answer >= 500) {
            loop.retry(() -> reportRemoval(revision, results));
            return;
        }
        boolean failed =
                results.stream().anyMatch(r -> PullOutcome.FAILED.wire().equals(r.outcome()));
        LOG.info("removed{}: this agent stops", failed ? ", with failures (see the report)" : "");
        stop("removed", failed ? 1 : 0);
    }

    /** {@code POST /report}: its HTTP status, or -1 without an answer. Stops the role on 401 and 403. */
    private int report(String revision, List<PullResult> results, List<String> notReady, boolean removed) {
        return report(revision, results, notReady, removed, List.of(), null);
    }

    /**
     * As above, with what became of the bootstrap tokens asked for ({@code nodeJoins}) and where nodes join
     * ({@code clusterInfo}, null: not known; the control plane keeps the last one said).
     */
    private int report(
            String revision,
            List<PullResult> results,
            List<String> notReady,
            boolean removed,
            List<PullNodeJoins.Result> tokens,
            NodeJoin.ClusterInfo info) {
        ObjectNode body = Json.object().put("revision", revision);
        body.set("results", Json.tree(results));
        body.set("notReady", Json.tree(notReady));
        body.put("removed", removed);
        if (!tokens.isEmpty()) {
            body.set("nodeJoins", Json.tree(tokens));
        }
        if (info != null) {
            body.putObject("clusterInfo").put("endpoint", info.endpoint()).put("caCertHash", info.caCertHash());
        }
        lastNotReady = notReady;
        try {
            PullClient.Answer a = client.report(credentials.secret(), body);
            status.reported(
                    agent.clock().instant(), a.status(), a.json().path("state").asString(null), notReady);
            if (a.status() >= 300) {
                refusedForGood(a, "report");
            }
            return a.status();
        } catch (IOException e) {
            unreachable("report", e);
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** A Deployment changed: readiness read again on the loop (once for a burst of events). */
    private void readinessChanged() {
        if (readinessQueued.compareAndSet(false, true)) {
            loop.run(this::readinessAgain, () -> {});
        }
    }

    private void readinessAgain() {
        readinessQueued.set(false);
        if (applied == null || !watch.watching()) {
            return;
        }
        List<String> notReady = applier.notReady(applied);
        if (notReady.equals(lastNotReady)) {
            return;
        }
        LOG.info("readiness changed: {}", notReady.isEmpty() ? "all available" : notReady);
        report(applied.revision(), lastResults, notReady, false);
        if (notReady.isEmpty() && !finished.isDone()) {
            watch.close();
            status.state("ready");
        }
    }

    /** 401 (the credential revoked) and 403 (the join refused) stop the role; true when it stopped. */
    private boolean refusedForGood(PullClient.Answer a, String what) {
        if (a.status() == 401) {
            LOG.error(
                    "{}: the control plane refused this agent's pull credential (401): it was revoked (the join "
                            + "or the infrastructure removed). Stopping; a new join is needed",
                    what);
            stop("revoked", 1);
            return true;
        }
        if (a.status() == 403) {
            LOG.error("{}: the network refused this cluster's join ({}): stopping", what, a.reason());
            stop("refused", 1);
            return true;
        }
        problem(what + ": " + a.reason());
        return false;
    }

    private void stop(String state, int exitCode) {
        status.state(state);
        watch.close();
        loop.stop();
        finished.complete(exitCode);
    }

    private void unreachable(String what, Throwable e) {
        loop.unreachable(what, e);
    }

    private void problem(String p) {
        LOG.warn("{}", p);
        status.problem(p);
    }
}
