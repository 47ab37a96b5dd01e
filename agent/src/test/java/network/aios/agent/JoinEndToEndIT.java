package network.aios.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Service;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import network.aios.api.Json;
import network.aios.member.desired.InfraNames;
import network.aios.server.KubeTestCluster;
import network.aios.server.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Pull mode end to end on a real API server, with no kubeconfig ever given to the control plane: the owner asks
 * for a join and applies its manifest with kubectl (as the owner's admin); the pull agent runs as a local process
 * with the least-privilege identity the manifest made, exchanges the single-use bootstrap token, waits for the
 * admin's accept, applies the AIOS services (NodePorts 32300-32303, gateway Mappings), reports, and the cluster's
 * infrastructure is ready; it reports where external nodes join (kube-public/cluster-info), makes an admitted node's
 * bootstrap-token Secret with that identity (which may create and delete Secrets in kube-system, not read them) and
 * deletes it once revoked; drift is repaired by the agent; removal leaves nothing and a clean receipt.
 */
class JoinEndToEndIT {
    private static final String CLUSTER = "cluster-west-vision-001";
    private static KubeTestCluster kube;
    private static TestServer server;
    private static network.aios.server.KubeletStandIn kubelet;
    private static final List<Process> AGENTS = new ArrayList<>();
    private static PullRoleNodeJoinsIT.Expected joinsAt;

    @BeforeAll
    static void start() {
        kube = KubeTestCluster.shared();
        kube.prepare(List.of("node-1", "node-2"));
        kube.awaitNamespaceGone(InfraNames.NAMESPACE);
        AgentFixture.describeSeedNodes(kube);
        // kube-public/cluster-info as kubeadm writes it (the seed's document allows external nodes)
        try {
            joinsAt = PullRoleNodeJoinsIT.clusterInfo(kube);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        server = new TestServer();
        kubelet = kube.fakeKubelet(InfraNames.NAMESPACE, 600);
    }

    @AfterAll
    static void stop() throws Exception {
        AGENTS.forEach(Process::destroy);
        if (kube != null) {
            kube.admin
                    .configMaps()
                    .inNamespace("kube-public")
                    .withName("cluster-info")
                    .delete();
            kube.admin.namespaces().withName(InfraNames.NAMESPACE).delete();
            kube.awaitNamespaceGone(InfraNames.NAMESPACE);
        }
        if (kubelet != null) {
            kubelet.destroy();
        }
        if (server != null) {
            server.close();
        }
    }

    @Test
    void joinAcceptApplyRepairAndRemoveWithoutAKubeconfig() throws Exception {
        String owner = server.ownerToken("pull-owner");
        assertThat(server.send("POST", "/api/createCluster", TestServer.example("cluster.json"), owner)
                        .status())
                .isEqualTo(201);
        TestServer.Answer joined = server.post("/api/v1/clusters/" + CLUSTER + "/join", "{}", owner);
        assertThat(joined.status()).as(String.valueOf(joined.body())).isEqualTo(201);
        String token = joined.text("/token");
        assertThat(token).startsWith("aiosjoin_");
        assertThat(joined.text("/state")).isEqualTo("issued");
        // the join's view never shows the token again
        assertThat(server.get("/api/v1/clusters/" + CLUSTER + "/join", owner)
                        .body()
                        .toString())
                .doesNotContain(token.substring(26));

        // the owner applies the manifest as kubectl does, with their own admin kubeconfig
        Path work = Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), "pull");
        Path ownerKc = work.resolve("owner.kubeconfig");
        Files.writeString(ownerKc, kube.ownerKubeconfigYaml());
        kubectl(ownerKc, joined.text("/manifest"), "apply", "-f", "-");

        // the pull agent runs as the identity the manifest made (the control plane's would-be rights, no more)
        Path agentKc = serviceAccountKubeconfig(work);
        Path tokenFile = work.resolve("bootstrap-token");
        Files.writeString(tokenFile, token);
        Path state = work.resolve("state");
        Process agent = pullAgent(agentKc, tokenFile, state, work.resolve("pull-agent.log"));
        KubeTestCluster.await(
                () -> "requested".equals(join(owner).path("state").asString()),
                Duration.ofSeconds(60),
                "the agent's join request (see " + work.resolve("pull-agent.log") + ")");
        assertThat(join(owner).path("clusterUid").asString())
                .isEqualTo(kube.admin
                        .namespaces()
                        .withName("kube-system")
                        .get()
                        .getMetadata()
                        .getUid());
        // single use: the same token a second time is refused, and nothing was applied before the accept
        assertThat(server.post(
                                "/api/v1/pull/exchange",
                                "{\"bootstrapToken\": \"" + token + "\", \"clusterUid\": \"x\"}",
                                null)
                        .status())
                .isEqualTo(401);
        assertThat(kube.admin
                        .services()
                        .inNamespace(InfraNames.NAMESPACE)
                        .list()
                        .getItems())
                .isEmpty();
        // only the admin accepts
        assertThat(server.post("/api/v1/clusters/" + CLUSTER + "/accept", "{}", owner)
                        .status())
                .isEqualTo(403);
        TestServer.Answer accepted = server.post("/api/v1/clusters/" + CLUSTER + "/accept", "{}", server.adminToken);
        assertThat(accepted.status()).as(String.valueOf(accepted.body())).isEqualTo(200);

        KubeTestCluster.await(
                () -> List.of("live", "degraded").contains(status(owner)),
                Duration.ofMinutes(2),
                "the pull agent to apply the services and report them ready (see " + work.resolve("pull-agent.log")
                        + ")");
        List<Integer> nodePorts = new ArrayList<>();
        for (Service s :
                kube.admin.services().inNamespace(InfraNames.NAMESPACE).list().getItems()) {
            nodePorts.add(s.getSpec().getPorts().get(0).getNodePort());
        }
        assertThat(nodePorts).containsExactlyInAnyOrder(32300, 32301, 32302, 32303);
        assertThat(kube.admin
                        .genericKubernetesResources("getambassador.io/v3alpha1", "Mapping")
                        .inNamespace(InfraNames.NAMESPACE)
                        .list()
                        .getItems())
                .hasSize(4);
        // the same inventory push mode keeps, with the uids the cluster gave
        JsonNode infra =
                server.get("/api/v1/clusters/" + CLUSTER + "/infra", owner).body();
        assertThat(infra.get("inventory").size()).isGreaterThanOrEqualTo(18);
        String controllerUid = kube.admin
                .services()
                .inNamespace(InfraNames.NAMESPACE)
                .withName("aios-controller")
                .get()
                .getMetadata()
                .getUid();
        assertThat(infra.get("inventory").toString()).contains(controllerUid);
        // the control plane holds no credential to this cluster, and ran no job on it
        int credentials = server.db
                .jdbi()
                .withHandle(h -> h.createQuery("SELECT count(*) FROM cluster_credentials WHERE cluster_id = :c")
                        .bind("c", CLUSTER)
                        .mapTo(Integer.class)
                        .one());
        assertThat(credentials).isZero();
        assertThat(infra.get("job").isNull()).isTrue();
        // its state file holds the agent's own credential, for the owner's eyes only
        Path credential = state.resolve("credential");
        assertThat(Files.getPosixFilePermissions(credential))
                .containsExactlyInAnyOrder(
                        java.nio.file.attribute.PosixFilePermission.OWNER_READ,
                        java.nio.file.attribute.PosixFilePermission.OWNER_WRITE);

        // the services the agent applied are the same as push mode's: their controller (run here as a local process
        // with its own ServiceAccount and the token the pulled Secret carries) reports, and the cluster is Ready with
        // its inventory verified against the document
        Path agentToken = work.resolve("agent-token");
        Files.writeString(
                agentToken, kube.secretValue(InfraNames.NAMESPACE, InfraNames.AGENT_SECRET, "AIOS_AGENT_TOKEN"));
        controller(
                AgentFixture.agentKubeconfig(kube, network.aios.member.desired.AgentRole.CONTROLLER), agentToken, work);
        KubeTestCluster.await(
                () -> condition(owner, 0).equals("Ready=True")
                        && condition(owner, 1).equals("InventoryVerified=True"),
                Duration.ofSeconds(60),
                "the controller's heartbeats (see " + work.resolve("controller.log") + ")");
        assertThat(status(owner)).isEqualTo("live");

        externalNodeTokens(owner);

        // drift: a Service deleted on the cluster comes back, and the control plane hears of the repair
        kube.admin
                .services()
                .inNamespace(InfraNames.NAMESPACE)
                .withName("aios-metrics")
                .delete();
        KubeTestCluster.await(
                () -> kube.admin
                                .services()
                                .inNamespace(InfraNames.NAMESPACE)
                                .withName("aios-metrics")
                                .get()
                        != null,
                Duration.ofSeconds(90),
                "the pull agent to put back the deleted Service");
        KubeTestCluster.await(
                () -> server.get("/api/v1/audit?action=infra.resync.changed", server.adminToken)
                        .body()
                        .toString()
                        .contains("aios-metrics"),
                Duration.ofSeconds(30),
                "the repair to be audited");

        // push beside pull: another registration deployed in push mode on a second API server, by the same control
        // plane at the same time; each keeps its own mode, and only the push one gave the control plane a credential
        pushBeside(owner);
        assertThat(join(owner).path("state").asString()).isEqualTo("accepted");
        assertThat(status(owner)).isEqualTo("live");

        // removal: the agent removes what it applied and reports a clean receipt
        TestServer.Answer removal = server.send("DELETE", "/api/v1/clusters/" + CLUSTER + "/infra", null, owner);
        assertThat(removal.status()).as(String.valueOf(removal.body())).isEqualTo(202);
        assertThat(removal.text("/mode")).isEqualTo("pull");
        KubeTestCluster.await(
                () -> "removed".equals(join(owner).path("state").asString()),
                Duration.ofMinutes(2),
                "the pull agent's removal receipt");
        JsonNode receipt = join(owner).get("receipt");
        assertThat(receipt.get("clean").asBoolean()).as(receipt.toString()).isTrue();
        assertThat(receipt.get("residual")).isEmpty();
        assertThat(kube.admin
                        .services()
                        .inNamespace(InfraNames.NAMESPACE)
                        .list()
                        .getItems())
                .isEmpty();
        assertThat(kube.admin
                        .apps()
                        .deployments()
                        .inNamespace(InfraNames.NAMESPACE)
                        .list()
                        .getItems())
                .extracting(d -> d.getMetadata().getName())
                .containsExactly("aios-pull-agent"); // the owner's, applied from the manifest: theirs to delete
        assertThat(status(owner)).isEqualTo("registered");
        assertThat(server.get("/api/v1/clusters/" + CLUSTER + "/infra", owner)
                        .body()
                        .get("inventory"))
                .isEmpty();
        agent.waitFor(30, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(agent.isAlive())
                .as("the agent stops once it removed everything")
                .isFalse();
    }

    /**
     * External nodes on a pull cluster: the agent reports where nodes join; a token admitted for a node (inserted as
     * the node-join service stores it, sealed with the control plane's key) is made into its bootstrap Secret by the
     * agent's least-privilege identity and recorded as made; revoked, the Secret is deleted and the join says so.
     */
    private static void externalNodeTokens(String owner) {
        KubeTestCluster.await(
                () -> joinsAt.endpoint()
                        .equals(join(owner)
                                .at("/lastReport/clusterInfo/endpoint")
                                .asString("")),
                Duration.ofSeconds(60),
                "the agent to report cluster-info");
        assertThat(join(owner).at("/lastReport/clusterInfo/caCertHash").asString())
                .isEqualTo(joinsAt.caCertHash());

        network.aios.store.NodeJoinStore joins = new network.aios.store.NodeJoinStore(server.db);
        network.aios.server.security.SecretBox box = network.aios.server.security.SecretBox.fromEnvOrDataDir(
                System.getenv("AIOS_SECRET_KEY"), server.dataDir);
        java.time.Instant now = java.time.Instant.now();
        String joinId = "nj-e2e-" + Long.toHexString(System.nanoTime());
        String tokenId = "e2e" + Long.toString(System.nanoTime() % 46656, 36);
        tokenId = (tokenId + "000").substring(0, 6);
        String token = tokenId + ".e2esecret0123456";
        assertThat(joins.insert(
                        new network.aios.store.NodeJoinRecord(
                                joinId,
                                CLUSTER,
                                "edge-e2e",
                                Json.object().put("id", "edge-e2e").toString(),
                                tokenId,
                                box.seal(
                                        token.getBytes(StandardCharsets.US_ASCII),
                                        network.aios.store.NodeJoinRecord.sealContext(joinId)),
                                null,
                                network.aios.store.NodeJoinRecord.State.ISSUED,
                                now.plus(Duration.ofHours(1)),
                                "pull-owner",
                                now,
                                null,
                                null,
                                network.aios.store.NodeJoinRecord.SecretState.PENDING,
                                null,
                                null),
                        10))
                .isEqualTo(network.aios.store.NodeJoinStore.Insert.INSERTED);
        String name = "bootstrap-token-" + tokenId;
        java.util.function.Supplier<io.fabric8.kubernetes.api.model.Secret> secret = () ->
                kube.admin.secrets().inNamespace("kube-system").withName(name).get();
        KubeTestCluster.await(
                () -> joins.get(CLUSTER, joinId).orElseThrow().secretState()
                        == network.aios.store.NodeJoinRecord.SecretState.CREATED,
                Duration.ofSeconds(60),
                "the pull agent to make " + name + " and report it");
        io.fabric8.kubernetes.api.model.Secret made = secret.get();
        assertThat(made.getType()).isEqualTo("bootstrap.kubernetes.io/token");
        assertThat(new String(
                        java.util.Base64.getDecoder().decode(made.getData().get("token-secret")),
                        StandardCharsets.US_ASCII))
                .isEqualTo("e2esecret0123456");
        network.aios.store.NodeJoinRecord recorded = joins.get(CLUSTER, joinId).orElseThrow();
        assertThat(recorded.secretUid()).isEqualTo(made.getMetadata().getUid());
        assertThat(recorded.secretVersion()).isEqualTo(made.getMetadata().getResourceVersion());

        assertThat(joins.revoke(CLUSTER, joinId, "pull-owner", java.time.Instant.now()))
                .isPresent();
        KubeTestCluster.await(
                () -> joins.get(CLUSTER, joinId).orElseThrow().secretState()
                        == network.aios.store.NodeJoinRecord.SecretState.DELETED,
                Duration.ofSeconds(60),
                "the pull agent to delete " + name + " and report it");
        assertThat(secret.get()).isNull();
        KubeTestCluster.await(
                () -> List.of("live", "degraded").contains(status(owner)),
                Duration.ofSeconds(30),
                "the cluster to stay ready");
    }

    private static void pushBeside(String owner) throws Exception {
        String push = "push-beside";
        KubeTestCluster other = KubeTestCluster.startLocal();
        try (network.aios.server.KubeletStandIn kubeletB = other.fakeKubelet(InfraNames.NAMESPACE, 600)) {
            other.prepare(List.of("node-1", "node-2"));
            assertThat(server.send(
                                    "POST",
                                    "/api/createCluster",
                                    TestServer.seedWithId(push).getBytes(StandardCharsets.UTF_8),
                                    owner)
                            .status())
                    .isEqualTo(201);
            TestServer.Answer created = server.post(
                    "/create-cluster-infra",
                    "{\"cluster_id\": \"" + push + "\", \"kube_config_data\": "
                            + Json.MAPPER.writeValueAsString(other.ownerKubeconfigYaml()) + "}",
                    owner);
            assertThat(created.status()).as(String.valueOf(created.body())).isEqualTo(200);
            server.awaitJob(created.text("/job_id"), "Ready");
            int credentials = server.db
                    .jdbi()
                    .withHandle(h -> h.createQuery(
                                    "SELECT count(*) FROM cluster_credentials WHERE cluster_id IN (:push, :pull)")
                            .bind("push", push)
                            .bind("pull", CLUSTER)
                            .mapTo(Integer.class)
                            .one());
            assertThat(credentials).as("the push cluster's credential only").isEqualTo(1);
            assertThat(server.get("/api/v1/clusters/" + push + "/join", owner).text("/state"))
                    .isEqualTo("none");
            // a join is refused on a push cluster, and push is refused on the pull one
            assertThat(server.post("/api/v1/clusters/" + push + "/join", "{}", owner)
                            .text("/error/code"))
                    .isEqualTo("has_infrastructure");
            assertThat(other.admin
                            .services()
                            .inNamespace(InfraNames.NAMESPACE)
                            .list()
                            .getItems())
                    .hasSize(4);
            try (AutoCloseable terminator = other.podTerminator(InfraNames.NAMESPACE)) {
                TestServer.Answer removal =
                        server.post("/remove-cluster-infra", "{\"cluster_id\": \"" + push + "\"}", owner);
                server.awaitJob(removal.text("/job_id"), "Removed");
            }
        }
        // the second API server stops with this JVM, as every local one does
    }

    private static String condition(String token, int i) {
        JsonNode h =
                server.get("/api/v1/clusters/" + CLUSTER + "/health", token).body();
        return h.at("/conditions/" + i + "/type").asString() + "="
                + h.at("/conditions/" + i + "/status").asString();
    }

    private static void controller(Path kubeconfig, Path tokenFile, Path work) throws Exception {
        agentProcess(
                work.resolve("controller.log"),
                "--role=controller",
                "--port=" + AgentFixture.freePort(),
                "--cluster-id=" + CLUSTER,
                "--token-file=" + tokenFile,
                "--kubeconfig=" + kubeconfig,
                "--heartbeat-seconds=1");
    }

    /** The agent jar as a local process (the quick JIT tier and the serial collector: it lives for seconds). */
    private static Process agentProcess(Path log, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1",
                "-XX:+UseSerialGC",
                "-Djava.io.tmpdir=" + System.getProperty("java.io.tmpdir"),
                "-jar",
                Path.of("target", "aios-agent.jar").toString(),
                "--host=127.0.0.1",
                "--control-plane=" + server.url()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        AGENTS.add(p);
        return p;
    }

    private static JsonNode join(String token) {
        return server.get("/api/v1/clusters/" + CLUSTER + "/join", token).body();
    }

    private static String status(String token) {
        return server.get("/api/v1/clusters/" + CLUSTER, token).text("/status");
    }

    private static void kubectl(Path kubeconfig, String stdin, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("kubectl", "--kubeconfig", kubeconfig.toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor())
                .as("kubectl " + String.join(" ", args) + ": " + out)
                .isZero();
    }

    /** A kubeconfig for ServiceAccount aios-control-plane, from the token Secret the manifest made for it. */
    private static Path serviceAccountKubeconfig(Path work) throws Exception {
        String saToken = kube.secretValue(InfraNames.NAMESPACE, InfraNames.CONTROL_PLANE_TOKEN_SECRET, "token");
        return kube.kubeconfigWithToken(saToken, work.resolve("pull-agent.kubeconfig"));
    }

    private static Process pullAgent(Path kubeconfig, Path tokenFile, Path state, Path log) throws Exception {
        return agentProcess(
                log,
                "--role=pull",
                "--port=0",
                "--bootstrap-token-file=" + tokenFile,
                "--state-dir=" + state,
                "--kubeconfig=" + kubeconfig);
    }
}
