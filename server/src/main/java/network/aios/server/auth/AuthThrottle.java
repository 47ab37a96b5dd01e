package network.aios.server.auth;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * Failed authentications counted per source address and per presented token id: past {@link #LIMIT} in
 * {@link #WINDOW}, further wrong credentials from that address (or with that id) answer 429 until the
 * window ends. A valid token is never throttled; a request without credentials is a plain 401. In
 * memory, per replica, bounded to {@link #MAX_KEYS} keys by forgetting the least recently failed one: a
 * flood of new keys pushes out old, quiet ones, never the one being throttled now (it does not fail open,
 * and takes no scan per new key).
 */
public final class AuthThrottle {
    public static final int LIMIT = 10;
    public static final Duration WINDOW = Duration.ofMinutes(1);
    static final int MAX_KEYS = 100_000;

    private record Window(Instant start, int failures) {}

    private final Clock clock;
    /** Least recently failed first: the eldest is forgotten when a new key would pass {@link #MAX_KEYS}. */
    private final java.util.Map<String, Window> windows = new network.aios.server.runtime.BoundedLru<>(MAX_KEYS);

    public AuthThrottle(Clock clock) {
        this.clock = clock;
    }

    /** Seconds until {@code key} may try again; 0 when it may now. */
    public synchronized long retryAfter(String key) {
        Window w = windows.get(key);
        Instant now = clock.instant();
        if (w == null || w.failures() < LIMIT || !w.start().plus(WINDOW).isAfter(now)) {
            return 0;
        }
        return Math.max(1, Duration.between(now, w.start().plus(WINDOW)).toSeconds() + 1);
    }

    public synchronized void failed(String key) {
        Instant now = clock.instant();
        windows.compute(
                key,
                (k, w) -> w == null || !w.start().plus(WINDOW).isAfter(now)
                        ? new Window(now, 1)
                        : new Window(w.start(), w.failures() + 1));
    }
}
