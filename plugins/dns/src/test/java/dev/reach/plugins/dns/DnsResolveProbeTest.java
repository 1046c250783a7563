package dev.reach.plugins.dns;

import dev.reach.core.run.ParamBinder;
import dev.reach.spi.Needs;
import dev.reach.spi.Observation;
import dev.reach.spi.Status;
import dev.reach.testkit.ProbeHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** classify() on hand-built answers (no network), and the parameters. */
class DnsResolveProbeTest {
    private static final Duration FAST = Duration.ofNanos(400_000);
    private static final Duration SLOW = Duration.ofSeconds(1);
    private static final SystemSaid OFF = new SystemSaid("off", List.of(), "", "");

    private static ServerSaid.Leg ok(String... addresses) {
        return ServerSaid.Leg.answer("NOERROR", List.of(addresses), FAST);
    }

    private static ServerSaid.Leg rcode(String rcode) {
        return ServerSaid.Leg.answer(rcode, List.of(), FAST);
    }

    private static ServerSaid both(String server, ServerSaid.Leg leg) {
        return new ServerSaid(server, leg, leg);
    }

    private static ServerSaid dead(String server, String udp, String tcp) {
        return new ServerSaid(server, ServerSaid.Leg.failed(udp, FAST), ServerSaid.Leg.failed(tcp, FAST));
    }

    private static DnsResolveProbe.Classified classify(SystemSaid system, ServerSaid... servers) {
        return DnsResolveProbe.classify("web.test", "A", system, List.of(servers), SLOW);
    }

    @Test
    void agreeingServersAreOkWithTheAnswer() {
        var c = classify(OFF, both("ns1:53", ok("198.18.0.10")), both("ns2:53", ok("198.18.0.10")));
        assertThat(c.status()).isEqualTo(Status.OK);
        assertThat(c.cause()).isNull();
        assertThat(c.summary()).startsWith("web.test is 198.18.0.10 (2 nameservers agree, 0.40ms");
    }

    @Test
    void everyServerUnreachableIsServerUnreachableSayingWhyForEach() {
        var c = classify(OFF, dead("ns1:53", "timeout", "timeout"), dead("ns2:53", "refused", "refused"));
        assertThat(c.cause()).isEqualTo("dns.server-unreachable");
        assertThat(c.status()).isEqualTo(Status.FAIL);
        assertThat(c.summary()).startsWith("no nameserver answers for web.test: ns1:53 (udp timeout, tcp timeout); ns2:53 (udp refused, tcp refused)");
    }

    @Test
    void serverThatClosesTcpUnansweredIsServfailNotUnreachable() {
        var c = classify(OFF, dead("ns1:53", "timeout", "closed"));
        assertThat(c.cause()).isEqualTo("dns.servfail");
        assertThat(c.summary()).contains("ns1:53 accepts TCP but closes it without an answer");
    }

    @Test
    void onlyServfailAndRefusedIsServfail() {
        var c = classify(OFF, both("ns1:53", rcode("SERVFAIL")), both("ns2:53", rcode("REFUSED")));
        assertThat(c.cause()).isEqualTo("dns.servfail");
        assertThat(c.status()).isEqualTo(Status.FAIL);
        assertThat(c.summary()).contains("ns1:53 answers SERVFAIL (it cannot resolve upstream")
                .contains("ns2:53 answers REFUSED (it will not answer");
    }

    @Test
    void udpLostButTcpAnsweringStillCounts() {
        var c = classify(OFF, new ServerSaid("ns1:53", ServerSaid.Leg.failed("timeout", SLOW), ok("198.18.0.10")));
        assertThat(c.status()).isEqualTo(Status.OK);
    }

    @Test
    void allNxdomainWithoutHostsEntryIsNxdomain() {
        var c = classify(new SystemSaid("hosts", List.of(), "", ""), both("ns1:53", rcode("NXDOMAIN")));
        assertThat(c.cause()).isEqualTo("dns.nxdomain");
        assertThat(c.summary()).startsWith("web.test does not exist: ns1:53 answers NXDOMAIN and the hosts file has no entry");
    }

    @Test
    void emptyNoerrorIsNodata() {
        var c = classify(OFF, both("ns1:53", rcode("NOERROR")));
        assertThat(c.cause()).isEqualTo("dns.nodata");
        assertThat(c.summary()).startsWith("web.test exists but has no A record");
    }

    @Test
    void nxdomainButInTheHostsFileIsAWarnedMismatch() {
        var sys = new SystemSaid("hosts", List.of("198.18.0.60"), "", "/etc/hosts line 4");
        var c = classify(sys, both("ns1:53", rcode("NXDOMAIN")));
        assertThat(c.status()).isEqualTo(Status.WARN);
        assertThat(c.cause()).isEqualTo("dns.mismatch");
        assertThat(c.summary()).startsWith("only the system resolver knows web.test (198.18.0.60 from /etc/hosts line 4)");
    }

    @Test
    void staleHostsLineIsMismatch() {
        var sys = new SystemSaid("hosts", List.of("198.18.0.50"), "", "/etc/hosts line 4");
        var c = classify(sys, both("ns1:53", ok("198.18.0.10")));
        assertThat(c.cause()).isEqualTo("dns.mismatch");
        assertThat(c.summary()).isEqualTo("the system resolver says web.test is 198.18.0.50 (/etc/hosts line 4) but the nameservers "
                + "say 198.18.0.10: a stale line in /etc/hosts");
    }

    @Test
    void systemAnswerFromElsewhereThatDiffersBlamesNsswitch() {
        var sys = new SystemSaid("os", List.of("198.18.0.77"), "", "DNS or another nsswitch source");
        var c = classify(sys, both("ns1:53", ok("198.18.0.10")));
        assertThat(c.cause()).isEqualTo("dns.mismatch");
        assertThat(c.summary()).endsWith(": nsswitch sends the lookup elsewhere, or split horizon");
    }

    @Test
    void serversDisagreeingIsMismatchEvenWhenOneSaysNxdomain() {
        var c = classify(OFF, both("ns1:53", ok("198.18.0.10")), both("ns2:53", rcode("NXDOMAIN")));
        assertThat(c.cause()).isEqualTo("dns.mismatch");
        assertThat(c.summary()).isEqualTo("nameservers disagree about web.test: ns1:53 says 198.18.0.10; ns2:53 says NXDOMAIN: "
                + "split horizon, or a server with stale data");
    }

    @Test
    void sameAddressesInAnotherOrderAgree() {
        var c = classify(OFF, both("ns1:53", ok("198.18.0.10", "198.18.0.11")), both("ns2:53", ok("198.18.0.11", "198.18.0.10")));
        assertThat(c.status()).isEqualTo(Status.OK);
    }

    @Test
    void oneServerFailingBesideAGoodOneIsAWarnedServfail() {
        var c = classify(OFF, both("ns1:53", rcode("SERVFAIL")), both("ns2:53", ok("198.18.0.10")));
        assertThat(c.status()).isEqualTo(Status.WARN);
        assertThat(c.cause()).isEqualTo("dns.servfail");
    }

    @Test
    void refusedServerFirstIsAWarnedServerUnreachable() {
        var c = classify(OFF, dead("ns1:53", "refused", "refused"), both("ns2:53", ok("198.18.0.10")));
        assertThat(c.status()).isEqualTo(Status.WARN);
        assertThat(c.cause()).isEqualTo("dns.server-unreachable");
        assertThat(c.summary()).isEqualTo("ns1:53 (udp refused, tcp refused); ns2:53 answers: web.test is 198.18.0.10");
    }

    @Test
    void timingOutServerFirstIsSlowButLastIsOnlyUnreachable() {
        var first = classify(OFF, dead("ns1:53", "timeout", "timeout"), both("ns2:53", ok("198.18.0.10")));
        assertThat(first.cause()).isEqualTo("dns.slow");
        assertThat(first.summary()).startsWith("ns1:53, listed before ns2:53, times out: every lookup waits for it");
        var last = classify(OFF, both("ns2:53", ok("198.18.0.10")), dead("ns1:53", "timeout", "timeout"));
        assertThat(last.cause()).isEqualTo("dns.server-unreachable");
    }

    @Test
    void answerSlowerThanTheThresholdIsSlow() {
        var leg = ServerSaid.Leg.answer("NOERROR", List.of("198.18.0.10"), Duration.ofMillis(1500));
        var c = classify(OFF, both("ns1:53", leg));
        assertThat(c.status()).isEqualTo(Status.WARN);
        assertThat(c.cause()).isEqualTo("dns.slow");
        assertThat(c.summary()).startsWith("ns1:53 took 1.5s to answer (slow=1s)");
    }

    @Test
    void addressesDifferOnlyWhereBothSidesHaveTheFamily() {
        assertThat(DnsResolveProbe.differs(List.of("198.18.0.10"), List.of("198.18.0.10", "fd00::10"))).isFalse();
        assertThat(DnsResolveProbe.differs(List.of("198.18.0.10", "fd00::99"), List.of("198.18.0.10", "fd00::10"))).isTrue();
        assertThat(DnsResolveProbe.differs(List.of("198.18.0.10"), List.of("fd00::10"))).isTrue();
        assertThat(DnsResolveProbe.differs(List.of("198.18.0.10"), List.of())).isTrue();
    }

    @Test
    void noNameserversIsAnErrorSayingHowToGiveOne() {
        var c = DnsResolveProbe.classify("web.test", "A", OFF, List.of(), SLOW);
        assertThat(c.status()).isEqualTo(Status.ERROR);
        assertThat(c.summary()).contains("give server=IP[:port]");
    }

    // run() problems that need no network

    @Test
    void addressAsNamePointsAtDnsQuery() {
        Observation o = ProbeHarness.run(new DnsResolveProbe(), "name=198.18.0.10", "system=off", "server=127.0.0.1:1");
        assertThat(o.status()).isEqualTo(Status.ERROR);
        assertThat(o.summary()).contains("dns.query name=198.18.0.10");
    }

    @Test
    void missingResolvConfIsAnErrorNotAGuess(@TempDir Path dir) {
        Observation o = ProbeHarness.run(new DnsResolveProbe(), "name=web.test", "system=off", "resolv_conf=" + dir.resolve("none"));
        assertThat(o.status()).isEqualTo(Status.ERROR);
        assertThat(o.summary()).startsWith("cannot read resolv_conf (").endsWith("give server=IP[:port]");
    }

    @Test
    void resolvConfWithoutNameserversIsAnError(@TempDir Path dir) throws IOException {
        Path conf = Files.writeString(dir.resolve("resolv.conf"), "search lab.example\n");
        Observation o = ProbeHarness.run(new DnsResolveProbe(), "name=web.test", "system=off", "resolv_conf=" + conf);
        assertThat(o.status()).isEqualTo(Status.ERROR);
        assertThat(o.summary()).startsWith("no nameserver to ask about web.test");
    }

    @Test
    void badServerIsAnErrorSayingHowToWriteIt() {
        Observation o = ProbeHarness.run(new DnsResolveProbe(), "name=web.test", "system=off", "server=ns1.example");
        assertThat(o.status()).isEqualTo(Status.ERROR);
        assertThat(o.summary()).contains("like 127.0.0.1:5353");
    }

    @Test
    void unknownTypeIsRejectedListingTheAllowedOnes() {
        var binding = ParamBinder.bind(DnsResolveProbe.SPEC, ProbeHarness.parse("name=web.test", "type=MX"));
        assertThat(binding.errors()).extracting(ParamBinder.ParamError::message)
                .containsExactly("bad value for parameter 'type' of dns.resolve: 'MX' is not allowed (allowed: A, AAAA, any)");
    }

    @Test
    void specNeedsNothingAndShowsExamples() {
        assertThat(DnsResolveProbe.SPEC.id()).isEqualTo("dns.resolve");
        assertThat(DnsResolveProbe.SPEC.needs()).isEqualTo(Needs.NOTHING);
        assertThat(DnsResolveProbe.SPEC.examples()).isNotEmpty().allMatch(e -> e.startsWith("reach probe dns.resolve "));
        assertThat(new DnsResolveProbe().spec()).isSameAs(DnsResolveProbe.SPEC);
    }
}
