package dev.reach.plugins.dns;

import dev.reach.plugins.dns.Inquiry.GiveUp;
import dev.reach.plugins.dns.Inquiry.Reason;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** When a server's silence is decisive: {@link Inquiry#giveUp}, without a network. */
class InquiryTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(2);
    private static final Duration LAN = Duration.ofNanos(80_000);

    @Test
    void silenceIsDecisiveAfterTwentyTimesTheFastestAnswerAndNeverBefore250ms() {
        assertThat(Inquiry.silenceAfter(Duration.ofNanos(400_000))).isEqualTo(Duration.ofMillis(250));
        assertThat(Inquiry.silenceAfter(Duration.ofMillis(40))).isEqualTo(Duration.ofMillis(800));
    }

    @Test
    void silentServerWhoseHostAnswersPingIsDecidedAfterTwentyRoundTripsAndAtLeast250ms() {
        assertThat(Inquiry.giveUp(TIMEOUT, null, LAN, true)).isEqualTo(new GiveUp(Duration.ofMillis(250), Reason.OWN_HOST));
        assertThat(Inquiry.giveUp(TIMEOUT, null, Duration.ofMillis(40), true)).isEqualTo(new GiveUp(Duration.ofMillis(800), Reason.OWN_HOST));
    }

    @Test
    void nothingAnsweringAtAllIsWaitedForTheWholeTimeout() {
        assertThat(Inquiry.giveUp(TIMEOUT, null, null, true)).isEqualTo(new GiveUp(TIMEOUT, Reason.TIMEOUT));
    }

    @Test
    void serverThatAcceptedTcpOrRepliedIsNotJudgedByItsHostsPing() {
        // a recursive server still working on the name accepts the connection at once and answers later: not silence
        assertThat(Inquiry.giveUp(TIMEOUT, null, LAN, false)).isEqualTo(new GiveUp(TIMEOUT, Reason.TIMEOUT));
    }

    @Test
    void hostRoundTripTooLongForTheTimeoutLeavesTheTimeout() {
        assertThat(Inquiry.giveUp(TIMEOUT, null, Duration.ofMillis(150), true)).isEqualTo(new GiveUp(TIMEOUT, Reason.TIMEOUT));
    }

    @Test
    void anotherServersAnswerDecidesWhenItIsSooner() {
        assertThat(Inquiry.giveUp(TIMEOUT, Duration.ofMillis(1), null, true))
                .isEqualTo(new GiveUp(Duration.ofMillis(250), Reason.ANOTHER_SERVER));
        assertThat(Inquiry.giveUp(TIMEOUT, Duration.ofMillis(1), Duration.ofMillis(40), true))
                .isEqualTo(new GiveUp(Duration.ofMillis(250), Reason.ANOTHER_SERVER));
        // as soon either way: the server's own host is the more telling evidence
        assertThat(Inquiry.giveUp(TIMEOUT, Duration.ofMillis(1), LAN, true)).isEqualTo(new GiveUp(Duration.ofMillis(250), Reason.OWN_HOST));
    }
}
