package dev.reach.plugins.net;

import dev.reach.plugins.net.TcpTransfer.End;
import dev.reach.plugins.net.TcpTransfer.Result;
import dev.reach.spi.Status;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class TcpTransferProbeTest {
    private static final String TARGET = "198.18.0.2:7007";
    private static final Duration STALL = Duration.ofMillis(500);
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    /** A struct tcp_info as Linux 6.x writes it, with the fields this probe reads set. */
    private static byte[] tcpInfo(int probes, int backoff, int retransmits, int unacked, int totalRetrans, long dataSegsOut, long sndWnd) {
        ByteBuffer b = ByteBuffer.allocate(TcpStats.SIZE).order(ByteOrder.nativeOrder());
        b.put(2, (byte) retransmits).put(3, (byte) probes).put(4, (byte) backoff);
        b.putInt(24, unacked).putInt(32, 1).putInt(68, 250).putInt(72, 40).putInt(80, 10).putInt(100, totalRetrans);
        b.putLong(120, 5000).putLong(128, 6000).putInt(156, (int) dataSegsOut).putLong(160, 125_000).putLong(176, 7000)
                .putInt(216, 1).putInt(224, 2).putInt(228, (int) sndWnd);
        return b.array();
    }

    @Test
    void tcpInfoIsReadAtTheKernelsOffsetsAndAShortStructLeavesTheNewFieldsOut() {
        TcpStats s = TcpStats.parse(tcpInfo(2, 3, 4, 5, 6, 700, 0));
        assertThat(s).isEqualTo(new TcpStats(2, 3, 4, 5, 1, 6, 250, 40, 10, 5000, 6000, 700, 125_000, 7000, 2, 0, 1));
        assertThat(s.windowShut()).isTrue();
        assertThat(s.retransmitRatio()).as("one of six was a duplicate the peer reported").isEqualTo(5 / 700.0);
        TcpStats old = TcpStats.parse(java.util.Arrays.copyOf(tcpInfo(0, 0, 0, 0, 0, 700, 0), 160));
        assertThat(old.sndWnd()).isEqualTo(-1);
        assertThat(old.deliveryRate()).isEqualTo(-1);
        assertThat(old.facts()).doesNotContainKeys("peer_window", "delivery_rate_bps", "out_of_order_in").containsKey("rtt_ms");
        assertThat(TcpStats.parse(new byte[90])).isSameAs(TcpStats.NONE);
    }

    @Test
    void aCompletedEchoIsOkAndManySegmentsSentAgainArePathLoss() {
        var clean = TcpTransferProbe.classify(result(End.DONE, 1_048_576, 1_048_576, TcpStats.parse(tcpInfo(0, 0, 0, 0, 2, 700, 65535))),
                "echo", TARGET, 1_048_576, 1_048_576, STALL, TIMEOUT, 1);
        assertThat(clean.status()).isEqualTo(Status.OK);
        assertThat(clean.summary()).startsWith(TARGET + " echoed 1048576 bytes in 40ms (209.7 Mbit/s); rtt 0.25ms, 2 of 700 data segments sent again");
        assertThat(TcpStats.parse(tcpInfo(0, 0, 0, 0, 4, 300, 65535)).retransmitRatio()).as("4 sent again, 1 needlessly").isEqualTo(3 / 300.0);
        var lossy = TcpTransferProbe.classify(result(End.DONE, 1_048_576, 1_048_576, TcpStats.parse(tcpInfo(0, 0, 0, 0, 35, 700, 65535))),
                "echo", TARGET, 1_048_576, 1_048_576, STALL, TIMEOUT, 1);
        assertThat(lossy.status()).isEqualTo(Status.WARN);
        assertThat(lossy.cause()).isEqualTo("path.loss");
        assertThat(lossy.summary()).contains("but 4.9 % of the data segments were sent again");
    }

    @Test
    void aStallIsNamedByWhatTheKernelSees() {
        Result shut = result(End.STALLED, 2_000_000, 0, TcpStats.parse(tcpInfo(3, 1, 0, 0, 0, 40, 0)));
        assertThat(TcpTransferProbe.stallKind(shut, 4_000_000)).isEqualTo("zero-window");
        assertThat(TcpTransferProbe.classify(shut, "echo", TARGET, 4_000_000, 4_000_000, STALL, TIMEOUT, 1).summary())
                .contains("the peer's receive window is shut (window 0, 3 zero-window probes unanswered)");
        Result lost = result(End.STALLED, 400_000, 200_000, TcpStats.parse(tcpInfo(0, 4, 4, 10, 30, 300, 65535)));
        assertThat(TcpTransferProbe.stallKind(lost, 4_000_000)).isEqualTo("retransmitting");
        Result quiet = result(End.STALLED, 80, 100_000, TcpStats.parse(tcpInfo(0, 0, 0, 0, 0, 1, 65535)));
        assertThat(TcpTransferProbe.stallKind(quiet, 80)).isEqualTo("no-data");
        assertThat(TcpTransferProbe.classify(quiet, "read", TARGET, 1_000_000, 80, STALL, TIMEOUT, 1).cause()).isEqualTo("tcp.stall");
    }

    @Test
    void aStreamThatEndsIsOkForReadButAnEchoCutShortIsAReset() {
        TcpStats s = TcpStats.parse(tcpInfo(0, 0, 0, 0, 0, 1, 65535));
        assertThat(TcpTransferProbe.classify(result(End.CLOSED, 80, 5000, s), "http", TARGET, 1_000_000, 80, STALL, TIMEOUT, 1).status())
                .isEqualTo(Status.OK);
        var cut = TcpTransferProbe.classify(result(End.CLOSED, 1000, 500, s), "echo", TARGET, 1000, 1000, STALL, TIMEOUT, 1);
        assertThat(cut.cause()).isEqualTo("tcp.reset");
        assertThat(cut.summary()).contains("after 1000 bytes sent and 500 received of 1000 to echo");
        assertThat(TcpTransferProbe.classify(result(End.TIMEOUT, 1000, 500, s), "echo", TARGET, 10_000, 10_000, STALL, TIMEOUT, 1).status())
                .isEqualTo(Status.WARN);
    }

    @Test
    void thePatternRepeatsEvery251Bytes() {
        byte[] p = TcpTransferProbe.pattern(600);
        assertThat(p[0]).isEqualTo(p[251]);
        assertThat(p[250] & 0xff).isEqualTo(250);
    }

    private static Result result(End end, long sent, long received, TcpStats stats) {
        return new Result(end, 0, null, sent, received, stats, end == End.STALLED ? 510 : 0.5, 0.3, 40);
    }
}
