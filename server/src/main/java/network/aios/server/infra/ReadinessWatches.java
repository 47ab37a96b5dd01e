package network.aios.server.infra;

import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import network.aios.infra.ClusterOps;
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

    private record Watching(String jobId, AutoCloseable watch) {}

    private final ConcurrentHashMap<String, Watching> watches = new ConcurrentHashMap<>();
    private final Consumer<String> nudge;

    /** {@code nudge}: makes the target's waiting job due now and wakes the runner. */
    ReadinessWatches(Consumer<String> nudge) {
        this.nudge = nudge;
    }

    /** Watches {@code namespace} for job {@code jobId} of {@code key}, unless that job is watched already. */
    void ensure(String key, String jobId, ClusterOps ops, String namespace) {
        watches.compute(key, (k, existing) -> {
            if (existing != null && existing.jobId().equals(jobId)) {
                return existing;
            }
            close(existing);
            try {
                return new Watching(jobId, ops.watchDeployments(namespace, () -> nudge.accept(key)));
            } catch (RuntimeException e) {
                LOG.info("{}: no watch on {} ({}); readiness is polled", key, namespace, e.getMessage());
                return null;
            }
        });
    }

    /** The job no longer waits (ready, failed, gone). */
    void stop(String key) {
        close(watches.remove(key));
    }

    boolean watching(String key) {
        return watches.containsKey(key);
    }

    @Override
    public void close() {
        watches.values().forEach(ReadinessWatches::close);
        watches.clear();
    }

    private static void close(Watching w) {
        if (w != null) {
            try {
                w.watch().close();
            } catch (Exception e) {
                LOG.debug("closing a readiness watch failed", e);
            }
        }
    }
}
