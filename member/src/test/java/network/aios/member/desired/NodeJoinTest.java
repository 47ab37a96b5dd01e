package network.aios.member.desired;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.Secret;
import java.io.InputStream;
import java.time.Instant;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class NodeJoinTest {
    /** What kubeadm's documented pipeline prints for this CA: {@code openssl x509 -pubkey | openssl rsa -pubin
     * -outform der | openssl dgst -sha256 -hex}. */
    static final String OPENSSL_HASH = "sha256:02c33b5569dd29c9af1a1bd29c0a13e97b44f9f971f8aa2a2274f6dac6c976b9";

    static byte[] ca() throws Exception {
        try (InputStream in = NodeJoinTest.class.getResourceAsStream("/node-join-ca.crt")) {
            return in.readAllBytes();
        }
    }

    @Test
    void theDiscoveryHashIsTheOneOpensslComputesForKubeadm() throws Exception {
        assertThat(NodeJoin.caCertHash(ca())).isEqualTo(OPENSSL_HASH);
    }

    @Test
    void theBootstrapSecretIsWhatKubeadmAndTheBootstrapAuthenticatorRead() {
        NodeJoin.Token t = new NodeJoin.Token("abc123", "0123456789abcdef");
        Secret s = NodeJoin.bootstrapSecret("c1", "gpu-9", t, Instant.parse("2026-12-03T21:00:00.123Z"));
        assertThat(s.getMetadata().getName()).isEqualTo("bootstrap-token-abc123");
        assertThat(s.getMetadata().getNamespace()).isEqualTo("kube-system");
        assertThat(s.getType()).isEqualTo("bootstrap.kubernetes.io/token");
        assertThat(s.getStringData())
                .containsEntry("token-id", "abc123")
                .containsEntry("token-secret", "0123456789abcdef")
                .containsEntry("expiration", "2026-12-03T21:00:00Z")
                .containsEntry("usage-bootstrap-authentication", "true")
                .containsEntry("usage-bootstrap-signing", "true")
                .containsEntry("auth-extra-groups", "system:bootstrappers:kubeadm:default-node-token");
        assertThat(s.getMetadata().getLabels())
                .containsEntry(NodeJoin.NODE_LABEL, "gpu-9")
                .containsEntry(InfraNames.CLUSTER_LABEL, "c1");
    }

    @Test
    void aTokenHasKubeadmsShapeAndNeverPrintsItsSecret() {
        NodeJoin.Token t = new NodeJoin.Token("abc123", "0123456789abcdef");
        assertThat(t.value()).isEqualTo("abc123.0123456789abcdef");
        assertThat(t.toString()).doesNotContain("0123456789abcdef");
        assertThatThrownBy(() -> new NodeJoin.Token("ABC123", "0123456789abcdef"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new NodeJoin.Token("abc123", "short")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void clusterInfoGivesTheEndpointAndThePinAndRefusesWhatItCannotRead() throws Exception {
        String kc = "apiVersion: v1\nkind: Config\nclusters:\n- cluster:\n    certificate-authority-data: "
                + Base64.getEncoder().encodeToString(ca()) + "\n    server: https://10.0.0.5:6443\n  name: \"\"\n"
                + "contexts: null\ncurrent-context: \"\"\npreferences: {}\nusers: null\n";
        NodeJoin.ClusterInfo info = NodeJoin.clusterInfo(kc).orElseThrow();
        assertThat(info.endpoint()).isEqualTo("10.0.0.5:6443");
        assertThat(info.caCertHash()).isEqualTo(OPENSSL_HASH);
        assertThat(info.joinCommand(new NodeJoin.Token("abc123", "0123456789abcdef")))
                .isEqualTo("kubeadm join 10.0.0.5:6443 --token abc123.0123456789abcdef "
                        + "--discovery-token-ca-cert-hash " + OPENSSL_HASH);
        assertThat(NodeJoin.clusterInfo("clusters: [{cluster: {server: 'http://x:80'}}]"))
                .isEmpty();
        assertThat(NodeJoin.clusterInfo("clusters: [{cluster: {server: 'https://x:6443', "
                        + "certificate-authority-data: bm90IGEgY2VydA==}}]"))
                .isEmpty();
        assertThat(NodeJoin.clusterInfo("&a [*a]")).isEmpty();
        String ca64 = Base64.getEncoder().encodeToString(ca());
        java.util.function.Function<String, java.util.Optional<NodeJoin.ClusterInfo>> at =
                server -> NodeJoin.clusterInfo(
                        "clusters: [{cluster: {server: '" + server + "', certificate-authority-data: " + ca64 + "}}]");
        assertThat(at.apply("https://api.example.com").orElseThrow().endpoint()).isEqualTo("api.example.com:443");
        assertThat(at.apply("https://[fd00::1]:6443/").orElseThrow().endpoint()).isEqualTo("[fd00::1]:6443");
        for (String hostile : new String[] {
            "https://x:6443;reboot",
            "https://a b:6443",
            "https://u@x:6443",
            "https://x:6443/?q=1",
            "https://x:99999",
            "https://x:6443/$(id)",
            "https://-x:6443"
        }) {
            assertThat(at.apply(hostile)).as(hostile).isEmpty();
        }
        assertThat(NodeJoin.clusterInfo(null)).isEmpty();
    }
}
