package network.aios.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import network.aios.api.Json;
import network.aios.member.desired.NodeJoin;
import network.aios.member.desired.NodeJoinWork;
import network.aios.server.KubeTestCluster;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The pull role's part in external nodes' joins, on a real API server against a stub control plane: it makes the
 * bootstrap-token Secrets the desired state names and reports the uid and resourceVersion the API server gave; a
 * create repeated after a lost report is reported as made, one that meets a Secret it did not make is a failure
 * (it cannot read it, so it leaves it alone); it deletes only under the resourceVersion precondition it is given
 * (a changed Secret stays, a missing one is {@code gone}); it makes or deletes nothing but bootstrap-token Secrets
 * in kube-system; and it reports where nodes join, from kube-public/cluster-info.
 */
class PullRoleNodeJoinsIT {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final SecureRandom RANDOM = new SecureRandom();

    private KubeTestCluster kube;
    private PullStubControlPlane cp;
    private AgentMain.Running agent;
    private String ns;
    private final List<String> tokenIds = new java.util.ArrayList<>();

    @BeforeEach
    void setUp() {
        kube = KubeTestCluster.shared();
        cp = new PullStubControlPlane();
        ns = "pull-nj-" + Long.toHexString(System.nanoTime());
        kube.admin
                .resource(new NamespaceBuilder()
                        .withNewMetadata()
                        .withName(ns)
                        .endMetadata()
                        .build())
                .create();
    }

    @AfterEach
    void tearDown() {
        if (agent != null) {
            agent.close();
        }
        cp.close();
        for (String id : tokenIds) {
            kube.admin
                    .secrets()
                    .inNamespace(NodeJoin.NAMESPACE)
                    .withName(NodeJoin.secretName(id))
                    .delete();
        }
        kube.admin
                .configMaps()
                .inNamespace("kube-public")
                .withName("cluster-info")
                .delete();
        kube.admin.namespaces().withName(ns).delete();
    }

    @Test
    void makesAndDeletesBootstrapTokensAsToldAndReportsWhereNodesJoin(@TempDir Path dir) throws Exception {
        Expected where = clusterInfo(kube);
        NodeJoin.Token token = token();
        Instant expires = Instant.now().plus(Duration.ofHours(1));
        String rev1 = cp.serve(desired(work(List.of(create(token, "edge-1", expires)), List.of())));
        agent = start(dir);

        JsonNode first = cp.awaitReport(r -> rev1.equals(r.path("revision").asString()), WAIT, "the first report");
        JsonNode made = only(first, NodeJoin.secretName(token.id()));
        assertThat(made.path("outcome").asString()).isEqualTo("created");
        Secret secret = secret(token.id());
        assertThat(secret).isNotNull();
        assertThat(made.path("uid").asString()).isEqualTo(secret.getMetadata().getUid());
        assertThat(made.path("resourceVersion").asString())
                .isEqualTo(secret.getMetadata().getResourceVersion());
        // what kubeadm and the API server's bootstrap authenticator read
        assertThat(secret.getType()).isEqualTo("bootstrap.kubernetes.io/token");
        Map<String, String> data = decoded(secret);
        assertThat(data)
                .containsEntry("token-id", token.id())
                .containsEntry("token-secret", token.secret())
                .containsEntry("usage-bootstrap-authentication", "true")
                .containsEntry("usage-bootstrap-signing", "true")
                .containsEntry("auth-extra-groups", NodeJoin.KUBEADM_GROUP)
                .containsEntry(
                        "expiration", expires.truncatedTo(ChronoUnit.SECONDS).toString());
        assertThat(secret.getMetadata().getLabels()).containsEntry(NodeJoin.NODE_LABEL, "edge-1");
        // where nodes join: the endpoint and the CA pin, read from cluster-info
        assertThat(first.at("/clusterInfo/endpoint").asString()).isEqualTo(where.endpoint());
        assertThat(first.at("/clusterInfo/caCertHash").asString()).isEqualTo(where.caCertHash());

        // the same create again (the report was lost, say): 409, and this process knows it made it
        String rev2 = cp.serve(desired(work(List.of(create(token, "edge-1", expires)), List.of()), 3599));
        JsonNode again = only(
                cp.awaitReport(r -> rev2.equals(r.path("revision").asString()), WAIT, "revision 2"),
                NodeJoin.secretName(token.id()));
        assertThat(again.path("outcome").asString()).isEqualTo("created");
        assertThat(again.path("uid").asString()).isEqualTo(secret.getMetadata().getUid());
        assertThat(again.path("resourceVersion").asString())
                .isEqualTo(secret.getMetadata().getResourceVersion());

        // a Secret of that name it did not make: left alone, a failure said
        NodeJoin.Token foreign = token();
        kube.admin
                .resource(new SecretBuilder()
                        .withNewMetadata()
                        .withName(NodeJoin.secretName(foreign.id()))
                        .withNamespace(NodeJoin.NAMESPACE)
                        .endMetadata()
                        .withType("bootstrap.kubernetes.io/token")
                        .withStringData(Map.of("token-id", foreign.id(), "token-secret", "someoneelses00000"))
                        .build())
                .create();
        String foreignUid = secret(foreign.id()).getMetadata().getUid();
        // and what is not a bootstrap token in kube-system is not made at all
        ObjectNode opaque = create(token(), "edge-2", expires);
        opaque.put("type", "Opaque");
        ObjectNode elsewhere = create(token(), "edge-3", expires);
        ((ObjectNode) elsewhere.get("metadata")).put("namespace", ns);
        ObjectNode misnamed = create(token(), "edge-4", expires);
        ((ObjectNode) misnamed.get("metadata")).put("name", "kube-root-secret");
        String rev3 = cp.serve(desired(
                work(List.of(create(foreign, "edge-5", expires), opaque, elsewhere, misnamed), List.of()), 3598));
        JsonNode third = cp.awaitReport(r -> rev3.equals(r.path("revision").asString()), WAIT, "revision 3");
        assertThat(third.get("nodeJoins"))
                .as("no line for a name that is not a token's")
                .hasSize(3);
        JsonNode clash = only(third, NodeJoin.secretName(foreign.id()));
        assertThat(clash.path("outcome").asString()).isEqualTo("failed");
        assertThat(clash.path("message").asString()).contains("exists already");
        assertThat(secret(foreign.id()).getMetadata().getUid()).isEqualTo(foreignUid);
        assertThat(decoded(secret(foreign.id()))).containsEntry("token-secret", "someoneelses00000");
        for (ObjectNode refused : List.of(opaque, elsewhere)) {
            String name = refused.at("/metadata/name").asString();
            assertThat(only(third, name).path("outcome").asString()).isEqualTo("failed");
            assertThat(only(third, name).path("message").asString()).contains("refused");
            assertThat(kube.admin
                            .secrets()
                            .inNamespace(NodeJoin.NAMESPACE)
                            .withName(name)
                            .get())
                    .isNull();
            assertThat(kube.admin.secrets().inNamespace(ns).withName(name).get())
                    .isNull();
        }
        assertThat(kube.admin
                        .secrets()
                        .inNamespace(ns)
                        .withName("kube-root-secret")
                        .get())
                .isNull();
        assertThat(kube.admin
                        .secrets()
                        .inNamespace(NodeJoin.NAMESPACE)
                        .withName("kube-root-secret")
                        .get())
                .isNull();

        // deleted only as made: a Secret changed since is left in place
        String uid = secret.getMetadata().getUid();
        String madeAt = secret.getMetadata().getResourceVersion();
        kube.admin
                .secrets()
                .inNamespace(NodeJoin.NAMESPACE)
                .withName(NodeJoin.secretName(token.id()))
                .edit(s -> {
                    s.getMetadata().setAnnotations(Map.of("touched", "by the cluster's admin"));
                    return s;
                });
        String rev4 = cp.serve(desired(work(List.of(), List.of(new NodeJoinWork.Delete(token.id(), uid, madeAt)))));
        JsonNode stale = only(
                cp.awaitReport(r -> rev4.equals(r.path("revision").asString()), WAIT, "revision 4"),
                NodeJoin.secretName(token.id()));
        assertThat(stale.path("outcome").asString()).isEqualTo("failed");
        assertThat(stale.path("message").asString()).contains("changed since it was made");
        assertThat(secret(token.id())).as("left in place").isNotNull();

        // as it is now: deleted
        String now = secret(token.id()).getMetadata().getResourceVersion();
        String rev5 = cp.serve(desired(work(List.of(), List.of(new NodeJoinWork.Delete(token.id(), uid, now)))));
        JsonNode deleted = only(
                cp.awaitReport(r -> rev5.equals(r.path("revision").asString()), WAIT, "revision 5"),
                NodeJoin.secretName(token.id()));
        assertThat(deleted.path("outcome").asString()).isEqualTo("deleted");
        assertThat(deleted.path("uid").asString()).isEqualTo(uid);
        assertThat(secret(token.id())).isNull();

        // asked again (its report lost): gone; and nothing outside kube-system is deleted, whatever it is told
        kube.admin
                .resource(new SecretBuilder()
                        .withNewMetadata()
                        .withName(NodeJoin.secretName(token.id()))
                        .withNamespace(ns)
                        .endMetadata()
                        .withStringData(Map.of("keep", "me"))
                        .build())
                .create();
        ObjectNode work = work(List.of(), List.of(new NodeJoinWork.Delete(token.id(), uid, now)));
        ((ArrayNode) work.get("delete"))
                .addObject()
                .put("namespace", ns)
                .put("name", NodeJoin.secretName(token.id()))
                .put("uid", "x")
                .put("resourceVersion", "1");
        String rev6 = cp.serve(desired(work, 3597));
        JsonNode sixth = cp.awaitReport(r -> rev6.equals(r.path("revision").asString()), WAIT, "revision 6");
        assertThat(sixth.get("nodeJoins")).hasSize(1);
        assertThat(only(sixth, NodeJoin.secretName(token.id())).path("outcome").asString())
                .isEqualTo("gone");
        assertThat(kube.admin
                        .secrets()
                        .inNamespace(ns)
                        .withName(NodeJoin.secretName(token.id()))
                        .get())
                .isNotNull();
    }

    @Test
    void withoutClusterInfoTheReportSaysNoneAndNothingIsAsked(@TempDir Path dir) throws Exception {
        kube.admin
                .configMaps()
                .inNamespace("kube-public")
                .withName("cluster-info")
                .delete();
        KubeTestCluster.await(
                () -> kube.admin
                                .configMaps()
                                .inNamespace("kube-public")
                                .withName("cluster-info")
                                .get()
                        == null,
                WAIT,
                "no cluster-info");
        String rev = cp.serve(desired(null));
        agent = start(dir);
        JsonNode report = cp.awaitReport(r -> rev.equals(r.path("revision").asString()), WAIT, "the report");
        assertThat(report.has("clusterInfo")).isFalse();
        assertThat(report.has("nodeJoins")).isFalse();
    }

    /** The endpoint and CA pin a test expects from cluster-info. */
    record Expected(String endpoint, String caCertHash) {}

    /**
     * Writes {@code kube-public/cluster-info} as kubeadm does (a kubeconfig naming the API server and its CA) for
     * this test API server, and returns what a node's join command must name, the pin computed here from the CA.
     */
    static Expected clusterInfo(KubeTestCluster kube) throws Exception {
        JsonNode cluster = network.aios.api.kubeconfig.StrictYaml.parse(kube.ownerKubeconfigYaml())
                .at("/clusters/0/cluster");
        String server = cluster.path("server").asString();
        String caData = cluster.path("certificate-authority-data").asString();
        String kubeconfig = "apiVersion: v1\nkind: Config\nclusters:\n- cluster:\n    certificate-authority-data: "
                + caData + "\n    server: " + server + "\n  name: \"\"\ncontexts: null\ncurrent-context: \"\"\n"
                + "users: null\n";
        kube.admin
                .resource(new ConfigMapBuilder()
                        .withNewMetadata()
                        .withName("cluster-info")
                        .withNamespace("kube-public")
                        .endMetadata()
                        .withData(Map.of("kubeconfig", kubeconfig))
                        .build())
                .serverSideApply();
        var cert = CertificateFactory.getInstance("X.509")
                .generateCertificate(
                        new java.io.ByteArrayInputStream(Base64.getDecoder().decode(caData)));
        String pin = "sha256:"
                + HexFormat.of()
                        .formatHex(MessageDigest.getInstance("SHA-256")
                                .digest(cert.getPublicKey().getEncoded()));
        return new Expected(server.replaceFirst("^https://", "").replaceAll("/.*$", ""), pin);
    }

    private NodeJoin.Token token() {
        String alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
        StringBuilder id = new StringBuilder();
        StringBuilder secret = new StringBuilder();
        for (int i = 0; i < 6; i++) {
            id.append(alphabet.charAt(RANDOM.nextInt(alphabet.length())));
        }
        for (int i = 0; i < 16; i++) {
            secret.append(alphabet.charAt(RANDOM.nextInt(alphabet.length())));
        }
        tokenIds.add(id.toString());
        return new NodeJoin.Token(id.toString(), secret.toString());
    }

    private static ObjectNode create(NodeJoin.Token token, String nodeId, Instant expires) {
        NodeJoinWork one = new NodeJoinWork(
                List.of(new NodeJoinWork.Create(PullStubControlPlane.CLUSTER_ID, nodeId, token, expires)), List.of());
        return (ObjectNode) one.toJson().get("create").get(0);
    }

    private static ObjectNode work(List<ObjectNode> create, List<NodeJoinWork.Delete> delete) {
        ObjectNode w = new NodeJoinWork(List.of(), delete).toJson();
        create.forEach(((ArrayNode) w.get("create"))::add);
        return w;
    }

    private ObjectNode desired(ObjectNode nodeJoins) {
        return desired(nodeJoins, 3600);
    }

    /** A set with no waves (nothing of the services here), and the node-join work; resync as given. */
    private ObjectNode desired(ObjectNode nodeJoins, int resyncSeconds) {
        ObjectNode d = Json.object()
                .put("clusterId", PullStubControlPlane.CLUSTER_ID)
                .put("remove", false)
                .put("fieldManager", "aios-pull-agent");
        d.putArray("waves");
        ObjectNode prune = d.putObject("prune").put("namespace", ns).put("stamp", "cluster/" + ns + "@1");
        prune.putObject("selector").put("aios.network/cluster", PullStubControlPlane.CLUSTER_ID);
        prune.putArray("kinds");
        d.putArray("deployments");
        d.put("resyncSeconds", resyncSeconds);
        if (nodeJoins != null) {
            d.set("nodeJoins", nodeJoins);
        }
        return d;
    }

    private AgentMain.Running start(Path dir) throws Exception {
        Path token = Files.writeString(dir.resolve("bootstrap-token"), cp.bootstrapToken);
        AgentMain main = new AgentMain();
        new CommandLine(main)
                .parseArgs(
                        "--role=pull",
                        "--port=0",
                        "--host=127.0.0.1",
                        "--control-plane=" + cp.url(),
                        "--bootstrap-token-file=" + token,
                        "--state-dir=" + dir.resolve("state"),
                        "--kubeconfig=" + kube.kubeconfig);
        return main.start();
    }

    private Secret secret(String tokenId) {
        return kube.admin
                .secrets()
                .inNamespace(NodeJoin.NAMESPACE)
                .withName(NodeJoin.secretName(tokenId))
                .get();
    }

    private static Map<String, String> decoded(Secret s) {
        Map<String, String> out = new java.util.TreeMap<>();
        s.getData().forEach((k, v) -> out.put(k, new String(Base64.getDecoder().decode(v), StandardCharsets.UTF_8)));
        return out;
    }

    /** The report's one line about Secret {@code name}. */
    private static JsonNode only(JsonNode report, String name) {
        List<JsonNode> found = new java.util.ArrayList<>();
        report.path("nodeJoins").forEach(n -> {
            if (name.equals(n.path("name").asString())) {
                found.add(n);
            }
        });
        assertThat(found)
                .as("lines for " + name + " in " + report.path("nodeJoins"))
                .hasSize(1);
        return found.get(0);
    }
}
