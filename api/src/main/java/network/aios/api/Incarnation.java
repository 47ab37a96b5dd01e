package network.aios.api;

import java.time.Instant;

/**
 * Which registration of an id: the instant it was registered, in microseconds, base 36 (at most 13
 * characters of {@code [a-z0-9]}). An id deleted and registered again is another incarnation, so
 * nothing the earlier registration left (agents, certificates, objects on a member cluster) passes for
 * the later one's.
 */
public final class Incarnation {
    private Incarnation() {}

    public static String of(Instant registeredAt) {
        long micros = Math.addExact(
                Math.multiplyExact(registeredAt.getEpochSecond(), 1_000_000L), registeredAt.getNano() / 1000);
        return Long.toString(micros, 36);
    }
}
