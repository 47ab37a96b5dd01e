package network.aios.member.desired;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import java.util.List;
import org.junit.jupiter.api.Test;

class PullBootstrapTest {
    private static final InfraSettings SETTINGS = new InfraSettings(
            "aios/agent:0.1.0", "IfNotPresent", "https://cp.example:8443", 1, "-----BEGIN CERTIFICATE-----", null);
    private static final String TOKEN = "aiosjoin_0123456789abcdef_" + "x".repeat(43);

    @Test
    void theManifestInstallsOnlyTheAgentItsIdentityAndTheToken() {
        List<HasMetadata> objects = PullBootstrap.objects("c1", SETTINGS, TOKEN, false);
        Namespace ns = (Namespace) objects.get(0);
        assertThat(ns.getMetadata().getName()).isEqualTo(InfraNames.NAMESPACE);
        assertThat(ns.getMetadata().getLabels()).containsAllEntriesOf(PodSecurity.NAMESPACE_LABELS);
        Deployment agent = objects.stream()
                .filter(Deployment.class::isInstance)
                .map(Deployment.class::cast)
                .findFirst()
                .orElseThrow();
        assertThat(objects.stream().filter(Deployment.class::isInstance)).hasSize(1);
        assertThat(agent.getSpec().getTemplate().getSpec().getServiceAccountName())
                .isEqualTo(InfraNames.CONTROL_PLANE_SA);
        assertThat(PodSecurity.violations(agent.getSpec().getTemplate().getSpec()))
                .isEmpty();
        assertThat(agent.getSpec()
                        .getTemplate()
                        .getSpec()
                        .getContainers()
                        .get(0)
                        .getArgs())
                .contains("--role=pull");
        // the token is in its Secret only, never in the Deployment's environment or arguments
        assertThat(io.fabric8.kubernetes.client.utils.Serialization.asYaml(agent))
                .doesNotContain(TOKEN);
        Secret bootstrap = objects.stream()
                .filter(o -> o.getMetadata().getName().equals(PullBootstrap.BOOTSTRAP_SECRET))
                .map(Secret.class::cast)
                .findFirst()
                .orElseThrow();
        assertThat(bootstrap.getStringData()).containsEntry(PullBootstrap.TOKEN_KEY, TOKEN);
        // cluster-scoped RBAC is not owned by a namespace uid nobody knows yet
        assertThat(objects.stream().filter(ClusterRole.class::isInstance))
                .allSatisfy(
                        o -> assertThat(o.getMetadata().getOwnerReferences()).isNullOrEmpty());
        // nothing the agent may not have: no cluster-admin, no wildcard
        assertThat(objects.stream().filter(ClusterRole.class::isInstance).map(ClusterRole.class::cast))
                .allSatisfy(r -> assertThat(r.getRules())
                        .allSatisfy(rule -> assertThat(rule.getVerbs()).doesNotContain("*")));
    }

    @Test
    void theManifestIsOneYamlStreamWithTheControlPlanesCaPinned() {
        String yaml = PullBootstrap.manifest("c1", SETTINGS, TOKEN, false);
        assertThat(yaml.split("(?m)^---$"))
                .hasSizeGreaterThan(
                        PullBootstrap.objects("c1", SETTINGS, TOKEN, false).size());
        assertThat(yaml).contains("AIOS_CONTROL_PLANE_URL", "https://cp.example:8443", "AIOS_CONTROL_PLANE_CA");
    }
}
