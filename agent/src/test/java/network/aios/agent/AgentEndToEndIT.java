package network.aios.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.NodeConditionBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.io.File;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import network.aios.api.Json;
import network.aios.infra.InfraNames;
import network.aios.server.KubeTestCluster;
import network.aios.server.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Register → create infra → run the agent jar as a local process, with the credential the infra job
 * minted and the agents' own ServiceAccount → heartbeats → Ready and InventoryVerified; relabel a node
 * → InventoryDrift with the diff; stop the agent → Unknown within the grace.
 */
class AgentEndToEndIT {
    static final String CLUSTER = "cluster-west-vision-001";
    static final Duration GRACE = Duration.ofSeconds(3);
    static KubeTestCluster kube;
    static TestServer server;
    static Process kubelet;
    static final List<Process> agents = new ArrayList<>();

    @BeforeAll
    static void start() {
        kube = KubeTestCluster.shared();
        kube.prepare(List.of("node-1", "node-2"));
        kube.awaitNamespaceGone(InfraNames.NAMESPACE);
        // the nodes as the seed's document describes them, as a kubelet and GPU feature discovery report them
        describeNode("worker-node-1", "32", "131072Mi", "2", "NVIDIA-A100-SXM4-40GB");
        describeNode("worker-node-2", "16", "65536Mi", "1", "Tesla-V100-PCIE-16GB");
        server = TestServer.configured(c -> c.withHeartbeatGrace(GRACE));
        assertThat(server.send("POST", "/api/createCluster", TestServer.example("cluster.json"), server.adminToken)
                .status()).isEqualTo(201);
        kubelet = kube.fakeKubelet(InfraNames.NAMESPACE, 600);
    }

    static void describeNode(String name, String cpu, String memory, String gpus, String product) {
        kube.admin.nodes().withName(name).edit(n -> {
            n.getMetadata().getLabels().putAll(Map.of("nvidia.com/gpu.product", product, "nvidia.com/gpu.count", gpus));
            return n;
        });
        Map<String, Quantity> capacity = Map.of("cpu", new Quantity(cpu), "memory", new Quantity(memory),
                "nvidia.com/gpu", new Quantity(gpus), "pods", new Quantity("110"));
        NodeCondition ready = new NodeConditionBuilder().withType("Ready").withStatus("True").withReason("KubeletReady")
                .build();
        kube.admin.nodes().withName(name).editStatus(n -> {
            n.getStatus().setCapacity(capacity);
            n.getStatus().setAllocatable(capacity);
            n.getStatus().setConditions(List.of(ready));
            return n;
        });
    }

    @AfterAll
    static void stop() {
        agents.forEach(Process::destroyForcibly);
        if (kubelet != null) {
            kubelet.destroy();
        }
        if (server != null) {
            server.close();
        }
    }

    static JsonNode health() {
        return server.get("/api/v1/clusters/" + CLUSTER + "/health", server.adminToken).body();
    }

    static String condition(int i) {
        JsonNode h = health();
        return h.at("/conditions/" + i + "/type").asString() + "=" + h.at("/conditions/" + i + "/status").asString();
    }

    /** A kubeconfig for the agents' own ServiceAccount: what they would use in the cluster. */
    static Path agentKubeconfig() throws Exception {
        kube.admin.resource(new SecretBuilder().withNewMetadata().withName("aios-agent-token-test")
                .withNamespace(InfraNames.NAMESPACE)
                .withAnnotations(Map.of("kubernetes.io/service-account.name", InfraNames.AGENT_SA)).endMetadata()
                .withType("kubernetes.io/service-account-token").build()).create();
        KubeTestCluster.await(() -> {
            var s = kube.admin.secrets().inNamespace(InfraNames.NAMESPACE).withName("aios-agent-token-test").get();
            return s.getData() != null && s.getData().get("token") != null;
        }, Duration.ofSeconds(30), "the agents' ServiceAccount token");
        String token = new String(Base64.getDecoder().decode(kube.admin.secrets().inNamespace(InfraNames.NAMESPACE)
                .withName("aios-agent-token-test").get().getData().get("token")), StandardCharsets.UTF_8);
        ObjectNode kc = (ObjectNode) Json.YAML.readTree(kube.ownerKubeconfigYaml());
        for (JsonNode u : kc.get("users")) {
            ((ObjectNode) u).putObject("user").put("token", token);
        }
        Path file = Files.createTempFile("agent-kubeconfig", ".yaml");
        Files.writeString(file, Json.yaml(kc));
        return file;
    }

    static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    static Process agent(String role, int port, Path kubeconfig, Path tokenFile) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-jar", Path.of("target", "aios-agent.jar").toString(), "--role=" + role,
                "--port=" + port, "--host=127.0.0.1", "--cluster-id=" + CLUSTER, "--control-plane=" + server.url(),
                "--token-file=" + tokenFile, "--kubeconfig=" + kubeconfig, "--heartbeat-seconds=1",
                "--metrics-seconds=1").redirectErrorStream(true)
                .redirectOutput(new File("target/agent-" + role + ".log")).start();
        agents.add(p);
        return p;
    }

    static JsonNode agentGet(int port, String path) {
        try {
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + port + path)).build(), HttpResponse.BodyHandlers.ofString());
            return Json.parse(r.body());
        } catch (Exception e) {
            return null;
        }
    }

    @Test
    void heartbeatsVerifyTheInventoryDetectDriftAndSilence() throws Exception {
        JsonNode created = server.post("/create-cluster-infra", "{\"cluster_id\": \"" + CLUSTER + "\", "
                + "\"kube_config_data\": " + Json.MAPPER.writeValueAsString(kube.ownerKubeconfigYaml()) + "}",
                server.adminToken).body();
        String jobId = created.get("job_id").asString();
        KubeTestCluster.await(() -> server.get("/api/v1/jobs/" + jobId, server.adminToken).body().hasNonNull("finishedAt"),
                Duration.ofMinutes(3), "the infra job");
        assertThat(server.get("/api/v1/clusters/" + CLUSTER, server.adminToken).text("/status")).isEqualTo("live");
        assertThat(condition(0)).isEqualTo("Ready=Unknown"); // no agent has reported yet

        // the credential the job minted, as the agents' Secret carries it
        String minted = new String(Base64.getDecoder().decode(kube.admin.secrets().inNamespace(InfraNames.NAMESPACE)
                .withName(InfraNames.AGENT_SECRET).get().getData().get("AIOS_AGENT_TOKEN")), StandardCharsets.UTF_8);
        Path tokenFile = Files.createTempFile("agent-token", "");
        Files.writeString(tokenFile, minted);
        Path kubeconfig = agentKubeconfig();
        int port = freePort();
        Process controller = agent("controller", port, kubeconfig, tokenFile);
        int metricsPort = freePort();
        agent("metrics", metricsPort, kubeconfig, tokenFile);

        KubeTestCluster.await(() -> condition(0).equals("Ready=True"), Duration.ofSeconds(60),
                "the first heartbeat (see target/agent-controller.log)");
        assertThat(condition(1)).as(health().toString()).isEqualTo("InventoryVerified=True");
        JsonNode inventory = agentGet(port, "/inventory");
        assertThat(inventory.at("/nodes/0/gpu/product").asString()).isEqualTo("NVIDIA-A100-SXM4-40GB");
        assertThat(inventory.at("/nodes/1/capacity/vcpus").asDouble()).isEqualTo(16.0);

        // metrics: the test cluster serves no metrics.k8s.io, and the agent says so
        KubeTestCluster.await(() -> server.get("/cluster-metrics/" + CLUSTER, server.adminToken).status() == 200,
                Duration.ofSeconds(30), "the metrics agent's first snapshot");
        JsonNode m = server.get("/cluster-metrics/" + CLUSTER, server.adminToken).body();
        assertThat(m.get("metricsApi").asString()).isEqualTo("absent");
        assertThat(m.at("/cluster/gpus/capacity").asInt()).isEqualTo(3);
        assertThat(server.get("/cluster-metrics/node/" + CLUSTER + "/node-2", server.adminToken).body()
                .at("/cpu/capacity").asDouble()).isEqualTo(16.0);
        JsonNode local = agentGet(metricsPort, "/nodes/node-1");
        assertThat(local.at("/memoryMB/capacity").asLong()).isEqualTo(131072);

        // relabel a node so the document is wrong: drift, with the diff, and the cluster degraded
        kube.admin.nodes().withName("worker-node-2").edit(n -> {
            n.getMetadata().getLabels().put("nodeID", "node-9");
            return n;
        });
        try {
            KubeTestCluster.await(() -> condition(1).equals("InventoryDrift=True"), Duration.ofSeconds(30),
                    "the relabelled node to be reported");
            assertThat(health().get("drift").toString()).contains("/nodes/nodeData/1/id", "nodeID=node-9");
            assertThat(server.get("/api/v1/clusters/" + CLUSTER, server.adminToken).text("/status")).isEqualTo("degraded");
        } finally {
            kube.admin.nodes().withName("worker-node-2").edit(n -> {
                n.getMetadata().getLabels().put("nodeID", "node-2");
                return n;
            });
        }
        KubeTestCluster.await(() -> condition(1).equals("InventoryVerified=True"), Duration.ofSeconds(30),
                "the label fixed to be reported");
        assertThat(server.get("/api/v1/clusters/" + CLUSTER, server.adminToken).text("/status")).isEqualTo("live");

        // stop the controller: within the grace (plus the sweep) the cluster is Unknown and degraded
        controller.destroy();
        controller.waitFor();
        KubeTestCluster.await(() -> condition(0).equals("Ready=Unknown"), GRACE.plusSeconds(5),
                "Ready to become Unknown once the agent is silent");
        KubeTestCluster.await(() -> "degraded".equals(server.get("/api/v1/clusters/" + CLUSTER, server.adminToken)
                .text("/status")), Duration.ofSeconds(5), "the silent cluster to be degraded");

        // remove the infrastructure: the agents' credential goes with it
        agents.forEach(Process::destroy);
        try (AutoCloseable kubeletPart = kube.podTerminator(InfraNames.NAMESPACE)) {
            JsonNode removal = server.post("/remove-cluster-infra", "{\"cluster_id\": \"" + CLUSTER + "\"}",
                    server.adminToken).body();
            KubeTestCluster.await(() -> server.get("/api/v1/jobs/" + removal.get("job_id").asString(),
                    server.adminToken).body().hasNonNull("finishedAt"), Duration.ofMinutes(3), "the removal");
        }
        kube.awaitNamespaceGone(InfraNames.NAMESPACE);
        assertThat(server.post("/api/v1/clusters/" + CLUSTER + "/heartbeat", "{\"inventory\": {\"nodes\": []}}", minted)
                .status()).isEqualTo(401);
    }
}
