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

    private static final String A = AgentCa.identity("cluster-a", "r1");

    @Test
    void aClustersCertificateNamesItsRegistrationAndNothingElseAndChainsToTheCa() throws Exception {
        AgentCa.Issued issued = ca.issue(A, NOW);
        X509Certificate leaf = Pem.certificates(issued.certificatePem()).get(0);
        leaf.verify(Pem.certificates(ca.certificatePem()).get(0).getPublicKey());
        assertThat(AgentCa.uris(leaf)).containsExactly("spiffe://aios.network/cluster/cluster-a/r1");
        assertThat(leaf.getSubjectAlternativeNames()).hasSize(1); // no host names: owners choose those
        assertThat(leaf.getSubjectX500Principal().getName()).doesNotContain("CN=");
        assertThat(leaf.getBasicConstraints()).isEqualTo(-1); // not a CA: it cannot sign another cluster's
        assertThat(leaf.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.1");
        assertThat(issued.notAfter()).isEqualTo(NOW.plus(AgentCa.LEAF_VALIDITY));
        assertThat(issued.toString()).doesNotContain("PRIVATE");
    }

    @Test
    void theCaSurvivesStorageAsDerAndPkcs8() {
        AgentCa again = AgentCa.load(ca.certificateDer(), ca.privateKeyPkcs8());
        assertThat(ca.stillServes(again.issue(A, NOW), A, NOW)).isTrue();
    }

    @Test
    void aStoredCertificateIsReissuedNearExpiryForAnotherRegistrationOrAnotherCa() {
        AgentCa.Issued issued = ca.issue(A, NOW);
        assertThat(ca.stillServes(issued, A, NOW.plusSeconds(86400 * 300))).isTrue();
        assertThat(ca.stillServes(issued, A, NOW.plusSeconds(86400 * 306))).isFalse();
        assertThat(ca.stillServes(issued, AgentCa.identity("cluster-a", "r2"), NOW))
                .isFalse();
        assertThat(AgentCa.create("other", NOW).stillServes(issued, A, NOW)).isFalse();
        assertThat(ca.stillServes(null, A, NOW)).isFalse();
    }

    @Test
    void anythingButAnIdentityIsRefused() {
        assertThatThrownBy(() -> AgentCa.identity("a/../b", "r1")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> AgentCa.identity("a", "r/1")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ca.issue("https://evil.example", NOW)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aClientTrustsTheRegistrationsAgentsAndNoOneElse(@TempDir Path dir) throws Exception {
        int port = serve(dir, ca.issue(A, Instant.now()));
        URI url = URI.create("https://127.0.0.1:" + port + "/"); // no host name is checked: the identity is
        assertThat(get(AgentTrust.forIdentity(ca.certificatePem(), A), url)).isEqualTo("ok");
        // the right CA, another cluster: cluster-b's owner cannot pose as cluster-a's agents
        assertThatThrownBy(() ->
                        get(AgentTrust.forIdentity(ca.certificatePem(), AgentCa.identity("cluster-b", "r1")), url))
                .isInstanceOf(SSLHandshakeException.class);
        // the same id registered again (another owner): the former registration's certificate does not pass
        assertThatThrownBy(() ->
                        get(AgentTrust.forIdentity(ca.certificatePem(), AgentCa.identity("cluster-a", "r2")), url))
                .isInstanceOf(SSLHandshakeException.class);
        // another network's CA
        assertThatThrownBy(() ->
                        get(AgentTrust.forIdentity(AgentCa.create("x", NOW).certificatePem(), A), url))
                .isInstanceOf(SSLHandshakeException.class);
    }

    @Test
    void aCertificateFromTheClustersOwnKeyIsNotTrusted(@TempDir Path dir) throws Exception {
        // the member cluster's admin makes a CA of their own and a certificate naming cluster-a
        AgentCa forged = AgentCa.create("test-network", NOW);
        int port = serve(dir, forged.issue(A, Instant.now()));
        assertThatThrownBy(() -> get(
                        AgentTrust.forIdentity(ca.certificatePem(), A), URI.create("https://127.0.0.1:" + port + "/")))
                .isInstanceOf(SSLHandshakeException.class);
    }

    @Test
    void theCaVouchesForNoHostNameOrAddressEvenWithItsOwnKey(@TempDir Path dir) throws Exception {
        // someone trusted the agent CA system-wide; OpenSSL (curl), like Go and browsers, enforces a root's name
        // constraints (Java's PKIX does not, so this asks openssl): only the network's identities pass
        X509Certificate caCert = Pem.certificates(ca.certificatePem()).get(0);
        java.security.PrivateKey caKey = Pem.privateKey(Pem.encode("PRIVATE KEY", ca.privateKeyPkcs8()));
        Path caFile = Files.writeString(dir.resolve("ca.pem"), ca.certificatePem());
        assertThat(opensslVerify(
                        caFile,
                        Files.writeString(
                                dir.resolve("ok.pem"),
                                ca.issue(A, Instant.now()).certificatePem())))
                .contains(": OK");
        int n = 0;
        for (org.bouncycastle.asn1.x509.GeneralName name : List.of(
                new org.bouncycastle.asn1.x509.GeneralName(
                        org.bouncycastle.asn1.x509.GeneralName.dNSName, "bank.example"),
                new org.bouncycastle.asn1.x509.GeneralName(
                        org.bouncycastle.asn1.x509.GeneralName.iPAddress, "10.0.0.5"),
                new org.bouncycastle.asn1.x509.GeneralName(
                        org.bouncycastle.asn1.x509.GeneralName.uniformResourceIdentifier,
                        "spiffe://elsewhere.example/x"))) {
            Path rogue = Files.writeString(
                    dir.resolve("rogue-" + n++ + ".pem"),
                    Pem.encode("CERTIFICATE", rogueLeaf(caCert, caKey, name).getEncoded()));
            assertThat(opensslVerify(caFile, rogue))
                    .as(name.toString())
                    .contains("subtree violation")
                    .doesNotContain(": OK");
        }
    }

    private static String opensslVerify(Path ca, Path cert) throws Exception {
        Process p = new ProcessBuilder(
                        "openssl", "verify", "-CAfile", ca.toString(), "-purpose", "sslserver", cert.toString())
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        p.waitFor();
        return out;
    }

    private static X509Certificate rogueLeaf(
            X509Certificate caCert, java.security.PrivateKey caKey, org.bouncycastle.asn1.x509.GeneralName name)
            throws Exception {
        java.security.KeyPairGenerator g = java.security.KeyPairGenerator.getInstance("EC");
        g.initialize(256);
        java.security.KeyPair pair = g.generateKeyPair();
        var b = new org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder(
                caCert,
                java.math.BigInteger.TEN,
                java.util.Date.from(Instant.now().minusSeconds(60)),
                java.util.Date.from(Instant.now().plusSeconds(3600)),
                new org.bouncycastle.asn1.x500.X500Name("O=rogue"),
                pair.getPublic());
        b.addExtension(
                org.bouncycastle.asn1.x509.Extension.subjectAlternativeName,
                true,
                new org.bouncycastle.asn1.x509.GeneralNames(name));
        b.addExtension(
                org.bouncycastle.asn1.x509.Extension.extendedKeyUsage,
                false,
                new org.bouncycastle.asn1.x509.ExtendedKeyUsage(
                        org.bouncycastle.asn1.x509.KeyPurposeId.id_kp_serverAuth));
        return new org.bouncycastle.cert.jcajce.JcaX509CertificateConverter()
                .getCertificate(b.build(
                        new org.bouncycastle.operator.jcajce.JcaContentSignerBuilder("SHA256withECDSA").build(caKey)));
    }

    private int serve(Path dir, AgentCa.Issued issued) throws Exception {
        Path cert = Files.writeString(dir.resolve("tls.crt"), issued.certificatePem());
        Path key = Files.writeString(dir.resolve("tls.key"), issued.keyPem());
        server = new Server();
        ServerConnector c = (ServerConnector)
                TlsListener.load(cert, key).connector(server, new HttpConfiguration(), "127.0.0.1", 0);
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
        return HttpClient.newBuilder()
                .sslContext(ssl)
                .build()
                .send(HttpRequest.newBuilder(url).build(), HttpResponse.BodyHandlers.ofString())
                .body();
    }
}
