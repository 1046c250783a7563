package dev.reach.plugins.host;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class KernelDropsProbeTest {
    private static final String TRACE = """
            # tracer: nop
            #
                  nc-15691   [000] ..s1. 10835.940871: kfree_skb: skbaddr=000000002e0ab7ac rx_sk=0000000000000000 protocol=2048 location=tcp_v4_rcv+0x99/0x1400 reason: NO_SOCKET
                  nc-15692   [000] ..s1. 10835.940900: tracing_mark_write: reach-window-starts
                  nc-15693   [001] ..s1. 10836.1: kfree_skb: skbaddr=1 rx_sk=0 protocol=2048 location=nft_do_chain+0x46f/0x690 reason: NETFILTER_DROP
                  nc-15693   [001] ..s1. 10836.2: kfree_skb: skbaddr=2 rx_sk=0 protocol=2048 location=nft_do_chain+0x46f/0x690 reason: NETFILTER_DROP
                  nc-15693   [001] ..s1. 10836.3: kfree_skb: skbaddr=3 rx_sk=0 protocol=34525 location=tcp_v6_rcv+0x1/0x2 reason: NO_SOCKET
            """;

    @Test
    void theMarkerSplitsTheBaselineFromTheWindowAndCountsGoByReasonAndLocation() {
        var c = DropTrace.count(TRACE, 3, List.of());
        assertThat(c.baseline()).extracting(DropTrace.Drop::text).containsExactly("NO_SOCKET ×1 at tcp_v4_rcv+0x99/0x1400");
        assertThat(c.window()).extracting(DropTrace.Drop::text)
                .containsExactly("NETFILTER_DROP ×2 at nft_do_chain+0x46f/0x690", "NO_SOCKET ×1 at tcp_v6_rcv+0x1/0x2");
        assertThat(c.total()).isEqualTo(3);
        assertThat(c.window().getFirst().function()).isEqualTo("nft_do_chain");
    }

    @Test
    void aReasonThatNamesACauseMakesItAWarningWithThatCause() {
        var o = KernelDropsProbe.judge(DropTrace.count(TRACE, 3, List.of()), Duration.ofSeconds(2), true).build();
        assertThat(o.status().label()).isEqualTo("warn");
        assertThat(o.cause()).contains("firewall.local");
        assertThat(o.summary()).contains("3 packets in 2s, 2 by a netfilter rule (NETFILTER_DROP at nft_do_chain); 0 in the baseline");
        assertThat(o.evidence()).anyMatch(e -> e.contains("3 events were lost"));
    }

    @Test
    void noDropsOrOnlyOtherReasonsAreOk() {
        var none = KernelDropsProbe.judge(DropTrace.count("# nothing\n", 0, List.of()), Duration.ofSeconds(1), false).build();
        assertThat(none.status().label()).isEqualTo("ok");
        assertThat(none.facts()).containsEntry("outcome", "none");
        var other = KernelDropsProbe.judge(DropTrace.count(
                "x kfree_skb: skbaddr=3 rx_sk=0 protocol=2048 location=ping_rcv+0xb3/0xe0 reason: NO_SOCKET\n", 0, List.of()),
                Duration.ofSeconds(1), false).build();
        assertThat(other.status().label()).isEqualTo("ok");
        assertThat(other.facts()).containsEntry("outcome", "other");
    }

    @Test
    void readsTheOverrunOfAPerCpuStatsFile() {
        assertThat(DropTrace.overrun("entries: 2\noverrun: 17\ncommit overrun: 0\n")).isEqualTo(17);
        assertThat(DropTrace.overrun("entries: 2\n")).isZero();
    }
}
