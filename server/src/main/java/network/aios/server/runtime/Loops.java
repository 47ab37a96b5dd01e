package network.aios.server.runtime;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The control plane's background loops, supervised. Each tick runs through {@link #supervise}: whatever it
 * throws — an {@link Error} included — is logged with its stack and the loop ticks again (after a backoff
 * while it keeps failing, up to {@link #MAX_BACKOFF}), where a scheduled task that threw would never run
 * again. An {@link OutOfMemoryError} is not limped past: the process halts (exit 3), so that its supervisor
 * starts it afresh instead of it running on with dead threads. Each loop's last successful tick is kept:
 * {@code /readyz} fails while one has made no progress for {@link #staleAfter} its interval.
 */
public final class Loops {
    private static final Logger LOG = LoggerFactory.getLogger(Loops.class);
    static final Duration MAX_BACKOFF = Duration.ofMinutes(1);

    /** What {@link #supervise} does on an {@link OutOfMemoryError}; the product halts, a test records. */
    public interface Fatal {
        void halt(String loop, Throwable error);
    }

    /** One loop as {@code /readyz} shows it. */
    public record State(
            String name,
            Duration every,
            Instant since,
            Instant lastSuccess,
            Instant lastFailure,
            String lastError,
            long failures) {
        /** No successful tick for {@link #staleAfter} (counted from its start until the first one). */
        public boolean stale(Instant now) {
            Instant last = lastSuccess != null ? lastSuccess : since;
            return Duration.between(last, now).compareTo(staleAfter(every)) > 0;
        }
    }

    /** How long a loop may go without a successful tick: three intervals and the longest backoff. */
    public static Duration staleAfter(Duration every) {
        return every.multipliedBy(3).plus(MAX_BACKOFF);
    }

    private final Clock clock;
    private final Fatal fatal;
    private final Map<String, Loop> loops = new ConcurrentHashMap<>();

    public Loops(Clock clock) {
        this(clock, (loop, error) -> {
            LOG.error("loop {}: {}; halting so that the process is started afresh", loop, error.toString());
            Runtime.getRuntime().halt(3);
        });
    }

    public Loops(Clock clock, Fatal fatal) {
        this.clock = clock;
        this.fatal = fatal;
    }

    private final class Loop {
        final String name;
        final Duration every;
        final Instant since;
        volatile Instant lastSuccess;
        volatile Instant lastFailure;
        volatile String lastError;
        volatile long failures;
        volatile int run; // failures in a row
        volatile Instant retryAt;
        volatile Throwable injected;

        Loop(String name, Duration every) {
            this.name = name;
            this.every = every;
            this.since = clock.instant();
        }

        void tick(Runnable body) {
            Instant now = clock.instant();
            if (retryAt != null && now.isBefore(retryAt)) {
                return; // backing off after failures
            }
            try {
                Throwable fault = injected;
                if (fault != null) {
                    injected = null;
                    throw fault;
                }
                body.run();
                lastSuccess = clock.instant();
                run = 0;
                retryAt = null;
            } catch (OutOfMemoryError e) {
                failed(e);
                fatal.halt(name, e);
            } catch (Throwable e) { // a loop must not end: Errors included (the next tick may go through)
                failed(e);
                // the next tick after one interval, then twice as long each time it fails again
                long backoff = Math.min(MAX_BACKOFF.toMillis(), every.toMillis() * (1L << Math.min(run - 1, 16)));
                retryAt = clock.instant().plusMillis(backoff);
                LOG.error("loop {} failed ({} in a row); next try in {} ms", name, run, backoff, e);
            }
        }

        private void failed(Throwable e) {
            failures++;
            run++;
            lastFailure = clock.instant();
            lastError = e.getClass().getSimpleName();
        }

        State state() {
            return new State(name, every, since, lastSuccess, lastFailure, lastError, failures);
        }
    }

    /**
     * {@code body} as one loop's tick (its name unique; {@code every} its interval, for staleness): run it with
     * the returned runnable from any scheduler.
     */
    public Runnable supervise(String name, Duration every, Runnable body) {
        Loop loop = new Loop(name, every);
        if (loops.putIfAbsent(name, loop) != null) {
            throw new IllegalStateException("two loops named " + name);
        }
        return () -> loop.tick(body);
    }

    /**
     * Fault injection (tests): the next tick of loop {@code name} throws {@code fault} instead of running, as
     * if its body had.
     */
    public void injectOnce(String name, Throwable fault) {
        Loop loop = loops.get(name);
        if (loop == null) {
            throw new IllegalArgumentException("no loop named " + name);
        }
        loop.injected = fault;
    }

    /** Every loop, by name. */
    public List<State> states() {
        List<State> out = new ArrayList<>();
        loops.values().forEach(l -> out.add(l.state()));
        out.sort(java.util.Comparator.comparing(State::name));
        return out;
    }

    /** True while no loop is stale. */
    public boolean ready() {
        Instant now = clock.instant();
        return states().stream().noneMatch(s -> s.stale(now));
    }
}
