package network.aios.server.auth;

import network.aios.server.runtime.KeyedPermits;

/**
 * How many requests each owner may have under way at once, its agents' included (it holds their tokens) and
 * reads included, from authentication until the answer is written: one owner's hundreds of concurrent large
 * reads, slow uploads or unread answers cannot take the request threads or the heap. The admin, and the agents
 * of clusters the admin registered, are not limited (those agents: per cluster). One semaphore per owner seen.
 */
public final class InFlight {
    private final KeyedPermits callers;

    public InFlight(int perCaller) {
        this.callers = new KeyedPermits(perCaller);
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
            // one pull agent per cluster, long-polling: its own count, never its owner's
            case PULL -> "pull:" + who.clusterId();
        };
    }

    /** Takes one of {@code key}'s permits; false when all are taken. */
    public boolean enter(String key) {
        return callers.tryEnter(key);
    }

    public void leave(String key) {
        callers.leave(key);
    }

    public int limit() {
        return callers.perKey();
    }
}
