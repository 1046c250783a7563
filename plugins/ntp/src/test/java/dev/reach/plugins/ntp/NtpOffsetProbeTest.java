package dev.reach.plugins.ntp;

import dev.reach.spi.Status;
import org.junit.jupiter.api.Test;

import java.net.PortUnreachableException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

class NtpOffsetProbeTest {
    private static final Instant T1 = Instant.parse("2026-11-25T12:00:00Z");
    private static final Duration FIVE = Duration.ofSeconds(5);

    private static NtpOffsetProbe.Exchange reply(int leap, int stratum, long serverAheadMs) {
        Instant t2 = T1.plusMillis(serverAheadMs + 1);
        var p = new NtpPacket(leap, 4, 4, stratum, 6, -20, 0, 0, 0x7f000001, 0, NtpPacket.toNtp(T1),
                NtpPacket.toNtp(t2), NtpPacket.toNtp(t2));
        return new NtpOffsetProbe.Exchange("127.0.0.1:123", p, T1, T1.plusMillis(2), null);
    }

    @Test
    void smallOffsetIsOk() {
        var c = NtpOffsetProbe.classify(reply(0, 2, 40), FIVE);
        assertThat(c.status()).isEqualTo(Status.OK);
        assertThat(c.summary()).isEqualTo("this clock is 40.0ms behind 127.0.0.1:123 (stratum 2, reference 127.0.0.1)");
    }

    @Test
    void offsetBeyondTheThresholdIsTimeSkewEitherWay() {
        var behind = NtpOffsetProbe.classify(reply(0, 2, 30_000), FIVE);
        assertThat(behind.cause()).isEqualTo("time.skew");
        assertThat(behind.summary()).startsWith("this clock is 30.0s behind").contains("more than the 5s allowed");
        var ahead = NtpOffsetProbe.classify(reply(0, 2, -6_000), FIVE);
        assertThat(ahead.cause()).isEqualTo("time.skew");
        assertThat(ahead.summary()).startsWith("this clock is 6.0s ahead of");
        assertThat(behind.evidence()).singleElement().asString().contains("offset +30000.000ms").contains("delay 2.000ms");
    }

    @Test
    void unsynchronisedServerProvesNothing() {
        var c = NtpOffsetProbe.classify(reply(3, 2, 30_000), FIVE);
        assertThat(c.status()).isEqualTo(Status.WARN);
        assertThat(c.cause()).isNull();
        assertThat(c.outcome()).isEqualTo("unsynchronised");
    }

    @Test
    void kissOfDeathIsAFailureNamingTheCode() {
        var p = new NtpPacket(3, 4, 4, 0, 0, 0, 0, 0, 0x52415445, 0, 0, 0, 0);
        var c = NtpOffsetProbe.classify(new NtpOffsetProbe.Exchange("127.0.0.1:123", p, T1, T1, null), FIVE);
        assertThat(c.outcome()).isEqualTo("kiss");
        assertThat(c.summary()).contains("kiss-o'-death RATE: asked too often");
    }

    @Test
    void silenceAndPortUnreachableAreTheUdpCauses() {
        var silent = new NtpOffsetProbe.Exchange("127.0.0.1:123", null, null, null, new SocketTimeoutException("nothing within 3s"));
        assertThat(NtpOffsetProbe.classify(silent, FIVE).cause()).isEqualTo("udp.no-response");
        var closed = new NtpOffsetProbe.Exchange("127.0.0.1:123", null, null, null, new PortUnreachableException("ICMP Port Unreachable"));
        assertThat(NtpOffsetProbe.classify(closed, FIVE).cause()).isEqualTo("udp.closed");
    }
}
