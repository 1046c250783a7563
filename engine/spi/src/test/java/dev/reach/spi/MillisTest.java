package dev.reach.spi;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class MillisTest {
    @Test
    void factsCarryMillisecondsToTheMicrosecond() {
        assertThat(Millis.of(Duration.ofNanos(412_345))).isEqualTo(0.412);
        assertThat(Millis.of(1_500_500L)).isEqualTo(1.501);
    }

    @Test
    void humanTimesReadAsSummariesWriteThem() {
        assertThat(Millis.human(Duration.ofNanos(210_000))).isEqualTo("0.21ms");
        assertThat(Millis.human(Duration.ofMillis(12))).isEqualTo("12ms");
        assertThat(Millis.human(Duration.ofMillis(1_400))).isEqualTo("1.4s");
    }
}
