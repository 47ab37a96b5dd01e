package network.aios.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code --role=pull} needs only the control plane's URL (the cluster id comes from the exchange); the other
 * roles keep their requirements; no settings' text shows the bootstrap token.
 */
class PullOptionsTest {
    @Test
    void thePullRoleNeedsOnlyTheControlPlane(@TempDir Path dir) throws Exception {
        Path token = Files.writeString(dir.resolve("token"), "aiosjoin_0123456789abcdef_secretsecretsecret\n");
        AgentMain main = parse(
                "--role=pull",
                "--control-plane=http://127.0.0.1:1",
                "--bootstrap-token-file=" + token,
                "--state-dir=" + dir.resolve("state"),
                "--kubeconfig=" + dir.resolve("kc"),
                "--rotate-hours=0.5");
        AgentConfig config = main.pullConfig();
        assertThat(config.clusterId()).isNull();
        assertThat(config.pull().bootstrap().value()).isEqualTo("aiosjoin_0123456789abcdef_secretsecretsecret");
        assertThat(config.pull().rotateAfter()).isEqualTo(Duration.ofMinutes(30));
        assertThat(config.toString()).doesNotContain("secret").contains("bootstrap token");
        config.pull().bootstrap().forget();
        assertThat(config.pull().bootstrap().value()).isNull();
    }

    @Test
    void withoutTheControlPlaneOrOutsideAPodWithoutAStateDirItRefusesToStart(@TempDir Path dir) {
        assertThatThrownBy(() -> parse("--role=pull").pullConfig())
                .isInstanceOf(CommandLine.ParameterException.class)
                .hasMessageContaining("control plane's URL");
        assertThatThrownBy(() -> parse("--role=pull", "--control-plane=http://x", "--kubeconfig=" + dir.resolve("kc"))
                        .pullConfig())
                .isInstanceOf(CommandLine.ParameterException.class)
                .hasMessageContaining("--state-dir");
    }

    @Test
    void theOtherRolesKeepTheirRequirements() {
        assertThatThrownBy(() ->
                        parse("--role=controller", "--control-plane=http://x").start())
                .isInstanceOf(CommandLine.ParameterException.class)
                .hasMessageContaining("the cluster id (AIOS_CLUSTER_ID)")
                .hasMessageContaining("the agent token (AIOS_AGENT_TOKEN) are needed");
    }

    private static AgentMain parse(String... args) {
        AgentMain main = new AgentMain();
        new CommandLine(main).parseArgs(args);
        return main;
    }
}
