package network.aios.server.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class FairPoolTest {
    @Test
    void anOwnersHeldCallsTakeItsShareOnlyAndNothingWaitsForThem() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        Runnable held = () -> {
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };
        try (FairPool pool = new FairPool("test-fair", 3, 2)) {
            assertThat(pool.offer("mallory", "m1", held)).isTrue();
            assertThat(pool.offer("mallory", "m2", held)).isTrue();
            assertThat(pool.offer("mallory", "m3", held))
                    .as("mallory holds its share")
                    .isFalse();
            assertThat(pool.offer("mallory", "m1", held)).isFalse();
            CountDownLatch ran = new CountDownLatch(1);
            assertThat(pool.offer("alice", "a1", ran::countDown))
                    .as("alice still gets a thread")
                    .isTrue();
            assertThat(ran.await(10, TimeUnit.SECONDS)).isTrue();
            release.countDown();
            // once mallory's calls end, its keys may be offered again
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while ((pool.running("m1") || pool.running("m2")) && System.nanoTime() < until) {
                Thread.onSpinWait();
            }
            assertThat(pool.offer("mallory", "m3", () -> {})).isTrue();
        }
    }

    @Test
    void aCallThatThrowsGivesItsThreadAndKeyBack() throws Exception {
        try (FairPool pool = new FairPool("test-fair", 1, 1)) {
            assertThat(pool.offer("o", "k", () -> {
                        throw new IllegalStateException("boom");
                    }))
                    .isTrue();
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (pool.running("k") && System.nanoTime() < until) {
                Thread.onSpinWait();
            }
            assertThat(pool.running("k")).isFalse();
            CountDownLatch ran = new CountDownLatch(1);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            boolean started = false;
            while (!started && System.nanoTime() < deadline) {
                started = pool.offer("o", "k", ran::countDown); // the thread may still be finishing the last one
            }
            assertThat(started).isTrue();
            assertThat(ran.await(10, TimeUnit.SECONDS)).isTrue();
        }
    }
}
