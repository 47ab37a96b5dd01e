package network.aios.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import java.util.List;
import java.util.Map;
import network.aios.api.Json;
import org.junit.jupiter.api.Test;

/** What a report says of each object, and of the Deployments' readiness. */
class PullOutcomeTest {
    @Test
    void anApplyIsClassifiedByTheResourceVersionBeforeAndAfter() {
        assertThat(PullOutcome.ofApply(null, "7")).isEqualTo(PullOutcome.CREATED);
        assertThat(PullOutcome.ofApply("7", "7")).isEqualTo(PullOutcome.UNCHANGED);
        assertThat(PullOutcome.ofApply("7", "8")).isEqualTo(PullOutcome.PATCHED);
        assertThat(List.of(PullOutcome.values()).stream().map(PullOutcome::wire))
                .containsExactly("created", "patched", "unchanged", "pruned", "deleted", "failed");
    }

    @Test
    void aResultIsWrittenWithEveryFieldNullsIncluded() {
        var failed = Json.tree(PullResult.failed("v1", "Service", "ns", "s", "boom"));
        assertThat(failed.propertyNames())
                .containsExactly(
                        "apiVersion",
                        "kind",
                        "namespace",
                        "name",
                        "uid",
                        "resourceVersion",
                        "generation",
                        "outcome",
                        "error");
        assertThat(failed.get("uid").isNull()).isTrue();
        assertThat(failed.get("outcome").asString()).isEqualTo("failed");
        assertThat(failed.get("error").asString()).isEqualTo("boom");
    }

    @Test
    void notReadyNamesEachDeploymentShortOfItsReplicas() {
        Map<String, Deployment> cluster = Map.of(
                "ready", deployment(2, 2),
                "starting", deployment(3, 1),
                "defaulted", deployment(null, null),
                "scaledToZero", deployment(0, null));
        assertThat(PullReadiness.notReady(
                        List.of("ready", "starting", "defaulted", "scaledToZero", "missing"), cluster::get))
                .containsExactly("starting (1/3)", "defaulted (0/1)", "missing (absent)");
        assertThat(PullReadiness.notReady(List.of("ready"), cluster::get)).isEmpty();
    }

    private static Deployment deployment(Integer replicas, Integer available) {
        return new DeploymentBuilder()
                .withNewMetadata()
                .withName("d")
                .endMetadata()
                .withNewSpec()
                .withReplicas(replicas)
                .endSpec()
                .withNewStatus()
                .withAvailableReplicas(available)
                .endStatus()
                .build();
    }
}
