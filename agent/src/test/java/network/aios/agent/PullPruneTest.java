package network.aios.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The prune rule decides what the pull agent deletes on a member cluster: only this registration's stamped
 * objects of a listed kind, in the rule's namespace, with the selector's labels, that no wave names.
 */
class PullPruneTest {
    private static final String NS = "aios-system";
    private static final String STAMP = "cluster/c1@inc1";
    private static final PullPrune.Kind CONFIG_MAP = new PullPrune.Kind("v1", "ConfigMap");
    private static final PullPrune RULE = new PullPrune(
            NS, Map.of("aios.network/cluster", "c1"), STAMP, List.of(CONFIG_MAP, new PullPrune.Kind("v1", "Service")));

    @Test
    void aStampedLabelledObjectNoWaveNamesIsSelected() {
        ConfigMap gone = cm("old", NS, STAMP, Map.of("aios.network/cluster", "c1"));
        ConfigMap kept = cm("kept", NS, STAMP, Map.of("aios.network/cluster", "c1"));
        assertThat(RULE.select(CONFIG_MAP, List.of(new PullPrune.Named("ConfigMap", NS, "kept")), List.of(gone, kept)))
                .containsExactly(gone);
    }

    @Test
    void anObjectWithoutTheStampOrWithAnotherIsNeverSelected() {
        ConfigMap unstamped = cm("foreign", NS, null, Map.of("aios.network/cluster", "c1"));
        ConfigMap otherRegistration = cm("other", NS, "cluster/c1@inc0", Map.of("aios.network/cluster", "c1"));
        assertThat(RULE.select(CONFIG_MAP, List.of(), List.of(unstamped, otherRegistration)))
                .isEmpty();
    }

    @Test
    void aBlankStampInTheRuleSelectsNothingNotEvenUnstampedObjects() {
        ConfigMap unstamped = cm("foreign", NS, null, Map.of("aios.network/cluster", "c1"));
        for (String stamp : new String[] {null, "", " "}) {
            PullPrune rule = new PullPrune(NS, Map.of(), stamp, List.of(CONFIG_MAP));
            assertThat(rule.select(CONFIG_MAP, List.of(), List.of(unstamped))).isEmpty();
        }
    }

    @Test
    void theSelectorTheNamespaceAndTheKindListMustAllMatch() {
        ConfigMap unlabelled = cm("a", NS, STAMP, Map.of());
        ConfigMap otherLabel = cm("b", NS, STAMP, Map.of("aios.network/cluster", "c2"));
        ConfigMap otherNamespace = cm("c", "default", STAMP, Map.of("aios.network/cluster", "c1"));
        ConfigMap clusterScoped = cm("d", null, STAMP, Map.of("aios.network/cluster", "c1"));
        assertThat(RULE.select(CONFIG_MAP, List.of(), List.of(unlabelled, otherLabel, otherNamespace, clusterScoped)))
                .isEmpty();
        ConfigMap fine = cm("e", NS, STAMP, Map.of("aios.network/cluster", "c1", "extra", "x"));
        assertThat(RULE.select(new PullPrune.Kind("v1", "Secret"), List.of(), List.of(fine)))
                .as("a kind the rule does not list")
                .isEmpty();
        assertThat(RULE.select(CONFIG_MAP, List.of(), List.of(fine))).containsExactly(fine);
    }

    @Test
    void aWaveNamesByKindNamespaceAndNameAndWithoutANamespaceEverywhere() {
        ConfigMap x = cm("x", NS, STAMP, Map.of("aios.network/cluster", "c1"));
        assertThat(RULE.select(CONFIG_MAP, List.of(new PullPrune.Named("Service", NS, "x")), List.of(x)))
                .as("a Service named x does not keep a ConfigMap x")
                .containsExactly(x);
        assertThat(RULE.select(CONFIG_MAP, List.of(new PullPrune.Named("ConfigMap", "elsewhere", "x")), List.of(x)))
                .containsExactly(x);
        assertThat(RULE.select(CONFIG_MAP, List.of(new PullPrune.Named("ConfigMap", null, "x")), List.of(x)))
                .as("a wave object without a namespace keeps every object of its kind and name")
                .isEmpty();
    }

    @Test
    void anObjectAlreadyBeingDeletedIsLeftToFinish() {
        ConfigMap going = cm("going", NS, STAMP, Map.of("aios.network/cluster", "c1"));
        going.getMetadata().setDeletionTimestamp("2026-01-01T00:00:00Z");
        assertThat(RULE.select(CONFIG_MAP, List.of(), List.of(going))).isEmpty();
    }

    @Test
    void removalIsThePruneWithNothingNamed() {
        PullDesired removal = PullDesired.parse("""
                {"clusterId": "c1", "revision": "r9", "remove": true, "waves": [],
                 "prune": {"namespace": "aios-system", "selector": {"aios.network/cluster": "c1"},
                           "stamp": "cluster/c1@inc1", "kinds": [{"apiVersion": "v1", "kind": "ConfigMap"}]}}
                """);
        assertThat(removal.named()).isEmpty();
        ConfigMap a = cm("a", NS, STAMP, Map.of("aios.network/cluster", "c1"));
        ConfigMap foreign = cm("b", NS, null, Map.of("aios.network/cluster", "c1"));
        assertThat(removal.prune().select(CONFIG_MAP, removal.named(), List.of(a, foreign)))
                .containsExactly(a);
    }

    @Test
    void theDesiredSetNamesItsObjectsAndDefaultsWhatItLeavesOut() {
        PullDesired d = PullDesired.parse("""
                {"revision": "r1", "waves": [
                   {"name": "services", "objects": [
                      {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a", "namespace": "ns"}},
                      {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "ns"}}]}],
                 "futureField": {"ignored": true}}
                """);
        assertThat(d.named())
                .containsExactly(
                        new PullPrune.Named("ConfigMap", "ns", "a"), new PullPrune.Named("Namespace", null, "ns"));
        assertThat(d.fieldManager()).isEqualTo("aios-pull-agent");
        assertThat(d.resyncSeconds()).isEqualTo(30);
        assertThat(d.remove()).isFalse();
        assertThat(d.prune().select(CONFIG_MAP, List.of(), List.of(cm("z", NS, STAMP, Map.of()))))
                .as("no prune rule: nothing pruned")
                .isEmpty();
    }

    private static ConfigMap cm(String name, String ns, String stamp, Map<String, String> labels) {
        Map<String, String> annotations = new HashMap<>();
        if (stamp != null) {
            annotations.put(PullPrune.STAMP_ANNOTATION, stamp);
        }
        return new ConfigMapBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace(ns)
                .withLabels(labels)
                .withAnnotations(annotations)
                .endMetadata()
                .build();
    }
}
