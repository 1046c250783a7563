package dev.reach.plugins.net;

import dev.reach.plugins.net.PathTraceProbe.Answer;
import dev.reach.plugins.net.PathTraceProbe.Hop;
import dev.reach.spi.Status;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The tracepath/traceroute reader on outputs recorded from the PathLab topology (client 198.18.0.1, router
 * 198.18.0.254, server 198.18.1.2; the router DROPs .3, REJECTs .4 admin-prohibited, .5 host-unreachable,
 * .6 net-unreachable, and has no route to 198.19/16) with iputils tracepath 20221126 and traceroute 2.1.2.
 */
class TraceOutputTest {
    private static final String ROUTER = "198.18.0.254";

    @Test
    void tracepathReachedIsThePortUnreachableOfTheTarget() {
        List<Hop> hops = TraceOutput.tracepath(recorded("tracepath-reached.txt"));
        assertThat(hops).extracting(Hop::ttl).containsExactly(1, 2);
        assertThat(hops.get(0).answers()).hasSize(2).allMatch(a -> a.kind().equals("time-exceeded") && a.address().equals(ROUTER));
        assertThat(hops.get(0).answers()).extracting(Answer::rttMs).containsExactly(0.065, 0.010);
        assertThat(hops.get(1).answers()).singleElement().satisfies(a -> {
            assertThat(a.address()).isEqualTo("198.18.1.2");
            assertThat(a.kind()).isEqualTo("port-unreachable");
            assertThat(a.icmp()).isEqualTo("port-unreachable from 198.18.1.2 (tracepath reached)");
        });
        var c = PathTraceProbe.classify("198.18.1.2", hops, null);
        assertThat(c.status()).isEqualTo(Status.OK);
        assertThat(c.summary()).isEqualTo("198.18.1.2 reached in 2 hops (port-unreachable from 198.18.1.2)");
    }

    @Test
    void tracepathNoReplyLinesAreSilentHops() {
        List<Hop> hops = TraceOutput.tracepath(recorded("tracepath-dropped.txt"));
        assertThat(hops).extracting(Hop::ttl).containsExactly(1, 2, 3);
        assertThat(hops.get(1).answers()).containsExactly(Answer.SILENCE);
        assertThat(hops.get(1).lossPercent()).isEqualTo(100.0);
        var c = PathTraceProbe.classify("198.18.1.3", hops, null);
        assertThat(c.outcome()).isEqualTo("incomplete");
        assertThat(c.summary()).contains("the last hop that answered is 1 " + ROUTER);
    }

    @Test
    void tracepathBangHIsHostUnreachableOrProhibitedWithoutACause() {
        // the router REJECTed with admin-prohibited (3/13); tracepath only sees EHOSTUNREACH
        List<Hop> hops = TraceOutput.tracepath(recorded("tracepath-prohibited.txt"));
        assertThat(hops.getLast().end()).isEqualTo("host-unreachable-or-prohibited");
        var c = PathTraceProbe.classify("198.18.1.4", hops, null);
        assertThat(c.status()).isEqualTo(Status.FAIL);
        assertThat(c.cause()).isNull();
        assertThat(c.summary()).isEqualTo("198.18.1.4 not reached: hop 2 198.18.0.254 answered "
                + "host-unreachable-or-prohibited from 198.18.0.254 (tracepath !H)");
    }

    @Test
    void tracepathBangNIsTheRoutersNetUnreachable() {
        List<Hop> hops = TraceOutput.tracepath(recorded("tracepath-no-route.txt"));
        assertThat(hops).singleElement().satisfies(h -> assertThat(h.end()).isEqualTo("net-unreachable"));
        assertThat(PathTraceProbe.classify("198.19.7.7", hops, null).cause()).isEqualTo("net.unreachable");
    }

    @Test
    void tracepathPmtuLineIsNoAnswerOfThatHop() {
        // " 2:  198.18.0.254  0.011ms pmtu 1280": the router's frag-needed, then tracepath resends smaller
        List<Hop> hops = TraceOutput.tracepath(recorded("tracepath-pmtu.txt"));
        assertThat(hops.get(1).answers()).singleElement().satisfies(a -> assertThat(a.address()).isEqualTo("198.18.1.2"));
        assertThat(PathTraceProbe.classify("198.18.1.2", hops, null).outcome()).isEqualTo("reached");
    }

    @Test
    void tracepathLocalhostLineWithATimeIsNoHop() {
        List<Hop> hops = TraceOutput.tracepath(recorded("tracepath-ipv6-loopback.txt"));
        assertThat(hops).singleElement().satisfies(h -> {
            assertThat(h.address()).isEqualTo("::1");
            assertThat(h.answers()).hasSize(2).allMatch(a -> a.kind().equals("port-unreachable"));
        });
    }

    @Test
    void tracerouteTargetAnsweringWithoutAnnotationIsReached() {
        List<Hop> hops = TraceOutput.traceroute(recorded("traceroute-reached.txt"), "198.18.1.2");
        assertThat(hops).extracting(Hop::ttl).containsExactly(1, 2);
        assertThat(hops.get(0).answers()).extracting(Answer::rttMs).containsExactly(0.427, 0.362, 0.340);
        assertThat(hops.get(0).answers()).allMatch(a -> a.kind().equals("time-exceeded"));
        assertThat(hops.get(1).answers()).allMatch(a -> a.kind().equals("port-unreachable") && a.address().equals("198.18.1.2"));
        assertThat(PathTraceProbe.classify("198.18.1.2", hops, null).status()).isEqualTo(Status.OK);
    }

    @Test
    void tracerouteStarsAreSilence() {
        List<Hop> hops = TraceOutput.traceroute(recorded("traceroute-dropped.txt"), "198.18.1.3");
        assertThat(hops).hasSize(3);
        assertThat(hops.get(2).answers()).hasSize(3).containsOnly(Answer.SILENCE);
        assertThat(PathTraceProbe.classify("198.18.1.3", hops, null).outcome()).isEqualTo("incomplete");
    }

    @Test
    void tracerouteBangXIsAdminProhibitedNamingTheRouter() {
        List<Hop> hops = TraceOutput.traceroute(recorded("traceroute-prohibited.txt"), "198.18.1.4");
        assertThat(hops.getLast().answers()).hasSize(3).allMatch(a -> a.kind().equals("admin-prohibited") && a.address().equals(ROUTER));
        var c = PathTraceProbe.classify("198.18.1.4", hops, null);
        assertThat(c.cause()).isEqualTo("admin.prohibited");
        assertThat(c.summary()).isEqualTo("198.18.1.4 not reached: hop 2 198.18.0.254 answered admin-prohibited from 198.18.0.254 (traceroute !X)");
    }

    @Test
    void tracerouteBangHAndBangNAreHostAndNetUnreachable() {
        assertThat(PathTraceProbe.classify("198.18.1.5", TraceOutput.traceroute(recorded("traceroute-host-unreachable.txt"), "198.18.1.5"), null)
                .cause()).isEqualTo("host.unreachable");
        assertThat(PathTraceProbe.classify("198.18.1.6", TraceOutput.traceroute(recorded("traceroute-net-unreachable.txt"), "198.18.1.6"), null)
                .cause()).isEqualTo("net.unreachable");
    }

    @Test
    void tracerouteMixedStarsCountAsLossOfThatHop() {
        // " 2  * 198.18.1.2  0.011 ms *  0.006 ms": the server dropped every other probe
        List<Hop> hops = TraceOutput.traceroute(recorded("traceroute-lossy.txt"), "198.18.1.2");
        assertThat(hops.get(0).answers()).hasSize(4);
        assertThat(hops.get(1).answers()).extracting(Answer::address).containsExactly(null, "198.18.1.2", null, "198.18.1.2");
        assertThat(hops.get(1).lossPercent()).isEqualTo(50.0);
        assertThat(PathTraceProbe.classify("198.18.1.2", hops, null).outcome()).isEqualTo("reached");
    }

    @Test
    void tracerouteReadsIpv6Addresses() {
        assertThat(TraceOutput.traceroute(recorded("traceroute-ipv6-loopback.txt"), "::1"))
                .singleElement().satisfies(h -> assertThat(h.end()).isEqualTo("port-unreachable"));
    }

    @Test
    void unknownLinesAndEmptyOutputGiveNoHops() {
        assertThat(TraceOutput.tracepath("")).isEmpty();
        assertThat(TraceOutput.traceroute("traceroute: unknown host\n", "198.18.1.2")).isEmpty();
        assertThat(TraceOutput.tracepath(" 1:  send failed\n 2:  198.18.1.2  nonsense\n")).isEmpty();
        assertThat(TraceOutput.tracepath(" 1:  198.18.0.254  1.2.3ms\n 99999999999:  198.18.0.254  0.1ms\n")).isEmpty();
        assertThat(TraceOutput.traceroute(" 99999999999  198.18.0.254  0.1 ms\n 1  198.18.0.254  1.2.3 ms\n", "x")).isEmpty();
    }

    @Test
    void tracerouteOddAnnotationsKeepTheirCode() {
        List<Hop> hops = TraceOutput.traceroute(" 1  198.18.0.254  0.1 ms !F-1280  0.1 ms !13  *\n", "198.18.1.2");
        assertThat(hops.getFirst().answers()).extracting(Answer::kind).containsExactly("frag-needed", "icmp-3/13", "silence");
    }

    private static String recorded(String name) {
        try (InputStream in = TraceOutputTest.class.getResourceAsStream("trace/" + name)) {
            assertThat(in).as(name).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
