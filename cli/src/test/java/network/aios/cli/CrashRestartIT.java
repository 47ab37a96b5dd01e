package network.aios.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import network.aios.api.Json;
import network.aios.infra.InfraNames;
import network.aios.server.KubeTestCluster;
import network.aios.server.TestServer;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The operator's worst morning: the control plane's JVM is killed with SIGKILL (as the OOM killer would)
 * in the middle of an infrastructure job, its embedded PostgreSQL left running. `aios server` on the same
 * data directory, started once, answers, has every acknowledged registration, and finishes the job.
 */
class CrashRestartIT {
    static Process server(Path data, int port) throws Exception {
        return LocalApi.server(data, port, List.of(), "--heartbeat-grace-seconds", "30");
    }

    int status(int port, String method, String path, String token, String body) {
        return LocalApi.send(port, method, path, token, body).status();
    }

    JsonNode json(int port, String path, String token) {
        return LocalApi.send(port, "GET", path, token, null).body();
    }

    /** The state of crash-0's latest infrastructure job, or null while the server does not answer. */
    String jobState(int port, String token) {
        JsonNode infra = json(port, "/api/v1/clusters/crash-0/infra", token);
        return infra == null ? null : infra.path("job").path("state").asString(null);
    }

    static int freePort() throws Exception {
        return LocalApi.freePort();
    }

    @Test
    void whenItsEmbeddedDatabaseIsKilledTheControlPlaneExitsToBeRestartedWithItAndLosesNothing() throws Exception {
        Path data = Files.createTempDirectory("aios-pg-kill").resolve("data");
        int port = freePort();
        Process first = server(data, port);
        Process second = null;
        try {
            KubeTestCluster.await(
                    () -> status(port, "GET", "/healthz", null, null) == 200,
                    Duration.ofSeconds(90),
                    "the control plane to answer");
            String token = Files.readString(data.resolve("admin-token")).trim();
            assertThat(status(port, "POST", "/api/createCluster", token, TestServer.seedWithId("pg-kill")))
                    .isEqualTo(201);
            long postmaster =
                    Long.parseLong(Files.readAllLines(data.resolve("postgres").resolve("postmaster.pid"))
                            .get(0)
                            .trim());
            ProcessHandle.of(postmaster).orElseThrow().destroyForcibly(); // kill -9, under a running control plane
            assertThat(first.waitFor(30, java.util.concurrent.TimeUnit.SECONDS))
                    .as("it exits by itself, rather than answering every request with an error")
                    .isTrue();
            assertThat(first.exitValue()).as("75: start me again").isEqualTo(75);

            second = server(data, port); // what its supervisor does
            KubeTestCluster.await(
                    () -> status(port, "GET", "/healthz", null, null) == 200,
                    Duration.ofSeconds(90),
                    "the control plane to answer again");
            assertThat(status(port, "GET", "/api/v1/clusters/pg-kill", token, null))
                    .isEqualTo(200);
        } finally {
            first.destroyForcibly();
            if (second != null) {
                second.destroy();
                second.waitFor(60, java.util.concurrent.TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void killedMidJobItStartsOnceAnswersKeepsEveryAcknowledgedWriteAndFinishesTheJob() throws Exception {
        KubeTestCluster kube = KubeTestCluster.shared();
        kube.prepare(List.of("node-1", "node-2"));
        kube.awaitNamespaceGone(InfraNames.NAMESPACE);
        Path data = Files.createTempDirectory("aios-crash").resolve("data");
        int port = freePort();
        Process first = server(data, port);
        Process second = null;
        network.aios.server.KubeletStandIn kubelet = null;
        try {
            KubeTestCluster.await(
                    () -> status(port, "GET", "/healthz", null, null) == 200,
                    Duration.ofSeconds(90),
                    "the first control plane to answer");
            String token = Files.readString(data.resolve("admin-token")).trim();
            List<String> acknowledged = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                String id = "crash-" + i;
                if (status(port, "POST", "/api/createCluster", token, TestServer.seedWithId(id)) == 201) {
                    acknowledged.add(id);
                }
            }
            assertThat(acknowledged).hasSize(20);
            String body = Json.MAPPER.writeValueAsString(
                    Json.object().put("cluster_id", "crash-0").put("kube_config_data", kube.ownerKubeconfigYaml()));
            assertThat(status(port, "POST", "/create-cluster-infra", token, body))
                    .isEqualTo(200);
            // no kubelet: the job applies everything, then waits for readiness
            KubeTestCluster.await(
                    () -> "WaitingReady".equals(jobState(port, token)),
                    Duration.ofSeconds(90),
                    "the job to wait for readiness");

            long postmaster =
                    Long.parseLong(Files.readAllLines(data.resolve("postgres").resolve("postmaster.pid"))
                            .get(0)
                            .trim());
            first.destroyForcibly().waitFor(); // SIGKILL
            assertThat(ProcessHandle.of(postmaster).map(ProcessHandle::isAlive))
                    .as("PostgreSQL outlived the JVM")
                    .contains(true);

            second = server(data, port);
            Process started = second;
            KubeTestCluster.await(
                    () -> status(port, "GET", "/healthz", null, null) == 200 || !started.isAlive(),
                    Duration.ofSeconds(120),
                    "the restarted control plane to answer");
            assertThat(second.isAlive())
                    .as("the first start after the kill must work")
                    .isTrue();
            assertThat(ProcessHandle.of(postmaster).map(ProcessHandle::isAlive).orElse(false))
                    .as("the orphaned PostgreSQL was stopped")
                    .isFalse();
            for (String id : acknowledged) {
                assertThat(status(port, "GET", "/api/v1/clusters/" + id, token, null))
                        .as(id)
                        .isEqualTo(200);
            }
            kubelet = kube.fakeKubelet(InfraNames.NAMESPACE, 300);
            KubeTestCluster.await(
                    () -> "Ready".equals(jobState(port, token)), Duration.ofMinutes(3), "the job to resume and finish");
            assertThat(json(port, "/api/v1/clusters/crash-0", token)
                            .path("status")
                            .asString())
                    .as("ready; no agent has reported")
                    .isEqualTo("degraded");

            assertThat(status(port, "POST", "/remove-cluster-infra", token, "{\"cluster_id\": \"crash-0\"}"))
                    .isEqualTo(200);
            try (AutoCloseable terminator = kube.podTerminator(InfraNames.NAMESPACE)) {
                KubeTestCluster.await(
                        () -> "Removed".equals(jobState(port, token)), Duration.ofMinutes(2), "the removal");
            }
            kube.awaitNamespaceGone(InfraNames.NAMESPACE);
        } finally {
            if (kubelet != null) {
                kubelet.destroy();
            }
            first.destroyForcibly();
            if (second != null) {
                second.destroy(); // SIGTERM: the shutdown hook stops its PostgreSQL
                second.waitFor();
            }
        }
    }
}
