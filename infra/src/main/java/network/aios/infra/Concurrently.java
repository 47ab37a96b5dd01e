package network.aios.infra;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Supplier;

/**
 * Calls to a member cluster that do not depend on each other, made at once: against a cluster 50 ms away,
 * a dozen reads one after another cost more than half a second, at once about one round trip. One pool for
 * the control plane's calls to member clusters (daemon threads, made as needed: the calls wait on the
 * network, not on the CPU).
 */
public final class Concurrently {
    public static final ExecutorService POOL = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "aios-member-call");
        t.setDaemon(true);
        return t;
    });

    private Concurrently() {}

    /**
     * The results in the order of {@code calls}. If any call throws, the first in that order is rethrown once
     * all have ended. Interrupting the caller cancels the calls still running.
     */
    public static <T> List<T> all(List<Supplier<T>> calls) {
        List<Future<T>> running = new ArrayList<>();
        for (Supplier<T> c : calls) {
            running.add(POOL.submit(c::get));
        }
        List<T> out = new ArrayList<>();
        RuntimeException first = null;
        try {
            for (Future<T> f : running) {
                try {
                    out.add(f.get());
                } catch (ExecutionException e) {
                    if (first == null) {
                        first = e.getCause() instanceof RuntimeException r
                                ? r
                                : new IllegalStateException(e.getCause());
                    }
                    out.add(null);
                }
            }
        } catch (InterruptedException e) {
            running.forEach(f -> f.cancel(true));
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while calling the member cluster", e);
        }
        if (first != null) {
            throw first;
        }
        return out;
    }
}
