package network.aios.api.kubeconfig;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.stream.Stream;
import network.aios.api.FieldError;
import network.aios.api.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;

class KubeconfigParserTest {
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
              context: {cluster: c, user: u, namespace: team-a}
            current-context: ctx
            """.formatted(SECRET);

    @TempDir
    static Path dir;

    private final KubeconfigParser parser = new KubeconfigParser(false);

    static JsonNode text(String s) {
        return Json.MAPPER.getNodeFactory().stringNode(s);
    }

    static Stream<HostileKubeconfigs.Shape> hostile() {
        return HostileKubeconfigs.all(dir.resolve("marker")).stream();
    }

    @org.junit.jupiter.api.Test
    void aPlainHttpApiServerIsRefusedUnlessTheOperatorAllowsInsecureKubeconfigs() throws Exception {
        JsonNode plain = text(YAML.replace("https://10.0.0.1:6443", "http://10.0.0.1:8080"));
        KubeconfigException e =
                catchThrowableOfType(KubeconfigException.class, () -> parser.parse(plain, "/kube_config_data"));
        assertThat(e).isNotNull();
        assertThat(e.errors()).singleElement().satisfies(f -> {
            assertThat(f.path()).isEqualTo("/kube_config_data/clusters/0/cluster/server");
            assertThat(f.message()).contains("https://", "--allow-insecure-kubeconfig");
        });
        assertThat(new KubeconfigParser(true).parse(plain, "/kube_config_data").server())
                .hasToString("http://10.0.0.1:8080");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("hostile")
    void everyHostileShapeIsRefusedAtAFieldAndRunsNothing(HostileKubeconfigs.Shape shape) {
        KubeconfigException e =
                catchThrowableOfType(KubeconfigException.class, () -> parser.parse(shape.value(), "/kube_config_data"));
        assertThat(e).as(shape.name()).isNotNull();
        assertThat(e.errors()).isNotEmpty().allSatisfy(f -> assertThat(f.path()).startsWith("/kube_config_data"));
        assertThat(Files.exists(dir.resolve("marker"))).isFalse();
    }

    @Test
    void theCorpusHasAtLeastTwentyFiveShapes() {
        assertThat(HostileKubeconfigs.all(dir.resolve("m"))).hasSizeGreaterThanOrEqualTo(25);
    }

    @Test
    void acceptsTheFileTextAJsonObjectAndBase64() throws Exception {
        Kubeconfig fromText = parser.parse(text(YAML), "/kube_config_data");
        assertThat(fromText.server()).hasToString("https://10.0.0.1:6443");
        assertThat(fromText.caData()).isEqualTo("Y2E=");
        assertThat(fromText.token()).isEqualTo(SECRET);
        assertThat(fromText.namespace()).isEqualTo("team-a");
        JsonNode object = Json.YAML.readTree(YAML);
        assertThat(parser.parse(object, "/k")).isEqualTo(fromText);
        String b64 = Base64.getEncoder().encodeToString(YAML.getBytes(StandardCharsets.UTF_8));
        assertThat(parser.parse(text(b64), "/k")).isEqualTo(fromText);
        assertThat(fromText.toString()).doesNotContain(SECRET);
    }

    @Test
    void theCanonicalFormParsesBackToTheSameKubeconfig() throws Exception {
        Kubeconfig kc = parser.parse(text(YAML), "/k");
        assertThat(kc.canonicalJson()).doesNotContain("ctx:").contains(SECRET);
        assertThat(parser.parse(text(kc.canonicalJson()), "/k")).isEqualTo(kc);
    }

    @Test
    void entriesTheCurrentContextDoesNotSelectAreDroppedNotRun() throws Exception {
        // a user's ~/.kube/config often holds other clusters with exec plugins (EKS, GKE) or file paths
        String multi = YAML.replace("users:\n", "users:\n- name: eks\n  user:\n    exec: {command: aws, args: [eks]}\n")
                .replace(
                        "clusters:\n",
                        "clusters:\n- name: mini\n  cluster: {server: https://192.168.49.2:8443, "
                                + "certificate-authority: /home/me/.minikube/ca.crt}\n");
        Kubeconfig kc = parser.parse(text(multi), "/k");
        assertThat(kc.token()).isEqualTo(SECRET);
        assertThat(kc.canonicalJson()).doesNotContain("exec", "aws", "minikube", "192.168.49.2");
    }

    @Test
    void aBadTokenOrPortIsRefusedAtItsField() {
        assertThat(catchThrowableOfType(
                                KubeconfigException.class,
                                () -> parser.parse(
                                        text(YAML.replace("token: " + SECRET, "token: \"t\\u0007x\"")), "/k"))
                        .errors())
                .extracting(FieldError::path)
                .containsExactly("/k/users/0/user/token");
        assertThat(catchThrowableOfType(
                                KubeconfigException.class,
                                () -> parser.parse(text(YAML.replace("10.0.0.1:6443", "10.0.0.1:70000")), "/k"))
                        .errors())
                .extracting(FieldError::path)
                .containsExactly("/k/clusters/0/cluster/server");
    }

    @Test
    void insecureIsAnOperatorsChoice() throws Exception {
        String insecure = YAML.replace("certificate-authority-data: Y2E=", "insecure-skip-tls-verify: true");
        assertThat(catchThrowableOfType(KubeconfigException.class, () -> parser.parse(text(insecure), "/k"))
                        .errors())
                .extracting(FieldError::path)
                .containsExactly("/k/clusters/0/cluster/insecure-skip-tls-verify");
        assertThat(new KubeconfigParser(true).parse(text(insecure), "/k").insecure())
                .isTrue();
    }

    @Test
    void refusedFieldsAreNamedPrecisely() {
        String exec = YAML.replace("    token: " + SECRET, "    exec: {command: /bin/sh, args: [-c, id]}");
        KubeconfigException e =
                catchThrowableOfType(KubeconfigException.class, () -> parser.parse(text(exec), "/kube_config_data"));
        assertThat(e.errors()).extracting(FieldError::path).containsExactly("/kube_config_data/users/0/user/exec");
        String file = YAML.replace("certificate-authority-data: Y2E=", "certificate-authority: /etc/passwd");
        assertThat(catchThrowableOfType(KubeconfigException.class, () -> parser.parse(text(file), "/k"))
                        .errors())
                .extracting(FieldError::path)
                .containsExactly("/k/clusters/0/cluster/certificate-authority");
        String alias = "x: &u {token: t}\n" + YAML;
        assertThat(catchThrowableOfType(KubeconfigException.class, () -> parser.parse(text(alias), "/k"))
                        .errors())
                .extracting(FieldError::message)
                .singleElement()
                .asString()
                .contains("anchor");
    }

    @Test
    void missingPiecesAreNamedAndSecretsNeverEchoed() {
        assertThat(catchThrowableOfType(KubeconfigException.class, () -> parser.parse(Json.object(), "/k"))
                        .errors())
                .extracting(FieldError::path)
                .containsExactly("/k");
        KubeconfigException noContext = catchThrowableOfType(
                KubeconfigException.class,
                () -> parser.parse(text(YAML.replace("current-context: ctx", "current-context: other")), "/k"));
        assertThat(noContext.errors()).extracting(FieldError::path).containsExactly("/k/current-context");
        KubeconfigException broken = catchThrowableOfType(
                KubeconfigException.class, () -> parser.parse(text("clusters: [\n  token: " + SECRET + "\n  {"), "/k"));
        assertThat(broken.getMessage() + broken.errors()).doesNotContain(SECRET);
        KubeconfigException badCa = catchThrowableOfType(
                KubeconfigException.class, () -> parser.parse(text(YAML.replace("Y2E=", "not base64!")), "/k"));
        assertThat(badCa.errors())
                .extracting(FieldError::path)
                .containsExactly("/k/clusters/0/cluster/certificate-authority-data");
        assertThat(List.of(badCa.getMessage())).noneMatch(m -> m.contains(SECRET));
    }
}
