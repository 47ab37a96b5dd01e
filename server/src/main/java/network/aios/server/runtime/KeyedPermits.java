package network.aios.server.runtime;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;

/**
 * A fixed number of permits per key (an owner, a cluster), taken without waiting: a caller that holds all of
 * its key's is refused at once rather than queued. One semaphore per key seen, kept.
 */
public final class KeyedPermits {
    private final int perKey;
    private final ConcurrentHashMap<String, Semaphore> keys = new ConcurrentHashMap<>();

    public KeyedPermits(int perKey) {
        this.perKey = perKey;
    }

    /** Takes one of {@code key}'s permits; false when all are taken. */
    public boolean tryEnter(String key) {
        return keys.computeIfAbsent(key, k -> new Semaphore(perKey)).tryAcquire();
    }

    /** Gives back a permit {@link #tryEnter} took. */
    public void leave(String key) {
        Semaphore s = keys.get(key);
        if (s != null) {
            s.release();
        }
    }

    public int perKey() {
        return perKey;
    }
}
