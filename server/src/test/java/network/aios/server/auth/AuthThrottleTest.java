package network.aios.server.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import network.aios.server.TestClock;
import org.junit.jupiter.api.Test;

/** The failed-authentication throttle keeps bounded state and does not fail open when it is full. */
class AuthThrottleTest {
    @Test
    void aFloodOfNewKeysDoesNotFreeTheKeyBeingThrottled() {
        TestClock clock = new TestClock(Instant.parse("2026-12-03T12:00:00Z"));
        AuthThrottle throttle = new AuthThrottle(clock);
        for (int i = 0; i < AuthThrottle.LIMIT; i++) {
            throttle.failed("ip:attacker");
        }
        assertThat(throttle.retryAfter("ip:attacker")).isPositive();
        // more new keys than the throttle keeps, while the attacker keeps failing now and then
        for (int i = 0; i < AuthThrottle.MAX_KEYS + 1000; i++) {
            throttle.failed("id:guess-" + i);
            if (i % 10_000 == 0) {
                throttle.failed("ip:attacker");
            }
        }
        assertThat(throttle.retryAfter("ip:attacker")).as("still throttled").isPositive();
        assertThat(throttle.retryAfter("id:guess-0"))
                .as("the oldest quiet key was forgotten")
                .isZero();
        clock.advance(AuthThrottle.WINDOW.plus(Duration.ofSeconds(1)));
        assertThat(throttle.retryAfter("ip:attacker"))
                .as("until its window ends")
                .isZero();
    }
}
