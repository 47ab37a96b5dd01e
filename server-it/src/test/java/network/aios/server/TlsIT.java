package network.aios.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The API over TLS: kubeconfigs and tokens never cross the network in the clear. */
class TlsIT {
    static TestCerts certs;
    static TestServer server;

    @BeforeAll
    static void start() {
        certs = TestCerts.selfSigned();
        server = TestServer.configured(c -> c.withTls(certs.cert, certs.key));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void theApiIsServedOverTlsWithTheGivenCertificate() {
        assertThat(server.url()).startsWith("https://");
        assertThat(server.post("/api/createCluster", new String(TestServer.example("cluster.json")), server.adminToken)
                        .status())
                .isEqualTo(201);
        assertThat(server.get("/api/v1/clusters/cluster-west-vision-001", server.adminToken)
                        .status())
                .isEqualTo(200);
    }

    @Test
    void thereIsNoPlainHttpListenerAndAnUntrustedCertificateIsRefused() {
        HttpClient plain =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        String port = Integer.toString(server.cp.port());
        // plain HTTP to the TLS port gets no API answer
        assertThatThrownBy(() -> {
                    HttpResponse<String> r = plain.send(
                            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/healthz"))
                                    .timeout(Duration.ofSeconds(5))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
                    if (r.statusCode() == 200) {
                        throw new AssertionError("plain HTTP was answered");
                    }
                    throw new java.io.IOException("refused with HTTP " + r.statusCode());
                })
                .isInstanceOf(java.io.IOException.class);
        // a client that does not trust the certificate does not get through
        assertThatThrownBy(() -> plain.send(
                        HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port + "/healthz"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString()))
                .isInstanceOf(javax.net.ssl.SSLHandshakeException.class);
    }

    @Test
    void aKeyThatDoesNotMatchItsCertificateStopsTheStartWithTheReason() throws Exception {
        TestCerts other = TestCerts.selfSigned();
        assertThatThrownBy(() -> TestServer.configured(c -> c.withTls(certs.cert, other.key)))
                .hasMessageContaining("does not belong")
                .hasMessageContaining(other.key.toString());
    }
}
