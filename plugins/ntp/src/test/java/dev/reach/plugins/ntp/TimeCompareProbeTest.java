package dev.reach.plugins.ntp;

import dev.reach.spi.Status;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

class TimeCompareProbeTest {
    private static final Instant SENT = Instant.parse("2026-11-25T12:00:00.250Z");
    private static final Instant RECEIVED = SENT.plusMillis(100);
    private static final Duration FIVE = Duration.ofSeconds(5);

    private static TimeCompareProbe.Classified with(String date) {
        return TimeCompareProbe.classify(new TimeCompareProbe.Answer("http://127.0.0.1:8080/", date, SENT, RECEIVED, null), FIVE);
    }

    @Test
    void sameSecondIsOkWithHalfASecondOfUncertaintyPlusHalfTheRoundTrip() {
        var c = with("Wed, 25 Nov 2026 12:00:00 GMT");
        assertThat(c.status()).isEqualTo(Status.OK);
        assertThat(c.offset()).isEqualTo(Duration.ofMillis(200)); // 12:00:00.5 (middle of the second) - 12:00:00.3
        assertThat(c.uncertainty()).isEqualTo(Duration.ofMillis(550));
    }

    @Test
    void serverThirtySecondsAheadIsTimeSkew() {
        var c = with("Wed, 25 Nov 2026 12:00:30 GMT");
        assertThat(c.cause()).isEqualTo("time.skew");
        assertThat(c.summary()).startsWith("this clock is 30.2s behind http://127.0.0.1:8080/");
    }

    @Test
    void offsetWithinTheUncertaintyOfTheThresholdIsNotSkew() {
        assertThat(with("Wed, 25 Nov 2026 12:00:05 GMT").status()).isEqualTo(Status.OK); // 5.2s, but ±0.55s
        assertThat(with("Wed, 25 Nov 2026 11:59:54 GMT").cause()).isEqualTo("time.skew"); // 5.8s ahead, beyond ±0.55s
    }

    @Test
    void missingOrBadDateCannotConclude() {
        assertThat(with(null).status()).isEqualTo(Status.ERROR);
        assertThat(with("yesterday").outcome()).isEqualTo("no-date");
    }
}
