package network.aios.server.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import network.aios.server.ServerConfig;
import network.aios.server.TestServer;
import org.junit.jupiter.api.Test;

/** Plain HTTP beyond loopback is refused unless the operator says so, and then it is never silent. */
class ListenerPostureIT {
    @Test
    void aNonLoopbackListenerWithoutTlsIsRefused() throws Exception {
        ServerConfig open = ServerConfig.defaults(Files.createTempDirectory("posture"))
                .withHost("0.0.0.0")
                .withPort(0);
        assertThat(open.refusal()).contains("--tls-cert", "--insecure-http");
        assertThatThrownBy(() -> TestServer.configured(c -> c.withHost("0.0.0.0")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--insecure-http");
        assertThat(ServerConfig.defaults(Files.createTempDirectory("posture")).refusal())
                .isNull(); // 127.0.0.1
    }

    @Test
    void withInsecureHttpItStartsAndSaysSoOnHealthz() {
        try (TestServer s = TestServer.configured(c -> c.withHost("0.0.0.0").withInsecureHttp(true))) {
            TestServer.Answer h = s.get("/healthz", null);
            assertThat(h.status()).isEqualTo(200);
            assertThat(h.body().path("warnings").get(0).asString()).contains("plain HTTP", "unencrypted");
        }
        try (TestServer s = new TestServer()) {
            assertThat(s.get("/healthz", null).body().has("warnings")).isFalse();
        }
    }
}
