package network.aios.server.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** A supervised loop survives what its tick throws, backs off while it keeps failing, and says when it is stale. */
class LoopsTest {
    final network.aios.server.TestClock clock =
            new network.aios.server.TestClock(java.time.Instant.parse("2026-12-03T12:00:00Z"));
    final List<String> halted = new ArrayList<>();
    final Loops loops = new Loops(
            clock, (loop, error) -> halted.add(loop + ": " + error.getClass().getSimpleName()));

    @Test
    void anErrorInOneTickDoesNotEndTheLoopAndTheNextTickRuns() {
        AtomicInteger ran = new AtomicInteger();
        Runnable tick = loops.supervise("flush", Duration.ofSeconds(1), () -> {
            if (ran.incrementAndGet() == 1) {
                throw new AssertionError("an Error, not a RuntimeException");
            }
        });
        tick.run(); // throws inside: caught, recorded
        Loops.State failed = loops.states().get(0);
        assertThat(failed.failures()).isEqualTo(1);
        assertThat(failed.lastError()).isEqualTo("AssertionError");
        assertThat(failed.lastSuccess()).isNull();

        tick.run(); // within the backoff: skipped
        assertThat(ran.get()).isEqualTo(1);
        clock.advance(Duration.ofSeconds(1));
        tick.run(); // one interval later it runs again, and goes through
        assertThat(ran.get()).isEqualTo(2);
        assertThat(loops.states().get(0).lastSuccess()).isEqualTo(clock.now);
        assertThat(loops.ready()).isTrue();
        assertThat(halted).isEmpty();
    }

    @Test
    void aLoopThatKeepsFailingBacksOffAndTurnsStaleAndAnOutOfMemoryHalts() {
        Runnable failing = loops.supervise("sweep", Duration.ofSeconds(1), () -> {
            throw new IllegalStateException("the database is away");
        });
        List<Instant> tried = new ArrayList<>();
        for (int i = 0; i < 240; i++) { // four minutes of a scheduler calling every second
            long before = loops.states().get(0).failures();
            failing.run();
            if (loops.states().get(0).failures() > before) {
                tried.add(clock.now);
            }
            clock.advance(Duration.ofSeconds(1));
        }
        // 1, 2, 4, ... seconds apart, at most a minute
        assertThat(Duration.between(tried.get(0), tried.get(1))).isEqualTo(Duration.ofSeconds(1));
        assertThat(Duration.between(tried.get(1), tried.get(2))).isEqualTo(Duration.ofSeconds(2));
        assertThat(Duration.between(tried.get(tried.size() - 2), tried.get(tried.size() - 1)))
                .isEqualTo(Duration.ofMinutes(1));
        assertThat(loops.ready()).as("no progress for minutes").isFalse();

        Runnable starving = loops.supervise("probe", Duration.ofSeconds(1), () -> {
            throw new OutOfMemoryError("Java heap space");
        });
        starving.run();
        assertThat(halted).containsExactly("probe: OutOfMemoryError");
    }

    @Test
    void aFaultInjectedIntoALoopIsThrownByItsNextTickOnly() {
        AtomicInteger ran = new AtomicInteger();
        Runnable tick = loops.supervise("claims", Duration.ofMillis(200), ran::incrementAndGet);
        loops.injectOnce("claims", new StackOverflowError());
        tick.run();
        assertThat(ran.get()).isZero();
        assertThat(loops.states().get(0).lastError()).isEqualTo("StackOverflowError");
        clock.advance(Duration.ofMillis(200));
        tick.run();
        assertThat(ran.get()).isEqualTo(1);
    }
}
