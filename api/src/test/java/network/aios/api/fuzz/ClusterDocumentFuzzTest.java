package network.aios.api.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import network.aios.api.ClusterValidator;
import network.aios.api.DocumentParser;
import network.aios.api.MalformedDocumentException;
import network.aios.api.UnstorableTextException;

/**
 * Coverage-guided fuzzing of the cluster document an owner sends (parser, then validator). The only
 * acceptable outcomes are our own refusals or a validation result; any other exception is a finding.
 * {@code mvn verify} replays the kept inputs (src/test/resources/.../ClusterDocumentFuzzTestInputs);
 * {@code JAZZER_FUZZ=1} fuzzes (see .ci/run).
 */
class ClusterDocumentFuzzTest {
    private static final ClusterValidator VALIDATOR = new ClusterValidator();

    @FuzzTest(maxDuration = "60s")
    void parsesAndValidatesOrRefuses(byte[] body) {
        DocumentParser.Parsed parsed;
        try {
            parsed = DocumentParser.parse(body);
        } catch (MalformedDocumentException | UnstorableTextException refused) {
            return;
        }
        ClusterValidator.Result r = VALIDATOR.validate(parsed.document());
        if (r.valid() && r.document() == null) {
            throw new IllegalStateException("a valid result without a document");
        }
    }
}
