package network.aios.server.engine;

import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import network.aios.store.InfraJob;
import network.aios.store.JobKind;
import network.aios.store.JobState;
import network.aios.store.JobStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs infra jobs: claims a due job under a lease (so two control-plane replicas never run the same
 * cluster's job), runs one step, saves the result (with what the registry records of a finished job, in one
 * transaction) and releases the lease. A job whose runner died
 * is claimed again when its lease expires, and resumes from its persisted state.
 */
public final class JobRunner implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(JobRunner.class);
    /**
     * How long a claim lasts without renewal. The runner renews it every {@link #RENEW} while a step runs, so
     * a dead runner's job is taken over within this, and a live one keeps it through slow steps.
     */
    static final Duration LEASE = Duration.ofSeconds(15);

    static final Duration RENEW = Duration.ofSeconds(5);

    /** How often the runner looks for due jobs when nothing woke it sooner. */
    static final Duration TICK = Duration.ofMillis(200);

    /** A job saved as due within this gets a look of its own at that time. */
    static final Duration SOON = Duration.ofSeconds(1);

    private final JobStore store;
    private final InfraSteps steps;
    private final Clock clock;
    private final String owner = "runner-" + UUID.randomUUID();
    private final ScheduledExecutorService ticker =
            Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "aios-jobs"));
    /** Lease renewals on a thread of their own: a slow claim or resync scan on the ticker never delays them. */
    private final ScheduledExecutorService renewer =
            Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "aios-job-leases"));

    private final Duration renewEvery;
    private final ExecutorService workers;
    private final Semaphore free;
    /** The most workers one registration owner's jobs hold at once (a quarter of them, at least one). */
    private final int perOwner;

    private volatile boolean closing;

    JobRunner(JobStore store, InfraSteps steps, Clock clock, int parallelism) {
        this(store, steps, clock, parallelism, RENEW);
    }

    /** As above, renewing every {@code renew} (a test's runner notices a lost lease sooner). */
    JobRunner(JobStore store, InfraSteps steps, Clock clock, int parallelism, Duration renew) {
        this.renewEvery = renew;
        this.store = store;
        this.steps = steps;
        this.clock = clock;
        this.workers = Executors.newFixedThreadPool(parallelism, r -> daemon(r, "aios-job-worker"));
        this.free = new Semaphore(parallelism);
        this.perOwner = Math.max(1, parallelism / 4);
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    /** The claim loop's tick, supervised (also when a wake runs it): set by {@link #start}. */
    private volatile Runnable tick = this::claim;

    void start(network.aios.server.runtime.Loops loops) {
        tick = loops.supervise("job-claims", TICK, this::claim);
        ticker.scheduleWithFixedDelay(tick, 0, TICK.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Every {@code every}, queues a resync job for each ready target not resynced for that long, so
     * what someone changed or deleted on a member cluster comes back (zero: never).
     */
    void resyncEvery(Duration every, network.aios.server.runtime.Loops loops) {
        if (every.isZero() || every.isNegative()) {
            return;
        }
        long scanMillis = Math.max(1000, Math.min(60_000, every.toMillis() / 5));
        ticker.scheduleWithFixedDelay(
                loops.supervise("resync-scan", Duration.ofMillis(scanMillis), () -> scheduleResyncs(every)),
                scanMillis,
                scanMillis,
                TimeUnit.MILLISECONDS);
    }

    /** Queues the resyncs due; a failure reaches the loop's supervisor (logged, retried, shown on /readyz). */
    private void scheduleResyncs(Duration every) {
        {
            java.time.Instant now = clock.instant();
            java.time.Instant cutoff = now.minus(every);
            boolean any = false;
            for (String key : store.dueForResync(cutoff, 100)) {
                any |= store.scheduleResync(resyncJob(key, now, "resync"), cutoff);
            }
            if (any) {
                tick.run();
            }
        }
    }

    private static InfraJob resyncJob(String key, java.time.Instant now, String requestedBy) {
        return InfraJob.queued(
                "job-" + UUID.randomUUID().toString().substring(0, 13),
                network.aios.api.TargetKey.parse(key),
                JobKind.RESYNC,
                "resync queued",
                null,
                requestedBy,
                now);
    }

    /**
     * The target's desired state changed (a gateway route): applied again by a resync queued now, or, when a job is
     * under way on it, by one queued as soon as that job ends (see {@link #run}).
     */
    void applySoon(String key) {
        if (store.wantApply(key)) {
            queueWantedApply(key);
        }
    }

    private void queueWantedApply(String key) {
        java.time.Instant now = clock.instant();
        if (store.scheduleResync(resyncJob(key, now, "desired-state-change"), now.plusMillis(1))) {
            wake();
        }
    }

    /** Look for work now (a job was just queued). */
    void wake() {
        ticker.execute(() -> tick.run());
    }

    /**
     * Look for work when a job is next due (also, if it is due within {@link #SOON}): a token, readiness or
     * namespace look 100-500 ms away then runs on time instead of up to a tick late. A millisecond after it is
     * due, since a claim takes only jobs due by then.
     */
    private void wakeAt(java.time.Instant due) {
        long delay = Duration.between(clock.instant(), due).toNanos();
        if (delay <= 0) {
            wake();
        } else if (delay <= SOON.toNanos()) {
            try {
                ticker.schedule(() -> tick.run(), delay + 1_000_000, TimeUnit.NANOSECONDS);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                // closing down
            }
        }
    }

    /**
     * Claims due jobs while a worker is free. A failure (the database away) gives the permit back and reaches
     * the loop's supervisor: before, the permit was lost with it, and enough failed claims left no worker.
     */
    private void claim() {
        while (free.tryAcquire()) {
            // a lease of its own per claim: a step that outlived its lease cannot save over a later claim
            // of the same job, even by this runner
            String lease = owner + "/" + UUID.randomUUID().toString().substring(0, 8);
            boolean handedOver = false;
            try {
                Optional<InfraJob> claimed = store.claim(lease, clock.instant(), LEASE, perOwner);
                if (claimed.isEmpty()) {
                    return;
                }
                workers.execute(() -> run(claimed.get(), lease));
                handedOver = true;
            } finally {
                if (!handedOver) {
                    free.release();
                }
            }
        }
    }

    private void run(InfraJob job, String lease) {
        ScheduledFuture<?> renewal = null;
        java.util.concurrent.atomic.AtomicBoolean stepping = new java.util.concurrent.atomic.AtomicBoolean(true);
        java.util.concurrent.atomic.AtomicBoolean lost = new java.util.concurrent.atomic.AtomicBoolean();
        Thread worker = Thread.currentThread();
        Thread.interrupted(); // a late interrupt meant for the previous job on this thread
        try {
            renewal = renewer.scheduleAtFixedRate(
                    () -> renew(job, lease, stepping, lost, worker),
                    renewEvery.toMillis(),
                    renewEvery.toMillis(),
                    TimeUnit.MILLISECONDS);
            long started = System.nanoTime();
            InfraJob next = steps.step(job, lease);
            stepping.set(false);
            renewal.cancel(false);
            long stepped = System.nanoTime();
            boolean saved = steps.save(next, lease);
            if (LOG.isDebugEnabled()) {
                LOG.debug(
                        "infra job {}: {} -> {} ({}), step {} ms, save {} ms",
                        job.id(),
                        job.state(),
                        next.state(),
                        next.reason(),
                        (stepped - started) / 1_000_000,
                        (System.nanoTime() - stepped) / 1_000_000);
            }
            if (!saved) {
                LOG.warn("infra job {} lost its lease before saving; another runner will redo the step", job.id());
            } else if (next.kind() == JobKind.RESYNC
                    && next.state() == JobState.READY
                    && next.receipt() == null
                    && "resync".equals(next.requestedBy())) {
                // a periodic resync that found everything in place leaves no trace; one a change asked for stays
                // (someone may be following it) until the target's next resync is queued
                store.deleteJob(next.id());
            }
            if (!next.finished()) {
                wakeAt(next.nextRunAt());
            } else if (saved && store.applyWanted(next.key())) {
                queueWantedApply(next.key()); // its desired state changed while this job ran
            }
        } catch (java.util.concurrent.RejectedExecutionException e) {
            LOG.info("infra job {}: the control plane is stopping; it resumes when its lease expires", job.id());
        } catch (RuntimeException e) {
            if (closing) {
                LOG.info("infra job {} interrupted by shutdown; it resumes when its lease expires", job.id());
                return;
            }
            if (lost.get()) {
                LOG.warn("infra job {} stopped: its lease was lost", job.id());
                return;
            }
            LOG.error("infra job {} step failed unexpectedly", job.id(), e);
            try {
                steps.save(steps.internalFailure(job), lease);
            } catch (RuntimeException again) {
                LOG.error(
                        "infra job {}: recording its failure failed too; it resumes when its lease expires",
                        job.id(),
                        again);
            }
        } finally {
            stepping.set(false);
            if (renewal != null) {
                renewal.cancel(false);
            }
            free.release();
        }
    }

    /**
     * Keeps the lease while the step runs. Lost (it expired and the job was claimed again, or the job was
     * ended): the step is interrupted, so it stops making changes on the cluster for a job it no longer holds.
     */
    private void renew(
            InfraJob job,
            String lease,
            java.util.concurrent.atomic.AtomicBoolean stepping,
            java.util.concurrent.atomic.AtomicBoolean lost,
            Thread worker) {
        try {
            if (!store.renew(job.id(), lease, clock.instant(), LEASE)) {
                lost.set(true);
                if (stepping.getAndSet(false)) {
                    LOG.warn("infra job {} lost its lease during a step; stopping the step", job.id());
                    worker.interrupt();
                }
            }
        } catch (RuntimeException e) {
            LOG.warn("renewing the lease of infra job {} failed", job.id(), e);
        }
    }

    @Override
    public void close() {
        closing = true;
        ticker.shutdownNow();
        renewer.shutdownNow();
        workers.shutdownNow();
        try {
            workers.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
