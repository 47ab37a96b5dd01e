package network.aios.member.desired;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.util.ArrayList;
import java.util.List;
import network.aios.api.AddonKind;
import network.aios.api.Json;
import org.junit.jupiter.api.Test;

/**
 * Everything the control plane deploys passes Pod Security's restricted profile, and its namespaces ask
 * the API server to enforce it (the test API server predates Pod Security Admission, so the rules are
 * checked here on the rendered objects).
 */
class PodSecurityTest {
    static List<HasMetadata> everything() throws Exception {
        List<HasMetadata> all = new ArrayList<>();
        all.add(DesiredState.namespace("c1"));
        all.addAll(DesiredState.services(
                DesiredStateTest.seed(true), InfraSettings.defaults("http://cp:8080"), AgentSecrets.placeholder()));
        for (AddonKind kind : List.of(AddonKind.EXECUTOR, AddonKind.SPLIT_RUNNER)) {
            AddonDeployment d = AddonDeployment.forRegistration(
                    kind, "a1", Json.parse("{\"split_runner_public_host\": \"10.0.0.9\"}"));
            all.add(d.namespaceObject());
            all.addAll(d.services());
        }
        return all;
    }

    @Test
    void everyWorkloadPassesTheRestrictedProfile() throws Exception {
        List<Deployment> deployments = everything().stream()
                .filter(Deployment.class::isInstance)
                .map(Deployment.class::cast)
                .toList();
        assertThat(deployments).hasSizeGreaterThanOrEqualTo(6);
        for (Deployment d : deployments) {
            assertThat(PodSecurity.violations(d.getSpec().getTemplate().getSpec()))
                    .as(d.getMetadata().getName())
                    .isEmpty();
        }
    }

    @Test
    void everyNamespaceEnforcesRestricted() throws Exception {
        List<Namespace> namespaces = everything().stream()
                .filter(Namespace.class::isInstance)
                .map(Namespace.class::cast)
                .toList();
        assertThat(namespaces).hasSize(3);
        for (Namespace n : namespaces) {
            assertThat(n.getMetadata().getLabels()).containsAllEntriesOf(PodSecurity.NAMESPACE_LABELS);
        }
    }

    @Test
    void theCheckerCatchesWhatTheProfileForbids() {
        PodSpec bad = new PodSpecBuilder()
                .withHostNetwork(true)
                .addNewVolume()
                .withName("root")
                .withNewHostPath()
                .withPath("/")
                .endHostPath()
                .endVolume()
                .addNewContainer()
                .withName("c")
                .withImage("x")
                .withNewSecurityContext()
                .withPrivileged(true)
                .withRunAsUser(0L)
                .endSecurityContext()
                .addNewPort()
                .withContainerPort(80)
                .withHostPort(80)
                .endPort()
                .endContainer()
                .build();
        assertThat(PodSecurity.violations(bad))
                .contains(
                        "host namespaces",
                        "volume root of a type the profile forbids",
                        "container c: privileged",
                        "container c: allowPrivilegeEscalation must be false",
                        "container c: capabilities must drop ALL",
                        "container c: runAsNonRoot must be true",
                        "container c: runs as uid 0",
                        "container c: seccompProfile must be RuntimeDefault or Localhost",
                        "container c: host ports");
    }
}
