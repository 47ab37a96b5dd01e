package network.aios.server.auth;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;

/**
 * How many requests each owner may have under way at once, its agents' included (it holds their tokens) and
 * reads included, from authentication until the answer is written: one owner's hundreds of concurrent large
 * reads, slow uploads or unread answers cannot take the request threads or the heap. The admin, and the agents
 * of clusters the admin registered, are not limited (those agents: per cluster). One semaphore per owner seen.
 */
public final class InFlight {
    private final int perCaller;
    private final ConcurrentHashMap<String, Semaphore> callers = new ConcurrentHashMap<>();

    public InFlight(int perCaller) {
        this.perCaller = perCaller;
    }

    /** The key {@code who}'s requests are counted under; null for the admin (not counted). */
    public static String key(Principal who, AgentOwners agentOwners) {
        return switch (who.role()) {
            case ADMIN -> null;
            case AGENT -> {
                String owner = agentOwners.of(who);
                yield owner == null ? "agent:" + who.clusterId() : "owner:" + owner;
            }
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
