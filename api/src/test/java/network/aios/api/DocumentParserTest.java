package network.aios.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class DocumentParserTest {
    @Test
    void seedExampleWithCommentsParsesVerbatim() throws Exception {
        DocumentParser.Parsed parsed = DocumentParser.parse(Seed.bytes("cluster.json"));
        assertThat(parsed.enveloped()).isFalse();
        assertThat(parsed.document().at("/nodes/nodeData/1/id").asString()).isEqualTo("node-2");
        assertThat(parsed.document()
                        .at("/clusterMetadata/additionalInfo/joinCommand")
                        .asString())
                .isEmpty();
    }

    @Test
    void commentedFileFlattenedByCurlDashDGetsTheDataBinaryHint() {
        String flattened = new String(Seed.bytes("cluster.json"), StandardCharsets.UTF_8).replace("\n", "");
        MalformedDocumentException e = catchThrowableOfType(
                MalformedDocumentException.class,
                () -> DocumentParser.parse(flattened.getBytes(StandardCharsets.UTF_8)));
        assertThat(e.hint()).contains("--data-binary");
        assertThat(e.line()).isEqualTo(1);
        assertThat(e.column()).isPositive();
    }

    @Test
    void uncommentedFileFlattenedByCurlDashDStillParses() throws Exception {
        String flattened = new String(Seed.bytes("cluster-nocomments.json"), StandardCharsets.UTF_8).replace("\n", "");
        assertThat(DocumentParser.parse(flattened.getBytes(StandardCharsets.UTF_8))
                        .document()
                        .get("id")
                        .asString())
                .isEqualTo("cluster-west-vision-001");
    }

    @Test
    void malformedJsonReportsLineAndColumn() {
        MalformedDocumentException e = catchThrowableOfType(
                MalformedDocumentException.class,
                () -> DocumentParser.parse(
                        "{\n  \"id\": \"a\",\n  \"regionId\" \"x\"\n}".getBytes(StandardCharsets.UTF_8)));
        assertThat(e.line()).isEqualTo(3);
        assertThat(e.column()).isGreaterThan(1);
        assertThat(e.hint()).isNull();
    }

    @Test
    void duplicateKeysAreMalformed() {
        MalformedDocumentException e = catchThrowableOfType(
                MalformedDocumentException.class,
                () -> DocumentParser.parse("{\"id\":\"a\",\"id\":\"b\"}".getBytes(StandardCharsets.UTF_8)));
        assertThat(e.getMessage()).contains("id");
    }

    @Test
    void emptyBodyIsMalformed() {
        assertThat(catchThrowableOfType(MalformedDocumentException.class, () -> DocumentParser.parse(new byte[0])))
                .hasMessageContaining("empty");
    }

    @Test
    void envelopeIsUnwrappedAndErrorsPointIntoIt() throws Exception {
        String envelope = "{\"header\":{\"templateUri\":\"Parser/V1\"},\"body\":{\"spec\":{\"values\":"
                + new String(Seed.bytes("cluster-nocomments.json"), StandardCharsets.UTF_8) + "}}}";
        DocumentParser.Parsed parsed = DocumentParser.parse(envelope.getBytes(StandardCharsets.UTF_8));
        assertThat(parsed.enveloped()).isTrue();
        assertThat(parsed.templateUri()).isEqualTo("Parser/V1");
        assertThat(parsed.document().get("id").asString()).isEqualTo("cluster-west-vision-001");
        assertThat(new FieldError("/id", "x").prefixed(parsed.pointerPrefix()).path())
                .isEqualTo("/body/spec/values/id");
    }
}
