package network.aios.store;

import static org.assertj.core.api.Assertions.assertThat;

import network.aios.api.Json;
import org.junit.jupiter.api.Test;

/** What reaches the audit log is bounded, and a truncation says so. */
class AuditTest {
    @Test
    void aLargeDetailIsKeptTruncatedAndSaysSo() {
        String small = "{\"command\":\"cordon\"}";
        assertThat(Audit.bounded(small)).isEqualTo(small);
        assertThat(Audit.bounded(null)).isNull();
        String large = "{\"body\":\"" + "x".repeat(1_000_000) + "\"}";
        String stored = Audit.bounded(large);
        assertThat(stored.length()).isLessThan(Audit.MAX_DETAIL_BYTES);
        var n = Json.parse(stored);
        assertThat(n.get("truncated").asBoolean()).isTrue();
        assertThat(n.get("bytes").asInt()).isEqualTo(large.length());
        assertThat(n.get("head").asString()).startsWith("{\"body\":\"xxx");
    }
}
