package dev.reach.plugins.net;

import dev.reach.core.playbook.ParamBinder;
import dev.reach.spi.Observation;
import dev.reach.spi.Status;
import dev.reach.testkit.ProbeHarness;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class PathTraceProbeTest {
    private static final PathTraceProbe.Answer SILENT = PathTraceProbe.Answer.SILENCE;

    private static PathTraceProbe.Answer te(String from) {
        return new PathTraceProbe.Answer(from, 0.05, "time-exceeded", "ICMP 11/0 time-exceeded from " + from);
    }

    @Test
    void targetSayingPortUnreachableIsReached() {
        var trace = List.of(new PathTraceProbe.Hop(1, List.of(te("198.18.0.254"))),
                new PathTraceProbe.Hop(2, List.of(new PathTraceProbe.Answer("198.18.1.2", 0.1, "port-unreachable", "ICMP 3/3"))));
        var c = PathTraceProbe.classify("198.18.1.2", trace, null);
        assertThat(c.status()).isEqualTo(Status.OK);
        assertThat(c.outcome()).isEqualTo("reached");
        assertThat(c.summary()).isEqualTo("198.18.1.2 reached in 2 hops (port-unreachable from 198.18.1.2)");
    }

    @Test
    void routerSayingNetUnreachableIsNetUnreachableNamingIt() {
        var trace = List.of(new PathTraceProbe.Hop(1, List.of(
                new PathTraceProbe.Answer("198.18.0.254", 0.1, "net-unreachable", "ICMP 3/0 net-unreachable from 198.18.0.254"))));
        var c = PathTraceProbe.classify("198.19.7.7", trace, null);
        assertThat(c.cause()).isEqualTo("net.unreachable");
        assertThat(c.summary()).isEqualTo("198.19.7.7 not reached: hop 1 198.18.0.254 answered ICMP 3/0 net-unreachable from 198.18.0.254");
    }

    @Test
    void firewallAtTheTargetIsAdminProhibited() {
        var trace = List.of(new PathTraceProbe.Hop(1, List.of(
                new PathTraceProbe.Answer("198.18.1.2", 0.1, "admin-prohibited", "ICMP 3/13 admin-prohibited from 198.18.1.2"))));
        var c = PathTraceProbe.classify("198.18.1.2", trace, null);
        assertThat(c.cause()).isEqualTo("admin.prohibited");
        assertThat(c.summary()).contains("the target itself answered");
    }

    @Test
    void silenceAfterARouterNamesTheLastHopThatAnswered() {
        var trace = List.of(new PathTraceProbe.Hop(1, List.of(te("198.18.0.254"), te("198.18.0.254"))),
                new PathTraceProbe.Hop(2, List.of(SILENT, SILENT)));
        var c = PathTraceProbe.classify("198.18.1.3", trace, null);
        assertThat(c.status()).isEqualTo(Status.FAIL);
        assertThat(c.cause()).isNull();
        assertThat(c.outcome()).isEqualTo("incomplete");
        assertThat(c.summary()).contains("the last hop that answered is 1 198.18.0.254");
    }

    @Test
    void noLocalRouteIsRouteNone() {
        var c = PathTraceProbe.classify("203.0.113.1", List.of(), "ENETUNREACH");
        assertThat(c.cause()).isEqualTo("route.none");
    }

    @Test
    void hopLineShowsEachProbeAndTheEnd() {
        var hop = new PathTraceProbe.Hop(2, List.of(new PathTraceProbe.Answer("198.18.1.2", 0.093, "port-unreachable", "x"), SILENT));
        assertThat(hop.line()).isEqualTo(" 2  198.18.1.2  0.09ms *  !port-unreachable");
        assertThat(hop.lossPercent()).isEqualTo(50.0);
    }

    @Test
    void loopbackIsReachedInOneHopWithoutPrivilege() {
        Observation o = ProbeHarness.run(new PathTraceProbe(), "host=127.0.0.1", "count=2", "timeout=5s");
        assertThat(o.status()).as(o.toString()).isEqualTo(Status.OK);
        assertThat(o.facts()).containsEntry("hop_count", 1).containsEntry("end", "port-unreachable")
                .containsEntry("last_hop", "127.0.0.1").containsEntry("method", "udp");
        @SuppressWarnings("unchecked")
        var hops = (List<Map<String, Object>>) o.facts().get("hops");
        assertThat(hops).singleElement().satisfies(h -> {
            assertThat(h).containsEntry("ttl", 1).containsEntry("address", "127.0.0.1").containsEntry("loss_pct", 0.0);
            assertThat((List<?>) h.get("rtt_ms")).hasSize(2);
        });
        assertThat(o.duration().toMillis()).isLessThan(3000); // settled by the answers, not by the 5s timeout
    }

    @Test
    void ipv6LoopbackIsReachedWithTheIcmpv6PortUnreachable() {
        Observation o = ProbeHarness.run(new PathTraceProbe(), "host=::1", "count=1", "timeout=5s");
        assertThat(o.status()).as(o.toString()).isEqualTo(Status.OK);
        assertThat(o.evidence()).anyMatch(l -> l.matches(" 1  ::1  [0-9.]+m?s  !port-unreachable"));
        @SuppressWarnings("unchecked")
        var hops = (List<Map<String, Object>>) o.facts().get("hops");
        assertThat(hops.getFirst()).containsEntry("icmp", "ICMPv6 1/4 port-unreachable from ::1");
    }

    @Test
    void tcpSynAckAtTheTargetIsReachedSayingOpen() {
        var trace = List.of(new PathTraceProbe.Hop(1, List.of(te("198.18.0.254"))), new PathTraceProbe.Hop(2, List.of(
                new PathTraceProbe.Answer("198.18.1.2", 0.1, "open", "SYN-ACK from 198.18.1.2:443, port open"))));
        var c = PathTraceProbe.classify("198.18.1.2", trace, null);
        assertThat(c.status()).isEqualTo(Status.OK);
        assertThat(c.summary()).isEqualTo("198.18.1.2 reached in 2 hops (SYN-ACK from 198.18.1.2:443, port open)");
    }

    @Test
    void tcpRstAtTheTargetIsReachedToo() {
        var trace = List.of(new PathTraceProbe.Hop(1, List.of(
                new PathTraceProbe.Answer("198.18.1.2", 0.1, "refused", "RST from 198.18.1.2:81, port closed"))));
        var c = PathTraceProbe.classify("198.18.1.2", trace, null);
        assertThat(c.outcome()).isEqualTo("reached");
        assertThat(c.summary()).endsWith("(RST from 198.18.1.2:81, port closed)");
    }

    @Test
    void echoReplyFromTheTargetIsReached() {
        var trace = List.of(new PathTraceProbe.Hop(1, List.of(new PathTraceProbe.Answer("198.18.1.2", 0.1, "echo-reply", "echo reply from 198.18.1.2"))));
        assertThat(PathTraceProbe.classify("198.18.1.2", trace, null).summary()).isEqualTo("198.18.1.2 reached in 1 hop (echo-reply from 198.18.1.2)");
    }

    @Test
    void tcpRstFromARouterIsNotReached() {
        var trace = List.of(new PathTraceProbe.Hop(1, List.of(new PathTraceProbe.Answer("198.18.0.254", 0.1, "refused", "RST"))));
        assertThat(PathTraceProbe.classify("198.18.1.2", trace, null).status()).isEqualTo(Status.FAIL);
    }

    @Test
    void unknownMethodIsRejectedListingTheMethods() {
        var b = ParamBinder.bind(PathTraceProbe.SPEC, Map.of("host", "198.18.1.2", "method", "sctp"));
        assertThat(b.ok()).isFalse();
        assertThat(b.errors()).singleElement().satisfies(e -> {
            assertThat(e.param()).isEqualTo("method");
            assertThat(e.message()).contains("allowed: auto, udp, icmp, tcp, system");
        });
        assertThat(ParamBinder.bind(PathTraceProbe.SPEC, Map.of("host", "198.18.1.2", "port", "70000")).ok()).isFalse();
        var ok = ParamBinder.bind(PathTraceProbe.SPEC, Map.of("host", "198.18.1.2"));
        assertThat(ok.params().string("method")).isEqualTo("auto");
        assertThat(ok.params().find("port")).isEmpty(); // each method picks its own default port
    }

    @Test
    void onlyPolicyErrnosMakeAutoFallBack() {
        assertThat(List.of(Syscalls.EPERM, Syscalls.EACCES, Syscalls.EPROTONOSUPPORT, 97)).allMatch(HopProber::refusal);
        assertThat(List.of(Syscalls.ENETUNREACH, Syscalls.EHOSTUNREACH, Syscalls.EINVAL, 24)).noneMatch(HopProber::refusal);
    }

    @Test
    void tcpToAClosedLoopbackPortIsReachedRefused() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort(); // closed again below: nothing listens there during the trace
        }
        Observation o = ProbeHarness.run(new PathTraceProbe(), "host=127.0.0.1", "method=tcp", "port=" + port, "count=2", "timeout=5s");
        assertThat(o.status()).as(o.toString()).isEqualTo(Status.OK);
        assertThat(o.facts()).containsEntry("method", "tcp").containsEntry("end", "refused").containsEntry("hop_count", 1)
                .containsEntry("port", port);
        assertThat(o.duration().toMillis()).isLessThan(3000);
    }

    @Test
    void tcpToAListeningLoopbackPortIsReachedOpenWithTheHandshakeTime() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 16, InetAddress.getLoopbackAddress())) {
            Observation o = ProbeHarness.run(new PathTraceProbe(), "host=127.0.0.1", "method=tcp", "port=" + s.getLocalPort(), "count=3");
            assertThat(o.status()).as(o.toString()).isEqualTo(Status.OK);
            assertThat(o.facts()).containsEntry("end", "open").containsEntry("last_hop", "127.0.0.1");
            assertThat(o.summary()).endsWith("(SYN-ACK from 127.0.0.1:" + s.getLocalPort() + ", port open)");
            @SuppressWarnings("unchecked")
            var hops = (List<Map<String, Object>>) o.facts().get("hops");
            assertThat((List<?>) hops.getFirst().get("rtt_ms")).hasSize(3).allMatch(ms -> (double) ms < 50);
        }
    }

    @Test
    void tcpOverIpv6LoopbackIsReached() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 16, InetAddress.getByName("::1"))) {
            Observation o = ProbeHarness.run(new PathTraceProbe(), "host=::1", "method=tcp", "port=" + s.getLocalPort(), "count=1");
            assertThat(o.status()).as(o.toString()).isEqualTo(Status.OK);
            assertThat(o.facts()).containsEntry("end", "open").containsEntry("address", "::1");
        }
    }

    @Test
    void icmpToLoopbackIsReachedByEchoOrSkippedSayingWhy() {
        Observation o = ProbeHarness.run(new PathTraceProbe(), "host=127.0.0.1", "method=icmp", "count=2", "timeout=5s");
        if (o.status() == Status.SKIPPED) { // neither a ping socket (net.ipv4.ping_group_range) nor root for a raw one
            assertThat(o.summary()).contains("refuses this process an ICMP socket").contains("ping_group_range");
            return;
        }
        assertThat(o.status()).as(o.toString()).isEqualTo(Status.OK);
        assertThat(o.facts()).containsEntry("method", "icmp").containsEntry("end", "echo-reply").containsEntry("hop_count", 1)
                .doesNotContainKey("port");
        assertThat(o.duration().toMillis()).isLessThan(3000);
    }

    @Test
    void icmpWithoutAPingSocketOrPrivilegeIsRefusedNamingThePingGroupRange() throws Exception {
        // the kernel decides: a ping socket where net.ipv4.ping_group_range holds our gid, else a refusal that says why
        try {
            assertThat(IcmpHops.choose(InetAddress.getLoopbackAddress(), false).raw()).isFalse();
        } catch (HopProber.Refused r) {
            assertThat(r.getMessage()).contains("datagram socket: socket: EACCES").contains("ping_group_range is ")
                    .contains("use method=udp or tcp");
        }
    }
}
