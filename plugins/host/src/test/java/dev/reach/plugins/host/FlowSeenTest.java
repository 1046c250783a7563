package dev.reach.plugins.host;

import dev.reach.plugins.host.FlowCapture.Packet;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class FlowSeenTest {
    private static final InetAddress CLIENT = InetAddress.ofLiteral("198.18.0.1");
    private static final InetAddress SERVER = InetAddress.ofLiteral("198.18.0.2");
    private static final int SYN = Packet.SYN, ACK = Packet.ACK, RST = Packet.RST;

    private static Packet in(long us, int flags) {
        return new Packet(us, true, "eth0", CLIENT, SERVER, 40000, 8080, flags);
    }

    private static Packet out(long us, String iface, int flags) {
        return new Packet(us, false, iface, SERVER, CLIENT, 8080, 40000, flags);
    }

    @Test
    void aCompletedHandshakeIsEstablishedAndDecidedAtOnce() {
        FlowSeen s = new FlowSeen(true, 8080, CLIENT);
        assertThat(s.add(in(1000, SYN))).isFalse();
        assertThat(s.add(out(1100, "eth0", SYN | ACK))).isFalse();
        assertThat(s.add(in(1300, ACK))).isTrue();
        assertThat(s.outcome()).isEqualTo("established");
        assertThat(FlowWatchProbe.classify(s, null, "tcp port 8080", Duration.ofMillis(5)).status().label()).isEqualTo("ok");
    }

    @Test
    void aSynWithNoAnswerIsDecidedHalfASecondLaterAndNamedByTheKernelsReason() {
        FlowSeen s = new FlowSeen(true, 8080, CLIENT);
        s.add(in(1000, SYN));
        assertThat(s.decided(400_000)).isFalse();
        s.add(in(300_000, SYN));
        assertThat(s.decided(1000 + FlowSeen.UNANSWERED_US + 1)).as("a second SYN does not put the decision off").isTrue();
        assertThat(s.outcome()).isEqualTo("unanswered");
        var drops = DropTrace.count("""
                 <idle>-0 [000] ..s1. 1.0: kfree_skb: skbaddr=0 rx_sk=0 protocol=2048 location=nft_do_chain+0x46f/0x690 reason: NETFILTER_DROP
                """, 0, List.of());
        var j = FlowWatchProbe.classify(s, drops, "tcp port 8080", Duration.ofMillis(600));
        assertThat(j.cause()).isEqualTo("firewall.local");
        assertThat(j.summary()).contains("arrived on eth0").contains("NETFILTER_DROP at nft_do_chain");
        var rp = DropTrace.count("x kfree_skb: skbaddr=0 rx_sk=0 protocol=2048 location=ip_rcv_finish_core+0x1/0x2 reason: IP_RPFILTER\n", 0, List.of());
        assertThat(FlowWatchProbe.classify(s, rp, "tcp port 8080", Duration.ofMillis(600)).cause()).isEqualTo("rpfilter.drop");
        assertThat(FlowWatchProbe.classify(s, DropTrace.count("", 0, List.of()), "tcp port 8080", Duration.ofMillis(600)).cause()).isNull();
    }

    @Test
    void anAnswerTheClientNeverAcknowledgedIsAReplyLostOnceItSendsItsSynAgain() {
        FlowSeen s = new FlowSeen(true, 8080, CLIENT);
        s.add(in(1000, SYN));
        assertThat(s.add(out(1100, "eth1", SYN | ACK))).isFalse();
        assertThat(s.add(in(1_001_000, SYN))).isTrue();
        assertThat(s.outcome()).isEqualTo("answered");
        var j = FlowWatchProbe.classify(s, null, "tcp port 8080", Duration.ofSeconds(1));
        assertThat(j.cause()).isEqualTo("path.reply-lost");
        assertThat(j.summary()).contains("SYN-ACK out on eth1").contains("sent its SYN again");
    }

    @Test
    void anAnswerToAConnectionBegunBeforeTheWatchIsNotThisOnesAnswer() {
        FlowSeen s = new FlowSeen(true, 8080, CLIENT);
        assertThat(s.add(new Packet(500, false, "eth1", SERVER, CLIENT, 8080, 39999, SYN | ACK))).isFalse();
        assertThat(s.outcome()).isEqualTo("none");
        s.add(in(1000, SYN));
        s.add(new Packet(1500, false, "eth1", SERVER, CLIENT, 8080, 39999, SYN | ACK));
        assertThat(s.answers()).isZero();
        assertThat(s.decided(1000 + FlowSeen.UNANSWERED_US + 1)).isTrue();
        assertThat(s.outcome()).isEqualTo("unanswered");
    }

    @Test
    void aResetIsRefusedAndOtherSourcesAreListedNotCounted() {
        FlowSeen s = new FlowSeen(true, 8080, CLIENT);
        s.add(new Packet(10, true, "eth0", InetAddress.ofLiteral("198.18.9.9"), SERVER, 1234, 8080, SYN));
        s.add(in(1000, SYN));
        assertThat(s.add(out(1050, "eth0", RST | ACK))).isTrue();
        assertThat(s.outcome()).isEqualTo("refused");
        assertThat(s.requests()).isEqualTo(1);
        assertThat(s.others()).containsExactly("198.18.9.9");
    }

    @Test
    void withoutAClientTheFirstSynsSourceIsTheClientAndNothingAtAllIsNone() {
        FlowSeen none = new FlowSeen(true, 8080, null);
        assertThat(none.decided(10_000_000)).isFalse();
        assertThat(none.outcome()).isEqualTo("none");
        FlowSeen s = new FlowSeen(true, 8080, null);
        s.add(in(5, SYN));
        assertThat(s.client()).isEqualTo(CLIENT);
    }

    @Test
    void outboundItIsDecidedOnceThisHostsOwnSynLeavesAndNoneWhenNothingDid() {
        FlowSeen s = new FlowSeen(true, 8080, SERVER, true);
        assertThat(s.add(in(10, SYN))).as("a SYN arriving is not this host's own").isFalse();
        assertThat(s.outcome()).isEqualTo("none");
        var drops = DropTrace.count("x kfree_skb: skbaddr=0 rx_sk=0 protocol=2048 location=nft_do_chain+0x4/0x6 reason: NETFILTER_DROP\n", 0, List.of());
        var none = FlowWatchProbe.classifyOut(s, drops, "tcp port 8080", Duration.ofSeconds(2));
        assertThat(none.cause()).isEqualTo("firewall.local");
        assertThat(none.summary()).startsWith("no SYN to 198.18.0.2 tcp port 8080 left this host in 2s: the kernel here dropped 1");
        assertThat(s.add(new Packet(20, false, "eth0", CLIENT, SERVER, 40000, 8080, SYN))).isTrue();
        assertThat(s.outcome()).isEqualTo("left");
        assertThat(FlowWatchProbe.classifyOut(s, drops, "tcp port 8080", Duration.ofSeconds(2)).summary())
                .isEqualTo("this host's SYN to 198.18.0.2 tcp port 8080 left on eth0");
    }

    @Test
    void theFilterIsNineteenInstructionsEndingInAcceptAndDrop() {
        long[] f = FlowCapture.filter(6, 8080);
        assertThat(f).hasSize(19);
        assertThat(f[17] & 0xffff).isEqualTo(0x06);
        assertThat(f[17] >>> 32).isEqualTo(128);
        assertThat(f[18] >>> 32).isZero();
        assertThat(f[14] >>> 32).isEqualTo(8080);
        for (int i = 0; i < f.length; i++) {   // every conditional jump lands inside the program
            if ((f[i] & 0xffff) == 0x15 || (f[i] & 0xffff) == 0x45) {
                assertThat(i + 1 + ((f[i] >>> 16) & 0xff)).isLessThan(f.length);
                assertThat(i + 1 + ((f[i] >>> 24) & 0xff)).isLessThan(f.length);
            }
        }
    }

    @Test
    void parsesIpv4AndIpv6TcpHeaders() {
        ByteBuffer v4 = ByteBuffer.allocate(40);
        v4.put(0, (byte) 0x45).put(9, (byte) 6).put(12, CLIENT.getAddress()).put(16, SERVER.getAddress());
        v4.putShort(20, (short) 40000).putShort(22, (short) 8080).put(33, (byte) SYN);
        Packet p = FlowCapture.parse(v4.array(), 7, true, "eth0");
        assertThat(p).isNotNull();
        assertThat(p.src()).isEqualTo(CLIENT);
        assertThat(p.dport()).isEqualTo(8080);
        assertThat(p.syn()).isTrue();
        ByteBuffer v6 = ByteBuffer.allocate(60);
        v6.put(0, (byte) 0x60).put(6, (byte) 6).put(8, InetAddress.ofLiteral("::1").getAddress()).put(24, InetAddress.ofLiteral("::1").getAddress());
        v6.putShort(40, (short) 8080).putShort(42, (short) 40000).put(53, (byte) (SYN | ACK));
        Packet q = FlowCapture.parse(v6.array(), 7, false, "lo");
        assertThat(q.synAck()).isTrue();
        assertThat(q.sport()).isEqualTo(8080);
        assertThat(FlowCapture.parse(new byte[]{0x45, 0}, 0, true, "x")).isNull();
    }
}
