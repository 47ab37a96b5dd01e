package network.aios.member.desired;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import network.aios.api.ClusterDocument;
import network.aios.api.ClusterValidator;
import network.aios.api.Json;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.ObjectNode;

public class DesiredStateTest {
    public static ClusterDocument seed(boolean gateway) throws Exception {
        ObjectNode doc =
                (ObjectNode) Json.MAPPER.readTree(Files.readAllBytes(Path.of("..", "examples", "cluster.json")));
        ((ObjectNode) doc.get("config")).put("useGateway", gateway);
        return ClusterDocument.of(new ClusterValidator().validate(doc).document());
    }

    static List<HasMetadata> everything(ClusterDocument doc) {
        List<HasMetadata> all = new ArrayList<>();
        all.add(DesiredState.namespace(doc.id()));
        all.addAll(DesiredState.bootstrap(doc.id(), "uid-1", false));
        all.addAll(DesiredState.services(
                doc, InfraSettings.defaults("http://cp:8080"), new AgentSecrets("agent-token", "c", "k")));
        return all;
    }

    @Test
    void everyObjectCarriesTheManagedByAndClusterLabels() throws Exception {
        for (HasMetadata o : everything(seed(true))) {
            assertThat(o.getMetadata().getLabels())
                    .as(o.getKind() + " " + o.getMetadata().getName())
                    .containsEntry(InfraNames.MANAGED_BY_LABEL, InfraNames.MANAGED_BY)
                    .containsEntry(InfraNames.CLUSTER_LABEL, "cluster-west-vision-001");
        }
    }

    @Test
    void fourDeploymentsAndNodePortServicesOnTheSeedsPorts() throws Exception {
        List<HasMetadata> all = everything(seed(false));
        // each role runs as its own identity
        assertThat(all)
                .filteredOn(o -> o instanceof Deployment)
                .hasSize(4)
                .extracting(
                        d -> ((Deployment) d).getSpec().getTemplate().getSpec().getServiceAccountName())
                .containsExactly("aios-agent-controller", "aios-agent-metrics", "aios-agent-blocks", "aios-agent-mgmt");
        List<Service> services = all.stream()
                .filter(o -> o instanceof Service)
                .map(o -> (Service) o)
                .toList();
        assertThat(services)
                .extracting(s -> s.getSpec().getPorts().get(0).getNodePort())
                .containsExactly(32300, 32301, 32302, 32303);
        assertThat(services).allSatisfy(s -> {
            assertThat(s.getSpec().getType()).isEqualTo("NodePort");
            assertThat(s.getSpec().getPorts())
                    .allSatisfy(p -> assertThat(p.getProtocol()).isEqualTo("TCP"));
        });
    }

    @Test
    void mappingsOnlyWhenTheGatewayIsUsed() throws Exception {
        assertThat(everything(seed(true)))
                .filteredOn(o -> o.getKind().equals("Mapping"))
                .hasSize(4);
        assertThat(everything(seed(false)))
                .filteredOn(o -> o.getKind().equals("Mapping"))
                .isEmpty();
    }

    @Test
    void nothingIsBoundToClusterAdminAndTheControlPlaneWritesNoRbac() throws Exception {
        List<HasMetadata> all = everything(seed(true));
        assertThat(all)
                .filteredOn(o -> o instanceof ClusterRoleBinding)
                .allSatisfy(
                        b -> assertThat(((ClusterRoleBinding) b).getRoleRef().getName())
                                .startsWith("aios-"));
        assertThat(all)
                .filteredOn(o -> o instanceof RoleBinding)
                .allSatisfy(b ->
                        assertThat(((RoleBinding) b).getRoleRef().getName()).startsWith("aios-"));
        Role cp = (Role) all.stream()
                .filter(o -> o instanceof Role && o.getMetadata().getName().equals(InfraNames.CONTROL_PLANE_SA))
                .findFirst()
                .orElseThrow();
        assertThat(cp.getRules()).noneMatch(r -> r.getApiGroups().contains("rbac.authorization.k8s.io"));
        assertThat(cp.getRules())
                .noneMatch(r -> r.getVerbs().contains("*") || r.getResources().contains("*"));
        ClusterRole cpc = (ClusterRole) all.stream()
                .filter(o -> o instanceof ClusterRole
                        && o.getMetadata()
                                .getName()
                                .equals(InfraNames.controlPlaneClusterRole("cluster-west-vision-001")))
                .findFirst()
                .orElseThrow();
        assertThat(cpc.getRules())
                .filteredOn(r -> r.getVerbs().contains("delete"))
                .allSatisfy(r -> assertThat(r.getResourceNames()).isNotEmpty());
    }

    @Test
    void clusterScopedObjectsAreOwnedByTheNamespaceSoRemovalCascades() throws Exception {
        assertThat(DesiredState.bootstrap("c1", "ns-uid", false))
                .filteredOn(o -> o.getMetadata().getNamespace() == null)
                .isNotEmpty()
                .allSatisfy(o -> assertThat(o.getMetadata().getOwnerReferences())
                        .singleElement()
                        .satisfies(r -> {
                            assertThat(r.getKind()).isEqualTo("Namespace");
                            assertThat(r.getUid()).isEqualTo("ns-uid");
                        }));
    }

    @Test
    void nodeJoinRightsOnlyWhereTheDocumentAllowsExternalNodesAndOwnedByTheNamespace() {
        java.util.function.Predicate<HasMetadata> outside = o -> o.getMetadata().getNamespace() != null
                && !o.getMetadata().getNamespace().equals(InfraNames.NAMESPACE);
        assertThat(DesiredState.bootstrap("c1", "ns-uid", false)).noneMatch(outside);
        List<HasMetadata> withNodes = DesiredState.bootstrap("c1", "ns-uid", true);
        assertThat(withNodes)
                .filteredOn(outside)
                .extracting(o -> o.getKind() + " " + o.getMetadata().getNamespace() + "/"
                        + o.getMetadata().getName())
                .containsExactly(
                        "Role kube-system/aios-node-join",
                        "RoleBinding kube-system/aios-node-join",
                        "Role kube-public/aios-node-join",
                        "RoleBinding kube-public/aios-node-join");
        assertThat(withNodes)
                .filteredOn(outside)
                .allSatisfy(o -> assertThat(o.getMetadata().getOwnerReferences())
                        .singleElement()
                        .satisfies(r -> assertThat(r.getUid()).isEqualTo("ns-uid")));
        io.fabric8.kubernetes.api.model.rbac.Role secrets =
                (io.fabric8.kubernetes.api.model.rbac.Role) withNodes.stream()
                        .filter(o -> o.getKind().equals("Role")
                                && "kube-system".equals(o.getMetadata().getNamespace()))
                        .findFirst()
                        .orElseThrow();
        assertThat(secrets.getRules()).singleElement().satisfies(r -> {
            assertThat(r.getResources()).containsExactly("secrets");
            assertThat(r.getVerbs()).containsExactly("create", "delete"); // never get, list, watch or patch
        });
    }

    @Test
    void urlMapHasGatewayOrNodePortForm() throws Exception {
        assertThat(DesiredState.urlMap(seed(true)))
                .containsEntry("controllerService", "http://cluster-west-vision-001.company.net:32000/controller")
                .containsEntry("blocksService", "http://cluster-west-vision-001.company.net:32000/blocks");
        // NodePorts are the agents' own listeners: TLS with the cluster's certificate
        assertThat(DesiredState.urlMap(seed(false)))
                .containsEntry("metricsService", "https://cluster-west-vision-001.company.net:32301")
                .doesNotContainKey("publicGateway");
    }

    @Test
    void agentsServeTlsFromTheirSecretAndARenewedCertificateRollsThem() throws Exception {
        ClusterDocument doc = seed(true);
        InfraSettings s = InfraSettings.defaults("http://cp:8080");
        List<HasMetadata> first = DesiredState.services(doc, s, new AgentSecrets("t", "cert-1", "key-1"));
        io.fabric8.kubernetes.api.model.Secret tls = first.stream()
                .filter(o -> o.getMetadata().getName().equals(InfraNames.AGENT_TLS_SECRET))
                .map(io.fabric8.kubernetes.api.model.Secret.class::cast)
                .findFirst()
                .orElseThrow();
        assertThat(tls.getType()).isEqualTo("kubernetes.io/tls");
        assertThat(tls.getData()).containsEntry("tls.crt", "Y2VydC0x").containsEntry("tls.key", "a2V5LTE=");
        assertThat(tls.getStringData())
                .as("stringData would look like drift to every resync")
                .isNullOrEmpty();
        Deployment d = deployments(first).get(0);
        var container = d.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(container.getArgs()).contains("--tls-cert=/etc/aios/tls/tls.crt", "--tls-key=/etc/aios/tls/tls.key");
        assertThat(container.getReadinessProbe().getHttpGet().getScheme()).isEqualTo("HTTPS");
        assertThat(d.getSpec().getTemplate().getSpec().getVolumes())
                .filteredOn(v -> v.getSecret() != null)
                .extracting(v -> v.getSecret().getSecretName())
                .containsExactlyInAnyOrder(InfraNames.AGENT_TLS_SECRET, InfraNames.AGENT_SECRET);
        // the agent token is a file the agent re-reads (a new one after the infrastructure is created
        // again), not an environment variable fixed for the container's life
        assertThat(container.getArgs()).contains("--token-file=/etc/aios/agent/AIOS_AGENT_TOKEN");
        assertThat(container.getEnvFrom()).noneMatch(e -> e.getSecretRef() != null);
        // the owner's Ambassador originates TLS to the agents
        assertThat(first)
                .filteredOn(o -> o.getKind().equals("Mapping"))
                .allSatisfy(m -> assertThat(((GenericKubernetesResource) m)
                                .getAdditionalProperties()
                                .get("spec")
                                .toString())
                        .contains("service=https://aios-"));
        String before = annotation(deployments(first).get(0));
        String renewed = annotation(deployments(DesiredState.services(doc, s, new AgentSecrets("t", "cert-2", "key-2")))
                .get(0));
        assertThat(renewed).isNotEqualTo(before).doesNotContain("key");
    }

    private static List<Deployment> deployments(List<HasMetadata> objects) {
        return objects.stream()
                .filter(o -> o instanceof Deployment)
                .map(Deployment.class::cast)
                .toList();
    }

    private static String annotation(Deployment d) {
        return d.getSpec()
                .getTemplate()
                .getMetadata()
                .getAnnotations()
                .get(DesiredState.SERVING_CERTIFICATE_ANNOTATION);
    }

    @Test
    void renderingIsDeterministic() throws Exception {
        assertThat(Json.MAPPER.writeValueAsString(everything(seed(true))))
                .isEqualTo(Json.MAPPER.writeValueAsString(everything(seed(true))));
    }

    @Test
    void agentsAreToldWhichCertificateTheControlPlaneServesOnlyWhenThereIsOne() throws Exception {
        InfraSettings plain = InfraSettings.defaults("http://cp:8080");
        InfraSettings tls =
                new InfraSettings("img", "IfNotPresent", "https://cp:8443", 1, "-----BEGIN CERTIFICATE-----", null);
        ClusterDocument doc = seed(true);
        java.util.function.Function<InfraSettings, java.util.Map<String, String>> config =
                s -> DesiredState.services(doc, s, AgentSecrets.placeholder()).stream()
                        .filter(o -> o instanceof io.fabric8.kubernetes.api.model.ConfigMap)
                        .map(o -> ((io.fabric8.kubernetes.api.model.ConfigMap) o).getData())
                        .findFirst()
                        .orElseThrow();
        assertThat(config.apply(plain)).doesNotContainKey("AIOS_CONTROL_PLANE_CA");
        assertThat(config.apply(tls))
                .containsEntry("AIOS_CONTROL_PLANE_CA", "-----BEGIN CERTIFICATE-----")
                .containsEntry("AIOS_CONTROL_PLANE_URL", "https://cp:8443");
    }
}
