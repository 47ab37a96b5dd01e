package network.aios.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import network.aios.member.desired.AddonDeployment;
import network.aios.member.desired.InfraNames;
import network.aios.server.KubeTestCluster;
import network.aios.server.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** aios cluster preflight / infra create|status|render|remove against a real kube-apiserver. */
class CliInfraIT {
    static KubeTestCluster kube;
    static network.aios.server.KubeletStandIn kubelet;
    static network.aios.server.KubeletStandIn executorKubelet;

    @BeforeAll
    static void start() {
        CliIT.start();
        kube = KubeTestCluster.shared();
        kube.prepare(List.of("node-1", "node-2"));
        kube.awaitNamespaceGone(InfraNames.NAMESPACE);
        kube.awaitNamespaceGone(AddonDeployment.EXECUTOR_NAMESPACE);
        kubelet = kube.fakeKubelet(InfraNames.NAMESPACE, 600);
        executorKubelet = kube.fakeKubelet(AddonDeployment.EXECUTOR_NAMESPACE, 600);
    }

    @AfterAll
    static void stop() {
        kubelet.destroy();
        executorKubelet.destroy();
        CliIT.stop();
    }

    @Test
    void preflightCreateRenderAndRemove() throws Exception {
        assertThat(CliIT.server
                        .post("/api/createCluster", TestServer.seedWithId("cli-infra"), CliIT.server.adminToken)
                        .status())
                .isEqualTo(201);
        Path kc = Files.createTempFile("owner", ".yaml");
        Files.writeString(kc, kube.ownerKubeconfigYaml());

        CliIT.Run pre = CliIT.aios("cluster", "preflight", "cli-infra", "--kubeconfig", kc.toString());
        assertThat(pre.exit()).as(pre.err()).isZero();
        assertThat(pre.out()).contains("PASS", "node-labels", "WARN", "external-nodes", "fix external-nodes:");

        CliIT.Run created =
                CliIT.aios("cluster", "infra", "create", "cli-infra", "--kubeconfig", kc.toString(), "--wait");
        assertThat(created.exit()).as(created.out() + created.err()).isZero();
        assertThat(created.out())
                // progress from the queued job to its end (the states between are seen only if they last: with
                // the in-process kubelet stand-in, WaitingReady can be over before the CLI looks)
                .contains("cluster creation scheduled: job", "create queued", "done: Ready")
                .doesNotContain(" 0/0", "Ready (Ready)");

        assertThat(CliIT.aios("cluster", "infra", "render", "cli-infra").out())
                .contains("kind: \"Deployment\"", "nodePort: 32303", "<redacted>");
        assertThat(CliIT.aios("cluster", "infra", "status", "cli-infra").out())
                .contains("state:     Ready: ", "objects:   ")
                .doesNotContain("inventory");
        assertThat(CliIT.aios("cluster", "infra", "status", "cli-infra", "-o", "yaml")
                        .out())
                .contains("state: \"Ready\"", "inventory", "kind: \"Deployment\"");

        CliIT.Run removed;
        try (AutoCloseable kubeletPart = kube.podTerminator(InfraNames.NAMESPACE)) {
            removed = CliIT.aios("cluster", "infra", "remove", "cli-infra", "--wait");
        }
        assertThat(removed.exit()).as(removed.out() + removed.err()).isZero();
        // the job again, by the id the removal printed
        java.util.regex.Matcher jobId =
                java.util.regex.Pattern.compile("job (job-[0-9a-f-]+)").matcher(removed.out());
        assertThat(jobId.find()).as(removed.out()).isTrue();
        assertThat(CliIT.aios("job", "get", jobId.group(1)).out())
                .contains("remove job " + jobId.group(1) + " for cluster cli-infra", "done: Removed");
        assertThat(removed.out())
                .contains(
                        "done: Removed",
                        "deleted  Deployment aios-system/aios-controller",
                        "deleted  Namespace aios-system");
        kube.awaitNamespaceGone(InfraNames.NAMESPACE);
        assertThat(kube.everythingLabelled(InfraNames.CLUSTER_LABEL + "=cli-infra"))
                .isEmpty();
    }

    @Test
    void anExecutorIsRegisteredDeployedAndDeletedWithItsInfrastructure() throws Exception {
        Path kc = Files.createTempFile("owner", ".yaml");
        Files.writeString(kc, kube.ownerKubeconfigYaml());
        Path doc = Files.createTempFile("executor", ".json");
        Files.writeString(doc, "{\"executor_id\": \"cli-executor\", \"executor_tags\": [\"cel\"]}");
        CliIT.Run registered = CliIT.aios("executor", "create", "-f", doc.toString());
        assertThat(registered.exit()).as(registered.err()).isZero();

        CliIT.Run deployed =
                CliIT.aios("executor", "infra", "create", "cli-executor", "--kubeconfig", kc.toString(), "--wait");
        assertThat(deployed.exit()).as(deployed.out() + deployed.err()).isZero();
        assertThat(deployed.out()).contains("executor deployment scheduled: job", "done: Ready");
        assertThat(CliIT.aios("executor", "list").out()).contains("cli-executor", ":30900");

        CliIT.Run deleted;
        try (AutoCloseable kubeletPart = kube.podTerminator(AddonDeployment.EXECUTOR_NAMESPACE)) {
            deleted = CliIT.aios("executor", "delete", "cli-executor", "--cascade", "--wait");
        }
        assertThat(deleted.exit()).as(deleted.out() + deleted.err()).isZero();
        assertThat(deleted.out()).contains("done: Removed", "deleted  Service policies-system/cli-executor");
        assertThat(CliIT.aios("executor", "get", "cli-executor").exit()).isNotZero();
        kube.awaitNamespaceGone(AddonDeployment.EXECUTOR_NAMESPACE);
        assertThat(kube.everythingLabelled(AddonDeployment.ADDON_LABEL + "=cli-executor"))
                .isEmpty();
    }
}
