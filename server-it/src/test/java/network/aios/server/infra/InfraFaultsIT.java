package network.aios.server.infra;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import network.aios.api.Json;
import network.aios.member.desired.InfraNames;
import network.aios.server.FaultyProxy;
import network.aios.server.KubeTestCluster;
import network.aios.server.TestServer;
import network.aios.server.engine.RetryPolicy;
import network.aios.store.TestPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * 5xx answers, dropped connections and lost answers in the middle of a rollout and of a removal, through a
 * proxy to the real API server.
 */
class InfraFaultsIT {
    static KubeTestCluster kube;
    static TestServer server;
    static FaultyProxy proxy;
    static network.aios.server.KubeletStandIn kubelet;

    @BeforeAll
    static void start() throws Exception {
        kube = KubeTestCluster.shared();
        kube.prepare(List.of("node-1", "node-2"));
        kube.awaitNamespaceGone(InfraNames.NAMESPACE);
        // the fault proxy speaks plain HTTP: the operator allows such kubeconfigs here
        server = TestServer.retrying(
                TestPostgres.freshDatabase(16),
                java.nio.file.Files.createTempDirectory("faults"),
                new RetryPolicy(Duration.ofMillis(20), Duration.ofMillis(200), 6, Duration.ofMinutes(2)),
                true,
                c -> c.withEgress(List.of("127.0.0.0/8"), true));
        proxy = new FaultyProxy(kube.admin.getConfiguration().getMasterUrl().replaceAll("/$", ""));
        kubelet = kube.fakeKubelet(InfraNames.NAMESPACE, 600);
    }

    @AfterAll
    static void stop() {
        kubelet.destroy();
        proxy.close();
        server.close();
    }

    /** The owner's kubeconfig, pointed at the proxy (plain HTTP on loopback, no CA). */
    static String viaProxy(String clusterId) {
        ObjectNode kc = (ObjectNode) Json.YAML.readTree(kube.ownerKubeconfigYaml());
        ObjectNode cluster = (ObjectNode) kc.at("/clusters/0/cluster");
        cluster.remove("certificate-authority-data");
        cluster.put("server", proxy.url());
        return Json.MAPPER.writeValueAsString(
                Json.object().put("cluster_id", clusterId).put("kube_config_data", Json.yaml(kc)));
    }

    static JsonNode awaitFinished(String jobId) {
        KubeTestCluster.await(
                () -> server.get("/api/v1/jobs/" + jobId, server.adminToken)
                        .body()
                        .hasNonNull("finishedAt"),
                Duration.ofMinutes(3),
                "job " + jobId);
        return server.get("/api/v1/jobs/" + jobId, server.adminToken).body();
    }

    static void removeAndWait(String clusterId) {
        proxy.failWrites(0);
        proxy.dropWrites(0);
        String job = server.post("/remove-cluster-infra", viaProxy(clusterId), server.adminToken)
                .text("/job_id");
        try (AutoCloseable kubeletPart = kube.podTerminator(InfraNames.NAMESPACE)) {
            JsonNode removal = awaitFinished(job);
            assertThat(removal.get("state").asString()).as(removal.toString()).isEqualTo("Removed");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        kube.awaitNamespaceGone(InfraNames.NAMESPACE);
        assertThat(kube.everythingLabelled(InfraNames.CLUSTER_LABEL + "=" + clusterId))
                .isEmpty();
    }

    @Test
    void transientFaultsMidRolloutAreRetriedAndTheRolloutCompletes() {
        server.post("/api/createCluster", TestServer.seedWithId("flaky"), server.adminToken);
        proxy.injected.set(0);
        proxy.failWrites(3);
        proxy.dropWrites(0);
        String job = server.post("/create-cluster-infra", viaProxy("flaky"), server.adminToken)
                .text("/job_id");
        // the drop lands later in the rollout, after the 503s were absorbed
        KubeTestCluster.await(() -> proxy.injected.get() >= 3, Duration.ofSeconds(30), "the 503s to be injected");
        proxy.dropWrites(2);
        JsonNode done = awaitFinished(job);
        assertThat(done.get("state").asString()).as(done.toString()).isEqualTo("Ready");
        assertThat(proxy.injected.get()).isEqualTo(5);
        assertThat(done.get("attempts").asInt()).isZero();
        assertThat(server.get("/api/v1/clusters/flaky", server.adminToken).text("/status"))
                .isEqualTo("degraded");
        removeAndWait("flaky");
    }

    @Test
    void aServerThatKeepsFailingFailsTheJobWithTheReason() {
        server.post("/api/createCluster", TestServer.seedWithId("broken"), server.adminToken);
        proxy.failWrites(1_000);
        String job = server.post("/create-cluster-infra", viaProxy("broken"), server.adminToken)
                .text("/job_id");
        JsonNode failed = awaitFinished(job);
        assertThat(failed.get("state").asString()).isEqualTo("Failed");
        assertThat(failed.get("reason").asString()).isEqualTo("Unreachable");
        assertThat(failed.get("message").asString()).contains("503");
        assertThat(failed.get("attempts").asInt()).isEqualTo(5);
        assertThat(server.get("/api/v1/clusters/broken", server.adminToken).text("/status"))
                .isEqualTo("failed");

        // the API server is back: creating again continues from where it stopped
        proxy.failWrites(0);
        String again = server.post("/create-cluster-infra", viaProxy("broken"), server.adminToken)
                .text("/job_id");
        JsonNode ready = awaitFinished(again);
        assertThat(ready.get("state").asString()).as(ready.toString()).isEqualTo("Ready");
        assertThat(server.get("/api/v1/clusters/broken", server.adminToken).text("/status"))
                .isEqualTo("degraded");
        removeAndWait("broken");
        assertThat(server.get("/api/v1/clusters/broken", server.adminToken).text("/status"))
                .isEqualTo("registered");
    }

    /**
     * The API server did what was asked but the answer never came back, for creations (POST), applies (PATCH)
     * and deletions (DELETE): the create converges with exactly the objects it recorded (a retry neither made a
     * second object nor lost track of one) and the removal converges with nothing of it left.
     */
    @Test
    void answersLostAfterTheApiServerActedMakeNoDuplicateAndNoLeak() {
        server.post("/api/createCluster", TestServer.seedWithId("lost"), server.adminToken);
        // the request's own checks (access reviews) lose their answers: a clear answer, nothing scheduled
        proxy.faulted.clear();
        proxy.inject(FaultyProxy.Fault.LOSE_ANSWER, "POST", 1);
        TestServer.Answer refused = server.post("/create-cluster-infra", viaProxy("lost"), server.adminToken);
        assertThat(refused.status()).as(refused.body() + " " + proxy.faulted).isEqualTo(422);
        assertThat(refused.text("/error/code")).isEqualTo("cluster_unreachable");
        assertThat(server.get("/api/v1/clusters/lost/infra", server.adminToken)
                        .body()
                        .get("job")
                        .isNull())
                .isTrue();

        // the owner sends it again; now the job's own writes lose their answers
        proxy.faulted.clear();
        java.util.function.Predicate<String> jobs = path -> !path.contains("accessreviews");
        for (String verb : List.of("POST", "PATCH", "PUT")) {
            proxy.inject(FaultyProxy.Fault.LOSE_ANSWER, verb, 2, jobs);
        }
        TestServer.Answer created = server.post("/create-cluster-infra", viaProxy("lost"), server.adminToken);
        assertThat(created.status()).as(created.body() + " " + proxy.faulted).isIn(200, 202);
        JsonNode done = awaitFinished(created.text("/job_id"));
        assertThat(done.get("state").asString()).as(done.toString()).isEqualTo("Ready");
        assertThat(proxy.faulted).as("answers lost on the way back").anyMatch(f -> f.startsWith("LOSE_ANSWER PATCH"));
        // what the job recorded is exactly what the cluster has: no duplicate, nothing unrecorded
        JsonNode inventory = server.get("/api/v1/clusters/lost/infra", server.adminToken)
                .body()
                .get("inventory");
        var both = kube.recordedAndLabelled(inventory, InfraNames.CLUSTER_LABEL, "lost");
        assertThat(both.get("recorded")).isNotEmpty();
        assertThat(both.get("labelled"))
                .as("labelled for 'lost' on the cluster")
                .isEqualTo(both.get("recorded"));

        // and the removal, its deletions' answers lost
        proxy.faulted.clear();
        proxy.inject(FaultyProxy.Fault.LOSE_ANSWER, "DELETE", 3);
        String removal = server.post("/remove-cluster-infra", viaProxy("lost"), server.adminToken)
                .text("/job_id");
        try (AutoCloseable kubeletPart = kube.podTerminator(InfraNames.NAMESPACE)) {
            JsonNode removed = awaitFinished(removal);
            assertThat(removed.get("state").asString()).as(removed.toString()).isEqualTo("Removed");
            assertThat(removed.at("/receipt/clean").asBoolean())
                    .as(removed.toString())
                    .isTrue();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        assertThat(proxy.faulted).hasSize(3).allMatch(f -> f.startsWith("LOSE_ANSWER DELETE"));
        kube.awaitNamespaceGone(InfraNames.NAMESPACE);
        assertThat(kube.everythingLabelled(InfraNames.CLUSTER_LABEL + "=lost")).isEmpty();
    }
}
