package dev.reach.plugins.net;

import dev.reach.core.run.HostPrivileges;
import dev.reach.spi.Observation;
import dev.reach.spi.Status;
import dev.reach.testkit.ProbeHarness;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class IcmpPingProbeTest {
    private static final InetAddress ROUTER = InetAddress.ofLiteral("198.18.0.254");

    // classify (no network)

    @Test
    void allAnsweredIsOkWithTheRttLine() {
        var c = IcmpPingProbe.classify(new EchoStats("raw", 3, List.of(0.1, 0.2, 0.3), List.of(64, 64, 64), List.of()), "198.18.1.2", 56, false);
        assertThat(c.status()).isEqualTo(Status.OK);
        assertThat(c.summary()).isEqualTo("198.18.1.2 answered 3 of 3 echo requests (raw socket), rtt min/avg/max/mdev = 0.100/0.200/0.300/0.082 ms, ttl 64");
    }

    @Test
    void someLostIsAWarningOfPathLoss() {
        var c = IcmpPingProbe.classify(new EchoStats("dgram", 4, List.of(0.1), List.of(63), List.of()), "198.18.1.2", 56, false);
        assertThat(c.status()).isEqualTo(Status.WARN);
        assertThat(c.cause()).isEqualTo("path.loss");
        assertThat(c.summary()).contains("1 of 4", "75.0% loss", "ICMP datagram socket");
    }

    @Test
    void aBurstAnsweredThenSilenceIsARateLimitNotLoss() {
        // a token bucket of 4 (iptables -m limit --limit-burst 4): the first four answered, then nothing
        var c = IcmpPingProbe.classify(stats(20, 0, 1, 2, 3), "198.18.1.2", 56, false);
        assertThat(c.status()).isEqualTo(Status.WARN);
        assertThat(c.cause()).as("no loss on the path is shown").isNull();
        assertThat(c.outcome()).isEqualTo("rate-limited");
        assertThat(c.summary()).startsWith("198.18.1.2 answered the first 4 of 20 echo requests and none after (raw socket): a burst,")
                .contains("rate limit", "80.0% unanswered");
        // its refill lets one more through later
        assertThat(IcmpPingProbe.classify(stats(20, 0, 1, 2, 3, 4, 15), "x", 56, false).summary())
                .contains("the first 5 of 20 echo requests and 1 of the 15 after");
        assertThat(stats(20, 0, 1, 2, 3, 4, 15).pattern()).isEqualTo("!!!!!..........!....");
    }

    @Test
    void lossSpreadOverTheRoundOrTooFewRequestsAreNoRateLimit() {
        assertThat(IcmpPingProbe.classify(stats(20, 0, 2, 4, 6, 8, 10, 12, 14, 16, 18), "x", 56, false).cause()).isEqualTo("path.loss");
        assertThat(stats(20, 0, 2, 4, 6, 8, 10, 12, 14, 16, 18).burstThenSilence()).as("every other one: no burst").isFalse();
        assertThat(stats(20, 0, 1, 3, 4, 5, 6, 9, 10, 11, 12, 15, 16, 17, 19).burstThenSilence()).as("30 % lost at random").isFalse();
        assertThat(stats(20, 0, 1, 2, 5, 7, 9, 11, 13, 15).burstThenSilence()).as("a third of the rest answered").isFalse();
        assertThat(stats(20, 0, 1, 2, 5, 9, 13, 17).burstThenSilence()).as("a quarter of the rest answered").isTrue();
        assertThat(stats(20, 0, 1, 5).burstThenSilence()).as("two in a row are no burst").isFalse();
        assertThat(stats(6, 0, 1, 2).burstThenSilence()).as("three after the burst are too few to tell").isFalse();
        assertThat(stats(8, 0, 1, 2).burstThenSilence()).isTrue();
        assertThat(new EchoStats("system", 20, List.of(0.1, 0.1, 0.1), List.of(64, 64, 64), List.of()).burstThenSilence())
                .as("order unknown").isFalse();
    }

    /** A raw-socket round of {@code sent} requests of which these sequence numbers were answered, each in 0.1 ms. */
    private static EchoStats stats(int sent, Integer... answered) {
        List<Double> rtts = java.util.Collections.nCopies(answered.length, 0.1);
        List<Integer> ttls = java.util.Collections.nCopies(answered.length, 64);
        return new EchoStats("raw", sent, rtts, ttls, List.of(), List.of(answered));
    }

    @Test
    void rejectedEchoNamesTheFirewallAddress() {
        var err = IcmpError.icmp(false, 3, 13, 0, ROUTER);
        var c = IcmpPingProbe.classify(new EchoStats("raw", 2, List.of(), List.of(), List.of(err, err)), "198.18.1.4", 56, false);
        assertThat(c.status()).isEqualTo(Status.FAIL);
        assertThat(c.cause()).isEqualTo("admin.prohibited");
        assertThat(c.outcome()).isEqualTo("admin-prohibited");
        assertThat(c.summary()).isEqualTo("no echo reply from 198.18.1.4: ICMP 3/13 admin-prohibited from 198.18.0.254 (2 of 2 requests)"
                + ": a firewall REJECT rule answered at that address");
    }

    @Test
    void silenceIsNoReplyWithoutGuessingACause() {
        var c = IcmpPingProbe.classify(new EchoStats("raw", 3, List.of(), List.of(), List.of()), "198.18.1.3", 56, false);
        assertThat(c.status()).isEqualTo(Status.FAIL);
        assertThat(c.cause()).isNull();
        assertThat(c.outcome()).isEqualTo("no-reply");
        assertThat(c.summary()).contains("host is down, or a firewall drops ICMP echo");
    }

    @Test
    void localNoRouteIsRouteNoneAndFragNeededIsASizeNotABlackhole() {
        var noRoute = new IcmpError(IcmpError.ORIGIN_LOCAL, Syscalls.ENETUNREACH, 0, 0, 0, null);
        assertThat(IcmpPingProbe.classify(new EchoStats("raw", 1, List.of(), List.of(), List.of(noRoute)), "x", 56, false).cause())
                .isEqualTo("route.none");
        var frag = IcmpError.icmp(false, 3, 4, 1280, ROUTER);
        var c = IcmpPingProbe.classify(new EchoStats("raw", 1, List.of(), List.of(), List.of(frag)), "x", 1472, true);
        assertThat(c.cause()).isNull();
        assertThat(c.outcome()).isEqualTo("frag-needed");
        assertThat(c.summary()).contains("next-hop mtu 1280", "1500-byte packets with DF set");
    }

    // the wire format

    @Test
    void requestChecksumVerifiesAndCarriesIdAndSeq() {
        byte[] r = IcmpEcho.request(false, 0x1234, 7, 56);
        assertThat(r).hasSize(64);
        assertThat(IcmpEcho.checksum(r)).isZero();
        assertThat(IcmpEcho.get16(r, 4)).isEqualTo(0x1234);
        assertThat(IcmpEcho.get16(r, 6)).isEqualTo(7);
    }

    @Test
    void rawReplyIsReadPastTheIpHeaderWithItsTtl() {
        byte[] icmp = IcmpEcho.request(false, 42, 3, 8);
        icmp[0] = 0;
        byte[] packet = new byte[20 + icmp.length];
        packet[0] = 0x45;
        packet[8] = 61;
        System.arraycopy(icmp, 0, packet, 20, icmp.length);
        assertThat(IcmpEcho.parse(packet, false, true, 42, ROUTER, -1)).isEqualTo(new IcmpEcho.Reply(3, 61));
        assertThat(IcmpEcho.parse(packet, false, true, 43, ROUTER, -1)).isInstanceOf(IcmpEcho.Ignored.class);
    }

    @Test
    void errorQuotingOurRequestIsMatchedToItsSequence() {
        byte[] request = IcmpEcho.request(false, 42, 5, 8);
        byte[] packet = new byte[20 + 8 + 20 + request.length];
        packet[0] = 0x45;
        packet[20] = 3;
        packet[21] = 13;
        packet[28] = 0x45;
        packet[28 + 9] = 1; // the quoted header's protocol: ICMP
        System.arraycopy(request, 0, packet, 48, request.length);
        var parsed = IcmpEcho.parse(packet, false, true, 42, ROUTER, -1);
        assertThat(parsed).isInstanceOf(IcmpEcho.Error.class);
        var e = (IcmpEcho.Error) parsed;
        assertThat(e.seq()).isEqualTo(5);
        assertThat(e.error().describe()).isEqualTo("ICMP 3/13 admin-prohibited from 198.18.0.254");
    }

    @Test
    void truncatedOrGarbagePacketsAreIgnoredNeverThrown() {
        for (int n = 0; n < 60; n++) {
            byte[] junk = new byte[n];
            java.util.Arrays.fill(junk, (byte) 0x4f);
            assertThat(IcmpEcho.parse(junk, false, true, 1, null, -1)).isNotNull();
            assertThat(IcmpEcho.parse(junk, true, false, 1, null, -1)).isNotNull();
        }
    }

    @Test
    void systemPingOutputIsReadBackIntoTheSameStats() {
        String out = """
                PING 198.18.1.2 (198.18.1.2) 56(84) bytes of data.
                64 bytes from 198.18.1.2: icmp_seq=1 ttl=63 time=0.061 ms
                From 198.18.0.254 icmp_seq=2 Packet filtered
                64 bytes from 198.18.1.2: icmp_seq=3 ttl=63 time=0.090 ms
                From 198.18.0.254 icmp_seq=4 Frag needed and DF set (mtu = 1280)

                --- 198.18.1.2 ping statistics ---
                4 packets transmitted, 2 received, +2 errors, 50% packet loss, time 3004ms
                """;
        EchoStats s = PingCommand.parse(out, 4);
        assertThat(s.rttMs()).containsExactly(0.061, 0.090);
        assertThat(s.ttls()).containsExactly(63, 63);
        assertThat(s.errors()).extracting(IcmpError::describe)
                .containsExactly("ICMP 3/13 admin-prohibited from 198.18.0.254", "ICMP 3/4 frag-needed (next-hop mtu 1280) from 198.18.0.254");
        assertThat(s.lossPercent()).isEqualTo(50.0);
        assertThat(s.answered()).containsExactly(0, 2);
        assertThat(s.pattern()).isEqualTo("!.!.");
    }

    // real loopback: whether ICMP can be sent here is decided from the host (privileges, ping_group_range, the ping
    // command), never from what the probe returned, so a probe that wrongly starts skipping fails these tests

    private static final HostPrivileges HOST = HostPrivileges.current();

    /** A raw socket (root or CAP_NET_RAW), a ping socket (this group in ping_group_range) or the ping command. */
    static boolean canPing() {
        return HOST.root() || HOST.hasCapability("CAP_NET_RAW") || pingGroupAllows() || HOST.tool("ping").isPresent();
    }

    private static boolean pingGroupAllows() {
        try {
            String[] range = Files.readString(Path.of("/proc/sys/net/ipv4/ping_group_range")).trim().split("\\s+");
            long gid = ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:gid")).longValue();
            return gid >= Long.parseLong(range[0]) && gid <= Long.parseLong(range[1]);
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private static boolean ipv6Loopback() {
        try {
            return Files.readString(Path.of("/proc/net/if_inet6")).contains(" lo");
        } catch (IOException e) {
            return false;
        }
    }

    @Test
    void loopbackAnswersEveryRequestAndSaysHow() {
        assumeTrue(canPing(), "no raw socket, no ping socket for this group and no ping command here");
        Observation o = ProbeHarness.run(new IcmpPingProbe(), "host=127.0.0.1", "count=3", "interval=20ms");
        assertThat(o.status()).as(o.toString()).isEqualTo(Status.OK);
        assertThat(o.facts()).containsEntry("sent", 3).containsEntry("received", 3).containsEntry("loss_pct", 0.0)
                .containsEntry("ttl", 64).containsKeys("rtt_min_ms", "rtt_avg_ms", "rtt_max_ms", "rtt_mdev_ms");
        assertThat(o.facts().get("method")).isIn("dgram", "raw", "system");
    }

    @Test
    void systemPingIsUsedWhenAskedAndParsed() {
        assumeTrue(HOST.tool("ping").isPresent(), "no ping command on PATH");
        Observation o = ProbeHarness.run(new IcmpPingProbe(), "host=127.0.0.1", "count=2", "interval=200ms", "method=system");
        assertThat(o.status()).as(o.toString()).isEqualTo(Status.OK);
        assertThat(o.facts()).containsEntry("method", "system").containsEntry("received", 2).containsEntry("ttl", 64);
    }

    @Test
    void ipv6LoopbackAnswersToo() {
        assumeTrue(canPing() && ipv6Loopback(), "no way to send ICMP here, or no ::1 on lo");
        Observation o = ProbeHarness.run(new IcmpPingProbe(), "host=::1", "count=2", "interval=20ms");
        assertThat(o.status()).as(o.toString()).isEqualTo(Status.OK);
        assertThat(o.facts()).containsEntry("received", 2).containsEntry("ttl", 64).containsEntry("address", "::1");
    }
}
