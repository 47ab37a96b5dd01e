package network.aios.server.infra;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import network.aios.api.Json;
import network.aios.member.desired.InfraNames;
import network.aios.server.KubeTestCluster;
import network.aios.server.KubeletStandIn;
import network.aios.server.TestServer;
import network.aios.server.TestServer.Answer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * External node join on a real kube-apiserver, push mode: the add_node policy denies and admits; an admitted node
 * gets the whole kubeadm join command once, and the bootstrap-token Secret on the cluster is what kubeadm and the
 * API server's bootstrap authenticator read, with the CA pin openssl computes from the cluster's CA; the node
 * appearing in its controller's report makes the document gain it (totals, version, audit) and its token go; a
 * token that runs out is cleaned up; the node leaving makes the document lose it.
 */
class NodeJoinIT {
    static final String CLUSTER = "joins-nodes";
    static KubeTestCluster kube;
    static KubeletStandIn kubelet;
    static TestServer server;
    static String endpoint;
    static String caPem;

    @BeforeAll
    static void ready() throws Exception {
        kube = KubeTestCluster.shared();
        kube.prepare(List.of("node-1", "node-2"));
        kube.awaitNamespaceGone(InfraNames.NAMESPACE);
        // kube-public/cluster-info as kubeadm writes it: this API server's address and CA
        JsonNode cluster = Json.YAML.readTree(kube.ownerKubeconfigYaml()).at("/clusters/0/cluster");
        String server0 = cluster.path("server").asString();
        endpoint = server0.substring("https://".length()).replaceAll("/.*$", "");
        caPem = new String(
                Base64.getDecoder()
                        .decode(cluster.path("certificate-authority-data").asString()),
                StandardCharsets.US_ASCII);
        String clusterInfo = "apiVersion: v1\nkind: Config\nclusters:\n- cluster:\n    certificate-authority-data: "
                + cluster.path("certificate-authority-data").asString() + "\n    server: " + server0
                + "\n  name: \"\"\ncontexts: null\ncurrent-context: \"\"\nusers: null\n";
        kube.admin
                .resource(new ConfigMapBuilder()
                        .withNewMetadata()
                        .withName("cluster-info")
                        .withNamespace("kube-public")
                        .endMetadata()
                        .withData(Map.of("kubeconfig", clusterInfo))
                        .build())
                .serverSideApply();
        kubelet = kube.fakeKubelet(InfraNames.NAMESPACE, 600);
        server = new TestServer();
        assertThat(server.post("/api/createCluster", TestServer.seedWithId(CLUSTER), server.adminToken)
                        .status())
                .isEqualTo(201);
        Answer created = server.post(
                "/create-cluster-infra",
                InfraUpgradeIT.createBody(kube).replace(InfraUpgradeIT.CLUSTER, CLUSTER),
                server.adminToken);
        assertThat(server.awaitJob(created.text("/job_id")).get("state").asString())
                .isEqualTo("Ready");
        assertThat(server.send(
                                "PUT",
                                "/api/v1/policies/add_node",
                                """
                                {"rules": [{"expression": "has(node_data.gpus) && node_data.gpus.count <= 4",
                                            "message": "an external node brings at most 4 GPUs"}]}""".getBytes(StandardCharsets.UTF_8),
                                server.adminToken)
                        .status())
                .isEqualTo(201);
    }

    @AfterAll
    static void remove() throws Exception {
        try (AutoCloseable kubeletPart = kube.podTerminator(InfraNames.NAMESPACE)) {
            Answer removed =
                    server.post("/remove-cluster-infra", "{\"cluster_id\": \"" + CLUSTER + "\"}", server.adminToken);
            assertThat(server.awaitJob(removed.text("/job_id")).get("state").asString())
                    .isEqualTo("Removed");
        }
        kube.awaitNamespaceGone(InfraNames.NAMESPACE);
        kube.admin
                .configMaps()
                .inNamespace("kube-public")
                .withName("cluster-info")
                .delete();
        kubelet.destroy();
        server.close();
    }

    static String node(String id, int gpus) {
        ObjectNode n = Json.object().put("id", id).put("memory", 65536);
        n.putObject("vcpus").put("count", 16);
        ObjectNode g = n.putObject("gpus").put("count", gpus).put("memory", gpus * 24576L);
        for (int i = 0; i < gpus; i++) {
            g.withArray("gpus").addObject().put("modelName", "NVIDIA L4").put("memory", 24576);
        }
        return Json.object().<ObjectNode>set("node", n).toString();
    }

    static Answer issue(String body) {
        return server.post("/api/v1/clusters/" + CLUSTER + "/join-tokens", body, server.adminToken);
    }

    /** The controller agent's report: the seed's two nodes, and {@code extra} when it has joined. */
    static void beat(String agentToken, String extra) {
        ObjectNode body = Json.object();
        body.putObject("agent").put("role", "controller").put("version", "test");
        ArrayNode nodes = body.putObject("inventory").putArray("nodes");
        nodes.add(reported("worker-node-1", "node-1", 32, 131072, 2, "NVIDIA-A100"));
        nodes.add(reported("worker-node-2", "node-2", 16, 65536, 1, "NVIDIA-V100"));
        if (extra != null) {
            nodes.add(reported("edge-worker", extra, 16, 65536, 2, "NVIDIA-L4"));
        }
        assertThat(server.post("/api/v1/clusters/" + CLUSTER + "/heartbeat", body.toString(), agentToken)
                        .status())
                .isEqualTo(200);
    }

    static ObjectNode reported(String name, String nodeId, int cpu, long memMb, int gpus, String product) {
        ObjectNode n = Json.object().put("name", name).put("nodeId", nodeId).put("ready", true);
        n.putObject("capacity")
                .put("vcpus", cpu)
                .put("memoryMB", memMb)
                .put("ephemeralStorageMB", 100000)
                .put("gpus", gpus);
        n.putObject("gpu").put("product", product).put("count", gpus);
        return n;
    }

    static JsonNode document() {
        return server.get("/api/v1/clusters/" + CLUSTER, server.adminToken).body();
    }

    static JsonNode join(String id) {
        return server.get("/api/v1/clusters/" + CLUSTER + "/join-tokens/" + id, server.adminToken)
                .body();
    }

    static Secret tokenSecret(String tokenId) {
        return kube.admin
                .secrets()
                .inNamespace("kube-system")
                .withName("bootstrap-token-" + tokenId)
                .get();
    }

    /** The pin as kubeadm's documentation computes it, with openssl, from the CA certificate. */
    static String opensslPin() throws Exception {
        Path dir = Files.createTempDirectory("aios-ca");
        Files.writeString(dir.resolve("ca.crt"), caPem);
        Process p = new ProcessBuilder(
                        "sh",
                        "-c",
                        "openssl x509 -pubkey -noout -in ca.crt | openssl pkey -pubin -outform der"
                                + " | openssl dgst -sha256 -hex | sed 's/^.* //'")
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).strip();
        assertThat(p.waitFor()).as(out).isZero();
        return "sha256:" + out;
    }

    @Test
    void aNodeTheClusterAdmitsJoinsOnceAndTheDocumentFollowsItInAndOut() throws Exception {
        int nodesBefore = document().at("/nodes/count").asInt();

        // the policy: a node with 8 GPUs is refused, nothing issued; a dry run says what would happen
        Answer denied = issue(node("edge-big", 8));
        assertThat(denied.status()).as(denied.body().toString()).isEqualTo(403);
        assertThat(denied.text("/error/message")).contains("an external node brings at most 4 GPUs");
        Answer dry = server.post(
                "/api/v1/clusters/" + CLUSTER + "/join-tokens?dryRun=true", node("edge-1", 2), server.adminToken);
        assertThat(dry.status()).isEqualTo(200);
        assertThat(dry.body().path("allowed").asBoolean()).isTrue();
        assertThat(dry.body().at("/totals/nodes").asInt()).isEqualTo(nodesBefore + 1);
        assertThat(server.get("/api/v1/clusters/" + CLUSTER + "/join-tokens", server.adminToken)
                        .body()
                        .path("items"))
                .as("neither the refusal nor the dry run issued a token")
                .isEmpty();
        Answer bad = issue("{\"node\": {\"id\": \"edge-x\"}, \"ttlSeconds\": 5}");
        assertThat(bad.status()).isEqualTo(422);
        assertThat(bad.body().at("/error/details").toString()).contains("/node/memory", "/node/vcpus", "/ttlSeconds");

        // admitted: the whole command, once, with this cluster's endpoint and the CA pin openssl computes
        Answer issued = issue(node("edge-1", 2));
        assertThat(issued.status()).isEqualTo(201);
        assertThat(issued.headers().firstValue("Cache-Control")).contains("no-store");
        String command = issued.text("/joinCommand");
        Matcher m = Pattern.compile("kubeadm join (\\S+) --token ([a-z0-9]{6})\\.([a-z0-9]{16})"
                        + " --discovery-token-ca-cert-hash (sha256:[0-9a-f]{64})")
                .matcher(command);
        assertThat(m.matches()).as(command).isTrue();
        assertThat(m.group(1)).isEqualTo(endpoint);
        assertThat(m.group(4)).isEqualTo(opensslPin());
        String joinId = issued.text("/id");
        String tokenId = m.group(2);
        assertThat(join(joinId).toString()).doesNotContain(m.group(3)).contains("\"tokenId\":\"" + tokenId + "\"");
        assertThat(issue(node("edge-1", 2)).status())
                .as("one token in flight per node")
                .isEqualTo(409);

        // the engine puts the token on the cluster, as kubeadm reads it
        KubeTestCluster.await(
                () -> join(joinId).path("ready").asBoolean(), Duration.ofSeconds(60), "the token on the cluster");
        Secret s = tokenSecret(tokenId);
        assertThat(s.getType()).isEqualTo("bootstrap.kubernetes.io/token");
        Map<String, String> data = s.getData();
        assertThat(decode(data.get("token-id"))).isEqualTo(tokenId);
        assertThat(decode(data.get("token-secret"))).isEqualTo(m.group(3));
        assertThat(decode(data.get("usage-bootstrap-authentication"))).isEqualTo("true");
        assertThat(decode(data.get("usage-bootstrap-signing"))).isEqualTo("true");
        assertThat(decode(data.get("auth-extra-groups"))).isEqualTo("system:bootstrappers:kubeadm:default-node-token");
        assertThat(java.time.Instant.parse(decode(data.get("expiration"))))
                .isEqualTo(
                        java.time.Instant.parse(join(joinId).path("expiresAt").asString())
                                .truncatedTo(java.time.temporal.ChronoUnit.SECONDS));

        // the node appears in its controller's report: the document gains it, the token goes
        String agent = server.cp.tokens().issueAgent(CLUSTER, "test").token();
        beat(agent, "edge-1");
        KubeTestCluster.await(
                () -> "joined".equals(join(joinId).path("state").asString()), Duration.ofSeconds(30), "the join");
        JsonNode grown = document();
        assertThat(grown.at("/nodes/count").asInt()).isEqualTo(nodesBefore + 1);
        assertThat(grown.at("/nodes/nodeData").toString()).contains("\"id\":\"edge-1\"");
        assertThat(grown.at("/gpus/count").asInt()).isEqualTo(3 + 2);
        KubeTestCluster.await(() -> tokenSecret(tokenId) == null, Duration.ofSeconds(60), "the used token deleted");
        assertThat(audited("cluster.node.join")).isEqualTo(1);

        // a token nobody uses runs out and is cleaned up
        Answer unused = issue(node("edge-2", 1));
        assertThat(unused.status()).isEqualTo(201);
        // the document is bounded by update_cluster too, counted with every token in flight: 2 + edge-1 + edge-2 = 4
        assertThat(server.send(
                                "PUT",
                                "/api/v1/policies/update_cluster",
                                "{\"rules\": [{\"expression\": \"cluster_data.nodes.count <= 4\", \"message\": \"at most 4 nodes\"}]}"
                                        .getBytes(StandardCharsets.UTF_8),
                                server.adminToken)
                        .status())
                .isEqualTo(201);
        Answer fifth = issue(node("edge-3", 1));
        assertThat(fifth.status()).as(fifth.body().toString()).isEqualTo(403);
        assertThat(fifth.text("/error/message")).contains("update_cluster", "at most 4 nodes");
        assertThat(server.post(
                                "/api/v1/clusters/" + CLUSTER + "/join-tokens?dryRun=yes",
                                node("edge-3", 1),
                                server.adminToken)
                        .status())
                .as("a dry run is true or false, never a real token")
                .isEqualTo(400);
        String unusedId = unused.text("/id");
        String unusedToken = unused.text("/tokenId");
        KubeTestCluster.await(() -> join(unusedId).path("ready").asBoolean(), Duration.ofSeconds(60), "token 2");
        server.db
                .jdbi()
                .useHandle(h -> h.createUpdate(
                                "UPDATE node_joins SET expires_at = now() - interval '1 second' WHERE id = :id")
                        .bind("id", unusedId)
                        .execute());
        KubeTestCluster.await(
                () -> "expired".equals(join(unusedId).path("state").asString()) && tokenSecret(unusedToken) == null,
                Duration.ofSeconds(60),
                "the expired token to be cleaned up");

        // the node leaves (no remove_node policy in force): the document loses it
        beat(agent, null);
        KubeTestCluster.await(
                () -> "left".equals(join(joinId).path("state").asString()), Duration.ofSeconds(30), "the leave");
        assertThat(document().at("/nodes/count").asInt()).isEqualTo(nodesBefore);
        assertThat(document().at("/nodes/nodeData").toString()).doesNotContain("edge-1");
        assertThat(audited("cluster.node.leave")).isEqualTo(1);
    }

    @Test
    void aClusterThatDoesNotAllowExternalNodesGetsNoToken() {
        String doc = TestServer.seedWithId("no-externals")
                .replace("\"allowExternalNodes\": true", "\"allowExternalNodes\": false");
        assertThat(server.post("/api/createCluster", doc, server.adminToken).status())
                .isEqualTo(201);
        Answer a = server.post("/api/v1/clusters/no-externals/join-tokens", node("edge-1", 1), server.adminToken);
        assertThat(a.status()).isEqualTo(409);
        assertThat(a.text("/error/code")).isEqualTo("external_nodes_not_allowed");
    }

    static String decode(String b64) {
        return new String(Base64.getDecoder().decode(b64), StandardCharsets.UTF_8);
    }

    static long audited(String action) {
        return server.db
                .jdbi()
                .withHandle(h -> h.createQuery("SELECT count(*) FROM audit_log WHERE action = :a AND target = :c")
                        .bind("a", action)
                        .bind("c", CLUSTER)
                        .mapTo(Long.class)
                        .one());
    }
}
