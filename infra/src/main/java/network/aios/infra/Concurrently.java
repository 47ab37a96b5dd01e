package network.aios.infra;

import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Calls to a member cluster that do not depend on each other, made at once: against a cluster 50 ms away,
 * a dozen reads one after another cost more than half a second, at once about one round trip. One pool for
 * the control plane's calls to member clusters: at most {@link #THREADS} at a time (calls beyond wait their
 * turn, so many owners' preflights at once cannot multiply threads), daemon threads that end when idle.
 * Never wait on the pool from one of its own threads: a call that did could wait for itself.
 */
public final class Concurrently {
    static final int THREADS = 32;

    public static final ExecutorService POOL = pool();

    private Concurrently() {}

    private static ExecutorService pool() {
        ThreadPoolExecutor p =
                new ThreadPoolExecutor(THREADS, THREADS, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
                    Thread t = new Thread(r, "aios-member-call");
                    t.setDaemon(true);
                    return t;
                });
        p.allowCoreThreadTimeOut(true);
        return p;
    }

    /**
     * The results in the order of {@code calls}. If any call throws, the first in that order is rethrown once
     * all have ended (the others' added to it as suppressed), as the same calls one after another would have
     * thrown it. Interrupting the caller cancels the calls still running and throws a client exception caused
     * by the interrupt ({@link KubeFailure#INTERRUPTED}).
     */
    public static <T> List<T> all(List<Supplier<T>> calls) {
        List<Future<T>> running = new ArrayList<>();
        for (Supplier<T> c : calls) {
            running.add(POOL.submit(c::get));
        }
        List<T> out = new ArrayList<>();
        Throwable first = null;
        try {
            for (Future<T> f : running) {
                try {
                    out.add(f.get());
                } catch (ExecutionException e) {
                    if (first == null) {
                        first = e.getCause();
                    } else {
                        first.addSuppressed(e.getCause());
                    }
                    out.add(null);
                }
            }
        } catch (InterruptedException e) {
            running.forEach(f -> f.cancel(true));
            Thread.currentThread().interrupt();
            throw new KubernetesClientException("interrupted while calling the member cluster", e);
        }
        if (first instanceof RuntimeException r) {
            throw r;
        }
        if (first instanceof Error err) {
            throw err;
        }
        if (first != null) {
            throw new IllegalStateException(first);
        }
        return out;
    }
}
