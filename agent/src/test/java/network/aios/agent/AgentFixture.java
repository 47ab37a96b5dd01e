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
import network.aios.member.desired.InfraNames;
import network.aios.server.KubeTestCluster;
import network.aios.server.TestServer;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * What the agent end-to-end tests stand on: a control plane and a real API server with the seed's
 * cluster's infrastructure created, the agent jar run as local processes (one per role, each with its own
 * ServiceAccount's kubeconfig and the minted agent credential), and the calls the tests make to them.
 */
final class AgentFixture {
    private AgentFixture() {}

    static final String CLUSTER = "cluster-west-vision-001";
    static final Duration GRACE = Duration.ofSeconds(3);
    static KubeTestCluster kube;
    static TestServer server;
    static network.aios.server.KubeletStandIn kubelet;
    static final List<Process> AGENTS = new ArrayList<>();
    static String minted;
    static Path tokenFile;
    /** Each role's kubeconfig, for its own ServiceAccount. */
    static final Map<String, Path> KUBECONFIGS = new java.util.HashMap<>();
    /** The serving certificate and key the control plane issued for the cluster, as Secret aios-agent-tls has them. */
    static Path tlsCert;

    static Path tlsKey;
    /** A client that trusts the network's agent CA for this cluster's identity only (what the CLI does). */
    static HttpClient https;

    static void start() throws Exception {
        kube = KubeTestCluster.shared();
        kube.prepare(List.of("node-1", "node-2"));
        kube.awaitNamespaceGone(InfraNames.NAMESPACE);
        // the nodes as the seed's document describes them, as a kubelet and GPU feature discovery report them
        describeSeedNodes(kube);
        server = TestServer.configured(c -> c.withHeartbeatGrace(GRACE).withAttestEvery(Duration.ofSeconds(2)));
        assertThat(server.send("POST", "/api/createCluster", TestServer.example("cluster.json"), server.adminToken)
                        .status())
                .isEqualTo(201);
        kubelet = kube.fakeKubelet(InfraNames.NAMESPACE, 600);
        JsonNode created = server.post(
                        "/create-cluster-infra",
                        "{\"cluster_id\": \"" + CLUSTER + "\", " + "\"kube_config_data\": "
                                + Json.MAPPER.writeValueAsString(kube.ownerKubeconfigYaml()) + "}",
                        server.adminToken)
                .body();
        String jobId = created.get("job_id").asString();
        KubeTestCluster.await(
                () -> server.get("/api/v1/jobs/" + jobId, server.adminToken)
                        .body()
                        .hasNonNull("finishedAt"),
                Duration.ofMinutes(3),
                "the infra job");
        assertThat(server.get("/api/v1/clusters/" + CLUSTER, server.adminToken).text("/status"))
                .as("not live before its agents report")
                .isEqualTo("degraded");
        assertThat(condition(0)).isEqualTo("Ready=Unknown"); // no agent has reported yet
        // the credential the job minted, as the agents' Secret carries it
        minted = new String(
                Base64.getDecoder()
                        .decode(kube.admin
                                .secrets()
                                .inNamespace(InfraNames.NAMESPACE)
                                .withName(InfraNames.AGENT_SECRET)
                                .get()
                                .getData()
                                .get("AIOS_AGENT_TOKEN")),
                StandardCharsets.UTF_8);
        tokenFile = Files.createTempFile("agent-token", "");
        Files.writeString(tokenFile, minted);
        Map<String, String> tls = kube.admin
                .secrets()
                .inNamespace(InfraNames.NAMESPACE)
                .withName(InfraNames.AGENT_TLS_SECRET)
                .get()
                .getData();
        tlsCert = Files.createTempFile("agent-tls", ".crt");
        Files.write(tlsCert, Base64.getDecoder().decode(tls.get("tls.crt")));
        tlsKey = Files.createTempFile("agent-tls", ".key");
        Files.write(tlsKey, Base64.getDecoder().decode(tls.get("tls.key")));
        // the identity the control plane gives with every grant: this registration's
        String identity = server.post(
                        "/api/v1/clusters/" + CLUSTER + "/commands",
                        "{\"command\": \"uncordon\", " + "\"node\": \"node-1\"}",
                        server.adminToken)
                .text("/agentIdentity");
        https = HttpClient.newBuilder()
                .sslContext(network.aios.tls.AgentTrust.forIdentity(agentCa(), identity))
                .build();
        for (network.aios.member.desired.AgentRole role : network.aios.member.desired.AgentRole.values()) {
            KUBECONFIGS.put(role.id(), agentKubeconfig(kube, role));
        }
    }

    /** The test cluster's nodes as the seed's document describes them. */
    static void describeSeedNodes(KubeTestCluster kube) {
        describeNode(kube, "worker-node-1", "32", "131072Mi", "2", "NVIDIA-A100-SXM4-40GB");
        describeNode(kube, "worker-node-2", "16", "65536Mi", "1", "Tesla-V100-PCIE-16GB");
    }

    static void describeNode(
            KubeTestCluster kube, String name, String cpu, String memory, String gpus, String product) {
        kube.admin.nodes().withName(name).edit(n -> {
            n.getMetadata().getLabels().putAll(Map.of("nvidia.com/gpu.product", product, "nvidia.com/gpu.count", gpus));
            return n;
        });
        Map<String, Quantity> capacity = Map.of(
                "cpu",
                new Quantity(cpu),
                "memory",
                new Quantity(memory),
                "nvidia.com/gpu",
                new Quantity(gpus),
                "pods",
                new Quantity("110"));
        NodeCondition ready = new NodeConditionBuilder()
                .withType("Ready")
                .withStatus("True")
                .withReason("KubeletReady")
                .build();
        kube.admin.nodes().withName(name).editStatus(n -> {
            n.getStatus().setCapacity(capacity);
            n.getStatus().setAllocatable(capacity);
            n.getStatus().setConditions(List.of(ready));
            return n;
        });
    }

    static void stop() throws Exception {
        AGENTS.forEach(Process::destroy);
        if (server != null && kube != null) {
            // remove the infrastructure: the agents' credential goes with it
            try (AutoCloseable kubeletPart = kube.podTerminator(InfraNames.NAMESPACE)) {
                JsonNode removal = server.post(
                                "/remove-cluster-infra", "{\"cluster_id\": \"" + CLUSTER + "\"}", server.adminToken)
                        .body();
                KubeTestCluster.await(
                        () -> server.get("/api/v1/jobs/" + removal.get("job_id").asString(), server.adminToken)
                                .body()
                                .hasNonNull("finishedAt"),
                        Duration.ofMinutes(3),
                        "the removal");
            }
            kube.awaitNamespaceGone(InfraNames.NAMESPACE);
            assertThat(server.post(
                                    "/api/v1/clusters/" + CLUSTER + "/heartbeat",
                                    "{\"inventory\": {\"nodes\": []}}",
                                    minted)
                            .status())
                    .isEqualTo(401);
        }
        if (kubelet != null) {
            kubelet.destroy();
        }
        if (server != null) {
            server.close();
        }
    }

    static JsonNode health() {
        return server.get("/api/v1/clusters/" + CLUSTER + "/health", server.adminToken)
                .body();
    }

    static String condition(int i) {
        JsonNode h = health();
        return h.at("/conditions/" + i + "/type").asString() + "="
                + h.at("/conditions/" + i + "/status").asString();
    }

    /** A kubeconfig for one agent role's own ServiceAccount: what that role would use in the cluster. */
    static Path agentKubeconfig(KubeTestCluster kube, network.aios.member.desired.AgentRole role) throws Exception {
        String secret = "aios-agent-token-test-" + role.id();
        kube.admin
                .resource(new SecretBuilder()
                        .withNewMetadata()
                        .withName(secret)
                        .withNamespace(InfraNames.NAMESPACE)
                        .withAnnotations(
                                Map.of("kubernetes.io/service-account.name", InfraNames.agentServiceAccount(role)))
                        .endMetadata()
                        .withType("kubernetes.io/service-account-token")
                        .build())
                .create();
        KubeTestCluster.await(
                () -> {
                    var s = kube.admin
                            .secrets()
                            .inNamespace(InfraNames.NAMESPACE)
                            .withName(secret)
                            .get();
                    return s.getData() != null && s.getData().get("token") != null;
                },
                Duration.ofSeconds(30),
                "the " + role.id() + " agent's ServiceAccount token");
        String token = new String(
                Base64.getDecoder()
                        .decode(kube.admin
                                .secrets()
                                .inNamespace(InfraNames.NAMESPACE)
                                .withName(secret)
                                .get()
                                .getData()
                                .get("token")),
                StandardCharsets.UTF_8);
        return kube.kubeconfigWithToken(token, Files.createTempFile("agent-kubeconfig", ".yaml"));
    }

    static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    static Process agent(String role, int port) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(
                        java,
                        // a test's agents live for seconds: the quick JIT tier and the serial collector start them
                        // sooner and leave the two cores to the control plane and the API server
                        "-XX:TieredStopAtLevel=1",
                        "-XX:+UseSerialGC",
                        "-Djava.io.tmpdir=" + System.getProperty("java.io.tmpdir"), // the test's, not /tmp
                        "-jar",
                        Path.of("target", "aios-agent.jar").toString(),
                        "--role=" + role,
                        "--port=" + port,
                        "--host=127.0.0.1",
                        "--cluster-id=" + CLUSTER,
                        "--control-plane=" + server.url(),
                        "--token-file=" + tokenFile,
                        "--kubeconfig=" + KUBECONFIGS.get(role),
                        "--heartbeat-seconds=1",
                        "--metrics-seconds=1",
                        "--egress-allow=127.0.0.0/8",
                        "--grant-key=" + server.cp.grantPublicKey(),
                        "--tls-cert=" + tlsCert,
                        "--tls-key=" + tlsKey)
                .redirectErrorStream(true)
                .redirectOutput(new File("target/agent-" + role + ".log"))
                .start();
        AGENTS.add(p);
        return p;
    }

    static JsonNode agentGet(int port, String path) {
        try {
            HttpResponse<String> r = https.send(
                    HttpRequest.newBuilder(URI.create(url(port, path))).build(), HttpResponse.BodyHandlers.ofString());
            return Json.parse(r.body());
        } catch (Exception e) {
            return null;
        }
    }

    static JsonNode send(int port, String method, String path, String body, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url(port, path)))
                .method(
                        method,
                        body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        HttpResponse<String> r = https.send(b.build(), HttpResponse.BodyHandlers.ofString());
        ObjectNode out = (ObjectNode) Json.parse(r.body());
        return out.put("_status", r.statusCode());
    }

    /** A command as the CLI gives it: a grant from the control plane, carried to the mgmt agent. */
    static JsonNode command(int port, String request, String token) throws Exception {
        TestServer.Answer g = server.post("/api/v1/clusters/" + CLUSTER + "/commands", request, token);
        if (g.status() != 201) {
            return ((ObjectNode) g.body()).put("_status", g.status());
        }
        return deliver(port, g.text("/grant"));
    }

    static JsonNode deliver(int port, String grant) throws Exception {
        HttpResponse<String> r = https.send(
                HttpRequest.newBuilder(URI.create(url(port, "/commands")))
                        .header("Authorization", "Grant " + grant)
                        .POST(HttpRequest.BodyPublishers.noBody())
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        return ((ObjectNode) Json.parse(r.body())).put("_status", r.statusCode());
    }

    /** The agents serve HTTPS only, with the certificate the control plane issued for this cluster. */
    static String url(int port, String path) {
        return "https://127.0.0.1:" + port + path;
    }

    /** The network's agent CA, as anyone with a token gets it. */
    static String agentCa() {
        TestServer.Answer a = server.send("GET", "/api/v1/agent-ca", null, server.adminToken);
        assertThat(a.status()).isEqualTo(200);
        return a.body().asString();
    }

    static void blockWorkload(String name, String blockId, int replicas) {
        kube.admin
                .apps()
                .deployments()
                .inNamespace("default")
                .resource(new io.fabric8.kubernetes.api.model.apps.DeploymentBuilder()
                        .withNewMetadata()
                        .withName(name)
                        .withNamespace("default")
                        .withLabels(Map.of(BlocksRole.BLOCK_LABEL, blockId))
                        .endMetadata()
                        .withNewSpec()
                        .withReplicas(replicas)
                        .withNewSelector()
                        .withMatchLabels(Map.of("app", name))
                        .endSelector()
                        .withNewTemplate()
                        .withNewMetadata()
                        .withLabels(Map.of("app", name))
                        .endMetadata()
                        .withNewSpec()
                        .addNewContainer()
                        .withName("block")
                        .withImage("aios/block:1")
                        .endContainer()
                        .endSpec()
                        .endTemplate()
                        .endSpec()
                        .build())
                .serverSideApply();
    }

    /** The kinds of a block's transactions, oldest first; empty while the agent does not answer. */
    static List<String> kinds(int port, String blockId) {
        List<String> out = new ArrayList<>();
        JsonNode page = agentGet(port, "/transactions?blockId=" + blockId);
        if (page != null) {
            page.path("items").forEach(e -> out.add(e.get("kind").asString()));
        }
        return out;
    }

    static long audited() {
        return server.db
                .jdbi()
                .withHandle(h -> h.createQuery("SELECT count(*) FROM audit_log WHERE action LIKE 'mgmt.%'")
                        .mapTo(Long.class)
                        .one());
    }
}
