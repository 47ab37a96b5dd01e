package network.aios.server.auth;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;

/**
 * How many requests each owner (and each cluster's agents) may have under way at once: reads included, so one
 * owner's hundreds of concurrent large reads cannot take the request threads or the heap. The admin is not
 * limited. A caller's permits live while it has requests under way (and are reused after).
 */
public final class InFlight {
    private final int perCaller;
    private final ConcurrentHashMap<String, Semaphore> callers = new ConcurrentHashMap<>();

    public InFlight(int perCaller) {
        this.perCaller = perCaller;
    }

    /** The key {@code who}'s requests are counted under; null for the admin (not counted). */
    public static String key(Principal who) {
        return switch (who.role()) {
            case ADMIN -> null;
            case AGENT -> "agent:" + who.clusterId();
            case OWNER -> "owner:" + who.name();
        };
    }

    /** Takes one of {@code key}'s permits; false when all are taken. */
    public boolean enter(String key) {
        return callers.computeIfAbsent(key, k -> new Semaphore(perCaller)).tryAcquire();
    }

    public void leave(String key) {
        Semaphore s = callers.get(key);
        if (s != null) {
            s.release();
        }
    }

    public int limit() {
        return perCaller;
    }
}
