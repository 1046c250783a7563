package dev.reach.plugins.tls;

import dev.reach.spi.Status;
import org.junit.jupiter.api.Test;

import javax.net.ssl.SSLHandshakeException;
import java.net.ConnectException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class TlsHandshakeProbeTest {
    private static final Instant NOW = Instant.parse("2026-11-25T12:00:00Z");
    private static final CertChain.Trust TRUSTED = new CertChain.Trust(true, "trusted", "the chain leads to the trusted CA 'CN=Root'");

    private static CertChain.Cert cert(String subject, String issuer, Instant from, Instant to, String... sans) {
        return new CertChain.Cert(subject, issuer, List.of(sans), from, to, "RSA 2048", "SHA256withRSA", subject.equals(issuer));
    }

    private static CertChain.Cert leaf(Instant from, Instant to) {
        return cert("CN=localhost", "CN=Root", from, to, "DNS:localhost", "IP:127.0.0.1");
    }

    private static TlsHandshakeProbe.Outcome done(List<CertChain.Cert> chain, CertChain.Trust trust, String name, boolean nameOk) {
        return new TlsHandshakeProbe.Outcome("127.0.0.1:8443", "handshake", null, "TLSv1.3", "TLS_AES_128_GCM_SHA256",
                List.of("TLSv1.3", "TLSv1.2"), chain, trust, name, nameOk, false);
    }

    private static TlsHandshakeProbe.Outcome failedAt(String stage, Exception e) {
        return new TlsHandshakeProbe.Outcome("127.0.0.1:8443", stage, e, null, null, List.of("TLSv1.3", "TLSv1.2"),
                List.of(), null, "127.0.0.1", false, false);
    }

    /** Mutual TLS: the server asked for a client certificate and, offered none, ended the handshake. */
    @Test
    void clientCertificateRequiredIsAHandshakeFailureThatSaysSo() {
        var asked = new TlsHandshakeProbe.Outcome("127.0.0.1:8443", "handshake",
                new javax.net.ssl.SSLHandshakeException("Received fatal alert: certificate_required"), "TLSv1.3", null,
                List.of("TLSv1.3", "TLSv1.2"), List.of(), null, "127.0.0.1", false, true);
        var c = TlsHandshakeProbe.classify(asked, java.time.Instant.now(), 14);
        assertThat(c.cause()).isEqualTo("tls.handshake-failure");
        assertThat(c.outcome()).isEqualTo("client-cert-required");
        assertThat(c.summary()).contains("requires a client certificate (mutual TLS)", "certificate_required");
        var notAsked = TlsHandshakeProbe.classify(failedAt("handshake",
                new javax.net.ssl.SSLHandshakeException("Received fatal alert: handshake_failure")), java.time.Instant.now(), 14);
        assertThat(notAsked.outcome()).isEqualTo("handshake-failure");
    }

    // classify: what was seen -> status, cause, words (no network)

    @Test
    void validTrustedChainCoveringTheNameIsOkWithDaysLeft() {
        var c = TlsHandshakeProbe.classify(done(List.of(leaf(NOW.minus(Duration.ofDays(1)), NOW.plus(Duration.ofDays(90)))),
                TRUSTED, "localhost", true), NOW, 14);
        assertThat(c.status()).isEqualTo(Status.OK);
        assertThat(c.cause()).isNull();
        assertThat(c.summary()).isEqualTo("127.0.0.1:8443: TLSv1.3, chain trusted, 'localhost' verified, 90 days left");
        assertThat(c.evidence()).first().isEqualTo("handshake TLSv1.3 TLS_AES_128_GCM_SHA256");
    }

    @Test
    void certificatePastItsNotAfterIsExpiredAndSaysWhichOne() {
        var c = TlsHandshakeProbe.classify(done(List.of(leaf(NOW.minus(Duration.ofDays(400)), NOW.minus(Duration.ofDays(35)))),
                TRUSTED, "localhost", true), NOW, 14);
        assertThat(c.status()).isEqualTo(Status.FAIL);
        assertThat(c.cause()).isEqualTo("tls.expired");
        assertThat(c.summary()).contains("certificate #0 'CN=localhost' expired on").contains("(35 days ago)");
    }

    @Test
    void certificateBeforeItsNotBeforeIsExpiredTooAndMentionsTheClock() {
        var c = TlsHandshakeProbe.classify(done(List.of(leaf(NOW.plus(Duration.ofDays(10)), NOW.plus(Duration.ofDays(100)))),
                TRUSTED, "localhost", true), NOW, 14);
        assertThat(c.cause()).isEqualTo("tls.expired");
        assertThat(c.summary()).contains("is not valid before").contains("this clock is behind");
    }

    @Test
    void expiredIntermediateIsExpiredEvenWhenTheLeafIsFine() {
        var inter = cert("CN=Inter", "CN=Root", NOW.minus(Duration.ofDays(900)), NOW.minus(Duration.ofDays(1)));
        var c = TlsHandshakeProbe.classify(done(List.of(leaf(NOW.minus(Duration.ofDays(1)), NOW.plus(Duration.ofDays(90))), inter),
                TRUSTED, "localhost", true), NOW, 14);
        assertThat(c.cause()).isEqualTo("tls.expired");
        assertThat(c.summary()).contains("certificate #1 'CN=Inter'");
    }

    @Test
    void brokenChainIsUntrustedWithWhereItBreaks() {
        var broken = new CertChain.Trust(false, "missing-issuer", "the chain breaks after #0 'CN=localhost': its issuer 'CN=Inter' was not sent");
        var c = TlsHandshakeProbe.classify(done(List.of(leaf(NOW.minus(Duration.ofDays(1)), NOW.plus(Duration.ofDays(90)))),
                broken, "localhost", true), NOW, 14);
        assertThat(c.cause()).isEqualTo("tls.untrusted");
        assertThat(c.summary()).endsWith("its issuer 'CN=Inter' was not sent");
    }

    @Test
    void nameNotCoveredIsHostnameMismatchListingTheNamesItHas() {
        var c = TlsHandshakeProbe.classify(done(List.of(leaf(NOW.minus(Duration.ofDays(1)), NOW.plus(Duration.ofDays(90)))),
                TRUSTED, "db.internal", false), NOW, 14);
        assertThat(c.cause()).isEqualTo("tls.hostname-mismatch");
        assertThat(c.summary()).contains("does not cover 'db.internal'; it names DNS:localhost, IP:127.0.0.1");
    }

    @Test
    void validButInsideTheWindowIsAWarningNotAFailure() {
        var c = TlsHandshakeProbe.classify(done(List.of(leaf(NOW.minus(Duration.ofDays(80)), NOW.plus(Duration.ofDays(5)).plusSeconds(60))),
                TRUSTED, "localhost", true), NOW, 14);
        assertThat(c.status()).isEqualTo(Status.WARN);
        assertThat(c.cause()).isEqualTo("tls.expiring");
        assertThat(c.summary()).contains("expires in 5 days").contains("14-day warning window");
    }

    @Test
    void receivedAlertIsHandshakeFailureNamingTheAlert() {
        var c = TlsHandshakeProbe.classify(failedAt("handshake", new SSLHandshakeException("Received fatal alert: protocol_version")), NOW, 14);
        assertThat(c.cause()).isEqualTo("tls.handshake-failure");
        assertThat(c.summary()).contains("alert protocol_version: no protocol version in common");
        assertThat(c.evidence()).contains("offered TLSv1.3, TLSv1.2");
    }

    @Test
    void plainTextServiceIsHandshakeFailureThatSaysItIsNotTls() {
        var c = TlsHandshakeProbe.classify(failedAt("handshake",
                new javax.net.ssl.SSLException("Unsupported or unrecognized SSL message")), NOW, 14);
        assertThat(c.cause()).isEqualTo("tls.handshake-failure");
        assertThat(c.summary()).contains("not TLS");
    }

    @Test
    void silentServerAndResetAreTransportCauses() {
        assertThat(TlsHandshakeProbe.classify(failedAt("handshake", new SocketTimeoutException("Read timed out")), NOW, 14).cause())
                .isEqualTo("tcp.no-response");
        assertThat(TlsHandshakeProbe.classify(failedAt("handshake", new SocketException("Connection reset")), NOW, 14).cause())
                .isEqualTo("tcp.reset");
        assertThat(TlsHandshakeProbe.classify(failedAt("connect", new ConnectException("Connection refused")), NOW, 14).cause())
                .isEqualTo("tcp.refused");
    }

    // hostname verification

    @Test
    void ipLiteralMatchesOnlyIpSans() {
        var c = leaf(NOW, NOW);
        assertThat(CertChain.covers(c, "127.0.0.1")).isTrue();
        assertThat(CertChain.covers(c, "127.0.0.2")).isFalse();
        assertThat(CertChain.covers(cert("CN=127.0.0.1", "CN=R", NOW, NOW), "127.0.0.1")).isFalse();
    }

    @Test
    void wildcardCoversExactlyOneLeftmostLabel() {
        var c = cert("CN=x", "CN=R", NOW, NOW, "DNS:*.example.test");
        assertThat(CertChain.covers(c, "api.example.test")).isTrue();
        assertThat(CertChain.covers(c, "API.Example.Test.")).isTrue();
        assertThat(CertChain.covers(c, "a.b.example.test")).isFalse();
        assertThat(CertChain.covers(c, "example.test")).isFalse();
    }

    @Test
    void commonNameCountsOnlyWithoutDnsSans() {
        assertThat(CertChain.covers(cert("CN=db.test", "CN=R", NOW, NOW), "db.test")).isTrue();
        assertThat(CertChain.covers(cert("CN=db.test", "CN=R", NOW, NOW, "DNS:other.test"), "db.test")).isFalse();
    }

    @Test
    void alertNameIsReadFromTheJdkMessage() {
        assertThat(TlsHandshakeProbe.alert(new SSLHandshakeException("Received fatal alert: handshake_failure"))).isEqualTo("handshake_failure");
        assertThat(TlsHandshakeProbe.alert(new SSLHandshakeException("No appropriate protocol"))).isNull();
    }
}
