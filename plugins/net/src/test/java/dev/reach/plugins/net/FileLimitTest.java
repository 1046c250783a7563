package dev.reach.plugins.net;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class FileLimitTest {

    @Test
    void budgetKeepsAMarginOfAnEighthOrAtLeast256() {
        assertThat(FileLimit.budget(1024, 40)).isEqualTo(1024 - 40 - 256);
        assertThat(FileLimit.budget(20_000, 40)).isEqualTo(20_000 - 40 - 2_500);
        assertThat(FileLimit.budget(100, 40)).as("never below one").isEqualTo(1);
    }

    @Test
    void raisesOnlyWhenTheSoftLimitLeavesTooFewAndTheHardOneIsHigher() {
        assertThat(FileLimit.shouldRaise(1024, 524_288, 40, 10_000)).isTrue();
        assertThat(FileLimit.shouldRaise(1024, 524_288, 40, 500)).as("a small scan fits").isFalse();
        assertThat(FileLimit.shouldRaise(20_000, 20_000, 40, 50_000)).as("already the hard limit").isFalse();
    }

    @Test
    void inFlightIsWhatTheScanWantsUpToTheBudget() {
        var raised = new FileLimit(1024, 524_288, 524_288, 40, 0);
        assertThat(raised.inFlight(10_000)).isEqualTo(10_000);
        var stuck = new FileLimit(1024, 1024, 4096, 40, Syscalls.EPERM);
        assertThat(stuck.inFlight(10_000)).isEqualTo(728);
        assertThat(stuck.describe(728)).isEqualTo(
                "descriptors: soft limit 1024, could not raise it to the hard limit 4096 (EPERM), 40 open; up to 728 connects in flight");
        assertThat(raised.describe(10_000)).isEqualTo(
                "descriptors: soft limit 1024 raised to the hard limit 524288, 40 open; up to 10000 connects in flight");
    }

    @Test
    void theRealLimitIsReadAndNeverLowered() {
        FileLimit l = FileLimit.raise(1);
        assertThat(l.soft()).isGreaterThanOrEqualTo(l.before()).isPositive();
        assertThat(l.open()).isPositive();
    }
}
