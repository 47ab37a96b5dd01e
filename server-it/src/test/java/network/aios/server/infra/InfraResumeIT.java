package network.aios.server.infra;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import network.aios.api.Json;
import network.aios.member.desired.InfraNames;
import network.aios.server.KubeTestCluster;
import network.aios.server.TestServer;
import network.aios.server.engine.RetryPolicy;
import network.aios.store.Database;
import network.aios.store.TestPostgres;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** A control plane stopped in the middle of a job; the next one on the same database finishes it. */
class InfraResumeIT {
    @Test
    void aRestartedControlPlaneResumesTheJobWhereItStopped() throws Exception {
        KubeTestCluster kube = KubeTestCluster.shared();
        kube.prepare(List.of("node-1", "node-2"));
        kube.awaitNamespaceGone(InfraNames.NAMESPACE);
        Database db = TestPostgres.freshDatabase(16);
        Path data = Files.createTempDirectory("resume");
        TestServer first = new TestServer(db, data, null, null, RetryPolicy.defaults(), false);
        String token = first.adminToken;
        first.post("/api/createCluster", TestServer.seedWithId("resumed"), token);
        String body = Json.MAPPER.writeValueAsString(
                Json.object().put("cluster_id", "resumed").put("kube_config_data", kube.ownerKubeconfigYaml()));
        String job = first.post("/create-cluster-infra", body, token).text("/job_id");
        // no kubelet yet: the job gets through bootstrap and apply, then waits for readiness
        KubeTestCluster.await(
                () -> "WaitingReady"
                        .equals(first.get("/api/v1/jobs/" + job, token).text("/state")),
                Duration.ofSeconds(60),
                "the job to reach WaitingReady");
        first.close();

        network.aios.server.KubeletStandIn kubelet = kube.fakeKubelet(InfraNames.NAMESPACE, 300);
        TestServer second = new TestServer(db, data, null, token, RetryPolicy.defaults(), true);
        try {
            KubeTestCluster.await(
                    () -> second.get("/api/v1/jobs/" + job, token).body().hasNonNull("finishedAt"),
                    Duration.ofMinutes(2),
                    "the resumed job to finish");
            JsonNode done = second.get("/api/v1/jobs/" + job, token).body();
            assertThat(done.get("state").asString()).as(done.toString()).isEqualTo("Ready");
            assertThat(second.get("/api/v1/clusters/resumed", token).text("/status"))
                    .isEqualTo("degraded");

            String removal = second.send("DELETE", "/api/v1/clusters/resumed/infra", null, token)
                    .text("/job_id");
            try (AutoCloseable kubeletPart = kube.podTerminator(InfraNames.NAMESPACE)) {
                KubeTestCluster.await(
                        () -> second.get("/api/v1/jobs/" + removal, token)
                                .body()
                                .hasNonNull("finishedAt"),
                        Duration.ofMinutes(2),
                        "the removal");
            }
            assertThat(second.get("/api/v1/jobs/" + removal, token).text("/state"))
                    .isEqualTo("Removed");
            kube.awaitNamespaceGone(InfraNames.NAMESPACE);
            assertThat(kube.everythingLabelled(InfraNames.CLUSTER_LABEL + "=resumed"))
                    .isEmpty();
        } finally {
            kubelet.destroy();
            second.close();
        }
    }
}
