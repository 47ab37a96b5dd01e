package network.aios.server.runtime;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A map that keeps at most {@code max} entries by forgetting the least recently used one: the state a limiter
 * keeps per caller stays bounded however many callers come. Not thread-safe (its users hold their own lock).
 */
public final class BoundedLru<K, V> extends LinkedHashMap<K, V> {
    private final int max;

    public BoundedLru(int max) {
        super(16, 0.75f, true);
        this.max = max;
    }

    @Override
    protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
        return size() > max;
    }
}
