package network.aios.api;

/**
 * What an infra job works on: a cluster's own infrastructure ({@code addon} null; the key is the
 * cluster id) or one deployable add-on ({@code <kind>/<id>}, e.g. {@code policy_executor/executor-001}).
 */
public record TargetKey(AddonKind addon, String id) {
    public static TargetKey cluster(String clusterId) {
        return new TargetKey(null, clusterId);
    }

    public static TargetKey addon(AddonKind kind, String id) {
        return new TargetKey(kind, id);
    }

    /** The stored form back; an unknown add-on kind is an {@link IllegalArgumentException}. */
    public static TargetKey parse(String key) {
        int slash = key.indexOf('/');
        if (slash < 0) {
            return cluster(key);
        }
        AddonKind kind = AddonKind.fromWire(key.substring(0, slash))
                .orElseThrow(() -> new IllegalArgumentException("job key " + key + " names no add-on kind"));
        return addon(kind, key.substring(slash + 1));
    }

    public boolean isCluster() {
        return addon == null;
    }

    /** The stored form: the cluster id, or {@code <kind>/<id>}. */
    @Override
    public String toString() {
        return addon == null ? id : addon.infraKey(id);
    }
}
