package network.aios.policy;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.List;
import network.aios.api.Json;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectReader;

/**
 * Coverage-guided fuzzing of the policies the network admin submits: the spec as JSON, and rule
 * expressions compiled and evaluated against a document. Acceptable: our refusal at a pointer, or a
 * decision within the evaluation budget; any other exception is a finding.
 */
class PolicyFuzzTest {
    private static final ObjectReader SPEC =
            Json.MAPPER.readerFor(PolicySpec.class).with(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    private static final JsonNode DOC = Json.parse(
            "{\"id\":\"c\",\"gpus\":{\"count\":2,\"modelNames\":[\"A100\"]},"
                    + "\"tags\":[\"a\",\"b\",\"c\"],\"nodes\":{\"count\":1,\"nodeData\":[{\"id\":\"n\",\"vcpus\":{\"count\":8}}]}}");

    @FuzzTest(maxDuration = "60s")
    void compilesAndEvaluatesOrRefuses(FuzzedDataProvider data) {
        PolicySpec spec;
        if (data.consumeBoolean()) {
            try {
                spec = SPEC.readValue(data.consumeRemainingAsBytes());
            } catch (JacksonException refused) {
                return;
            }
        } else {
            String message = data.consumeString(20);
            spec = new PolicySpec(List.of(new PolicySpec.Rule(null, data.consumeRemainingAsString(), message)), null);
        }
        CompiledPolicy p;
        try {
            p = CompiledPolicy.compile(spec);
        } catch (PolicyCompileException refused) {
            return;
        }
        p.failedRules(DOC, null);
        p.failedRules(DOC, DOC);
    }
}
