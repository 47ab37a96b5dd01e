package network.aios.bench;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import network.aios.member.desired.InfraNames;
import network.aios.server.KubeTestCluster;
import network.aios.server.TestServer;
import tools.jackson.databind.JsonNode;

/**
 * One pull-mode rollout, as an owner runs it: {@code kubectl apply -f} of the join manifest, the pull agent started
 * (here a local process, as the manifest's pod would be started), the join accepted (by an {@code accept_cluster}
 * policy the owner asked for, so no human's time is counted), and the agent applying and reporting until the
 * cluster's infrastructure is ready — the same criterion as push mode's {@code Ready}: all four Deployments
 * available. Then it is removed (the agent's receipt, then {@code kubectl delete -f} of the manifest).
 */
final class PullRollout {
    private final TestServer server;
    private final KubeTestCluster kube;
    private final Path dir;
    private final Path agentJar;
    private final String cluster;
    /** Seconds from the apply's start until the agent process was started (manifest applied, its token there). */
    double agentStarted;

    PullRollout(TestServer server, KubeTestCluster kube, Path dir, String cluster) {
        this.server = server;
        this.kube = kube;
        this.dir = dir;
        this.cluster = cluster;
        this.agentJar = Path.of("..", "agent", "target", "aios-agent.jar").toAbsolutePath();
        if (!Files.exists(agentJar)) {
            throw new IllegalStateException(agentJar + " is missing: mvn -q -B install -DskipTests first");
        }
        server.send(
                "PUT",
                "/api/v1/policies/accept_cluster",
                "{\"rules\": [{\"expression\": \"cluster_data.gpus.count >= 1\", \"message\": \"GPUs\"}]}"
                        .getBytes(StandardCharsets.UTF_8),
                server.adminToken);
    }

    /** Seconds from {@code kubectl apply -f} of the join manifest until the infrastructure is ready. */
    double round() throws Exception {
        JsonNode join = server.post(
                        "/api/v1/clusters/" + cluster + "/join", "{\"acceptByPolicy\": true}", server.adminToken)
                .body();
        Path manifest = dir.resolve("join.yaml");
        Files.writeString(manifest, join.get("manifest").asString());
        Path token = dir.resolve("bootstrap-token");
        Files.writeString(token, join.get("token").asString());
        Path state = dir.resolve("state-" + System.nanoTime());
        String kc = kube.kubeconfig.toString();
        long t0 = System.nanoTime();
        RolloutBench.kubectl(List.of("kubectl", "--kubeconfig", kc, "apply", "-f", manifest.toString()));
        Path agentKc = serviceAccountKubeconfig();
        agentStarted = (System.nanoTime() - t0) / 1e9;
        Process agent = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-XX:TieredStopAtLevel=1",
                        "-XX:+UseSerialGC",
                        "-jar",
                        agentJar.toString(),
                        "--role=pull",
                        "--port=0",
                        "--host=127.0.0.1",
                        "--control-plane=" + server.url(),
                        "--bootstrap-token-file=" + token,
                        "--state-dir=" + state,
                        "--kubeconfig=" + agentKc)
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("pull-agent.log").toFile())
                .start();
        try {
            long end = System.nanoTime() + Duration.ofMinutes(5).toNanos();
            while (!ready()) {
                if (System.nanoTime() > end || !agent.isAlive()) {
                    throw new IllegalStateException(
                            "the pull agent did not make " + cluster + " ready; see " + dir.resolve("pull-agent.log"));
                }
                Thread.sleep(20); // the same 20 ms poll as the push side's job poll
            }
            double secs = (System.nanoTime() - t0) / 1e9;
            remove(agent, manifest);
            return secs;
        } finally {
            agent.destroy();
        }
    }

    private boolean ready() {
        JsonNode c =
                server.get("/api/v1/clusters/" + cluster, server.adminToken).body();
        String status = c.path("status").asString("");
        return status.equals("live") || status.equals("degraded");
    }

    private void remove(Process agent, Path manifest) throws Exception {
        server.send("DELETE", "/api/v1/clusters/" + cluster + "/infra", null, server.adminToken);
        try (AutoCloseable kubelet = kube.podTerminator(InfraNames.NAMESPACE)) {
            KubeTestCluster.await(
                    () -> "removed"
                            .equals(server.get("/api/v1/clusters/" + cluster + "/join", server.adminToken)
                                    .text("/state")),
                    Duration.ofMinutes(2),
                    "the pull agent's removal");
            agent.waitFor();
            RolloutBench.kubectl(List.of(
                    "kubectl",
                    "--kubeconfig",
                    kube.kubeconfig.toString(),
                    "delete",
                    "-f",
                    manifest.toString(),
                    "--wait=false",
                    "--ignore-not-found"));
            kube.awaitNamespaceGone(InfraNames.NAMESPACE);
        }
    }

    /** A kubeconfig for the manifest's ServiceAccount, once the token controller has filled its Secret in. */
    private Path serviceAccountKubeconfig() {
        String token = kube.secretValue(InfraNames.NAMESPACE, InfraNames.CONTROL_PLANE_TOKEN_SECRET, "token");
        return kube.kubeconfigWithToken(token, dir.resolve("pull-agent.kubeconfig"));
    }
}
