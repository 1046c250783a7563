package dev.reach.plugins.dns;

import dev.reach.core.playbook.ParamBinder;
import dev.reach.spi.Judgement;
import dev.reach.spi.Needs;
import dev.reach.spi.Status;
import dev.reach.testkit.ProbeHarness;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** classify() on each outcome and RCODE (no network), and the parameters. */
class DnsQueryProbeTest {
    private static final Duration T = Duration.ofMillis(2);

    private static Judgement classify(String outcome, String rcode, int answers) {
        return DnsQueryProbe.classify("web.test", outcome, rcode, answers, "127.0.0.1:53", "udp", "A", T);
    }

    @Test
    void answerWithRecordsIsOk() {
        var c = classify("answered", "NOERROR", 1);
        assertThat(c.status()).isEqualTo(Status.OK);
        assertThat(c.cause()).isNull();
        assertThat(c.summary()).isEqualTo("127.0.0.1:53 udp, NOERROR, 2.00ms");
    }

    @Test
    void eachRcodeHasItsCause() {
        assertThat(classify("answered", "NOERROR", 0).cause()).isEqualTo("dns.nodata");
        assertThat(classify("answered", "NXDOMAIN", 0).cause()).isEqualTo("dns.nxdomain");
        assertThat(classify("answered", "SERVFAIL", 0).cause()).isEqualTo("dns.servfail");
    }

    @Test
    void refusedFailsWithoutNamingACause() {
        var c = classify("answered", "REFUSED", 0);
        assertThat(c.status()).isEqualTo(Status.FAIL);
        assertThat(c.cause()).isNull();
        assertThat(c.summary()).contains("REFUSED the question");
    }

    @Test
    void noReplyIsServerUnreachableSayingWhy() {
        assertThat(classify("timeout", "", 0).summary()).endsWith("does not answer (timeout): no reply within 2.00ms: down, or filtered");
        assertThat(classify("refused", "", 0).summary()).endsWith("does not answer (refused): nothing listens on that port");
        assertThat(classify("no-route", "", 0).cause()).isEqualTo("dns.server-unreachable");
    }

    @Test
    void tcpClosedUnansweredIsServfail() {
        assertThat(classify("closed", "", 0).cause()).isEqualTo("dns.servfail");
    }

    @Test
    void unexpectedFailureIsAnError() {
        assertThat(classify("error", "", 0).status()).isEqualTo(Status.ERROR);
    }

    @Test
    void unknownTypeIsRejectedListingTheAllowedOnes() {
        var binding = ParamBinder.bind(DnsQueryProbe.SPEC, ProbeHarness.parse("name=web.test", "type=XX"));
        assertThat(binding.errors()).extracting(ParamBinder.ParamError::message).singleElement().asString()
                .startsWith("bad value for parameter 'type' of dns.query: 'XX' is not allowed (allowed: A, AAAA, CNAME, MX, SRV, TXT, PTR, SOA, NS");
    }

    @Test
    void specNeedsNothingAndShowsExamples() {
        assertThat(DnsQueryProbe.SPEC.needs()).isEqualTo(Needs.NOTHING);
        assertThat(DnsQueryProbe.SPEC.examples()).isNotEmpty().allMatch(e -> e.startsWith("reach probe dns.query "));
    }
}
