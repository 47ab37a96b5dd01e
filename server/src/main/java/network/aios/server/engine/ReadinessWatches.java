package network.aios.server.engine;

import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import network.aios.member.ClusterOps;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Readiness by watch: while a job waits for its Deployments, a watch on their namespace runs on the
 * target's shared client and, on any change, makes the job due at once ({@code nudge}), so it sees
 * availability as Kubernetes reports it rather than at the next poll. The poll stays as the fallback
 * (a change seen while the step itself runs, a watch that broke). Steps stay short, so a removal can
 * still supersede a waiting create.
 */
final class ReadinessWatches implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ReadinessWatches.class);

    /** A job being watched; {@code watch} is null while the watch is being set up. */
    private record Watching(String jobId, AutoCloseable watch) {}

    private final ConcurrentHashMap<String, Watching> watches = new ConcurrentHashMap<>();
    /** When the watch of a key last saw a change ({@link System#nanoTime}). */
    private final ConcurrentHashMap<String, Long> changed = new ConcurrentHashMap<>();

    private final Consumer<String> nudge;
    /** Setting a watch up can take as long as the API server (or the path to it) does: never in a step. */
    private final java.util.concurrent.ExecutorService setup =
            java.util.concurrent.Executors.newFixedThreadPool(2, r -> {
                Thread t = new Thread(r, "aios-readiness-watches");
                t.setDaemon(true);
                return t;
            });

    /** {@code nudge}: makes the target's waiting job due now and wakes the runner. */
    ReadinessWatches(Consumer<String> nudge) {
        this.nudge = nudge;
    }

    /**
     * Starts watching {@code namespace} for job {@code jobId} of {@code key}, unless that job is watched (or
     * being set up) already. Returns at once; the watch is set up in the background.
     */
    void ensure(String key, String jobId, ClusterOps ops, String namespace) {
        boolean[] fresh = {false};
        watches.compute(key, (k, existing) -> {
            if (existing != null && existing.jobId().equals(jobId)) {
                return existing;
            }
            close(existing);
            fresh[0] = true;
            return new Watching(jobId, null);
        });
        if (fresh[0]) {
            try {
                setup.execute(() -> start(key, jobId, ops, namespace));
            } catch (java.util.concurrent.RejectedExecutionException e) {
                watches.remove(key); // closing down
            }
        }
    }

    private void start(String key, String jobId, ClusterOps ops, String namespace) {
        AutoCloseable watch;
        try {
            watch = ops.watchDeployments(namespace, () -> {
                changed.put(key, System.nanoTime());
                nudge.accept(key);
            });
        } catch (RuntimeException e) {
            LOG.info("{}: no watch on {} ({}); readiness is polled", key, namespace, e.getMessage());
            return;
        }
        Watching now = watches.computeIfPresent(
                key, (k, w) -> w.jobId().equals(jobId) && w.watch() == null ? new Watching(jobId, watch) : w);
        if (now == null || now.watch() != watch) {
            close(new Watching(jobId, watch)); // the wait ended while the watch was being set up
        }
    }

    /** The job no longer waits (ready, failed, gone). */
    void stop(String key) {
        close(watches.remove(key));
        changed.remove(key);
    }

    /**
     * Whether the watch of {@code key} saw a change after {@code nanos} ({@link System#nanoTime}): a step that
     * looked before it then looks again at once, since the nudge that change made was overwritten when the
     * step saved its own next look.
     */
    boolean changedSince(String key, long nanos) {
        Long at = changed.get(key);
        return at != null && at - nanos > 0;
    }

    boolean watching(String key) {
        return watches.containsKey(key);
    }

    @Override
    public void close() {
        setup.shutdownNow();
        watches.values().forEach(ReadinessWatches::close);
        watches.clear();
        changed.clear();
    }

    private static void close(Watching w) {
        if (w != null && w.watch() != null) {
            try {
                w.watch().close();
            } catch (Exception e) {
                LOG.debug("closing a readiness watch failed", e);
            }
        }
    }
}
