package network.aios.server.pull;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Tells the desired-state long polls waiting for a cluster that something they serve may have changed (the join
 * decided or ended, a gateway route added or removed, the document edited), so they look again at once instead of
 * at their next periodic look. In-process: a change made on another replica is seen at that periodic look.
 */
public final class PullSignals {
    private final Map<String, Set<Runnable>> waiting = new ConcurrentHashMap<>();

    /** Something a cluster's desired state is built from changed on this replica. */
    public void changed(String clusterId) {
        Set<Runnable> w = waiting.get(clusterId);
        if (w != null) {
            w.forEach(Runnable::run);
        }
    }

    /** How many long polls wait for the cluster on this replica. */
    public int watching(String clusterId) {
        Set<Runnable> w = waiting.get(clusterId);
        return w == null ? 0 : w.size();
    }

    /** Calls {@code onChange} at each change of the cluster until the returned handle is closed. */
    public AutoCloseable watch(String clusterId, Runnable onChange) {
        waiting.computeIfAbsent(clusterId, k -> ConcurrentHashMap.newKeySet()).add(onChange);
        return () -> waiting.computeIfPresent(clusterId, (k, set) -> {
            set.remove(onChange);
            return set.isEmpty() ? null : set;
        });
    }
}
