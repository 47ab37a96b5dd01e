package network.aios.server.engine;

import java.time.Duration;

/** The one retry policy for infra jobs: exponential backoff from {@code base}, capped, for a number of attempts. */
public record RetryPolicy(Duration base, Duration max, int maxAttempts, Duration readyTimeout) {
    public static RetryPolicy defaults() {
        return new RetryPolicy(Duration.ofMillis(500), Duration.ofSeconds(30), 8, Duration.ofMinutes(10));
    }

    Duration backoff(int attempt) {
        long millis = base.toMillis() << Math.min(attempt, 20);
        return Duration.ofMillis(Math.min(max.toMillis(), millis));
    }
}
