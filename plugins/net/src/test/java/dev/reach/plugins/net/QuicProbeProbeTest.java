package dev.reach.plugins.net;

import dev.reach.plugins.net.QuicProbeProbe.QuicPackets;
import dev.reach.spi.Status;
import org.junit.jupiter.api.Test;

import java.util.HexFormat;

import static org.assertj.core.api.Assertions.assertThat;

class QuicProbeProbeTest {
    private static final HexFormat HEX = HexFormat.of();
    /** What ngtcp2's server (Debian's gtlsserver 0.12) answered an Initial of version 0x1a2a3a4a, as captured. */
    private static final byte[] NGTCP2_ANSWER = HEX.parseHex("9c00000000080052e6147e3f709e08d2ac6444df2be1680abaaa9a00000001");
    private static final QuicPackets.Initial ASKED = new QuicPackets.Initial(new byte[1200],
            HEX.parseHex("d2ac6444df2be168"), HEX.parseHex("0052e6147e3f709e"));

    @Test
    void theInitialIsA1200ByteLongHeaderOfAReservedVersion() {
        var i = QuicPackets.initial();
        assertThat(i.bytes()).hasSize(1200);
        assertThat(i.bytes()[0] & 0xff).isEqualTo(0xC0);
        assertThat(HEX.formatHex(i.bytes(), 1, 5)).isEqualTo("1a2a3a4a");
        assertThat(QuicPackets.PROBE_VERSION & 0x0f0f0f0f).isEqualTo(0x0a0a0a0a);
        assertThat(HEX.formatHex(i.bytes(), 5, 23)).isEqualTo("08" + HEX.formatHex(i.dcid()) + "08" + HEX.formatHex(i.scid()));
        assertThat(QuicPackets.initial().dcid()).isNotEqualTo(i.dcid());
    }

    @Test
    void aCapturedVersionNegotiationIsReadWithItsVersions() {
        var vn = QuicPackets.negotiation(NGTCP2_ANSWER, ASKED);
        assertThat(vn).isNotNull();
        assertThat(vn.versionNames()).containsExactly("reserved (0x0abaaa9a)", "QUIC v1 (0x00000001)");
        var c = QuicProbeProbe.classify(new UdpProbeProbe.Outcome(NGTCP2_ANSWER, null, 0, 1, 0.3), vn, "198.18.1.2:4433");
        assertThat(c.status()).isEqualTo(Status.OK);
        assertThat(c.summary()).isEqualTo("198.18.1.2:4433 speaks QUIC: Version Negotiation in 0.30ms offering QUIC v1 (0x00000001)");
    }

    @Test
    void anAnswerToAnotherInitialOrNotQuicIsNotANegotiation() {
        var other = new QuicPackets.Initial(new byte[1200], HEX.parseHex("0102030405060708"), HEX.parseHex("0052e6147e3f709e"));
        assertThat(QuicPackets.why(NGTCP2_ANSWER, other)).isEqualTo("connection IDs that do not echo the Initial's");
        assertThat(QuicPackets.why("hello".getBytes(), ASKED)).isEqualTo("no QUIC long header");
        byte[] v1 = NGTCP2_ANSWER.clone();
        v1[4] = 1;
        assertThat(QuicPackets.why(v1, ASKED)).isEqualTo("version 0x00000001, not 0 (Version Negotiation)");
        assertThat(QuicPackets.why(java.util.Arrays.copyOf(NGTCP2_ANSWER, 23), ASKED)).isEqualTo("no whole list of versions");
        assertThat(QuicPackets.why(java.util.Arrays.copyOf(NGTCP2_ANSWER, 10), ASKED)).isEqualTo("truncated connection IDs");

        byte[] echo = new byte[1200];
        echo[0] = (byte) 0xC0;
        var c = QuicProbeProbe.classify(new UdpProbeProbe.Outcome(echo, null, 0, 1, 0.2), QuicPackets.negotiation(echo, ASKED), "198.18.1.2:443");
        assertThat(c.cause()).isEqualTo("quic.not-quic");
        assertThat(c.summary()).contains("1200 bytes that are no QUIC Version Negotiation");
    }

    @Test
    void silenceAndClosedAreSaidInQuicWords() {
        var silent = QuicProbeProbe.classify(new UdpProbeProbe.Outcome(null, null, 0, 2, 0), null, "198.18.1.2:443");
        assertThat(silent.cause()).isEqualTo("udp.no-response");
        assertThat(silent.summary()).startsWith("no Version Negotiation and no ICMP error from 198.18.1.2:443 to 2 QUIC Initials")
                .contains("clients fall back to TCP");
        var closed = QuicProbeProbe.classify(new UdpProbeProbe.Outcome(null, null, Syscalls.ECONNREFUSED, 1, 0.1), null, "198.18.1.2:443");
        assertThat(closed.cause()).isEqualTo("udp.closed");
        assertThat(closed.summary()).contains("no QUIC server (HTTP/3) listens on that UDP port");
    }

    @Test
    void versionsAreNamed() {
        assertThat(QuicPackets.versionName(0x6b3343cf)).isEqualTo("QUIC v2 (0x6b3343cf)");
        assertThat(QuicPackets.versionName(0xff00001d)).isEqualTo("draft-29 (0xff00001d)");
        assertThat(QuicPackets.versionName(0x51303530)).isEqualTo("unknown (0x51303530)");
    }
}
