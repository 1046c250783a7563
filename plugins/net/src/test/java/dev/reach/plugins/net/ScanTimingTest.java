package dev.reach.plugins.net;

import org.junit.jupiter.api.Test;

import static dev.reach.plugins.net.ScanTiming.Fate.RETRY;
import static dev.reach.plugins.net.ScanTiming.Fate.SILENT;
import static dev.reach.plugins.net.ScanTiming.Fate.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

class ScanTimingTest {

    @Test
    void nothingKnownWaitsOneSecondOrTheTimeoutIfLess() {
        assertThat(ScanTiming.NOTHING_KNOWN.waitMs(3000)).isEqualTo(1000);
        assertThat(ScanTiming.NOTHING_KNOWN.waitMs(300)).isEqualTo(300);
        assertThat(ScanTiming.NOTHING_KNOWN.sample(5).sample(5).waitMs(3000)).as("two answers are not enough").isEqualTo(1000);
    }

    @Test
    void waitShrinksToAFewRttsOnceAnswersAreMeasured() {
        ScanTiming t = ScanTiming.NOTHING_KNOWN;
        for (int i = 0; i < 10; i++) t = t.sample(20);
        assertThat(t.srttMs()).isEqualTo(20);
        assertThat(t.waitMs(1000)).isBetween(40.0, 60.0);
    }

    @Test
    void aSlowPathWaitsLongerThanOneSecondUpToTheTimeout() {
        ScanTiming t = ScanTiming.NOTHING_KNOWN;
        for (int i = 0; i < 10; i++) t = t.sample(800);
        assertThat(t.waitMs(5000)).isGreaterThan(1600);
        assertThat(t.waitMs(1200)).isEqualTo(1200);
    }

    @Test
    void loopbackRttsNeverWaitBelowTheFloorButTheTimeoutWins() {
        ScanTiming t = ScanTiming.NOTHING_KNOWN;
        for (int i = 0; i < 10; i++) t = t.sample(0.05);
        assertThat(t.waitMs(1000)).isEqualTo(ScanTiming.FLOOR_MS);
        assertThat(t.waitMs(10)).isEqualTo(10);
    }

    @Test
    void varianceFollowsRfc6298() {
        ScanTiming t = ScanTiming.NOTHING_KNOWN.sample(10);
        assertThat(t.rttvarMs()).isEqualTo(5);
        t = t.sample(18); // rttvar = 3/4·5 + 1/4·|10 - 18|, srtt = 7/8·10 + 1/8·18
        assertThat(t.rttvarMs()).isEqualTo(5.75);
        assertThat(t.srttMs()).isEqualTo(11);
    }

    @Test
    void silencePastTheWaitIsRetriedOnceThenCalledSilent() {
        assertThat(ScanTiming.unanswered(900, 1000, 0, 1)).isEqualTo(WAIT);
        assertThat(ScanTiming.unanswered(1001, 1000, 0, 1)).isEqualTo(RETRY);
        assertThat(ScanTiming.unanswered(1001, 1000, 1, 1)).isEqualTo(SILENT);
        assertThat(ScanTiming.unanswered(1001, 1000, 0, 0)).as("retries=0").isEqualTo(SILENT);
    }
}
