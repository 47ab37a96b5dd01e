package network.aios.server.infra;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import network.aios.api.Json;
import network.aios.member.desired.InfraNames;
import network.aios.server.KubeTestCluster;
import network.aios.server.TestServer;
import network.aios.server.TestServer.Answer;
import network.aios.store.Database;
import network.aios.store.TestPostgres;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Creating the infrastructure again is a no-op only while nothing would change: after an upgrade of
 * the control plane (here, a new agent image) it re-applies, and the cluster runs the new image.
 */
class InfraUpgradeIT {
    static final String CLUSTER = "upgraded";

    static JsonNode awaitJob(TestServer server, String id) {
        return server.awaitJob(id);
    }

    static String createBody(KubeTestCluster kube) {
        return "{\"cluster_id\": \"" + CLUSTER + "\", \"kube_config_data\": "
                + Json.MAPPER.writeValueAsString(kube.ownerKubeconfigYaml()) + "}";
    }

    @Test
    void anUpgradeReappliesAndAnUnchangedCreateDoesNot() throws Exception {
        KubeTestCluster kube = KubeTestCluster.shared();
        kube.prepare(List.of("node-1", "node-2"));
        kube.awaitNamespaceGone(InfraNames.NAMESPACE);
        network.aios.server.KubeletStandIn kubelet = kube.fakeKubelet(InfraNames.NAMESPACE, 600);
        Database db = TestPostgres.freshDatabase(16);
        Path data = Files.createTempDirectory("aios-upgrade");
        TestServer first = TestServer.on(db, data, null, false, c -> c);
        String token = first.adminToken;
        TestServer second = null;
        try {
            assertThat(first.post("/api/createCluster", TestServer.seedWithId(CLUSTER), token)
                            .status())
                    .isEqualTo(201);
            Answer created = first.post("/create-cluster-infra", createBody(kube), token);
            assertThat(awaitJob(first, created.text("/job_id")).get("state").asString())
                    .isEqualTo("Ready");
            Answer same = first.post("/create-cluster-infra", createBody(kube), token);
            assertThat(same.text("/message")).contains("already ready");
            first.close();

            second = TestServer.on(db, data, token, true, c -> c.withAgents(null, "aios/agent:0.2.0"));
            Answer upgrade = second.post("/create-cluster-infra", createBody(kube), token);
            assertThat(upgrade.text("/message")).as(upgrade.body().toString()).doesNotContain("already ready");
            JsonNode job = awaitJob(second, upgrade.text("/job_id"));
            assertThat(job.get("state").asString()).as(job.toString()).isEqualTo("Ready");
            assertThat(kube.admin
                            .apps()
                            .deployments()
                            .inNamespace(InfraNames.NAMESPACE)
                            .withName("aios-controller")
                            .get()
                            .getSpec()
                            .getTemplate()
                            .getSpec()
                            .getContainers()
                            .get(0)
                            .getImage())
                    .isEqualTo("aios/agent:0.2.0");
            assertThat(second.post("/create-cluster-infra", createBody(kube), token)
                            .text("/message"))
                    .contains("already ready");

            try (AutoCloseable kubeletPart = kube.podTerminator(InfraNames.NAMESPACE)) {
                Answer removed = second.post("/remove-cluster-infra", "{\"cluster_id\": \"" + CLUSTER + "\"}", token);
                assertThat(awaitJob(second, removed.text("/job_id"))
                                .get("state")
                                .asString())
                        .isEqualTo("Removed");
            }
            kube.awaitNamespaceGone(InfraNames.NAMESPACE);
        } finally {
            kubelet.destroy();
            if (second != null) {
                second.close();
            }
        }
    }
}
