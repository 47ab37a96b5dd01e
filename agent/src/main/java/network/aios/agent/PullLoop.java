package network.aios.agent;

import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pull role's one thread: every step runs here, in order, so the role's state needs no locks. A step is
 * scheduled (never waited for in a loop), and one that fails unexpectedly is reported and replaced by its
 * recovery rather than lost (a scheduled executor would swallow the exception and the loop would end).
 * Retries wait a backoff: 1 s, doubling, at most 30 s, reset by {@link #answered()}.
 */
final class PullLoop implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PullLoop.class);
    static final Duration BACKOFF_FIRST = Duration.ofSeconds(1);
    static final Duration BACKOFF_CAP = Duration.ofSeconds(30);
    private final ScheduledExecutorService thread = Web.daemon("pull");
    private final Consumer<String> problem;
    private Duration backoff = Duration.ZERO;
    private volatile boolean stopped;

    /** {@code problem} is told what went wrong (for the log and the status). */
    PullLoop(Consumer<String> problem) {
        this.problem = problem;
    }

    /** {@code step} as soon as the thread is free; if it throws, {@code recovery}. */
    void run(Runnable step, Runnable recovery) {
        schedule(guarded(step, recovery), Duration.ZERO);
    }

    /** {@code step} after {@code delay}; if it throws, retried after the backoff. */
    void later(Runnable step, Duration delay) {
        schedule(guarded(step, () -> retry(step)), delay);
    }

    /** {@code step} again after the backoff (which then doubles); if it throws, retried in turn. */
    void retry(Runnable step) {
        backoff = backoff.isZero()
                ? BACKOFF_FIRST
                : (backoff.multipliedBy(2).compareTo(BACKOFF_CAP) > 0 ? BACKOFF_CAP : backoff.multipliedBy(2));
        later(step, backoff);
    }

    /** Tells what went wrong (the log and the status). */
    void problem(String p) {
        problem.accept(p);
    }

    /** Tells that the control plane did not answer a call. */
    void unreachable(String what, Throwable e) {
        problem.accept(
                what + ": the control plane did not answer (" + e.getClass().getSimpleName() + ")");
    }

    /** The control plane answered: the next failure waits the first backoff again. */
    void answered() {
        backoff = Duration.ZERO;
    }

    private void schedule(Runnable step, Duration delay) {
        if (stopped) {
            return;
        }
        try {
            thread.schedule(step, Math.max(0, delay.toMillis()), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            LOG.debug("the pull loop is stopped: {}", e.getMessage());
        }
    }

    /** No further steps: those already queued are skipped, the one running finishes. */
    void stop() {
        stopped = true;
        thread.shutdown();
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }

    private Runnable guarded(Runnable step, Runnable recovery) {
        return () -> {
            if (stopped) {
                return;
            }
            try {
                step.run();
            } catch (RuntimeException e) {
                problem.accept("pull step failed: " + e);
                recovery.run();
            }
        };
    }
}
