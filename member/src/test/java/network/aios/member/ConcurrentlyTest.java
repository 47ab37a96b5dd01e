package network.aios.member;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class ConcurrentlyTest {
    @Test
    void callsNeverQueueBehindAnotherCallersHeldCalls() throws Exception {
        // one caller holds every thread of the pool with calls that do not return (an API server that never
        // answers); another caller's calls still run, on its own thread if need be, and answer
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch allHeld = new CountDownLatch(Concurrently.THREADS);
        List<Supplier<Integer>> stuck = new ArrayList<>();
        for (int i = 0; i < Concurrently.THREADS; i++) {
            stuck.add(() -> {
                allHeld.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return 0;
            });
        }
        ExecutorService attacker = Executors.newSingleThreadExecutor();
        try {
            Future<List<Integer>> held = attacker.submit(() -> Concurrently.all(stuck));
            assertThat(allHeld.await(30, TimeUnit.SECONDS)).isTrue();
            List<Integer> answered = Concurrently.all(List.of(() -> 1, () -> 2, () -> 3));
            assertThat(answered).containsExactly(1, 2, 3);
            assertThat(held.isDone())
                    .as("the other caller's calls are still held")
                    .isFalse();
            release.countDown();
            assertThat(held.get(30, TimeUnit.SECONDS)).hasSize(Concurrently.THREADS);
        } finally {
            release.countDown();
            attacker.shutdownNow();
        }
    }
}
