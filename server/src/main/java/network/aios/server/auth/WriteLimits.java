package network.aios.server.auth;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;

/**
 * How fast each caller may write: a token bucket per owner and per agent (an agent is its cluster), refilled
 * at {@link Rate#perSecond()} up to {@link Rate#burst()}; and all the agents of one owner's clusters together
 * get {@link #AGENTS_PER_OWNER} times one cluster's rate (an owner holds its agents' tokens: a hundred clusters
 * must not be a hundred times the writes). The network admin is not limited here. In memory,
 * per replica, and bounded: keys are authenticated callers (a token must exist to get one), and past
 * {@link #MAX_KEYS} the least recently seen is forgotten (a forgotten caller starts again with a full bucket,
 * which only an idle caller can be).
 */
public final class WriteLimits {
    static final int MAX_KEYS = 100_000;

    /** A sustained rate and how many may come at once. */
    public record Rate(double perSecond, int burst) {
        public Rate {
            if (!(perSecond > 0) || burst < 1) {
                throw new IllegalArgumentException("a write rate needs perSecond > 0 and burst >= 1");
            }
        }

        /** {@code "10/s"}, {@code "10/s,burst=50"} or {@code "600/min"}: for flags and settings. */
        public static Rate parse(String text) {
            String t = text.trim();
            int burst = -1;
            int comma = t.indexOf(',');
            if (comma >= 0) {
                String b = t.substring(comma + 1).trim();
                if (!b.startsWith("burst=")) {
                    throw new IllegalArgumentException("expected N/s[,burst=M], got " + text);
                }
                burst = Integer.parseInt(b.substring(6).trim());
                t = t.substring(0, comma).trim();
            }
            double per;
            if (t.endsWith("/s")) {
                per = Double.parseDouble(t.substring(0, t.length() - 2));
            } else if (t.endsWith("/min")) {
                per = Double.parseDouble(t.substring(0, t.length() - 4)) / 60;
            } else {
                throw new IllegalArgumentException("expected N/s or N/min, got " + text);
            }
            return new Rate(per, burst < 0 ? (int) Math.max(1, Math.ceil(per * 5)) : burst);
        }

        @Override
        public String toString() {
            return perSecond + "/s,burst=" + burst;
        }
    }

    private static final class Bucket {
        double tokens;
        long at;

        Bucket(double tokens, long at) {
            this.tokens = tokens;
            this.at = at;
        }
    }

    private final Clock clock;
    private final Rate owners;
    private final Rate agents;
    private final Rate agentsOfOwner;
    private final AgentOwners agentOwners;

    /** How many clusters' worth of agent writes an owner's agents may make together. */
    public static final int AGENTS_PER_OWNER = 10;

    private final Map<String, Bucket> buckets = new network.aios.server.runtime.BoundedLru<>(MAX_KEYS);

    /** {@code agentOwners}: whose an agent is (nobody's: only its cluster's bucket counts). */
    public WriteLimits(Clock clock, Rate owners, Rate agents, AgentOwners agentOwners) {
        this.clock = clock;
        this.owners = owners;
        this.agents = agents;
        this.agentsOfOwner = new Rate(agents.perSecond() * AGENTS_PER_OWNER, agents.burst() * AGENTS_PER_OWNER);
        this.agentOwners = agentOwners;
    }

    /**
     * Takes one write for {@code who}: {@link Duration#ZERO} when it may go on, otherwise how long until it
     * may (nothing is taken then).
     */
    public Duration take(Principal who) {
        long now = clock.millis();
        switch (who.role()) {
            case ADMIN -> {
                return Duration.ZERO;
            }
            case AGENT, PULL -> {
                String owner = agentOwners.of(who);
                synchronized (buckets) {
                    Duration cluster = wait("agent:" + who.clusterId(), agents, now);
                    Duration all = owner == null ? Duration.ZERO : wait("agents-of:" + owner, agentsOfOwner, now);
                    if (!cluster.isZero() || !all.isZero()) {
                        return cluster.compareTo(all) > 0 ? cluster : all;
                    }
                    take("agent:" + who.clusterId());
                    if (owner != null) {
                        take("agents-of:" + owner);
                    }
                    return Duration.ZERO;
                }
            }
            default -> {
                synchronized (buckets) {
                    Duration w = wait("owner:" + who.name(), owners, now);
                    if (w.isZero()) {
                        take("owner:" + who.name());
                    }
                    return w;
                }
            }
        }
    }

    /** Refills {@code key}'s bucket to now; how long until it holds one write (zero: it does now). */
    private Duration wait(String key, Rate rate, long now) {
        Bucket b = buckets.computeIfAbsent(key, k -> new Bucket(rate.burst(), now));
        b.tokens = Math.min(rate.burst(), b.tokens + Math.max(0, now - b.at) / 1000.0 * rate.perSecond());
        b.at = now;
        return b.tokens >= 1
                ? Duration.ZERO
                : Duration.ofMillis((long) Math.ceil((1 - b.tokens) / rate.perSecond() * 1000));
    }

    private void take(String key) {
        Bucket b = buckets.get(key);
        if (b != null) {
            b.tokens -= 1;
        }
    }
}
