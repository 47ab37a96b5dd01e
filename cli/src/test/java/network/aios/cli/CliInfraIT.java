package network.aios.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import network.aios.infra.InfraNames;
import network.aios.server.KubeTestCluster;
import network.aios.server.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** aios cluster preflight / infra create|status|render|remove against a real kube-apiserver. */
class CliInfraIT {
    static KubeTestCluster kube;
    static Process kubelet;

    @BeforeAll
    static void start() {
        CliIT.start();
        kube = KubeTestCluster.shared();
        kube.prepare(List.of("node-1", "node-2"));
        kube.awaitNamespaceGone(InfraNames.NAMESPACE);
        kubelet = kube.fakeKubelet(InfraNames.NAMESPACE, 600);
    }

    @AfterAll
    static void stop() {
        kubelet.destroy();
        CliIT.stop();
    }

    @Test
    void preflightCreateRenderAndRemove() throws Exception {
        assertThat(CliIT.server.post("/api/createCluster", TestServer.seedWithId("cli-infra"), CliIT.server.adminToken)
                .status()).isEqualTo(201);
        Path kc = Files.createTempFile("owner", ".yaml");
        Files.writeString(kc, kube.ownerKubeconfigYaml());

        CliIT.Run pre = CliIT.aios("cluster", "preflight", "cli-infra", "--kubeconfig", kc.toString());
        assertThat(pre.exit()).as(pre.err()).isZero();
        assertThat(pre.out()).contains("PASS", "node-labels", "WARN", "external-nodes", "fix external-nodes:");

        CliIT.Run created = CliIT.aios("cluster", "infra", "create", "cli-infra", "--kubeconfig", kc.toString(), "--wait");
        assertThat(created.exit()).as(created.out() + created.err()).isZero();
        assertThat(created.out()).contains("cluster creation scheduled: job", "WaitingReady", "done: Ready");

        assertThat(CliIT.aios("cluster", "infra", "render", "cli-infra").out())
                .contains("kind: \"Deployment\"", "nodePort: 32303", "<redacted>");
        assertThat(CliIT.aios("cluster", "infra", "status", "cli-infra").out()).contains("state: \"Ready\"", "inventory");

        CliIT.Run removed;
        try (AutoCloseable kubeletPart = kube.podTerminator(InfraNames.NAMESPACE)) {
            removed = CliIT.aios("cluster", "infra", "remove", "cli-infra", "--wait");
        }
        assertThat(removed.exit()).as(removed.out() + removed.err()).isZero();
        assertThat(removed.out()).contains("done: Removed", "deleted  Deployment aios-system/aios-controller",
                "deleted  Namespace aios-system");
        kube.awaitNamespaceGone(InfraNames.NAMESPACE);
        assertThat(kube.everythingLabelled(InfraNames.CLUSTER_LABEL + "=cli-infra")).isEmpty();
    }
}
