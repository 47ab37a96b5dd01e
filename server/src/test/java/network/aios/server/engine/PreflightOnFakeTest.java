package network.aios.server.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionBuilder;
import java.util.List;
import java.util.Map;
import network.aios.api.ClusterDocument;
import network.aios.api.ClusterValidator;
import network.aios.api.DocumentParser;
import network.aios.member.Preflight;
import network.aios.member.Preflight.Check;
import network.aios.member.Preflight.Status;
import network.aios.member.desired.InfraNames;
import network.aios.member.desired.Owner;
import network.aios.server.TestServer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Preflight on a cluster in memory: every check it makes, passing and failing by name. */
class PreflightOnFakeTest {
    private final FakeClusterOps cluster = new FakeClusterOps();
    private ClusterDocument doc;
    private Owner owner;

    @BeforeEach
    void aClusterMeetingEveryPrerequisite() throws Exception {
        // the seed: nodes node-1 and node-2, the gateway on, external nodes allowed
        doc = ClusterDocument.of(new ClusterValidator()
                .validate(
                        DocumentParser.parse(TestServer.example("cluster.json")).document())
                .document());
        owner = Owner.cluster(doc.id(), "incarnation-1");
        cluster.put(node("worker-a", "node-1"));
        cluster.put(node("worker-b", "node-2"));
        cluster.put(ambassador("NodePort", InfraNames.AMBASSADOR_NODE_PORT));
        cluster.put(new CustomResourceDefinitionBuilder()
                .withNewMetadata()
                .withName(InfraNames.MAPPING_CRD)
                .endMetadata()
                .build());
        cluster.put(new ConfigMapBuilder()
                .withNewMetadata()
                .withNamespace("kube-system")
                .withName("kubeadm-config")
                .endMetadata()
                .build());
    }

    private static io.fabric8.kubernetes.api.model.Node node(String name, String nodeId) {
        return new NodeBuilder()
                .withNewMetadata()
                .withName(name)
                .withLabels(nodeId == null ? Map.of() : Map.of("nodeID", nodeId))
                .endMetadata()
                .build();
    }

    private static io.fabric8.kubernetes.api.model.Service ambassador(String type, int nodePort) {
        return new ServiceBuilder()
                .withNewMetadata()
                .withNamespace(InfraNames.AMBASSADOR_NAMESPACE)
                .withName(InfraNames.AMBASSADOR_SERVICE)
                .endMetadata()
                .withNewSpec()
                .withType(type)
                .addNewPort()
                .withPort(80)
                .withNodePort(nodePort)
                .endPort()
                .endSpec()
                .build();
    }

    private List<Check> preflight() {
        return Preflight.run(cluster, doc, owner);
    }

    private static List<String> failed(List<Check> checks) {
        return checks.stream()
                .filter(c -> c.status() == Status.FAIL)
                .map(Check::name)
                .toList();
    }

    private static Check check(List<Check> checks, String name) {
        return checks.stream().filter(c -> c.name().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void aClusterMeetingEveryPrerequisitePasses() {
        List<Check> checks = preflight();

        assertThat(checks)
                .extracting(Check::name)
                .containsExactly(
                        "api-server",
                        "permissions",
                        "namespace",
                        "node-labels",
                        "node-ports",
                        "ambassador",
                        "ambassador-mapping-crd",
                        "kubeadm",
                        "external-nodes");
        assertThat(Preflight.passed(checks)).isTrue();
        assertThat(checks.subList(0, 8)).allMatch(c -> c.status() == Status.PASS, "passes");
        assertThat(check(checks, "external-nodes").status()).isEqualTo(Status.WARN); // the seed allows them
        assertThat(check(checks, "api-server").message()).isEqualTo("Kubernetes v1.30.0-fake answers");
        assertThat(check(checks, "node-labels").message())
                .isEqualTo("every node is labelled nodeID and matches the document: [node-1, node-2]");
    }

    @Test
    void externalNodesNameTheJoinEndpointAndCaFromClusterInfo() throws Exception {
        network.aios.server.TestCerts ca = network.aios.server.TestCerts.selfSigned();
        byte[] pem = java.nio.file.Files.readAllBytes(ca.cert);
        cluster.configMapData.put(
                "kube-public/cluster-info/kubeconfig",
                "apiVersion: v1\nclusters:\n- cluster:\n    certificate-authority-data: "
                        + java.util.Base64.getEncoder().encodeToString(pem)
                        + "\n    server: https://203.0.113.7:6443\n  name: \"\"\n");

        Check c = check(preflight(), "external-nodes");

        assertThat(c.status()).isEqualTo(Status.WARN);
        assertThat(c.message())
                .contains("nodes join at 203.0.113.7:6443", network.aios.member.desired.NodeJoin.caCertHash(pem));
        assertThat(c.fix()).contains("6443", "10250");
    }

    @Test
    void aNodeWithoutItsNodeIdLabelFailsNodeLabels() {
        cluster.put(node("worker-b", null));

        List<Check> checks = preflight();

        assertThat(Preflight.passed(checks)).isFalse();
        assertThat(failed(checks)).containsExactly("node-labels");
        Check c = check(checks, "node-labels");
        assertThat(c.message()).isEqualTo("no node labelled nodeID=node-2; nodes without a nodeID label: [worker-b]");
        assertThat(c.fix())
                .isEqualTo(
                        "kubectl label node worker-b nodeID=node-2 --overwrite (and list every node in the document)");
    }

    @Test
    void ambassadorNotOnNodePort32000FailsAmbassador() {
        cluster.put(ambassador("LoadBalancer", InfraNames.AMBASSADOR_NODE_PORT));
        List<Check> checks = preflight();
        assertThat(failed(checks)).containsExactly("ambassador");
        assertThat(check(checks, "ambassador").message())
                .isEqualTo("ambassador/ambassador is not a NodePort Service on 32000");

        cluster.put(ambassador("NodePort", 32001));
        assertThat(failed(preflight())).containsExactly("ambassador");

        cluster.remove("Service", InfraNames.AMBASSADOR_SERVICE);
        checks = preflight();
        assertThat(failed(checks)).containsExactly("ambassador");
        assertThat(check(checks, "ambassador").message()).isEqualTo("no Service ambassador in namespace ambassador");
        assertThat(check(checks, "ambassador").fix()).startsWith("kubectl create namespace ambassador; helm install");
    }

    @Test
    void withoutTheMappingCrdTheCrdCheckFails() {
        cluster.remove("CustomResourceDefinition", InfraNames.MAPPING_CRD);
        List<Check> checks = preflight();
        assertThat(failed(checks)).containsExactly("ambassador-mapping-crd");
        assertThat(check(checks, "ambassador-mapping-crd").message())
                .isEqualTo("CRD mappings.getambassador.io is missing");
    }

    @Test
    void anIdentityThatMayNotCreateWhatIsNeededFailsPermissions() {
        cluster.denied.add("create rbac.authorization.k8s.io/clusterroles");
        cluster.denied.add("create secrets");

        List<Check> checks = preflight();

        assertThat(failed(checks)).containsExactly("permissions");
        Check c = check(checks, "permissions");
        assertThat(c.message())
                .isEqualTo(
                        "the kubeconfig's identity may not: create secrets, create rbac.authorization.k8s.io/clusterroles");
        assertThat(c.fix()).contains("admin kubeconfig");
    }

    @Test
    void aReadTheIdentityMayNotMakeFailsItsCheckAlone() {
        cluster.failing.put("services", FakeClusterOps.answer(403, "services is forbidden"));

        List<Check> checks = preflight();

        assertThat(failed(checks)).containsExactly("node-ports");
        assertThat(check(checks, "node-ports").message()).isEqualTo("the kubeconfig's identity may not list services");
    }

    @Test
    void aNodePortTakenByAnotherServiceFailsNodePorts() {
        cluster.put(new ServiceBuilder()
                .withNewMetadata()
                .withNamespace("mon")
                .withName("grafana")
                .endMetadata()
                .withNewSpec()
                .withType("NodePort")
                .addNewPort()
                .withPort(80)
                .withNodePort(32301)
                .endPort()
                .endSpec()
                .build());

        List<Check> checks = preflight();

        assertThat(failed(checks)).containsExactly("node-ports");
        assertThat(check(checks, "node-ports").message()).isEqualTo("NodePorts taken: 32301 by mon/grafana");
    }

    @Test
    void noKubeadmConfigOnlyWarns() {
        cluster.remove("ConfigMap", "kubeadm-config");
        List<Check> checks = preflight();
        assertThat(Preflight.passed(checks)).isTrue();
        assertThat(check(checks, "kubeadm").status()).isEqualTo(Status.WARN);
    }
}
