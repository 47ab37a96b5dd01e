package network.aios.member;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.Config;
import java.net.URI;
import network.aios.api.kubeconfig.Kubeconfig;
import org.junit.jupiter.api.Test;

/** The client configuration is what the parsed kubeconfig says, and nothing from this machine. */
class KubeconfigsTest {
    @Test
    void builtFromTheRecordAloneIgnoringThisMachinesKubeconfigAndSettings() {
        String[] props = {
            "kubernetes.master", "kubeconfig", "kubernetes.auth.token", "kubernetes.certs.ca.file", "https.proxy"
        };
        try {
            System.setProperty("kubernetes.master", "https://203.0.113.9:6443");
            System.setProperty("kubeconfig", "/etc/passwd");
            System.setProperty("kubernetes.auth.token", "not-ours");
            System.setProperty("kubernetes.certs.ca.file", "/etc/shadow");
            System.setProperty("https.proxy", "http://127.0.0.1:9");
            Config c = Kubeconfigs.config(new Kubeconfig(
                    "ctx", URI.create("https://10.0.0.1:6443"), "Y2E=", false, "tok", null, null, null, null, "team"));
            assertThat(c.getMasterUrl()).isEqualTo("https://10.0.0.1:6443/");
            assertThat(c.getOauthToken()).isEqualTo("tok");
            assertThat(c.getCaCertData()).isEqualTo("Y2E=");
            assertThat(c.getCaCertFile()).isNull();
            assertThat(c.getNamespace()).isEqualTo("team");
            assertThat(c.getHttpsProxy()).isNull();
            assertThat(c.isTrustCerts()).isFalse();
            assertThat(c.getRequestRetryBackoffLimit()).isZero();
        } finally {
            for (String p : props) {
                System.clearProperty(p);
            }
        }
    }
}
