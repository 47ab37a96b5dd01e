package network.aios.agent;

import static network.aios.agent.AgentFixture.CLUSTER;
import static network.aios.agent.AgentFixture.GRACE;
import static network.aios.agent.AgentFixture.agent;
import static network.aios.agent.AgentFixture.agentGet;
import static network.aios.agent.AgentFixture.audited;
import static network.aios.agent.AgentFixture.blockWorkload;
import static network.aios.agent.AgentFixture.command;
import static network.aios.agent.AgentFixture.condition;
import static network.aios.agent.AgentFixture.deliver;
import static network.aios.agent.AgentFixture.freePort;
import static network.aios.agent.AgentFixture.health;
import static network.aios.agent.AgentFixture.kinds;
import static network.aios.agent.AgentFixture.kube;
import static network.aios.agent.AgentFixture.send;
import static network.aios.agent.AgentFixture.server;
import static network.aios.agent.AgentFixture.tokenFile;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import network.aios.api.Json;
import network.aios.member.desired.InfraNames;
import network.aios.server.KubeTestCluster;
import network.aios.server.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The agents end to end on a real API server (set up by {@link AgentFixture}): heartbeats → Ready and
 * InventoryVerified, a relabelled node → drift, silence → Unknown, a report the cluster's API contradicts
 * → ReportAttested=False; the blocks log across a restart; management commands by signed grant only.
 */
class AgentEndToEndIT {
    @BeforeAll
    static void start() throws Exception {
        AgentFixture.start();
    }

    @AfterAll
    static void stop() throws Exception {
        AgentFixture.stop();
    }

    @Test
    void heartbeatsVerifyTheInventoryDetectDriftAndSilence() throws Exception {
        // the infrastructure's namespace asks the API server to enforce Pod Security's restricted profile
        assertThat(kube.admin
                        .namespaces()
                        .withName(InfraNames.NAMESPACE)
                        .get()
                        .getMetadata()
                        .getLabels())
                .containsAllEntriesOf(network.aios.member.desired.PodSecurity.NAMESPACE_LABELS);
        int port = freePort();
        Process controller = agent("controller", port);
        int metricsPort = freePort();
        agent("metrics", metricsPort);

        KubeTestCluster.await(
                () -> condition(0).equals("Ready=True"),
                Duration.ofSeconds(60),
                "the first heartbeat (see target/agent-controller.log)");
        assertThat(condition(1)).as(health().toString()).isEqualTo("InventoryVerified=True");
        JsonNode inventory = agentGet(port, "/inventory");
        assertThat(inventory.at("/nodes/0/gpu/product").asString()).isEqualTo("NVIDIA-A100-SXM4-40GB");
        assertThat(inventory.at("/nodes/1/capacity/vcpus").asDouble()).isEqualTo(16.0);

        // metrics: the test cluster serves no metrics.k8s.io, and the agent says so
        KubeTestCluster.await(
                () -> server.get("/cluster-metrics/" + CLUSTER, server.adminToken)
                                .status()
                        == 200,
                Duration.ofSeconds(30),
                "the metrics agent's first snapshot");
        JsonNode m =
                server.get("/cluster-metrics/" + CLUSTER, server.adminToken).body();
        assertThat(m.get("metricsApi").asString()).isEqualTo("absent");
        assertThat(m.at("/cluster/gpus/capacity").asInt()).isEqualTo(3);
        assertThat(server.get("/cluster-metrics/node/" + CLUSTER + "/node-2", server.adminToken)
                        .body()
                        .at("/cpu/capacity")
                        .asDouble())
                .isEqualTo(16.0);
        JsonNode local = agentGet(metricsPort, "/nodes/node-1");
        assertThat(local.at("/memoryMB/capacity").asLong()).isEqualTo(131072);

        // relabel a node so the document is wrong: drift, with the diff, and the cluster degraded
        kube.admin.nodes().withName("worker-node-2").edit(n -> {
            n.getMetadata().getLabels().put("nodeID", "node-9");
            return n;
        });
        try {
            KubeTestCluster.await(
                    () -> condition(1).equals("InventoryVerified=False"),
                    Duration.ofSeconds(30),
                    "the relabelled node to be reported");
            assertThat(health().get("drift").toString()).contains("/nodes/nodeData/1/id", "nodeID=node-9");
            assertThat(server.get("/api/v1/clusters/" + CLUSTER, server.adminToken)
                            .text("/status"))
                    .isEqualTo("degraded");
        } finally {
            kube.admin.nodes().withName("worker-node-2").edit(n -> {
                n.getMetadata().getLabels().put("nodeID", "node-2");
                return n;
            });
        }
        KubeTestCluster.await(
                () -> condition(1).equals("InventoryVerified=True"),
                Duration.ofSeconds(30),
                "the label fixed to be reported");
        assertThat(server.get("/api/v1/clusters/" + CLUSTER, server.adminToken).text("/status"))
                .isEqualTo("live");

        // stop the controller: the cluster becomes Unknown and degraded (how soon, grace + sweep, is
        // HeartbeatBench's figure; a bound here would measure this machine's load, not the product)
        controller.destroy();
        controller.waitFor();
        KubeTestCluster.await(
                () -> condition(0).equals("Ready=Unknown"),
                GRACE.plusSeconds(60),
                "Ready to become Unknown once the agent is silent");
        KubeTestCluster.await(
                () -> "degraded"
                        .equals(server.get("/api/v1/clusters/" + CLUSTER, server.adminToken)
                                .text("/status")),
                Duration.ofSeconds(60),
                "the silent cluster to be degraded");

        // the agent credential is readable by the cluster's admin: a report claiming GPUs the cluster does not
        // have is caught by the control plane reading the nodes itself, audited, and no longer counts
        String agentToken = Files.readString(tokenFile).trim();
        tools.jackson.databind.node.ObjectNode truth = Json.object();
        truth.putObject("agent").put("version", "test");
        truth.set(
                "inventory",
                Json.MAPPER.valueToTree(network.aios.member.NodeInventory.of(
                        kube.admin.nodes().list().getItems())));
        tools.jackson.databind.node.ObjectNode lie = truth.deepCopy();
        for (JsonNode n : lie.at("/inventory/nodes")) {
            if ("node-1".equals(n.path("nodeId").asString())) {
                ((ObjectNode) n.path("capacity")).put("gpus", 8);
            }
        }
        assertThat(server.post("/api/v1/clusters/" + CLUSTER + "/heartbeat", lie.toString(), agentToken)
                        .status())
                .isEqualTo(200);
        KubeTestCluster.await(
                () -> condition(2).equals("ReportAttested=False"),
                Duration.ofSeconds(30),
                "the control plane to see through the report");
        assertThat(health().at("/attestationDiff").toString()).contains("/nodes/node-1/gpus");
        TestServer.Answer after = server.post("/api/v1/clusters/" + CLUSTER + "/heartbeat", lie.toString(), agentToken);
        assertThat(after.body().path("inventoryVerified").asBoolean()).isFalse();
        assertThat(after.body().path("drift").toString()).contains("/attestation");
        Long audits = server.db
                .jdbi()
                .withHandle(h -> h.createQuery("SELECT count(*) FROM audit_log WHERE action = "
                                + "'cluster.attestation' AND target = :c AND detail->>'attested' = 'false'")
                        .bind("c", CLUSTER)
                        .mapTo(Long.class)
                        .one());
        assertThat(audits).isEqualTo(1L);
        assertThat(server.post("/api/v1/clusters/" + CLUSTER + "/heartbeat", truth.toString(), agentToken)
                        .status())
                .isEqualTo(200);
        KubeTestCluster.await(
                () -> condition(2).equals("ReportAttested=True"),
                Duration.ofSeconds(30),
                "a truthful report to be attested again");
    }

    @Test
    void theBlocksLogOutlivesTheAgentAndManagementCommandsAreCheckedRunAndAudited() throws Exception {
        // blocks: a block workload appears and scales; the log is on the cluster
        int blocksPort = freePort();
        Process blocks = agent("blocks", blocksPort);
        KubeTestCluster.await(
                () -> agentGet(blocksPort, "/healthz") != null, Duration.ofSeconds(30), "the blocks agent");
        blockWorkload("block-b1", "b1", 1);
        KubeTestCluster.await(
                () -> kinds(blocksPort, "b1").equals(List.of("created")),
                Duration.ofSeconds(30),
                "the block's creation to be logged");
        kube.admin
                .apps()
                .deployments()
                .inNamespace("default")
                .withName("block-b1")
                .scale(3);
        KubeTestCluster.await(
                () -> kinds(blocksPort, "b1").equals(List.of("created", "scaled")),
                Duration.ofSeconds(30),
                "the scale to be logged");
        assertThat(send(blocksPort, "GET", "/transactions?blockId=b1&kind=scaled", null, null)
                        .at("/items/0/fromReplicas")
                        .asInt())
                .isEqualTo(1);
        assertThat(send(blocksPort, "GET", "/transactions?kind=exploded", null, null)
                        .get("_status")
                        .asInt())
                .isEqualTo(400);
        // the agent stops; the block goes away meanwhile; a new agent has the whole history and what happened
        blocks.destroy();
        blocks.waitFor();
        kube.admin
                .apps()
                .deployments()
                .inNamespace("default")
                .withName("block-b1")
                .delete();
        int again = freePort();
        agent("blocks", again);
        KubeTestCluster.await(
                () -> kinds(again, "b1").equals(List.of("created", "scaled", "deleted")),
                Duration.ofSeconds(30),
                "the restarted agent to log the deletion it missed");
        assertThat(send(again, "GET", "/blocks/b1/transactions?kind=deleted", null, null)
                        .at("/items/0/note")
                        .asString())
                .contains("not running");
        assertThat(kube.admin
                        .configMaps()
                        .inNamespace(InfraNames.NAMESPACE)
                        .withLabel(BlockLog.LABEL)
                        .list()
                        .getItems())
                .isNotEmpty();

        // mgmt: commands are decided by the control plane (owner or admin) and carried by a signed grant;
        // a network token never reaches the agent, and a grant works once
        int mgmtPort = freePort();
        Process mgmt = agent("mgmt", mgmtPort);
        KubeTestCluster.await(() -> agentGet(mgmtPort, "/healthz") != null, Duration.ofSeconds(30), "the mgmt agent");
        // the agent speaks TLS only, with a certificate that names this cluster: a client expecting another
        // cluster's agents (same network CA) or speaking plain HTTP gets nothing
        java.net.http.HttpClient otherCluster = java.net.http.HttpClient.newBuilder()
                .sslContext(network.aios.tls.AgentTrust.forIdentity(
                        AgentFixture.agentCa(), network.aios.tls.AgentCa.identity("cluster-east-001", "r1")))
                .build();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> otherCluster.send(
                        java.net.http.HttpRequest.newBuilder(
                                        java.net.URI.create(AgentFixture.url(mgmtPort, "/healthz")))
                                .build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString()))
                .isInstanceOf(javax.net.ssl.SSLHandshakeException.class);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> java.net.http.HttpClient.newHttpClient()
                        .send(
                                java.net.http.HttpRequest.newBuilder(
                                                java.net.URI.create("http://127.0.0.1:" + mgmtPort + "/healthz"))
                                        .build(),
                                java.net.http.HttpResponse.BodyHandlers.ofString()))
                .isInstanceOf(java.io.IOException.class);
        String cordon = "{\"command\": \"cordon\", \"node\": \"node-1\"}";
        String admin = server.adminToken;
        assertThat(send(mgmtPort, "POST", "/commands", cordon, null)
                        .get("_status")
                        .asInt())
                .isEqualTo(401);
        JsonNode bearer = send(mgmtPort, "POST", "/commands", cordon, admin);
        assertThat(bearer.get("_status").asInt())
                .as("a network token is not accepted by the agent")
                .isEqualTo(401);
        assertThat(bearer.at("/error/code").asString()).isEqualTo("grant_required");
        assertThat(command(mgmtPort, cordon, server.ownerToken("not-the-owner"))
                        .get("_status")
                        .asInt())
                .isEqualTo(404);
        String grant = server.post("/api/v1/clusters/" + CLUSTER + "/commands", cordon, admin)
                .text("/grant");
        String tampered = grant.substring(0, grant.indexOf('.')) + "."
                + new StringBuilder(grant.substring(grant.indexOf('.') + 1)).reverse();
        assertThat(deliver(mgmtPort, tampered).get("_status").asInt()).isEqualTo(401);
        JsonNode cordoned = deliver(mgmtPort, grant);
        assertThat(cordoned.get("_status").asInt()).as(cordoned.toString()).isEqualTo(200);
        assertThat(kube.admin.nodes().withName("worker-node-1").get().getSpec().getUnschedulable())
                .isTrue();
        assertThat(deliver(mgmtPort, grant).get("_status").asInt())
                .as("a grant works once")
                .isEqualTo(409);
        // ... also across a restart of the agent, which forgets the grants it carried out: one issued before
        // it started is refused
        String beforeRestart = server.post("/api/v1/clusters/" + CLUSTER + "/commands", cordon, admin)
                .text("/grant");
        long issued = Json.parse(new String(
                        java.util.Base64.getUrlDecoder().decode(beforeRestart.substring(0, beforeRestart.indexOf('.'))),
                        java.nio.charset.StandardCharsets.UTF_8))
                .path("iat")
                .asLong();
        // grants carry whole seconds: the restart happens in a later second than the grant's
        KubeTestCluster.await(
                () -> java.time.Instant.now().getEpochSecond() > issued, Duration.ofSeconds(5), "the next second");
        mgmt.destroy();
        mgmt.waitFor();
        agent("mgmt", mgmtPort);
        KubeTestCluster.await(
                () -> agentGet(mgmtPort, "/healthz") != null, Duration.ofSeconds(30), "the mgmt agent again");
        JsonNode replayed = deliver(mgmtPort, beforeRestart);
        assertThat(replayed.get("_status").asInt()).as(replayed.toString()).isEqualTo(401);
        assertThat(replayed.at("/error/message").asString()).contains("before this agent started");
        JsonNode unknown = command(mgmtPort, "{\"command\": \"reboot\"}", admin);
        assertThat(unknown.get("_status").asInt()).isEqualTo(422);
        assertThat(unknown.at("/error/details/0/path").asString()).isEqualTo("/command");
        assertThat(command(
                                mgmtPort,
                                "{\"command\": \"relabel\", \"node\": \"node-1\", " + "\"nodeId\": \"node-2\"}",
                                admin)
                        .get("_status")
                        .asInt())
                .isEqualTo(409);
        assertThat(command(mgmtPort, "{\"command\": \"cordon\", \"node\": \"node-7\"}", admin)
                        .get("_status")
                        .asInt())
                .isEqualTo(404);

        // drain: a pod on the node is evicted
        kube.admin
                .pods()
                .inNamespace("default")
                .resource(new io.fabric8.kubernetes.api.model.PodBuilder()
                        .withNewMetadata()
                        .withName("on-node-1")
                        .withNamespace("default")
                        .endMetadata()
                        .withNewSpec()
                        .withNodeName("worker-node-1")
                        .addNewContainer()
                        .withName("c")
                        .withImage("x")
                        .endContainer()
                        .endSpec()
                        .build())
                .create();
        JsonNode drained = command(mgmtPort, "{\"command\": \"drain\", \"node\": \"node-1\"}", admin);
        assertThat(drained.get("_status").asInt()).as(drained.toString()).isEqualTo(200);
        assertThat(drained.get("evicted").toString()).contains("default/on-node-1");
        JsonNode uncordoned = command(mgmtPort, "{\"command\": \"uncordon\", \"node\": \"node-1\"}", admin);
        assertThat(uncordoned.get("unschedulable").asBoolean()).isFalse();
        assertThat(kube.admin.nodes().withName("worker-node-1").get().getSpec().getUnschedulable())
                .isNotEqualTo(true);

        // refresh: the inventory goes to the control plane now
        JsonNode refreshed = command(mgmtPort, "{\"command\": \"refresh\"}", admin);
        assertThat(refreshed.get("inventoryVerified").asBoolean())
                .as(refreshed.toString())
                .isTrue();

        // a block command is forwarded to the block's endpoint
        com.sun.net.httpserver.HttpServer block =
                com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress("127.0.0.1", 0), 0);
        block.createContext("/scale", ex -> {
            byte[] b = ("{\"scaledTo\": "
                            + Json.MAPPER
                                    .readTree(ex.getRequestBody().readAllBytes())
                                    .get("replicas") + "}")
                    .getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, b.length);
            ex.getResponseBody().write(b);
            ex.close();
        });
        block.start();
        try {
            kube.admin
                    .services()
                    .inNamespace("default")
                    .resource(new io.fabric8.kubernetes.api.model.ServiceBuilder()
                            .withNewMetadata()
                            .withName("block-b2")
                            .withNamespace("default")
                            .withLabels(Map.of(BlocksRole.BLOCK_LABEL, "b2"))
                            .withAnnotations(Map.of(
                                    MgmtRole.BLOCK_ENDPOINT_ANNOTATION,
                                    "http://127.0.0.1:" + block.getAddress().getPort()))
                            .endMetadata()
                            .withNewSpec()
                            .addNewPort()
                            .withPort(80)
                            .withProtocol("TCP")
                            .endPort()
                            .endSpec()
                            .build())
                    .create();
            JsonNode forwarded = command(
                    mgmtPort,
                    "{\"command\": \"block\", \"blockId\": \"b2\", "
                            + "\"path\": \"/scale\", \"body\": {\"replicas\": 4}}",
                    admin);
            assertThat(forwarded.at("/blockAnswer/scaledTo").asInt())
                    .as(forwarded.toString())
                    .isEqualTo(4);
            assertThat(command(mgmtPort, "{\"command\": \"block\", \"blockId\": \"b404\"}", admin)
                            .get("_status")
                            .asInt())
                    .isEqualTo(404);
            // whoever can annotate a Service cannot aim the agent at the node's metadata service
            kube.admin
                    .services()
                    .inNamespace("default")
                    .resource(new io.fabric8.kubernetes.api.model.ServiceBuilder()
                            .withNewMetadata()
                            .withName("block-b3")
                            .withNamespace("default")
                            .withLabels(Map.of(BlocksRole.BLOCK_LABEL, "b3"))
                            .withAnnotations(Map.of(MgmtRole.BLOCK_ENDPOINT_ANNOTATION, "http://169.254.169.254"))
                            .endMetadata()
                            .withNewSpec()
                            .addNewPort()
                            .withPort(80)
                            .withProtocol("TCP")
                            .endPort()
                            .endSpec()
                            .build())
                    .create();
            JsonNode refused = command(
                    mgmtPort,
                    "{\"command\": \"block\", \"blockId\": \"b3\", " + "\"path\": \"/latest/meta-data/\"}",
                    admin);
            assertThat(refused.get("_status").asInt()).as(refused.toString()).isEqualTo(403);
            assertThat(refused.toString()).contains("egress_refused");
        } finally {
            block.stop(0);
            kube.admin.services().inNamespace("default").withName("block-b2").delete();
            kube.admin.services().inNamespace("default").withName("block-b3").delete();
            kube.admin
                    .pods()
                    .inNamespace("default")
                    .withName("on-node-1")
                    .withGracePeriod(0)
                    .delete();
        }

        // every command, with who gave it, is in the control plane's audit log
        KubeTestCluster.await(() -> audited() >= 8, Duration.ofSeconds(10), "the commands to be audited");
        String actor = server.db
                .jdbi()
                .withHandle(h -> h.createQuery("SELECT actor || ' ' || (detail->>'by') FROM "
                                + "audit_log WHERE action = 'mgmt.cordon' ORDER BY at LIMIT 1")
                        .mapTo(String.class)
                        .one());
        // the actor is the authenticated agent; who the agent says gave the command is its claim, in the detail
        assertThat(actor).isEqualTo("agent." + CLUSTER + " admin");
    }
}
