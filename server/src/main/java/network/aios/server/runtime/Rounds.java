package network.aios.server.runtime;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * A background loop's round of independent calls to owners' systems (add-on probes, node reads), made a few
 * at a time on a pool of the loop's own, in the order given: callers give them with owners interleaved (each
 * owner's first, then each owner's second, …), so one owner's many slow or silent endpoints delay nobody
 * else's by more than a call or two.
 */
public final class Rounds implements AutoCloseable {
    private final ExecutorService pool;

    public Rounds(String name, int parallel) {
        this.pool = Executors.newFixedThreadPool(parallel, r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
    }

    /** Runs every call, {@code parallel} at a time, and returns when all have ended; the first failure is thrown. */
    public void run(List<Runnable> calls) {
        List<Future<?>> round = new ArrayList<>();
        calls.forEach(c -> round.add(pool.submit(c)));
        try {
            for (Future<?> f : round) {
                f.get();
            }
        } catch (InterruptedException e) {
            round.forEach(f -> f.cancel(true));
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            round.forEach(f -> f.cancel(true));
            throw new IllegalStateException("a call of the round failed", e.getCause());
        }
    }

    /** {@code items} reordered so owners take turns: every owner's first, then every owner's second, … */
    public static <T> List<T> interleaved(List<T> items, java.util.function.Function<T, String> owner) {
        java.util.Map<String, java.util.ArrayDeque<T>> byOwner = new java.util.LinkedHashMap<>();
        items.forEach(i -> byOwner.computeIfAbsent(owner.apply(i), o -> new java.util.ArrayDeque<>())
                .add(i));
        List<T> out = new ArrayList<>(items.size());
        while (!byOwner.isEmpty()) {
            for (var it = byOwner.values().iterator(); it.hasNext(); ) {
                java.util.ArrayDeque<T> q = it.next();
                out.add(q.poll());
                if (q.isEmpty()) {
                    it.remove();
                }
            }
        }
        return out;
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
