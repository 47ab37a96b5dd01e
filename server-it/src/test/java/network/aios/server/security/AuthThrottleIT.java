package network.aios.server.security;

import static org.assertj.core.api.Assertions.assertThat;

import network.aios.server.TestServer;
import network.aios.server.TestServer.Answer;
import network.aios.server.auth.AuthThrottle;
import org.junit.jupiter.api.Test;

/** Guessing tokens gets slow: past the limit of wrong credentials a minute, 429 with Retry-After. */
class AuthThrottleIT {
    static final String WRONG = "aios_0123456789abcdef_" + "A".repeat(43);

    @Test
    void wrongCredentialsPastTheLimitAre429WithRetryAfter() {
        try (TestServer server = new TestServer()) {
            for (int i = 0; i < AuthThrottle.LIMIT; i++) {
                assertThat(server.get("/api/v1/clusters", WRONG).status()).isEqualTo(401);
            }
            Answer throttled = server.get("/api/v1/clusters", WRONG);
            assertThat(throttled.status()).isEqualTo(429);
            assertThat(throttled.text("/error/code")).isEqualTo("too_many_failed_authentications");
            long retry =
                    Long.parseLong(throttled.headers().firstValue("Retry-After").orElseThrow());
            assertThat(retry).isBetween(1L, AuthThrottle.WINDOW.toSeconds() + 1);
            // the address is throttled for any wrong credential until the window ends ...
            assertThat(server.get("/api/v1/clusters", "aios_fedcba9876543210_" + "B".repeat(43))
                            .status())
                    .isEqualTo(429);
            // ... a request without credentials is just told to authenticate ...
            assertThat(server.get("/api/v1/clusters", null).status()).isEqualTo(401);
            // ... and a valid token from the same address is never locked out
            assertThat(server.get("/api/v1/clusters", server.adminToken).status())
                    .isEqualTo(200);
        }
    }
}
