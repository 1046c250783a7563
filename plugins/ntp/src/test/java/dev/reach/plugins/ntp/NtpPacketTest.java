package dev.reach.plugins.ntp;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class NtpPacketTest {
    /** A server reply written out by hand from RFC 4330's layout: LI 0, VN 4, mode 4, stratum 2, poll 6, precision -20. */
    private static final String REPLY = "24" + "02" + "06" + "ec"
            + "00000100" + "00000080" + "7f000001"
            + "83aa7e80" + "00000000"          // reference: 1970-01-01T00:00:00Z
            + "83aa7e80" + "40000000"          // originate: +0.25 s
            + "83aa7e81" + "80000000"          // receive: 1970-01-01T00:00:01.5Z
            + "00000001" + "00000000";         // transmit: era 1, 2036-02-07T06:28:17Z

    @Test
    void replyDecodesFieldByField() {
        byte[] bytes = HexFormat.of().parseHex(REPLY);
        NtpPacket p = NtpPacket.decode(bytes, bytes.length);
        assertThat(p.leap()).isZero();
        assertThat(p.version()).isEqualTo(4);
        assertThat(p.mode()).isEqualTo(4);
        assertThat(p.stratum()).isEqualTo(2);
        assertThat(p.poll()).isEqualTo(6);
        assertThat(p.precision()).isEqualTo(-20);
        assertThat(NtpPacket.shortFormat(p.rootDelay())).isEqualTo(Duration.ofNanos(3_906_250));
        assertThat(p.referenceText()).isEqualTo("127.0.0.1");
        assertThat(NtpPacket.toInstant(p.referenceTime())).isEqualTo(Instant.EPOCH);
        assertThat(NtpPacket.toInstant(p.originateTime())).isEqualTo(Instant.parse("1970-01-01T00:00:00.25Z"));
        assertThat(NtpPacket.toInstant(p.receiveTime())).isEqualTo(Instant.parse("1970-01-01T00:00:01.5Z"));
        assertThat(NtpPacket.toInstant(p.transmitTime())).isEqualTo(Instant.parse("2036-02-07T06:28:17Z"));
    }

    @Test
    void encodeWritesTheSameBytesBack() {
        byte[] bytes = HexFormat.of().parseHex(REPLY);
        assertThat(HexFormat.of().formatHex(NtpPacket.decode(bytes, bytes.length).encode())).isEqualTo(REPLY);
    }

    @Test
    void clientRequestIsVersion4Mode3WithTheSendTime() {
        long t = NtpPacket.toNtp(Instant.parse("2026-11-25T12:00:00.125Z"));
        byte[] bytes = NtpPacket.request(t).encode();
        assertThat(bytes).hasSize(48);
        assertThat(bytes[0]).isEqualTo((byte) 0x23);
        assertThat(HexFormat.of().formatHex(bytes, 40, 48)).isEqualTo(String.format("%016x", t));
        assertThat(t >>> 32).isEqualTo(Instant.parse("2026-11-25T12:00:00Z").getEpochSecond() + 2_208_988_800L);
        assertThat(t & 0xffffffffL).isEqualTo(0x20000000L);
    }

    @Test
    void timestampsRoundTripToTheMicrosecondAcrossTheEra() {
        for (String when : new String[] {"2026-11-25T12:34:56.789012Z", "2036-02-07T06:28:15.5Z", "2040-01-01T00:00:00.000001Z"}) {
            Instant t = Instant.parse(when);
            Instant back = NtpPacket.toInstant(NtpPacket.toNtp(t));
            assertThat(Duration.between(t, back).abs()).isLessThan(Duration.ofNanos(1_000));
        }
    }

    @Test
    void kissCodeReadsAsText() {
        byte[] bytes = HexFormat.of().parseHex(REPLY);
        bytes[1] = 0;
        System.arraycopy("RATE".getBytes(), 0, bytes, 12, 4);
        assertThat(NtpPacket.decode(bytes, bytes.length).referenceText()).isEqualTo("RATE");
    }

    @Test
    void offsetAndDelayFollowRfc4330() {
        Instant t1 = Instant.parse("2026-11-25T12:00:00Z");
        Instant t2 = t1.plusMillis(30_005);   // server is 30 s ahead, 5 ms one way
        Instant t3 = t2.plusMillis(1);
        Instant t4 = t1.plusMillis(11);
        assertThat(NtpPacket.offset(t1, t2, t3, t4)).isEqualTo(Duration.ofSeconds(30)); // 5 ms each way: symmetric, so exact
        assertThat(NtpPacket.delay(t1, t2, t3, t4)).isEqualTo(Duration.ofMillis(10));
    }

    @Test
    void shortPacketIsRefused() {
        assertThatThrownBy(() -> NtpPacket.decode(new byte[47], 47)).hasMessageContaining("at least 48 bytes");
    }
}
