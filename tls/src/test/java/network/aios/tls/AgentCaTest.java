package network.aios.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import javax.net.ssl.SSLHandshakeException;
import network.aios.api.Pem;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AgentCaTest {
    private static final Instant NOW = Instant.parse("2026-11-30T12:00:00Z");
    private final AgentCa ca = AgentCa.create("test-network", NOW);
    private Server server;

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            server.stop();
        }
    }

    @Test
    void aClustersCertificateNamesTheClusterAndItsHostsAndChainsToTheCa() throws Exception {
        AgentCa.Issued issued = ca.issue("cluster-a", List.of("203.0.113.7", "gpu.example.com"), NOW);
        X509Certificate leaf = Pem.certificates(issued.certificatePem()).get(0);
        leaf.verify(Pem.certificates(ca.certificatePem()).get(0).getPublicKey());
        assertThat(AgentCa.uris(leaf)).containsExactly("spiffe://aios.network/cluster/cluster-a");
        assertThat(leaf.getSubjectAlternativeNames().stream().map(e -> (Object) e.get(1)).toList())
                .contains("203.0.113.7", "gpu.example.com");
        assertThat(leaf.getBasicConstraints()).isEqualTo(-1); // not a CA: it cannot sign another cluster's
        assertThat(leaf.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.1");
        assertThat(issued.notAfter()).isEqualTo(NOW.plus(AgentCa.LEAF_VALIDITY));
        assertThat(issued.toString()).doesNotContain("PRIVATE");
    }

    @Test
    void theCaSurvivesStorageAsDerAndPkcs8() {
        AgentCa again = AgentCa.load(ca.certificateDer(), ca.privateKeyPkcs8());
        AgentCa.Issued issued = again.issue("cluster-a", List.of("h"), NOW);
        assertThat(ca.stillServes(issued, "cluster-a", List.of("h"), NOW)).isTrue();
    }

    @Test
    void aStoredCertificateIsReissuedNearExpiryForOtherHostsAnotherClusterOrAnotherCa() {
        AgentCa.Issued issued = ca.issue("cluster-a", List.of("h1", "h2"), NOW);
        assertThat(ca.stillServes(issued, "cluster-a", List.of("h2", "h1"), NOW.plusSeconds(86400 * 300))).isTrue();
        assertThat(ca.stillServes(issued, "cluster-a", List.of("h1", "h2"), NOW.plusSeconds(86400 * 306))).isFalse();
        assertThat(ca.stillServes(issued, "cluster-a", List.of("h1"), NOW)).isFalse();
        assertThat(ca.stillServes(issued, "cluster-b", List.of("h1", "h2"), NOW)).isFalse();
        assertThat(AgentCa.create("other", NOW).stillServes(issued, "cluster-a", List.of("h1", "h2"), NOW)).isFalse();
        assertThat(ca.stillServes(null, "cluster-a", List.of(), NOW)).isFalse();
    }

    @Test
    void anythingButAClusterIdIsRefusedAsTheIdentity() {
        assertThatThrownBy(() -> ca.issue("a/../b", List.of(), NOW)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ca.issue("A", List.of(), NOW)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aClientTrustsTheClustersAgentsAndNoOneElse(@TempDir Path dir) throws Exception {
        AgentCa.Issued a = ca.issue("cluster-a", List.of("gpu.example.com"), Instant.now());
        int port = serve(dir, a);
        URI url = URI.create("https://127.0.0.1:" + port + "/"); // not a name the certificate lists: identity decides
        assertThat(get(AgentTrust.forCluster(ca.certificatePem(), "cluster-a"), url)).isEqualTo("ok");
        // the right CA, another cluster: cluster-b's owner cannot pose as cluster-a's agents
        assertThatThrownBy(() -> get(AgentTrust.forCluster(ca.certificatePem(), "cluster-b"), url))
                .isInstanceOf(SSLHandshakeException.class);
        // another network's CA
        assertThatThrownBy(() -> get(AgentTrust.forCluster(AgentCa.create("x", NOW).certificatePem(), "cluster-a"),
                url)).isInstanceOf(SSLHandshakeException.class);
    }

    @Test
    void aCertificateFromTheClustersOwnKeyIsNotTrusted(@TempDir Path dir) throws Exception {
        // the member cluster's admin makes a CA of their own and a certificate naming cluster-a
        AgentCa forged = AgentCa.create("test-network", NOW);
        int port = serve(dir, forged.issue("cluster-a", List.of("127.0.0.1"), Instant.now()));
        assertThatThrownBy(() -> get(AgentTrust.forCluster(ca.certificatePem(), "cluster-a"),
                URI.create("https://127.0.0.1:" + port + "/"))).isInstanceOf(SSLHandshakeException.class);
    }

    private int serve(Path dir, AgentCa.Issued issued) throws Exception {
        Path cert = Files.writeString(dir.resolve("tls.crt"), issued.certificatePem());
        Path key = Files.writeString(dir.resolve("tls.key"), issued.keyPem());
        server = new Server();
        ServerConnector c = (ServerConnector) TlsListener.load(cert, key).connector(server, new HttpConfiguration(),
                "127.0.0.1", 0);
        server.addConnector(c);
        server.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain");
                response.write(true, java.nio.ByteBuffer.wrap("ok".getBytes()), callback);
                return true;
            }
        });
        server.start();
        return c.getLocalPort();
    }

    private static String get(javax.net.ssl.SSLContext ssl, URI url) throws Exception {
        return HttpClient.newBuilder().sslContext(ssl).build()
                .send(HttpRequest.newBuilder(url).build(), HttpResponse.BodyHandlers.ofString()).body();
    }
}
