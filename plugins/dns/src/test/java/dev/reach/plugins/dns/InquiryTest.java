package dev.reach.plugins.dns;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class InquiryTest {
    @Test
    void silenceIsDecisiveAfterTwentyTimesTheFastestAnswerAndNeverBefore250ms() {
        assertThat(Inquiry.silenceAfter(Duration.ofNanos(400_000))).isEqualTo(Duration.ofMillis(250));
        assertThat(Inquiry.silenceAfter(Duration.ofMillis(40))).isEqualTo(Duration.ofMillis(800));
    }
}
