package network.aios.member;

import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * Calls to a member cluster that do not depend on each other, made at once: against a cluster 50 ms away,
 * a dozen reads one after another cost more than half a second, at once about one round trip. One pool for
 * the control plane's calls to member clusters, with <em>no queue</em>: a call gets one of at most
 * {@link #THREADS} threads at once, or runs on its caller's own thread. So no caller ever waits behind another
 * owner's calls to a slow API server (a shared FIFO queue let one owner's 40 preflights hold another's for two
 * minutes); at worst its reads go one after another. Daemon threads, ended when idle. Every batch has a
 * {@link #DEADLINE}.
 */
public final class Concurrently {
    static final int THREADS = 128;

    /** The most a batch of calls may take (each call has its own, shorter, client timeouts too). */
    public static final java.time.Duration DEADLINE = java.time.Duration.ofSeconds(45);

    public static final ExecutorService POOL = pool();

    private Concurrently() {}

    private static ExecutorService pool() {
        ThreadPoolExecutor p = new ThreadPoolExecutor(
                0,
                THREADS,
                30,
                TimeUnit.SECONDS,
                new SynchronousQueue<>(),
                r -> {
                    Thread t = new Thread(r, "aios-member-call");
                    t.setDaemon(true);
                    return t;
                },
                new ThreadPoolExecutor.CallerRunsPolicy());
        return p;
    }

    /**
     * The results in the order of {@code calls}. If any call throws, the first in that order is rethrown once
     * all have ended (the others' added to it as suppressed), as the same calls one after another would have
     * thrown it. Interrupting the caller cancels the calls still running and throws a client exception caused
     * by the interrupt ({@link KubeFailure#INTERRUPTED}). Past {@link #DEADLINE}, the calls still running are
     * cancelled and a client exception caused by a {@link TimeoutException} is thrown (a transient failure).
     */
    public static <T> List<T> all(List<Supplier<T>> calls) {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        List<Future<T>> running = new ArrayList<>();
        for (Supplier<T> c : calls) {
            running.add(POOL.submit(c::get));
        }
        List<T> out = new ArrayList<>();
        Throwable first = null;
        try {
            for (Future<T> f : running) {
                try {
                    out.add(f.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS));
                } catch (TimeoutException e) {
                    running.forEach(r -> r.cancel(true));
                    throw new KubernetesClientException(
                            "the member cluster did not answer within " + DEADLINE.toSeconds() + " s", e);
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
