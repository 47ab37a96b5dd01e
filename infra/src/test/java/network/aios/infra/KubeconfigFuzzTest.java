package network.aios.infra;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.fabric8.kubernetes.client.Config;
import network.aios.api.Json;
import network.aios.api.kubeconfig.KubeconfigException;
import network.aios.api.kubeconfig.KubeconfigParser;

/**
 * Coverage-guided fuzzing of kubeconfig intake, from the owner's text to the fabric8 configuration the
 * control plane would connect with. Acceptable: our refusal, or a configuration that names no file and
 * no plugin. Jazzer's own sanitizers flag any process started (command injection) meanwhile.
 */
class KubeconfigFuzzTest {
    private static final KubeconfigParser PARSER = new KubeconfigParser(false);

    @FuzzTest(maxDuration = "60s")
    void parsesOrRefusesAndNeverReachesFilesOrPlugins(byte[] data) {
        String text = new String(data, java.nio.charset.StandardCharsets.UTF_8);
        Config config;
        try {
            config =
                    Kubeconfigs.config(PARSER.parse(Json.MAPPER.getNodeFactory().stringNode(text), "/k"));
        } catch (KubeconfigException refused) {
            return;
        }
        if (config.getCaCertFile() != null
                || config.getClientCertFile() != null
                || config.getClientKeyFile() != null
                || config.getAuthProvider() != null
                || config.getOauthTokenProvider() != null
                || config.getHttpsProxy() != null
                || config.getHttpProxy() != null) {
            throw new IllegalStateException("a kubeconfig reached a file, a plugin or a proxy");
        }
    }
}
