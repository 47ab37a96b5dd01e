package network.aios.server.auth;

import java.util.Map;
import java.util.function.Function;

/**
 * Whose cluster an agent reports for, so that an owner's agents are counted as that owner's (an owner holds its
 * agents' tokens: a hundred clusters must not be a hundred times its share). Cached by agent token name (a token
 * is issued for one registration, and revoked with it); bounded. Agents of clusters the network admin registered
 * count as nobody's, as the admin does not.
 */
public final class AgentOwners {
    static final int MAX = 100_000;
    private static final String NOBODY = "";

    private final Function<String, String> ownerOfCluster;
    private final Map<String, String> known = new network.aios.server.runtime.BoundedLru<>(MAX);

    /** {@code ownerOfCluster}: the owner of a registered cluster who is not an admin, else null. */
    public AgentOwners(Function<String, String> ownerOfCluster) {
        this.ownerOfCluster = ownerOfCluster;
    }

    /** The owner {@code agent}'s requests count under, or null (nobody's: not counted as an owner's). */
    public String of(Principal agent) {
        synchronized (known) {
            String k = known.get(agent.name());
            if (k != null) {
                return k.isEmpty() ? null : k;
            }
        }
        String owner = ownerOfCluster.apply(agent.clusterId()); // outside the lock: it reads the store
        synchronized (known) {
            known.put(agent.name(), owner == null ? NOBODY : owner);
        }
        return owner;
    }
}
