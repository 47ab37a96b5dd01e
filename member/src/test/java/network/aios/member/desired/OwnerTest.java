package network.aios.member.desired;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.List;
import java.util.Map;
import network.aios.api.AddonKind;
import org.junit.jupiter.api.Test;

/** What the member cluster says of ownership is anyone's to write there: read defensively, matched exactly. */
class OwnerTest {
    static HasMetadata object(Map<String, String> labels, Map<String, String> annotations) {
        return new ConfigMapBuilder()
                .withNewMetadata()
                .withName("x")
                .withUid("uid-1")
                .withLabels(labels)
                .withAnnotations(annotations)
                .endMetadata()
                .build();
    }

    @Test
    void aStampIsMatchedExactlyAndMalformedOnesAreReadNotFailedOn() {
        Owner a = Owner.cluster("c1", "inc1");
        assertThat(a.owns(object(Map.of(), Map.of(Owner.ANNOTATION, a.stamp())), null))
                .isTrue();
        assertThat(a.owns(object(Map.of(), Map.of(Owner.ANNOTATION, "cluster/c1@inc2")), null))
                .as("another registration of the id")
                .isFalse();
        assertThat(a.owns(object(Map.of(), Map.of(Owner.ANNOTATION, "garbage")), null))
                .isFalse();
        assertThat(Owner.whoseStamp("garbage")).isEqualTo("garbage");
        assertThat(Owner.whoseStamp("split_runner/r1@x")).isEqualTo("split runner r1");
        // made before stamps: labelled with the id and, where recorded, the very object
        HasMetadata legacy = object(InfraNames.labels("c1"), Map.of());
        assertThat(a.owns(legacy, "uid-1")).isTrue();
        assertThat(a.owns(legacy, "uid-2")).isFalse();
        assertThat(a.owns(object(Map.of(), Map.of()), "uid-1"))
                .as("the uid alone is not enough")
                .isFalse();
    }

    @Test
    void claimsOfAnyShapeAreReadAndOnlyWellFormedOnesNameARegistration() {
        Owner e = Owner.addon(AddonKind.EXECUTOR, "e1", "i1");
        Owner.NamespaceState ns = new Owner.NamespaceState(
                "policies-system",
                "u",
                "1",
                false,
                Map.of(),
                Map.of(e.claimKey(), "i1", "nonsense.claims.aios.network/x", "y", "unrelated/annotation", "z"));
        assertThat(Owner.claims(ns)).containsOnlyKeys(e.claimKey(), "nonsense.claims.aios.network/x");
        assertThat(Owner.ofClaim(e.claimKey(), "i1")).contains(e);
        assertThat(Owner.ofClaim("nonsense.claims.aios.network/x", "y")).isEmpty();
        assertThat(Owner.ofClaim("no-dot-no-slash", "y")).isEmpty();
        assertThat(e.holds(ns)).isTrue();
        // only live claims of others count; the malformed one names nobody
        assertThat(Owner.addon(AddonKind.EXECUTOR, "e2", "i9").others(ns, List.of(), o -> true))
                .containsExactly("executor e1");
    }
}
