package network.aios.server.runtime;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a background loop makes its calls to owners' systems (add-on probes, node reads): a few threads, no
 * queue, no round to wait for. A call starts only if a thread is free, its key (an add-on, a cluster) is not
 * already under way, and its owner holds fewer than {@code perOwner} threads; otherwise it is not started and
 * the loop offers it again on a later tick. So one owner's many slow or silent endpoints hold at most its
 * share of the threads, for as long as its own calls take, and never stretch anyone else's interval.
 */
public final class FairPool implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(FairPool.class);

    private final ThreadPoolExecutor pool;
    private final int perOwner;
    private final Map<String, Integer> owners = new HashMap<>();
    private final Set<String> keys = new HashSet<>();

    public FairPool(String name, int threads, int perOwner) {
        this.perOwner = perOwner;
        this.pool = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS, new SynchronousQueue<>(), r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
        pool.allowCoreThreadTimeOut(true);
    }

    /**
     * Starts {@code call} for {@code key} of {@code owner} if it may start now (see the class); whether it did.
     * What the call throws is logged (the caller records outcomes itself); out of memory the process exits
     * (-XX:+ExitOnOutOfMemoryError), and whatever else ends a thread still gives back the key and the share.
     */
    public boolean offer(String owner, String key, Runnable call) {
        synchronized (this) {
            if (keys.contains(key) || owners.getOrDefault(owner, 0) >= perOwner) {
                return false;
            }
            keys.add(key);
            owners.merge(owner, 1, Integer::sum);
        }
        try {
            pool.execute(() -> {
                try {
                    call.run();
                } catch (Throwable e) { // NOPMD: out of memory exits the process (-XX:+ExitOnOutOfMemoryError)
                    LOG.warn("{}: {}", key, e.toString(), e); // the thread goes on with the next call
                } finally {
                    done(owner, key);
                }
            });
            return true;
        } catch (RejectedExecutionException busy) {
            done(owner, key); // every thread is taken (or the pool is closing): offered again later
            return false;
        }
    }

    private synchronized void done(String owner, String key) {
        keys.remove(key);
        owners.computeIfPresent(owner, (o, n) -> n == 1 ? null : n - 1);
    }

    /** Whether {@code key} is under way (tests). */
    public synchronized boolean running(String key) {
        return keys.contains(key);
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
