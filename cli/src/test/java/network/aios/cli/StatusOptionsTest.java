package network.aios.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** {@code --timeout} as kubectl writes durations. */
class StatusOptionsTest {
    static Duration parse(String text) {
        StatusOptions o = new StatusOptions();
        o.timeout = text;
        return o.timeout();
    }

    @Test
    void secondsMinutesAndHoursOrNone() {
        assertThat(parse(null)).isNull();
        assertThat(parse("90")).isEqualTo(Duration.ofSeconds(90));
        assertThat(parse("90s")).isEqualTo(Duration.ofSeconds(90));
        assertThat(parse("10m")).isEqualTo(Duration.ofMinutes(10));
        assertThat(parse("1h")).isEqualTo(Duration.ofHours(1));
        assertThatThrownBy(() -> parse("ten minutes"))
                .isInstanceOf(CliException.class)
                .hasMessageContaining("--timeout");
    }
}
