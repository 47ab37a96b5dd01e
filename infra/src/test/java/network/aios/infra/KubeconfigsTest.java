package network.aios.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import network.aios.api.FieldError;
import network.aios.api.Json;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class KubeconfigsTest {
    static final String SECRET = "s3cr3t-token-value";
    static final String YAML = """
            apiVersion: v1
            kind: Config
            clusters:
            - name: c
              cluster:
                server: https://10.0.0.1:6443
                certificate-authority-data: Y2E=
            users:
            - name: u
              user:
                token: %s
            contexts:
            - name: ctx
              context: {cluster: c, user: u}
            current-context: ctx
            """.formatted(SECRET);

    static JsonNode text(String s) {
        return Json.MAPPER.getNodeFactory().stringNode(s);
    }

    @Test
    void acceptsTheFileTextAJsonObjectAndBase64() throws Exception {
        Kubeconfigs.Parsed fromText = Kubeconfigs.parse(text(YAML), "/kube_config_data");
        assertThat(fromText.server()).isEqualTo("https://10.0.0.1:6443");
        assertThat(fromText.caData()).isEqualTo("Y2E=");
        JsonNode object = Json.YAML.readTree(YAML);
        assertThat(Kubeconfigs.parse(object, "/k").context()).isEqualTo("ctx");
        String b64 = Base64.getEncoder().encodeToString(YAML.getBytes(StandardCharsets.UTF_8));
        assertThat(Kubeconfigs.parse(text(b64), "/k").server()).isEqualTo("https://10.0.0.1:6443");
        assertThat(fromText.toString()).doesNotContain(SECRET);
    }

    @Test
    void refusesPluginsAndFilePaths() {
        String exec = YAML.replace("    token: " + SECRET, "    exec: {command: /bin/sh, args: [-c, id]}");
        KubeconfigException e = catchThrowableOfType(KubeconfigException.class,
                () -> Kubeconfigs.parse(text(exec), "/kube_config_data"));
        assertThat(e.errors()).extracting(FieldError::path).containsExactly("/kube_config_data/users/0/user/exec");
        String file = YAML.replace("certificate-authority-data: Y2E=", "certificate-authority: /etc/passwd");
        assertThat(catchThrowableOfType(KubeconfigException.class, () -> Kubeconfigs.parse(text(file), "/k")).errors())
                .extracting(FieldError::path).containsExactly("/k/clusters/0/cluster/certificate-authority");
    }

    @Test
    void missingPiecesAreNamedAndSecretsNeverEchoed() {
        assertThat(catchThrowableOfType(KubeconfigException.class, () -> Kubeconfigs.parse(Json.object(), "/k"))
                .errors()).extracting(FieldError::path).containsExactly("/k");
        KubeconfigException noContext = catchThrowableOfType(KubeconfigException.class,
                () -> Kubeconfigs.parse(text(YAML.replace("current-context: ctx", "current-context: other")), "/k"));
        assertThat(noContext.errors()).extracting(FieldError::path).containsExactly("/k/current-context");
        KubeconfigException broken = catchThrowableOfType(KubeconfigException.class,
                () -> Kubeconfigs.parse(text("clusters: [\n  token: " + SECRET + "\n  {"), "/k"));
        assertThat(broken.getMessage() + broken.errors()).doesNotContain(SECRET);
    }
}
