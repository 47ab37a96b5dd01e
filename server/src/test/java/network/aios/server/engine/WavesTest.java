package network.aios.server.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBuilder;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Objects applied in waves: what an object names exists before it, and a failure stops the later waves. */
class WavesTest {
    private final FakeClusterOps cluster = new FakeClusterOps();

    /** A batch in the wrong order on purpose: the waves put it right. */
    private static List<HasMetadata> batch() {
        return List.of(
                new GenericKubernetesResourceBuilder()
                        .withApiVersion("getambassador.io/v3alpha1")
                        .withKind("Mapping")
                        .withNewMetadata()
                        .withName("route")
                        .withNamespace("ns")
                        .endMetadata()
                        .build(),
                new DeploymentBuilder()
                        .withNewMetadata()
                        .withName("app")
                        .withNamespace("ns")
                        .endMetadata()
                        .build(),
                new SecretBuilder()
                        .withNewMetadata()
                        .withName("token")
                        .withNamespace("ns")
                        .endMetadata()
                        .withType("kubernetes.io/service-account-token")
                        .build(),
                new RoleBindingBuilder()
                        .withNewMetadata()
                        .withName("binding")
                        .withNamespace("ns")
                        .endMetadata()
                        .build(),
                new ServiceBuilder()
                        .withNewMetadata()
                        .withName("svc")
                        .withNamespace("ns")
                        .endMetadata()
                        .build(),
                new ServiceAccountBuilder()
                        .withNewMetadata()
                        .withName("account")
                        .withNamespace("ns")
                        .endMetadata()
                        .build(),
                new RoleBuilder()
                        .withNewMetadata()
                        .withName("role")
                        .withNamespace("ns")
                        .endMetadata()
                        .build(),
                new ConfigMapBuilder()
                        .withNewMetadata()
                        .withName("config")
                        .withNamespace("ns")
                        .endMetadata()
                        .build(),
                new NamespaceBuilder()
                        .withNewMetadata()
                        .withName("ns")
                        .endMetadata()
                        .build());
    }

    private int position(String call) {
        int i = cluster.calls.indexOf(call);
        assertThat(i).as(call + " in " + cluster.calls).isNotNegative();
        return i;
    }

    @Test
    void whatAnObjectNamesIsAppliedBeforeItAndResultsComeBackInTheBatchsOrder() {
        List<Integer> told = new ArrayList<>();
        Waves.apply(cluster, batch(), (i, applied) -> told.add(i));

        assertThat(told).containsExactlyInAnyOrder(0, 1, 2, 3, 4, 5, 6, 7, 8);
        int namespace = position("apply Namespace ns");
        int account = position("apply ServiceAccount ns/account");
        int role = position("apply Role ns/role");
        int config = position("apply ConfigMap ns/config");
        int token = position("apply Secret ns/token");
        int binding = position("apply RoleBinding ns/binding");
        int service = position("apply Service ns/svc");
        int deployment = position("apply Deployment ns/app");
        int route = position("apply Mapping ns/route");
        assertThat(namespace).isLessThan(account).isLessThan(role).isLessThan(config);
        assertThat(token).isGreaterThan(account);
        assertThat(binding).isGreaterThan(role);
        assertThat(deployment).isGreaterThan(config).isGreaterThan(account);
        assertThat(route).isGreaterThan(service).isGreaterThan(deployment);
    }

    @Test
    void aFailureEndsTheBatchAfterItsWaveAndTheRestOfTheWaveIsStillReported() {
        cluster.failing.put("apply RoleBinding", FakeClusterOps.answer(503, "busy"));
        List<Integer> told = new ArrayList<>();

        assertThatThrownBy(() -> Waves.apply(cluster, batch(), (i, applied) -> told.add(i)))
                .hasMessageContaining("busy");
        // the binding's wave: the token Secret, the Service and the Deployment were applied and reported
        assertThat(told).contains(1, 2, 4).doesNotContain(3, 0);
        // the later wave never started
        assertThat(cluster.calls).noneMatch(c -> c.startsWith("apply Mapping"));
    }
}
