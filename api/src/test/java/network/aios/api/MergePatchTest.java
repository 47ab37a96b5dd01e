package network.aios.api;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MergePatchTest {
    @Test
    void followsRfc7396() {
        assertThat(MergePatch.apply(
                        Json.parse("{\"a\":\"b\",\"c\":{\"d\":\"e\",\"f\":\"g\"}}"),
                        Json.parse("{\"a\":\"z\",\"c\":{\"f\":null}}")))
                .isEqualTo(Json.parse("{\"a\":\"z\",\"c\":{\"d\":\"e\"}}"));
        assertThat(MergePatch.apply(Json.parse("{\"a\":[1]}"), Json.parse("{\"a\":[2,3]}")))
                .isEqualTo(Json.parse("{\"a\":[2,3]}"));
        assertThat(MergePatch.apply(Json.parse("{\"a\":1}"), Json.parse("{\"b\":{\"c\":null}}")))
                .isEqualTo(Json.parse("{\"a\":1,\"b\":{}}"));
    }
}
