package dev.reach.plugins.tls;

import dev.reach.spi.Addresses;
import dev.reach.spi.Failures;
import dev.reach.spi.Judgement;
import dev.reach.spi.Millis;
import dev.reach.spi.Needs;
import dev.reach.spi.Observation;
import dev.reach.spi.Param;
import dev.reach.spi.Params;
import dev.reach.spi.Probe;
import dev.reach.spi.ProbeContext;
import dev.reach.spi.ProbeSpec;
import dev.reach.spi.Status;
import dev.reach.spi.TrustBundle;
import org.pf4j.Extension;

import javax.net.ssl.KeyManager;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Completes a TLS handshake with {@code host:port} and judges what the server sent: protocol, cipher, the
 * whole chain, whether it leads to a trusted CA (and where it breaks), whether it covers the name, and
 * how many days it has left. The handshake accepts any chain so that the chain can be read and judged
 * even when validation would fail; the judging is done afterwards with the JDK's PKIX validator.
 *
 * <pre>
 * $ reach probe tls.handshake host=127.0.0.1 port=8443
 * fail [tls.untrusted]: 127.0.0.1:8443: the certificate #0 'CN=localhost' is self-signed and not a trusted CA
 *   handshake TLSv1.3 TLS_AES_256_GCM_SHA384 in 9.1ms
 *   chain #0 'CN=localhost' issued by 'CN=localhost', valid 2026-11-25 .. 2026-12-25, RSA 2048, SHA256withRSA
 *   trust (system trust store): the certificate #0 'CN=localhost' is self-signed and not a trusted CA
 * </pre>
 */
@Extension
public final class TlsHandshakeProbe implements Probe {

    static final ProbeSpec SPEC = ProbeSpec.builder("tls.handshake", "Completes a TLS handshake and judges the server's certificate chain")
            .param(Param.host("host", "name or address to connect to").required())
            .param(Param.port("port", "TCP port").defaultValue(443))
            .param(Param.string("sni", "server name to send: on (the host name), off (none), or another name, which is then the name verified")
                    .defaultValue("on"))
            .param(Param.list("alpn", "application protocols to offer, e.g. h2,http/1.1"))
            .param(Param.file("ca", "PEM file of trusted CA certificates (default: the system trust store)"))
            .param(Param.duration("timeout", "how long to wait for the connection and the handshake each").defaultValue("5s").range("1ms", "5m"))
            .param(Param.integer("warn_days", "warn (tls.expiring) when a certificate expires within this many days").defaultValue(14).range(0, 3650))
            .fact("outcome", "string", "ok, expiring, expired, untrusted, hostname-mismatch, handshake-failure, client-cert-required, refused, timeout, reset, unresolved or error")
            .fact("protocol", "string", "negotiated protocol, e.g. TLSv1.3")
            .fact("cipher", "string", "negotiated cipher suite")
            .fact("alpn", "string", "application protocol the server chose (absent: none negotiated)")
            .fact("alert", "string", "the TLS alert the server sent, when the handshake failed on one")
            .fact("client_cert", "string", "mutual TLS: requested (the server went on without one) or required (it refused the client without one)")
            .fact("protocols_offered", "list", "protocol versions this client offered")
            .fact("chain", "list", "each certificate sent: subject, issuer, sans, not_before, not_after, key, signature_algorithm, self_issued, sha256 (of the DER encoding, hex)")
            .fact("days_left", "integer", "whole days until the first certificate of the chain expires (negative: expired)")
            .fact("hostname_verified", "boolean", "whether the leaf certificate covers the verified name")
            .fact("verified_name", "string", "the name checked against the certificate (the host, or sni when it names another)")
            .fact("trusted", "boolean", "whether the chain leads to a trusted CA")
            .fact("trust", "string", "trusted, self-signed, untrusted-root, missing-issuer, invalid or no-chain")
            .fact("trust_detail", "string", "where and why the chain breaks")
            .fact("trust_store", "string", "system, or the ca file used")
            .fact("connect_ms", "number", "time to establish the TCP connection")
            .fact("handshake_ms", "number", "time for the TLS handshake")
            .needs(Needs.NOTHING)
            .example("reach probe tls.handshake host=127.0.0.1 port=8443 ca=/etc/ssl/private-ca.pem")
            .example("reach probe tls.handshake host=127.0.0.1 port=8443 sni=api.test alpn=h2,http/1.1 warn_days=30")
            .about("Completes a TLS handshake (SNI on/off/other name, ALPN) even when validation would fail, then judges"
                    + " the chain with the JDK's PKIX validator: protocol, cipher, every certificate, days left, the name "
                    + "check, and where the chain breaks. `tls.expired`, `tls.untrusted`, `tls.hostname-mismatch`, "
                    + "`tls.handshake-failure` with the alert, `tls.expiring` (warn).")
            .causes("tls.expired", "tls.expiring", "tls.handshake-failure", "tls.hostname-mismatch", "tls.untrusted",
                    "tcp.refused", "tcp.filtered", "tcp.reset", "tcp.no-response")
            .build();

    /** What one connection attempt produced; {@code failure} is null when the handshake completed. */
    record Outcome(String target, String stage, Throwable failure, String protocol, String cipher, List<String> offered,
                   List<CertChain.Cert> chain, CertChain.Trust trust, String name, boolean nameOk, boolean certRequested) {
    }

    private static final Pattern ALERT = Pattern.compile("alert: ([a-z_]+)");

    @Override
    public ProbeSpec spec() {
        return SPEC;
    }

    @Override
    public Observation run(ProbeContext ctx, Params params) {
        String host = params.string("host");
        int port = params.port("port");
        String sni = params.string("sni");
        boolean literal = literal(host);
        String sniName = switch (sni) {
            case "on" -> literal ? null : host;
            case "off" -> null;
            default -> sni;
        };
        String name = sni.equals("on") || sni.equals("off") ? host : sni;
        List<String> alpn = params.has("alpn") ? params.list("alpn") : List.of();
        String store = params.has("ca") ? params.string("ca") : "system";
        TrustBundle bundle = null;           // a PEM file: indexed now, its certificates parsed as the chain names them
        Set<TrustAnchor> system = null;
        try {
            if (params.has("ca")) {
                bundle = TrustBundle.read(Path.of(store));
            } else {
                system = CertChain.systemAnchors();
            }
        } catch (java.nio.file.NoSuchFileException e) {
            return Observation.error("ca=" + store + ": no such file; give a PEM file with one or more CA certificates")
                    .fact("outcome", "error").build();
        } catch (IOException | GeneralSecurityException | IllegalArgumentException e) {
            return Observation.error("ca=" + store + " could not be read as PEM certificates: " + e.getMessage()
                    + "; give a PEM file with one or more CA certificates").fact("outcome", "error").build();
        }
        List<SNIServerName> serverNames;
        try {
            serverNames = sniName == null ? List.of() : List.of(new SNIHostName(sniName));
        } catch (IllegalArgumentException e) {
            return Observation.error("sni=" + sniName + " is not a valid server name: " + e.getMessage()).fact("outcome", "error").build();
        }

        ctx.progress("resolving " + host);
        InetAddress address;
        try {
            address = InetAddress.getByName(host);
        } catch (UnknownHostException e) {
            return classify(new Outcome(host, "resolve", e, null, null, List.of(), List.of(), null, name, false, false),
                    Instant.now(), 0).observation().build();
        }
        String target = Addresses.endpoint(address, port);
        Duration wait = ctx.bound(params.duration("timeout"));
        int waitMs = Math.clamp(wait.toMillis(), 1, Integer.MAX_VALUE);
        AtomicReference<X509Certificate[]> seen = new AtomicReference<>(new X509Certificate[0]);
        String stage = "connect";
        Throwable failure = null;
        String protocol = null;
        String cipher = null;
        String chosenAlpn = null;
        List<String> offered = List.of();
        long t0 = System.nanoTime();
        long t1 = t0;
        long t2 = t0;
        ClientCertAsk ask = new ClientCertAsk();
        ctx.progress("connecting to " + target);
        try (Socket raw = new Socket(Proxy.NO_PROXY)) {
            raw.connect(new InetSocketAddress(address, port), waitMs);
            t1 = System.nanoTime();
            stage = "handshake";
            SSLContext tls = SSLContext.getInstance("TLS");
            tls.init(new KeyManager[] {ask}, new TrustManager[] {new Capture(seen)}, null);
            try (SSLSocket s = (SSLSocket) tls.getSocketFactory().createSocket(raw, host, port, false)) {
                SSLParameters sp = s.getSSLParameters();
                sp.setServerNames(serverNames);
                if (!alpn.isEmpty()) {
                    sp.setApplicationProtocols(alpn.toArray(String[]::new));
                }
                s.setSSLParameters(sp);
                offered = Arrays.asList(s.getEnabledProtocols());
                s.setSoTimeout(waitMs);
                ctx.progress("TLS handshake with " + target);
                s.startHandshake();
                t2 = System.nanoTime();
                protocol = s.getSession().getProtocol();
                cipher = s.getSession().getCipherSuite();
                chosenAlpn = s.getApplicationProtocol();
                ask.awaitVerdict(s, Duration.ofNanos(t2 - t1), ctx.remaining());
            }
        } catch (IOException | GeneralSecurityException e) {
            failure = e;
            t2 = System.nanoTime();
            t1 = stage.equals("connect") ? t2 : t1;
        }
        if (Thread.currentThread().isInterrupted()) {
            return Observation.error("cancelled during the " + stage + " with " + target).fact("outcome", "error").build();
        }

        List<X509Certificate> certs = List.of(seen.get());
        List<CertChain.Cert> chain = certs.stream().map(CertChain::describe).toList();
        Instant now = Instant.now();
        CertChain.Trust trust;
        try {
            trust = certs.isEmpty() ? null : CertChain.trust(certs, bundle != null ? bundle.anchorsFor(certs) : system, now);
        } catch (java.security.cert.CertificateException e) {
            return Observation.error("ca=" + store + " holds a certificate that cannot be read: " + Failures.text(e)
                    + "; give a PEM file with one or more CA certificates").fact("outcome", "error").build();
        }
        boolean nameOk = !chain.isEmpty() && CertChain.covers(chain.getFirst(), name);
        Judgement c = classify(new Outcome(target, stage, failure, protocol, cipher, offered, chain, trust, name, nameOk, ask.asked()),
                now, (int) params.integer("warn_days"));
        Observation.Builder b = c.observation().fact("protocol", protocol).fact("cipher", cipher).fact("alpn", chosenAlpn == null || chosenAlpn.isEmpty() ? null : chosenAlpn)
                .fact("protocols_offered", offered.isEmpty() ? null : offered);
        if (failure != null) {
            b.fact("alert", alert(failure));
        }
        if (ask.asked()) {
            b.fact("client_cert", failure == null ? "requested" : "required").evidence("the server asked for a client certificate"
                    + (ask.issuers().isEmpty() ? "" : " from " + String.join("; ", ask.issuers())) + " and was offered none");
        }
        if (!chain.isEmpty()) {
            b.fact("chain", chain.stream().map(CertChain.Cert::asFact).toList()).fact("days_left", daysLeft(chain, now))
                    .fact("hostname_verified", nameOk).fact("verified_name", name)
                    .fact("trusted", trust.trusted()).fact("trust", trust.kind()).fact("trust_detail", trust.detail())
                    .fact("trust_store", store);
        }
        b.fact("connect_ms", Millis.of(t1 - t0));
        if (!stage.equals("connect")) {
            b.fact("handshake_ms", Millis.of(t2 - t1));
        }
        return b.build();
    }

    /**
     * Judges one attempt. Pure. Order: a failed connection or handshake, then dates (expired or not yet
     * valid, anywhere in the chain), trust, the name, and last the warning window.
     */
    static Judgement classify(Outcome o, Instant now, int warnDays) {
        List<String> ev = new ArrayList<>();
        if (o.failure() != null) {
            return failed(o, ev);
        }
        ev.add("handshake " + o.protocol() + " " + o.cipher());
        for (int i = 0; i < o.chain().size(); i++) {
            ev.add(chainLine(i, o.chain().get(i)));
        }
        if (o.chain().isEmpty()) {
            return new Judgement(Status.FAIL, "tls.untrusted", "untrusted", o.target() + ": the server sent no certificate", ev);
        }
        ev.add("trust (" + (o.trust().trusted() ? "ok" : "broken") + "): " + o.trust().detail());
        ev.add("name '" + o.name() + "' " + (o.nameOk() ? "is covered by" : "is NOT covered by") + " the certificate ("
                + names(o.chain().getFirst()) + ")");
        for (int i = 0; i < o.chain().size(); i++) {
            CertChain.Cert c = o.chain().get(i);
            String which = "certificate #" + i + " '" + c.subject() + "'";
            if (now.isAfter(c.notAfter())) {
                return new Judgement(Status.FAIL, "tls.expired", "expired", o.target() + ": " + which + " expired on "
                        + c.notAfter() + " (" + Duration.between(c.notAfter(), now).toDays() + " days ago); renew it", ev);
            }
            if (now.isBefore(c.notBefore())) {
                return new Judgement(Status.FAIL, "tls.expired", "expired", o.target() + ": " + which + " is not valid before "
                        + c.notBefore() + " (" + Duration.between(now, c.notBefore()).toDays()
                        + " days from now); the certificate was issued ahead of time, or this clock is behind", ev);
            }
        }
        if (!o.trust().trusted()) {
            return new Judgement(Status.FAIL, "tls.untrusted", "untrusted", o.target() + ": " + o.trust().detail(), ev);
        }
        if (!o.nameOk()) {
            return new Judgement(Status.FAIL, "tls.hostname-mismatch", "hostname-mismatch", o.target() + ": the certificate does not cover '"
                    + o.name() + "'; it names " + names(o.chain().getFirst()), ev);
        }
        long days = daysLeft(o.chain(), now);
        CertChain.Cert first = o.chain().stream().min((a, b) -> a.notAfter().compareTo(b.notAfter())).orElseThrow();
        if (days < warnDays) {
            return new Judgement(Status.WARN, "tls.expiring", "expiring", o.target() + ": '" + first.subject() + "' expires in "
                    + days + " days (" + first.notAfter() + "), inside the " + warnDays + "-day warning window", ev);
        }
        return new Judgement(Status.OK, null, "ok", o.target() + ": " + o.protocol() + ", chain trusted, '" + o.name()
                + "' verified, " + days + " days left", ev);
    }

    private static Judgement failed(Outcome o, List<String> ev) {
        Throwable e = o.failure();
        String said = Failures.text(e);
        String lower = said.toLowerCase(Locale.ROOT);
        String step = o.stage() + " " + o.target() + " -> ";
        ev.add(step + said);
        if (o.stage().equals("resolve")) {
            return new Judgement(Status.FAIL, null, "unresolved", o.target() + " did not resolve (" + said + "); run dns.resolve", ev);
        }
        if (o.stage().equals("connect")) {
            if (lower.contains("refused")) {
                return new Judgement(Status.FAIL, "tcp.refused", "refused", o.target() + " refused the connection: nothing listens there", ev);
            }
            if (e instanceof SocketTimeoutException || lower.contains("timed out")) {
                return new Judgement(Status.FAIL, "tcp.filtered", "timeout", o.target() + " did not answer the connection attempt", ev);
            }
            return new Judgement(Status.FAIL, null, "error", "connecting to " + o.target() + " failed: " + said + "; run tcp.connect", ev);
        }
        String alert = alert(e);
        if (alert != null) {
            ev.add("offered " + String.join(", ", o.offered()));
            if (o.certRequested() && (alert.equals("certificate_required") || alert.equals("bad_certificate")
                    || alert.equals("handshake_failure") || alert.equals("access_denied"))) {
                return new Judgement(Status.FAIL, "tls.handshake-failure", "client-cert-required", o.target() + " requires a client "
                        + "certificate (mutual TLS): it asked for one and, offered none, ended the handshake with alert " + alert
                        + "; the application must present a certificate from a CA the server accepts", ev);
            }
            String hint = switch (alert) {
                case "protocol_version" -> ": no protocol version in common (the server may speak only older TLS)";
                case "handshake_failure", "insufficient_security" -> ": no cipher suite or parameters in common";
                case "unrecognized_name" -> ": the server does not know the SNI name sent";
                case "no_application_protocol" -> ": the server supports none of the ALPN protocols offered";
                default -> "";
            };
            return new Judgement(Status.FAIL, "tls.handshake-failure", "handshake-failure", o.target() + " ended the handshake with alert "
                    + alert + hint, ev);
        }
        if (e instanceof SocketTimeoutException) {
            return new Judgement(Status.FAIL, "tcp.no-response", "timeout", o.target() + " accepted the connection but never answered the TLS hello", ev);
        }
        if (lower.contains("connection reset")) {
            return new Judgement(Status.FAIL, "tcp.reset", "reset", o.target() + " reset the connection during the TLS handshake", ev);
        }
        if (lower.contains("unrecognized ssl message") || lower.contains("unsupported or unrecognized")) {
            return new Judgement(Status.FAIL, "tls.handshake-failure", "handshake-failure", o.target()
                    + " answered with something that is not TLS (a plain-text service on this port?)", ev);
        }
        if (lower.contains("terminated the handshake") || e instanceof java.io.EOFException) {
            ev.add("offered " + String.join(", ", o.offered()));
            return new Judgement(Status.FAIL, "tls.handshake-failure", "handshake-failure", o.target()
                    + " closed the connection during the handshake without an alert (no common version or cipher, or the service went away)", ev);
        }
        if (e instanceof SSLException) {
            ev.add("offered " + String.join(", ", o.offered()));
            return new Judgement(Status.FAIL, "tls.handshake-failure", "handshake-failure", o.target() + ": the handshake failed: " + said, ev);
        }
        return new Judgement(Status.ERROR, null, "error", "TLS handshake with " + o.target() + " broke: " + said, ev);
    }

    /** The alert name in a JDK handshake message ({@code Received fatal alert: protocol_version}). */
    static String alert(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            Matcher m = ALERT.matcher(String.valueOf(t.getMessage()));
            if (m.find()) {
                return m.group(1);
            }
        }
        return null;
    }

    static long daysLeft(List<CertChain.Cert> chain, Instant now) {
        return chain.stream().map(c -> Math.floorDiv(Duration.between(now, c.notAfter()).toSeconds(), 86_400))
                .min(Long::compare).orElse(0L);
    }

    private static String chainLine(int i, CertChain.Cert c) {
        return "chain #" + i + " '" + c.subject() + "' issued by '" + c.issuer() + "', valid " + c.notBefore().toString().substring(0, 10)
                + " .. " + c.notAfter().toString().substring(0, 10) + ", " + c.key() + ", " + c.signatureAlgorithm();
    }

    private static String names(CertChain.Cert leaf) {
        return leaf.sans().isEmpty() ? "CN=" + leaf.commonName() + " and no SAN" : String.join(", ", leaf.sans());
    }

    private static boolean literal(String host) {
        try {
            InetAddress.ofLiteral(host);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
