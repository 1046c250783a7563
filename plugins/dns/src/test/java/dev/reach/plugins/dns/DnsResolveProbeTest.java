package dev.reach.plugins.dns;

import dev.reach.core.playbook.ParamBinder;
import dev.reach.spi.Judgement;
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
    private static final Duration LAN = Duration.ofNanos(80_000);
    private static final SystemSaid OFF = SystemSaid.off("");
    private static final ResolvConf GLIBC_DEFAULTS = ResolvConf.parse("", "resolv.conf");

    private static ServerSaid.Leg ok(String... addresses) {
        return ServerSaid.Leg.answer("NOERROR", List.of(addresses), FAST);
    }

    private static ServerSaid.Leg rcode(String rcode) {
        return ServerSaid.Leg.answer(rcode, List.of(), FAST);
    }

    private static ServerSaid both(String server, ServerSaid.Leg leg) {
        return new ServerSaid(server, leg, leg, unasked(server));
    }

    private static ServerSaid dead(String server, String udp, String tcp) {
        return dead(server, udp, tcp, unasked(server));
    }

    private static ServerSaid dead(String server, String udp, String tcp, HostEcho.Heard host) {
        return new ServerSaid(server, ServerSaid.Leg.failed(udp, Duration.ofMillis(250)), ServerSaid.Leg.failed(tcp, Duration.ofMillis(250)), host);
    }

    private static HostEcho.Heard pinged(String host, Duration rtt) {
        return new HostEcho.Heard(host, "answered", "icmp", rtt);
    }

    private static HostEcho.Heard unheard(String host) {
        return new HostEcho.Heard(host, "timeout", "icmp", Duration.ofMillis(250));
    }

    private static HostEcho.Heard unasked(String server) {
        return HostEcho.Heard.notAsked(server.substring(0, server.lastIndexOf(':')));
    }

    private static SystemSaid fromHosts(String line, String... addresses) {
        return SystemSaid.answered(List.of(addresses), "/etc/hosts line " + line, Duration.ofMillis(3));
    }

    private static SystemSaid fromDns(String... addresses) {
        return SystemSaid.answered(List.of(addresses), "", Duration.ofMillis(3));
    }

    private static Judgement classify(SystemSaid system, ServerSaid... servers) {
        return classify(GLIBC_DEFAULTS, system, servers);
    }

    private static Judgement classify(ResolvConf resolver, SystemSaid system, ServerSaid... servers) {
        return DnsResolveProbe.classify("web.test", "A", system, List.of(servers), resolver, SLOW);
    }

    @Test
    void agreeingServersAreOkWithTheAnswer() {
        var c = classify(OFF, both("ns1:53", ok("198.18.0.10")), both("ns2:53", ok("198.18.0.10")));
        assertThat(c.status()).isEqualTo(Status.OK);
        assertThat(c.cause()).isNull();
        assertThat(c.summary()).startsWith("web.test is 198.18.0.10 (2 nameservers agree, 0.40ms");
    }

    @Test
    void everyServerUnreachableIsServerUnreachableSayingWhyForEachAndWhenTheResolverGivesUp() {
        var c = classify(OFF, dead("ns1:53", "timeout", "timeout"), dead("ns2:53", "refused", "refused"));
        assertThat(c.cause()).isEqualTo("dns.server-unreachable");
        assertThat(c.status()).isEqualTo(Status.FAIL);
        assertThat(c.summary()).startsWith("no nameserver answers for web.test: ns1:53 (udp timeout, tcp timeout); ns2:53 (udp refused, tcp refused)")
                .endsWith("; a lookup fails after 10.0s (options timeout:5 attempts:2)"); // only the silent one makes it wait
    }

    @Test
    void serversDroppedWhileTheirHostsAnswerPingSayHowLongWasWaitedAndWhyThatSufficed() {
        var c = classify(OFF, dead("198.18.0.2:53", "timeout", "timeout", pinged("198.18.0.2", LAN)),
                dead("198.18.0.3:53", "refused", "timeout", pinged("198.18.0.3", LAN)));
        assertThat(c.cause()).isEqualTo("dns.server-unreachable");
        assertThat(c.status()).isEqualTo(Status.FAIL);
        assertThat(c.summary()).isEqualTo("no nameserver answers for web.test: 198.18.0.2 answers ping in 0.08ms but not DNS in 250ms: "
                + "UDP and TCP 53 dropped; 198.18.0.3 answers ping in 0.08ms but not DNS in 250ms: TCP 53 dropped, UDP 53 refused "
                + "(a host that answers an echo answers a SYN within a round trip, with a reset when nothing listens: 20 round trips "
                + "of silence, and at least 250ms, is a firewall dropping the port); a lookup fails after 10.0s (options timeout:5 attempts:2)");
    }

    @Test
    void serversSilentWithSilentHostsSayTheWholeTimeoutWasWaited() {
        var c = classify(OFF, dead("198.18.0.2:53", "timeout", "timeout", unheard("198.18.0.2")),
                dead("198.18.0.3:53", "refused", "refused", pinged("198.18.0.3", LAN)));
        assertThat(c.summary()).isEqualTo("no nameserver answers for web.test: 198.18.0.2:53 (udp timeout, tcp timeout): nothing answers, "
                + "not even ping, in 250ms; 198.18.0.3:53 (udp refused, tcp refused) (timeout: down or filtered; refused: nothing listens "
                + "on that port; no-route: no path to it) (the whole timeout waited: where nothing answers, there is nothing to measure "
                + "silence against); a lookup fails after 10.0s (options timeout:5 attempts:2)");
    }

    @Test
    void serverThatAcceptsTcpIsNotCalledDroppedWhateverItsHostAnswers() {
        var closes = classify(OFF, dead("198.18.0.2:53", "timeout", "closed", pinged("198.18.0.2", LAN)));
        assertThat(closes.cause()).isEqualTo("dns.servfail");
        assertThat(closes.summary()).doesNotContain("dropped");
        // the handshake done, then no answer in the whole wait (a server still recursing): there, not filtered
        var accepted = new ServerSaid.Leg("timeout", "", List.of(), -1, SLOW, "no answer in 1.0s", List.of(), Duration.ofNanos(90_000));
        var c = classify(OFF, new ServerSaid("198.18.0.2:53", ServerSaid.Leg.failed("timeout", SLOW), accepted, pinged("198.18.0.2", LAN)));
        assertThat(c.cause()).isEqualTo("dns.server-unreachable");
        assertThat(c.summary()).startsWith("no nameserver answers for web.test: 198.18.0.2:53 (udp timeout, tcp timeout) (timeout:")
                .doesNotContain("dropped");
    }

    @Test
    void bothServersSilentFailAfterEveryWaitOfEveryAttempt() {
        var c = classify(ResolvConf.parse("options timeout:3 attempts:1", "rc"), OFF,
                dead("ns1:53", "timeout", "timeout"), dead("ns2:53", "timeout", "timeout"), dead("ns3:53", "timeout", "timeout"));
        assertThat(c.summary()).endsWith("; a lookup fails after 9.0s (options timeout:3 attempts:1)"); // 3 s + 2 s + 4 s
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
        var c = classify(OFF, new ServerSaid("ns1:53", ServerSaid.Leg.failed("timeout", SLOW), ok("198.18.0.10"), unasked("ns1:53")));
        assertThat(c.status()).isEqualTo(Status.OK);
    }

    @Test
    void allNxdomainWithoutHostsEntryIsNxdomain() {
        var c = classify(SystemSaid.hosts(List.of(), ""), both("ns1:53", rcode("NXDOMAIN")));
        assertThat(c.cause()).isEqualTo("dns.nxdomain");
        assertThat(c.status()).isEqualTo(Status.FAIL);
        assertThat(c.summary()).startsWith("web.test does not exist: ns1:53 answers NXDOMAIN; check the record or the search domain")
                .endsWith("; the hosts file has no entry");
    }

    @Test
    void nxdomainThatTheSystemResolverCannotResolveEitherIsNxdomain() {
        var c = classify(SystemSaid.failed("getaddrinfo has no address for web.test (getent ahosts)", FAST), both("ns1:53", rcode("NXDOMAIN")));
        assertThat(c.cause()).isEqualTo("dns.nxdomain");
        assertThat(c.summary()).endsWith("; the system resolver has no address either");
    }

    @Test
    void emptyNoerrorIsNodata() {
        var c = classify(OFF, both("ns1:53", rcode("NOERROR")));
        assertThat(c.cause()).isEqualTo("dns.nodata");
        assertThat(c.summary()).startsWith("web.test exists but has no A record");
    }

    // a name the system answers from the hosts file: the application never asks the nameservers

    @Test
    void nameOnlyInTheHostsFileWithNxdomainIsAWarnedMismatchNamingTheLine() {
        var c = classify(fromHosts("4", "198.18.0.60"), both("ns1:53", rcode("NXDOMAIN")));
        assertThat(c.status()).isEqualTo(Status.WARN);
        assertThat(c.cause()).isEqualTo("dns.mismatch");
        assertThat(c.summary()).isEqualTo("the system resolver answers web.test from /etc/hosts line 4 (198.18.0.60) without asking the "
                + "nameservers; the nameservers say NXDOMAIN (ns1:53): other machines cannot resolve it");
    }

    @Test
    void nameOnlyInTheHostsFileWithRefusingNameserversIsAWarnedServfail() {
        var c = classify(fromHosts("4", "198.18.0.60"), both("ns1:53", rcode("REFUSED")));
        assertThat(c.status()).isEqualTo(Status.WARN);
        assertThat(c.cause()).isEqualTo("dns.servfail");
        assertThat(c.summary()).startsWith("the system resolver answers web.test from /etc/hosts line 4 (198.18.0.60) without asking the "
                + "nameservers; no nameserver can answer for web.test: ns1:53 answers REFUSED");
    }

    @Test
    void nameOnlyInTheHostsFileWithNoNameserverAnsweringIsAWarnedServerUnreachable() {
        var c = classify(fromHosts("2", "198.18.0.60"), dead("ns1:53", "refused", "refused"), dead("ns2:53", "timeout", "timeout"));
        assertThat(c.status()).isEqualTo(Status.WARN);
        assertThat(c.cause()).isEqualTo("dns.server-unreachable");
        assertThat(c.summary()).startsWith("the system resolver answers web.test from /etc/hosts line 2 (198.18.0.60) without asking the "
                + "nameservers; no nameserver answers for web.test: ns1:53 (udp refused, tcp refused); ns2:53 (udp timeout, tcp timeout)");
    }

    @Test
    void nameOnlyInTheHostsFileWithServfailIsAWarning() {
        var c = classify(SystemSaid.hosts(List.of("198.18.0.60"), "/tmp/hosts line 1"), both("ns1:53", rcode("SERVFAIL")));
        assertThat(c.status()).isEqualTo(Status.WARN);
        assertThat(c.cause()).isEqualTo("dns.servfail");
    }

    @Test
    void hostsLineThatNameserversDisputeAmongThemselvesIsOnlyAWarning() {
        var c = classify(fromHosts("1", "198.18.0.10"), both("ns1:53", ok("198.18.0.10")), both("ns2:53", ok("198.18.0.20")));
        assertThat(c.status()).isEqualTo(Status.WARN);
        assertThat(c.cause()).isEqualTo("dns.mismatch");
        assertThat(c.summary()).startsWith("the system resolver answers web.test from /etc/hosts line 1 (198.18.0.10) without asking the "
                + "nameservers; nameservers disagree about web.test");
    }

    @Test
    void nameTheSystemGetsFromElsewhereWhileTheNameserversSayNxdomainIsAWarning() {
        var c = classify(fromDns("198.18.0.77"), both("ns1:53", rcode("NXDOMAIN")));
        assertThat(c.status()).isEqualTo(Status.WARN);
        assertThat(c.cause()).isEqualTo("dns.mismatch");
        assertThat(c.summary()).startsWith("the system resolver answers web.test with 198.18.0.77 (DNS or another nsswitch source); "
                + "the nameservers say NXDOMAIN (ns1:53)");
    }

    @Test
    void staleHostsLineIsMismatchNamingBothAnswersAndTheirSources() {
        var c = classify(fromHosts("4", "198.18.0.50"), both("ns1:53", ok("198.18.0.10")));
        assertThat(c.status()).isEqualTo(Status.FAIL);
        assertThat(c.cause()).isEqualTo("dns.mismatch");
        assertThat(c.summary()).isEqualTo("the system resolver says web.test is 198.18.0.50 (/etc/hosts line 4) but the nameservers "
                + "say 198.18.0.10 (ns1:53): a stale line in /etc/hosts");
    }

    @Test
    void staleHostsLineIsMismatchEvenWhenTheNameserversAreSlow() {
        var c = classify(fromHosts("4", "198.18.0.50"), dead("ns1:53", "timeout", "timeout"), both("ns2:53", ok("198.18.0.10")));
        assertThat(c.status()).isEqualTo(Status.FAIL);
        assertThat(c.cause()).isEqualTo("dns.mismatch");
    }

    @Test
    void hostsLineThatAgreesIsOkSayingSo() {
        var c = classify(fromHosts("1", "198.18.0.10"), both("ns1:53", ok("198.18.0.10")));
        assertThat(c.status()).isEqualTo(Status.OK);
        assertThat(c.summary()).endsWith("; the system resolver agrees (/etc/hosts line 1)");
    }

    @Test
    void systemAnswerFromElsewhereThatDiffersBlamesNsswitch() {
        var c = classify(fromDns("198.18.0.77"), both("ns1:53", ok("198.18.0.10")));
        assertThat(c.cause()).isEqualTo("dns.mismatch");
        assertThat(c.summary()).endsWith(": nsswitch sends the lookup elsewhere, or split horizon");
    }

    @Test
    void roundRobinInAnotherOrderFromTheSystemIsNoMismatch() {
        var c = classify(fromDns("198.18.0.11", "198.18.0.10"), both("ns1:53", ok("198.18.0.10", "198.18.0.11")));
        assertThat(c.status()).isEqualTo(Status.OK);
        assertThat(c.summary()).endsWith("; the system resolver agrees (DNS or another nsswitch source)");
    }

    @Test
    void systemResolverThatCannotResolveWhatTheNameserversAnswerIsMismatch() {
        var c = classify(SystemSaid.failed("getaddrinfo has no A address for web.test (getent ahostsv4)", FAST), both("ns1:53", ok("198.18.0.10")));
        assertThat(c.status()).isEqualTo(Status.FAIL);
        assertThat(c.cause()).isEqualTo("dns.mismatch");
        assertThat(c.summary()).startsWith("the system resolver cannot resolve web.test (getaddrinfo has no A address");
    }

    @Test
    void hostsFileWithoutTheNameIsNoProblemWhenTheNameserversAnswer() {
        var c = classify(SystemSaid.hosts(List.of(), ""), both("ns1:53", ok("198.18.0.10")));
        assertThat(c.status()).isEqualTo(Status.OK);
    }

    @Test
    void systemLookupStillWaitingWhileTheServersAnswerAtOnceIsSlow() {
        var c = classify(SystemSaid.pending(Duration.ofSeconds(2)), both("ns1:53", ok("198.18.0.10")));
        assertThat(c.status()).isEqualTo(Status.WARN);
        assertThat(c.cause()).isEqualTo("dns.slow");
        assertThat(c.summary()).startsWith("the system resolver had not answered web.test after 2.0s although the nameservers answer at once");
    }

    @Test
    void systemLookupSlowerThanTheThresholdIsSlow() {
        var c = classify(SystemSaid.answered(List.of("198.18.0.10"), "", Duration.ofMillis(1500)), both("ns1:53", ok("198.18.0.10")));
        assertThat(c.cause()).isEqualTo("dns.slow");
        assertThat(c.summary()).startsWith("the system resolver took 1.5s to answer web.test (slow=1s)");
    }

    // type any: the answer is the union of the families

    @Test
    void addressForOneFamilyAndNxdomainForTheOtherIsAnAnswerNotNxdomain() {
        var c = DnsResolveProbe.classify("web.test", "any", OFF, List.of(both("ns1:53", ok("198.18.0.5").withGaps("AAAA NXDOMAIN"))),
                GLIBC_DEFAULTS, SLOW);
        assertThat(c.status()).isEqualTo(Status.OK);
        assertThat(c.summary()).startsWith("web.test is 198.18.0.5 (ns1:53").endsWith(" though ns1:53 answers AAAA NXDOMAIN");
    }

    @Test
    void onlyOneFamilyForTypeAnyIsNotNodata() {
        for (String address : List.of("198.18.0.5", "fd00::5")) {
            var c = DnsResolveProbe.classify("web.test", "any", fromDns(address), List.of(both("ns1:53", ok(address))), GLIBC_DEFAULTS, SLOW);
            assertThat(c.status()).as(address).isEqualTo(Status.OK);
        }
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

    // a silent server: glibc waits options timeout for it before it asks the next

    @Test
    void silentServerFirstIsSlowNamingItTheResolverTimeoutAndTheServerThatAnswers() {
        var c = classify(OFF, dead("ns1:53", "timeout", "timeout"), both("ns2:53", ok("198.18.0.10")));
        assertThat(c.status()).isEqualTo(Status.WARN);
        assertThat(c.cause()).isEqualTo("dns.slow");
        assertThat(c.summary()).isEqualTo("ns1:53 does not answer over UDP (silent for 250ms): every lookup waits 5.0s for it "
                + "(options timeout:5 attempts:2) before ns2:53 answers in 0.40ms: web.test is 198.18.0.10");
    }

    @Test
    void silentServerFirstWaitsTheTimeoutOfResolvConf() {
        var c = classify(ResolvConf.parse("options timeout:2", "rc"), OFF, dead("ns1:53", "timeout", "timeout"), both("ns2:53", ok("198.18.0.10")));
        assertThat(c.summary()).contains("every lookup waits 2.0s for it (options timeout:2 attempts:2)");
    }

    @Test
    void silentServerLastIsOnlyUnreachableUnlessTheResolverRotates() {
        var last = classify(OFF, both("ns2:53", ok("198.18.0.10")), dead("ns1:53", "timeout", "timeout"));
        assertThat(last.cause()).isEqualTo("dns.server-unreachable");
        assertThat(last.status()).isEqualTo(Status.WARN);
        var rotating = classify(ResolvConf.parse("options rotate", "rc"), OFF, both("ns2:53", ok("198.18.0.10")), dead("ns1:53", "timeout", "timeout"));
        assertThat(rotating.cause()).isEqualTo("dns.slow");
        assertThat(rotating.summary()).contains(": 1 lookup in 2 (options rotate) waits 5.0s for it (options timeout:5 attempts:2 rotate)");
    }

    @Test
    void onlyTheSilentServersAheadOfTheAnswerAreWaitedFor() {
        var c = classify(OFF, dead("ns1:53", "timeout", "timeout"), both("ns2:53", ok("198.18.0.10")), dead("ns3:53", "timeout", "timeout"));
        assertThat(c.summary()).startsWith("ns1:53 does not answer over UDP (silent for 250ms): every lookup waits 5.0s for it ");
        var both = classify(OFF, dead("ns1:53", "timeout", "timeout"), dead("ns2:53", "timeout", "timeout"), both("ns3:53", ok("198.18.0.10")));
        assertThat(both.summary()).contains("ns2:53 does not answer over UDP (silent for 250ms): every lookup waits 8.0s for them "); // 5 s + 3 s
    }

    @Test
    void silentServerFirstStaysSlowWhenTheSystemGotTheSameAnswer() {
        var c = classify(fromDns("198.18.0.10"), dead("ns1:53", "timeout", "timeout"), both("ns2:53", ok("198.18.0.10")));
        assertThat(c.status()).isEqualTo(Status.WARN);
        assertThat(c.cause()).isEqualTo("dns.slow");
        assertThat(c.summary()).endsWith(": web.test is 198.18.0.10; the system resolver agrees (DNS or another nsswitch source)");
        var hosts = classify(fromHosts("2", "198.18.0.10"), dead("ns1:53", "timeout", "timeout"), both("ns2:53", ok("198.18.0.10")));
        assertThat(hosts.summary()).endsWith("; the system resolver answers web.test from /etc/hosts line 2 (198.18.0.10) without asking "
                + "the nameservers");
    }

    @Test
    void silentServerWhoseWaitIsBelowTheThresholdIsNotSlow() {
        var c = DnsResolveProbe.classify("web.test", "A", OFF, List.of(dead("ns1:53", "timeout", "timeout"), both("ns2:53", ok("198.18.0.10"))),
                GLIBC_DEFAULTS, Duration.ofSeconds(10));
        assertThat(c.cause()).isEqualTo("dns.server-unreachable");
    }

    @Test
    void answerMissingOneFamilyMakesTheResolverWaitItsTimeout() {
        var c = DnsResolveProbe.classify("web.test", "any", OFF, List.of(both("ns1:53", ok("198.18.0.5").withGaps("AAAA timeout"))),
                GLIBC_DEFAULTS, SLOW);
        assertThat(c.cause()).isEqualTo("dns.slow");
        assertThat(c.summary()).startsWith("ns1:53 does not answer AAAA over UDP (silent for 0.40ms): every lookup waits 5.0s");
    }

    @Test
    void systemLookupLeftWaitingBehindASilentServerKeepsTheServersVerdict() {
        var c = classify(SystemSaid.pending(Duration.ofMillis(350)), dead("ns1:53", "timeout", "timeout"), both("ns2:53", ok("198.18.0.10")));
        assertThat(c.cause()).isEqualTo("dns.slow");
        assertThat(c.summary()).endsWith("; the system resolver was still waiting after 350ms");
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
        var c = DnsResolveProbe.classify("web.test", "A", OFF, List.of(), GLIBC_DEFAULTS, SLOW);
        assertThat(c.status()).isEqualTo(Status.ERROR);
        assertThat(c.summary()).contains("give server=IP[:port]");
    }

    // the address an application connects to

    @Test
    void addressIsTheSystemAnswersFirstThenTheNameserversFirst() {
        var servers = List.of(dead("ns1:53", "timeout", "timeout"), both("ns2:53", ok("198.18.0.10", "fd00::10")));
        assertThat(DnsResolveProbe.target(fromHosts("3", "fd00::60", "198.18.0.60"), servers))
                .contains(new DnsResolveProbe.Target("fd00::60", "hosts"));
        assertThat(DnsResolveProbe.target(fromDns("198.18.0.11", "198.18.0.10"), servers))
                .contains(new DnsResolveProbe.Target("198.18.0.11", "dns"));
        assertThat(DnsResolveProbe.target(SystemSaid.pending(SLOW), servers)).contains(new DnsResolveProbe.Target("198.18.0.10", "nameservers"));
        assertThat(DnsResolveProbe.target(OFF, List.of(both("ns1:53", rcode("NXDOMAIN"))))).isEmpty();
    }

    @Test
    void theSystemLookupIsNotAwaitedWhenItWillWaitForASilentServer() {
        var silentFirst = List.of(dead("ns1:53", "timeout", "timeout"), both("ns2:53", ok("198.18.0.10")));
        assertThat(DnsResolveProbe.systemWaits(silentFirst, GLIBC_DEFAULTS)).isTrue();
        assertThat(DnsResolveProbe.systemWaits(silentFirst.reversed(), GLIBC_DEFAULTS)).isFalse();
        assertThat(DnsResolveProbe.systemWaits(List.of(dead("ns1:53", "timeout", "timeout")), GLIBC_DEFAULTS)).isTrue();
        assertThat(DnsResolveProbe.systemWaits(List.of(dead("ns1:53", "refused", "refused")), GLIBC_DEFAULTS)).isFalse();
        assertThat(DnsResolveProbe.systemWaits(List.of(both("ns1:53", rcode("REFUSED"))), GLIBC_DEFAULTS)).isFalse();
    }

    @Test
    void aServerEndsTheResolversTurnAsItsUdpQuestionsDo() {
        assertThat(NameserverVerdict.turn(both("ns:53", ok("198.18.0.10")))).isEqualTo(ResolvConf.Turn.ANSWER);
        assertThat(NameserverVerdict.turn(both("ns:53", rcode("NXDOMAIN")))).isEqualTo(ResolvConf.Turn.ANSWER);
        assertThat(NameserverVerdict.turn(both("ns:53", rcode("SERVFAIL")))).isEqualTo(ResolvConf.Turn.NEXT);
        assertThat(NameserverVerdict.turn(dead("ns:53", "refused", "refused"))).isEqualTo(ResolvConf.Turn.NEXT);
        assertThat(NameserverVerdict.turn(dead("ns:53", "timeout", "timeout"))).isEqualTo(ResolvConf.Turn.SILENT);
        assertThat(NameserverVerdict.turn(both("ns:53", ok("198.18.0.10").withGaps("AAAA timeout")))).isEqualTo(ResolvConf.Turn.LATE);
        assertThat(NameserverVerdict.turn(both("ns:53", ok("198.18.0.10").withGaps("AAAA NXDOMAIN")))).isEqualTo(ResolvConf.Turn.ANSWER);
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
        assertThat(DnsResolveProbe.SPEC.needs().none()).isTrue();
        assertThat(DnsResolveProbe.SPEC.needs().describe()).isEqualTo("nothing (system=os: `getent`)");
        assertThat(DnsResolveProbe.SPEC.examples()).isNotEmpty().allMatch(e -> e.startsWith("reach probe dns.resolve "));
        assertThat(new DnsResolveProbe().spec()).isSameAs(DnsResolveProbe.SPEC);
    }
}
