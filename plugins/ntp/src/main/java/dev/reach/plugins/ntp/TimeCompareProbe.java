package dev.reach.plugins.ntp;

import dev.reach.spi.Failures;
import dev.reach.spi.Millis;
import dev.reach.spi.Needs;
import dev.reach.spi.Observation;
import dev.reach.spi.Param;
import dev.reach.spi.ParamType;
import dev.reach.spi.Params;
import dev.reach.spi.Probe;
import dev.reach.spi.ProbeContext;
import dev.reach.spi.ProbeSpec;
import dev.reach.spi.Status;
import org.pf4j.Extension;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;
import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;

/**
 * Compares this clock with a web server's {@code Date} header, for hosts that cannot reach an NTP server.
 * The header has one-second resolution, so the answer is an offset with an uncertainty of half a second
 * plus half the round trip; only an offset beyond {@code max_offset} by more than that is time.skew.
 *
 * <pre>
 * $ reach probe time.compare url=http://127.0.0.1:8080/
 * fail [time.skew]: this clock is 30.0s behind http://127.0.0.1:8080/ (its Date header, ±0.5s); more than the 5s allowed
 *   GET http://127.0.0.1:8080/ -> Date: Wed, 25 Nov 2026 12:00:30 GMT, round trip 1.2ms
 * </pre>
 *
 * <p>For https the certificate is not checked: only the Date is read, and a skewed clock is exactly what
 * makes certificates look expired.
 */
@Extension
public final class TimeCompareProbe implements Probe {

    static final ProbeSpec SPEC = ProbeSpec.builder("time.compare", "Compares this clock with a web server's Date header")
            .param(Param.string("url", "http:// or https:// URL whose server's Date header is the reference").required())
            .param(Param.duration("timeout", "how long to wait for the connection and the answer each").defaultValue("5s").range("1ms", "1m"))
            .param(Param.duration("max_offset", "offsets beyond this (and the uncertainty) are time.skew").defaultValue("5s").range("1ms", "1h"))
            .param(Param.host("address", "connect to this address instead of resolving the URL's host (the name still goes in Host and SNI)"))
            .fact("outcome", "string", "ok, skew, no-date, refused, timeout, unresolved or error")
            .fact("offset_ms", "number", "server clock minus this clock (positive: this clock is behind)")
            .fact("uncertainty_ms", "number", "half a second (the header's resolution) plus half the round trip")
            .fact("date", "string", "the Date header as sent")
            .fact("round_trip_ms", "number", "from the request sent to the first byte of the answer")
            .needs(Needs.NOTHING)
            .example("reach probe time.compare url=http://127.0.0.1:8080/")
            .about("This clock against a web server's Date header (±0.5 s plus half the round trip), for hosts without "
                    + "NTP; `time.skew` beyond `max_offset`.")
            .causes("time.skew", "tcp.refused")
            .build();

    private static final Duration RESOLUTION = Duration.ofMillis(500);

    /** What one request produced: the Date header (null if none) and when it was asked and answered. */
    record Answer(String url, String date, Instant sent, Instant received, Throwable failure) {
    }

    record Classified(Status status, String cause, String outcome, String summary, String evidence, Duration offset, Duration uncertainty) {
    }

    @Override
    public ProbeSpec spec() {
        return SPEC;
    }

    @Override
    public Observation run(ProbeContext ctx, Params params) {
        URI url;
        try {
            url = new URI(params.string("url"));
        } catch (URISyntaxException e) {
            return Observation.error("url=" + params.string("url") + " is not a URL: " + e.getMessage()).fact("outcome", "error").build();
        }
        if (url.getScheme() == null || !url.getScheme().matches("(?i)https?") || url.getHost() == null) {
            return Observation.error("url=" + url + " must be http://HOST[:PORT]/... or https://...").fact("outcome", "error").build();
        }
        ctx.progress("asking " + url + " for its Date");
        Answer a = fetch(url, params.has("address") ? params.string("address") : null, ctx.bound(params.duration("timeout")));
        Classified c = classify(a, params.duration("max_offset"));
        Observation.Builder b = Observation.of(c.status(), c.summary()).cause(c.cause()).fact("outcome", c.outcome()).evidence(c.evidence());
        if (c.offset() != null) {
            b.fact("offset_ms", Millis.of(c.offset())).fact("uncertainty_ms", Millis.of(c.uncertainty()));
        }
        if (a.failure() == null) {
            b.fact("date", a.date()).fact("round_trip_ms", Millis.of(Duration.between(a.sent(), a.received())));
        }
        return b.build();
    }

    /** Judges one answer. Pure. The server's time is taken as the middle of its Date second. */
    static Classified classify(Answer a, Duration maxOffset) {
        String head = "GET " + a.url() + " -> ";
        if (a.failure() != null) {
            Throwable e = a.failure();
            String said = Failures.text(e);
            String lower = said.toLowerCase(Locale.ROOT);
            if (e instanceof UnknownHostException) {
                return new Classified(Status.FAIL, null, "unresolved", a.url() + ": the host did not resolve (" + said + ")", head + said, null, null);
            }
            if (lower.contains("refused")) {
                return new Classified(Status.FAIL, "tcp.refused", "refused", a.url() + ": the connection was refused", head + said, null, null);
            }
            if (e instanceof SocketTimeoutException) {
                return new Classified(Status.FAIL, null, "timeout", a.url() + ": no answer in time (" + said + "); run http.get", head + said, null, null);
            }
            return new Classified(Status.ERROR, null, "error", a.url() + ": could not read a Date: " + said, head + said, null, null);
        }
        if (a.date() == null) {
            return new Classified(Status.ERROR, null, "no-date", a.url() + " sends no Date header: nothing to compare with; try another URL",
                    head + "no Date header", null, null);
        }
        Instant serverSecond;
        try {
            serverSecond = ZonedDateTime.parse(a.date(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
        } catch (DateTimeParseException e) {
            return new Classified(Status.ERROR, null, "no-date", a.url() + " sends a Date header that is not an HTTP date: '" + a.date() + "'",
                    head + "Date: " + a.date(), null, null);
        }
        Duration roundTrip = Duration.between(a.sent(), a.received());
        Instant here = a.sent().plus(roundTrip.dividedBy(2));
        Duration offset = Duration.between(here, serverSecond.plus(RESOLUTION));
        Duration uncertainty = RESOLUTION.plus(roundTrip.dividedBy(2));
        String evidence = head + "Date: " + a.date() + ", round trip " + Millis.of(roundTrip) + "ms";
        String words = "this clock is " + NtpOffsetProbe.words(offset) + " " + a.url() + " (its Date header, ±"
                + String.format(Locale.ROOT, "%.1fs", uncertainty.toNanos() / 1e9) + ")";
        if (offset.abs().minus(uncertainty).compareTo(maxOffset) > 0) {
            return new Classified(Status.FAIL, "time.skew", "skew", words + "; more than the " + ParamType.format(maxOffset)
                    + " allowed: certificates and tokens can fail; sync the clock (or the server's)", evidence, offset, uncertainty);
        }
        return new Classified(Status.OK, null, "ok", words, evidence, offset, uncertainty);
    }

    /** A GET request to {@code url} (every server answers GET; some never answer HEAD), its headers read, dialling {@code address} when it is not null. */
    private static Answer fetch(URI url, String address, Duration timeout) {
        boolean https = url.getScheme().equalsIgnoreCase("https");
        int port = url.getPort() > 0 ? url.getPort() : https ? 443 : 80;
        String host = url.getHost().startsWith("[") ? url.getHost().substring(1, url.getHost().length() - 1) : url.getHost();
        int ms = Math.clamp(timeout.toMillis(), 1, Integer.MAX_VALUE);
        try (Socket raw = new Socket(Proxy.NO_PROXY)) {
            raw.connect(new InetSocketAddress(address != null ? address : host, port), ms);
            raw.setSoTimeout(ms);
            Socket s = raw;
            if (https) {
                SSLContext tls = SSLContext.getInstance("TLS");
                tls.init(null, new TrustManager[] {new AnyChain()}, null);
                SSLSocket ssl = (SSLSocket) tls.getSocketFactory().createSocket(raw, host, port, true);
                ssl.startHandshake();
                s = ssl;
            }
            String path = url.getRawPath() == null || url.getRawPath().isEmpty() ? "/" : url.getRawPath();
            InputStream in = new BufferedInputStream(s.getInputStream());
            Instant sent = Instant.now();
            s.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: " + url.getRawAuthority()
                    + "\r\nUser-Agent: reach\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            s.getOutputStream().flush();
            int first = in.read();
            Instant received = Instant.now();
            if (first < 0) {
                throw new EOFException("the server closed the connection without answering");
            }
            String date = null;
            for (int i = 0; i < 200; i++) {
                String line = (i == 0 ? String.valueOf((char) first) : "") + line(in);
                if (line.isEmpty()) {
                    break;
                }
                if (line.regionMatches(true, 0, "Date:", 0, 5)) {
                    date = line.substring(5).trim();
                }
            }
            return new Answer(url.toString(), date, sent, received, null);
        } catch (IOException | GeneralSecurityException e) {
            return new Answer(url.toString(), null, null, null, e);
        }
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int b; (b = in.read()) != '\n'; ) {
            if (b < 0) {
                throw new EOFException("the connection closed in the middle of the response head");
            }
            if (sb.length() > 16_384) {
                throw new IOException("a response line is longer than 16 KiB");
            }
            if (b != '\r') sb.append((char) b);
        }
        return sb.toString();
    }

    /** Accepts any server chain: only the Date is read, and a skewed clock makes valid certificates look expired. */
    private static final class AnyChain extends X509ExtendedTrustManager {
        @Override public void checkServerTrusted(X509Certificate[] chain, String authType) { }
        @Override public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) { }
        @Override public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) { }
        @Override public void checkClientTrusted(X509Certificate[] chain, String authType) { }
        @Override public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) { }
        @Override public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) { }
        @Override public X509Certificate[] getAcceptedIssuers() { return new X509Certificate[0]; }
    }
}
