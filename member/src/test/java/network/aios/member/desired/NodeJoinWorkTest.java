package network.aios.member.desired;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** The pull agent's node-join work: its wire form, and a digest that follows the work but never the tokens. */
class NodeJoinWorkTest {
    private static final Instant EXPIRES = Instant.parse("2026-12-03T12:00:00.123Z");
    private static final NodeJoin.Token TOKEN = new NodeJoin.Token("abc123", "0123456789abcdef");

    private static NodeJoinWork one(NodeJoin.Token token, Instant expires) {
        return new NodeJoinWork(
                List.of(new NodeJoinWork.Create("c1", "edge-1", token, expires)),
                List.of(new NodeJoinWork.Delete("def456", "u-1", "41")));
    }

    @Test
    void theWireFormIsTheSecretToMakeAndWhatToDeleteAsMade() {
        JsonNode w = one(TOKEN, EXPIRES).toJson();
        JsonNode secret = w.at("/create/0");
        assertThat(secret.at("/kind").asString()).isEqualTo("Secret");
        assertThat(secret.at("/type").asString()).isEqualTo("bootstrap.kubernetes.io/token");
        assertThat(secret.at("/metadata/name").asString()).isEqualTo("bootstrap-token-abc123");
        assertThat(secret.at("/metadata/namespace").asString()).isEqualTo("kube-system");
        assertThat(secret.at("/stringData/token-secret").asString()).isEqualTo("0123456789abcdef");
        assertThat(secret.at("/stringData/expiration").asString()).isEqualTo("2026-12-03T12:00:00Z");
        assertThat(w.at("/delete/0/namespace").asString()).isEqualTo("kube-system");
        assertThat(w.at("/delete/0/name").asString()).isEqualTo("bootstrap-token-def456");
        assertThat(w.at("/delete/0/uid").asString()).isEqualTo("u-1");
        assertThat(w.at("/delete/0/resourceVersion").asString()).isEqualTo("41");
        assertThat(new NodeJoinWork(List.of(), List.of()).isEmpty()).isTrue();
    }

    @Test
    void theDigestFollowsTheWorkNotTheTokensSecret() {
        String d = one(TOKEN, EXPIRES).digest();
        assertThat(one(TOKEN, EXPIRES).digest()).isEqualTo(d);
        assertThat(one(TOKEN, EXPIRES.plusSeconds(1)).digest()).isNotEqualTo(d);
        assertThat(new NodeJoinWork(
                                List.of(new NodeJoinWork.Create("c1", "edge-1", TOKEN, EXPIRES)),
                                List.of(new NodeJoinWork.Delete("def456", "u-1", "42")))
                        .digest())
                .isNotEqualTo(d);
        assertThat(one(new NodeJoin.Token("abc123", "ffffffffffffffff"), EXPIRES)
                        .digest())
                .as("made of nothing secret")
                .isEqualTo(d);
    }

    @Test
    void endpointsAndPinsAsKubeadmTakesThem() {
        assertThat(NodeJoinWork.endpointWellFormed("10.0.0.1:6443")).isTrue();
        assertThat(NodeJoinWork.endpointWellFormed("[fd00::1]:6443")).isTrue();
        assertThat(NodeJoinWork.endpointWellFormed("10.0.0.1")).isFalse();
        assertThat(NodeJoinWork.endpointWellFormed("10.0.0.1:99999")).isFalse();
        assertThat(NodeJoinWork.endpointWellFormed(null)).isFalse();
        assertThat(NodeJoinWork.caCertHashWellFormed("sha256:" + "0a".repeat(32)))
                .isTrue();
        assertThat(NodeJoinWork.caCertHashWellFormed("sha256:" + "0A".repeat(32)))
                .isFalse();
        assertThat(NodeJoinWork.caCertHashWellFormed(null)).isFalse();
    }
}
