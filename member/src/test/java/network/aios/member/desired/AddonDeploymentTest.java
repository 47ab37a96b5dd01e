package network.aios.member.desired;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import network.aios.api.AddonKind;
import org.junit.jupiter.api.Test;

class AddonDeploymentTest {
    @Test
    void anExecutorIsWhereTheSeedSaysItIs() {
        AddonDeployment d = AddonDeployment.of(AddonKind.EXECUTOR, "executor-001", null, null);
        assertThat(d.internalUrl()).isEqualTo("http://executor-001.policies-system.svc.cluster.local:10250");
        Service svc = (Service) d.services().stream()
                .filter(o -> o instanceof Service)
                .findFirst()
                .orElseThrow();
        assertThat(svc.getSpec().getPorts().get(0).getNodePort()).isEqualTo(30900);
        assertThat(svc.getSpec().getPorts().get(0).getPort()).isEqualTo(10250);
        GenericKubernetesResource mapping = (GenericKubernetesResource) d.services().stream()
                .filter(o -> "Mapping".equals(o.getKind()))
                .findFirst()
                .orElseThrow();
        @SuppressWarnings("unchecked")
        Map<String, Object> spec =
                (Map<String, Object>) mapping.getAdditionalProperties().get("spec");
        assertThat(spec)
                .containsEntry("prefix", "/executor/executor-001/")
                .containsEntry("service", "executor-001.policies-system:10250");
    }

    @Test
    void aSplitRunnerHasTheSeedsNodePortOrItsOwnAndNoGatewayRoute() {
        AddonDeployment d = AddonDeployment.of(AddonKind.SPLIT_RUNNER, "split-runner-1", "me/runner:2", null);
        assertThat(d.services()).extracting(HasMetadata::getKind).containsExactly("Deployment", "Service");
        assertThat(((Service) d.services().get(1)).getSpec().getPorts().get(0).getNodePort())
                .isEqualTo(31701);
        assertThat(((Deployment) d.services().get(0))
                        .getSpec()
                        .getTemplate()
                        .getSpec()
                        .getContainers()
                        .get(0)
                        .getImage())
                .isEqualTo("me/runner:2");
        assertThat(((Service) AddonDeployment.of(AddonKind.SPLIT_RUNNER, "s", null, 32286)
                                .services()
                                .get(1))
                        .getSpec()
                        .getPorts()
                        .get(0)
                        .getNodePort())
                .isEqualTo(32286);
    }

    @Test
    void theAddonRunsWithoutAnyApiAccessAndEveryObjectIsLabelled() {
        AddonDeployment d = AddonDeployment.of(AddonKind.EXECUTOR, "executor-001", null, null);
        Deployment dep = (Deployment) d.services().get(0);
        assertThat(dep.getSpec().getTemplate().getSpec().getAutomountServiceAccountToken())
                .isFalse();
        // what the executors on a cluster share carries the kind only: applying it for one never relabels it
        // as another's; the add-on's own objects carry its id
        List<HasMetadata> shared = new ArrayList<>(d.bootstrap("ns-uid"));
        shared.add(d.namespaceObject());
        for (HasMetadata o : shared) {
            assertThat(o.getMetadata().getLabels())
                    .as(o.getKind())
                    .containsEntry(InfraNames.MANAGED_BY_LABEL, InfraNames.MANAGED_BY)
                    .containsEntry(InfraNames.COMPONENT_LABEL, "executor")
                    .doesNotContainKey(AddonDeployment.ADDON_LABEL);
        }
        assertThat(AddonDeployment.of(AddonKind.EXECUTOR, "executor-002", null, 30901)
                        .bootstrap("ns-uid"))
                .as("the same shared objects for every executor")
                .isEqualTo(d.bootstrap("ns-uid"));
        for (HasMetadata o : d.services()) {
            assertThat(o.getMetadata().getLabels())
                    .as(o.getKind())
                    .containsEntry(InfraNames.MANAGED_BY_LABEL, InfraNames.MANAGED_BY)
                    .containsEntry(AddonDeployment.ADDON_LABEL, "executor-001");
        }
    }

    @Test
    void theControlPlanesIdentityIsConfinedToTheAddonsNamespaceAndItsOwnRbac() {
        AddonDeployment d = AddonDeployment.of(AddonKind.EXECUTOR, "executor-001", null, null);
        List<HasMetadata> boot = d.bootstrap("ns-uid");
        Role role =
                (Role) boot.stream().filter(o -> o instanceof Role).findFirst().orElseThrow();
        assertThat(role.getMetadata().getNamespace()).isEqualTo("policies-system");
        assertThat(role.getRules())
                .flatExtracting(PolicyRule::getResources)
                .doesNotContain("roles", "rolebindings", "secrets", "serviceaccounts");
        ClusterRole cr = (ClusterRole)
                boot.stream().filter(o -> o instanceof ClusterRole).findFirst().orElseThrow();
        assertThat(cr.getRules())
                .allSatisfy(r -> assertThat(r.getResourceNames()).isNotEmpty());
        assertThat(cr.getMetadata().getOwnerReferences())
                .singleElement()
                .satisfies(o -> assertThat(o.getUid()).isEqualTo("ns-uid"));
    }

    @Test
    void registriesAreNotDeployed() {
        assertThatThrownBy(() -> AddonDeployment.of(AddonKind.ASSET_REGISTRY, "a", null, null))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
