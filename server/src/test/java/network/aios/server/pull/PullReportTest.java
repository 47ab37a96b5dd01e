package network.aios.server.pull;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import network.aios.api.FieldError;
import network.aios.api.Json;
import network.aios.member.desired.NodeJoin;
import network.aios.server.domain.DomainException;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A pull agent's report, held to its shape field by field: what it says about bootstrap tokens ({@code nodeJoins})
 * and where nodes join ({@code clusterInfo}) is checked like the rest, every problem named by its JSON pointer, and
 * the cluster info is kept from one report to the next.
 */
class PullReportTest {
    private static final String HASH = "sha256:" + "0123456789abcdef".repeat(4);

    private static ObjectNode report() {
        ObjectNode r = Json.object().put("revision", "r1").put("removed", false);
        r.putArray("results");
        r.putArray("notReady");
        return r;
    }

    private static Map<String, String> errors(JsonNode body) {
        try {
            PullReport.parse(body);
        } catch (DomainException e) {
            assertThat(e.kind()).isEqualTo(DomainException.Kind.INVALID);
            java.util.Map<String, String> out = new java.util.TreeMap<>();
            for (FieldError f : e.details()) {
                out.put(f.path(), f.message());
            }
            return out;
        }
        throw new AssertionError("accepted: " + body);
    }

    @Test
    void aReportWithoutTheNewFieldsIsAsBefore() {
        PullReport r = PullReport.parse(report());
        assertThat(r.nodeJoins()).isEmpty();
        assertThat(r.clusterInfo()).isNull();
        assertThat(r.toJson().has("clusterInfo")).isFalse();
        ObjectNode nulls = report();
        nulls.putNull("nodeJoins");
        nulls.putNull("clusterInfo");
        assertThat(PullReport.parse(nulls).nodeJoins()).isEmpty();
    }

    @Test
    void tokenResultsAndClusterInfoAreRead() {
        ObjectNode body = report();
        var njs = body.putArray("nodeJoins");
        njs.addObject()
                .put("name", "bootstrap-token-abc123")
                .put("uid", "u-1")
                .put("resourceVersion", "41")
                .put("outcome", "created");
        njs.addObject()
                .put("name", "bootstrap-token-def456")
                .put("uid", "u-2")
                .put("resourceVersion", "7")
                .put("outcome", "deleted");
        njs.addObject().put("name", "bootstrap-token-ghi789").put("outcome", "gone");
        njs.addObject()
                .put("name", "bootstrap-token-jkl012")
                .put("outcome", "failed")
                .put("message", "HTTP 403: forbidden");
        body.putObject("clusterInfo").put("endpoint", "10.0.0.1:6443").put("caCertHash", HASH);

        PullReport r = PullReport.parse(body);

        assertThat(r.nodeJoins())
                .containsExactly(
                        new PullReport.NodeJoinResult("bootstrap-token-abc123", "u-1", "41", "created", null),
                        new PullReport.NodeJoinResult("bootstrap-token-def456", "u-2", "7", "deleted", null),
                        new PullReport.NodeJoinResult("bootstrap-token-ghi789", null, null, "gone", null),
                        new PullReport.NodeJoinResult(
                                "bootstrap-token-jkl012", null, null, "failed", "HTTP 403: forbidden"));
        assertThat(r.nodeJoins().get(0).tokenId()).isEqualTo("abc123");
        assertThat(r.clusterInfo()).isEqualTo(new NodeJoin.ClusterInfo("10.0.0.1:6443", HASH));
        // kept with the join as parsed: the cluster info, never the token results
        JsonNode kept = r.toJson();
        assertThat(kept.at("/clusterInfo/endpoint").asString()).isEqualTo("10.0.0.1:6443");
        assertThat(kept.has("nodeJoins")).isFalse();
        assertThat(PullReport.clusterInfoOf(kept.toString())).contains(r.clusterInfo());
    }

    @Test
    void endpointsKubeadmTakes() {
        for (String ok : List.of("10.0.0.1:6443", "api.example.com:443", "[fd00::1]:6443", "k8s:1")) {
            ObjectNode body = report();
            body.putObject("clusterInfo").put("endpoint", ok).put("caCertHash", HASH);
            assertThat(PullReport.parse(body).clusterInfo().endpoint()).isEqualTo(ok);
        }
        for (String bad : List.of(
                "10.0.0.1",
                "https://10.0.0.1:6443",
                "10.0.0.1:0",
                "10.0.0.1:65536",
                "host:6443/path",
                "user@host:6443",
                "-host:6443",
                "fd00::1:6443",
                "host name:6443",
                "")) {
            ObjectNode body = report();
            body.putObject("clusterInfo").put("endpoint", bad).put("caCertHash", HASH);
            assertThat(errors(body)).as(bad).containsOnlyKeys("/clusterInfo/endpoint");
        }
    }

    @Test
    void badShapesAreNamedByPointer() {
        ObjectNode body = report();
        var njs = body.putArray("nodeJoins");
        njs.add("not an object");
        njs.addObject()
                .put("name", "my-secret")
                .put("outcome", "created")
                .put("uid", "u")
                .put("resourceVersion", "1");
        njs.addObject().put("name", "bootstrap-token-abc123").put("outcome", "stolen");
        njs.addObject().put("name", "bootstrap-token-abc123").put("outcome", "created");
        njs.addObject()
                .put("name", "bootstrap-token-abc123")
                .put("outcome", "failed")
                .put("message", "a\nb");
        njs.addObject().put("outcome", "gone").put("uid", 5);
        njs.addObject()
                .put("name", "bootstrap-token-abc123")
                .put("outcome", "failed")
                .put("message", "x".repeat(1001));
        body.putObject("clusterInfo").put("endpoint", "10.0.0.1:6443").put("caCertHash", "sha256:ABCDEF");

        assertThat(errors(body))
                .containsOnlyKeys(
                        "/nodeJoins/0",
                        "/nodeJoins/1/name",
                        "/nodeJoins/2/outcome",
                        "/nodeJoins/3/uid",
                        "/nodeJoins/3/resourceVersion",
                        "/nodeJoins/4/message",
                        "/nodeJoins/5/name",
                        "/nodeJoins/5/uid",
                        "/nodeJoins/6/message",
                        "/clusterInfo/caCertHash")
                .containsEntry("/nodeJoins/3/uid", "is required")
                .containsEntry("/nodeJoins/5/name", "is required");
    }

    @Test
    void theSectionsThemselvesMustHaveTheirShapeAndBound() {
        ObjectNode notArray = report();
        notArray.put("nodeJoins", "bootstrap-token-abc123");
        notArray.put("clusterInfo", "10.0.0.1:6443");
        assertThat(errors(notArray)).containsOnlyKeys("/nodeJoins", "/clusterInfo");

        ObjectNode tooMany = report();
        var njs = tooMany.putArray("nodeJoins");
        for (int i = 0; i <= PullReport.MAX_NODE_JOINS; i++) {
            njs.addObject().put("name", "bootstrap-token-abc123").put("outcome", "gone");
        }
        assertThat(errors(tooMany)).containsOnlyKeys("/nodeJoins");

        ObjectNode missing = report();
        missing.putObject("clusterInfo");
        assertThat(errors(missing)).containsOnlyKeys("/clusterInfo/endpoint", "/clusterInfo/caCertHash");
    }

    @Test
    void theLastClusterInfoIsKeptWhenAReportSaysNone() {
        ObjectNode first = report();
        first.putObject("clusterInfo").put("endpoint", "10.0.0.1:6443").put("caCertHash", HASH);
        String kept = PullReport.parse(first).toJson().toString();

        PullReport next = PullReport.parse(report()).withClusterInfoFrom(kept);
        assertThat(next.clusterInfo()).isEqualTo(new NodeJoin.ClusterInfo("10.0.0.1:6443", HASH));

        ObjectNode moved = report();
        moved.putObject("clusterInfo").put("endpoint", "10.0.0.2:6443").put("caCertHash", HASH);
        assertThat(PullReport.parse(moved)
                        .withClusterInfoFrom(kept)
                        .clusterInfo()
                        .endpoint())
                .as("a new one wins")
                .isEqualTo("10.0.0.2:6443");

        assertThat(PullReport.parse(report()).withClusterInfoFrom(null).clusterInfo())
                .isNull();
        assertThat(PullReport.clusterInfoOf("{\"removed\": true}")).isEmpty();
        assertThat(PullReport.clusterInfoOf("not json")).isEmpty();
    }
}
