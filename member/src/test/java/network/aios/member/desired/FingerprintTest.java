package network.aios.member.desired;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FingerprintTest {
    static HasMetadata configMap(Map<String, String> data) {
        return new ConfigMapBuilder()
                .withNewMetadata()
                .withName("c")
                .withNamespace("n")
                .endMetadata()
                .withData(data)
                .build();
    }

    @Test
    void theSameObjectsGiveTheSameFingerprintWhateverTheirMapOrder() {
        Map<String, String> ab = new LinkedHashMap<>();
        ab.put("a", "1");
        ab.put("b", "2");
        Map<String, String> ba = new LinkedHashMap<>();
        ba.put("b", "2");
        ba.put("a", "1");
        assertThat(Fingerprint.of(List.of(configMap(ab)))).isEqualTo(Fingerprint.of(List.of(configMap(ba))));
    }

    @Test
    void anyChangeToWhatWouldBeAppliedChangesIt() throws Exception {
        var doc = DesiredStateTest.seed(true);
        String before = Fingerprint.of(
                DesiredState.services(doc, InfraSettings.defaults("http://cp:8080"), AgentSecrets.placeholder()));
        String again = Fingerprint.of(
                DesiredState.services(doc, InfraSettings.defaults("http://cp:8080"), AgentSecrets.placeholder()));
        String upgraded = Fingerprint.of(DesiredState.services(
                doc,
                new InfraSettings("aios/agent:0.2.0", "IfNotPresent", "http://cp:8080", 1, null, null),
                AgentSecrets.placeholder()));
        assertThat(again).isEqualTo(before);
        assertThat(upgraded).isNotEqualTo(before);
    }
}
