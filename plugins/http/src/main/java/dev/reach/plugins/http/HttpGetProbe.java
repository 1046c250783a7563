package dev.reach.plugins.http;

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
import org.pf4j.Extension;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Sends one HTTP request (following redirects if asked) with its own small HTTP/1.1 client, so each phase
 * is timed for real: name lookup, TCP connect, TLS handshake, wait for the first byte, total. Honours the
 * proxy environment variables unless {@code proxy=off}, and says when they sent the request to a proxy.
 *
 * <pre>
 * $ reach probe http.get url=http://127.0.0.1:8080/health
 * ok: GET http://127.0.0.1:8080/health -> 200 OK in 4.1ms
 *   GET http://127.0.0.1:8080/health -> 200 OK (first byte 2.3ms)
 * $ HTTP_PROXY=http://127.0.0.1:3128 reach probe http.get url=http://127.0.0.1:8080/
 * warn [proxy.env]: GET http://127.0.0.1:8080/ -> 200 OK through the proxy http://127.0.0.1:3128 (HTTP_PROXY=...)
 * </pre>
 */
@Extension
public final class HttpGetProbe implements Probe {

    static final ProbeSpec SPEC = ProbeSpec.builder("http.get", "Sends an HTTP request and times each phase of the answer")
            .param(Param.string("url", "http:// or https:// URL to request").required())
            .param(Param.choice("method", "request method", "GET", "HEAD", "OPTIONS").defaultValue("GET"))
            .param(Param.list("headers", "extra request headers, 'Name: value', comma-separated"))
            .param(Param.integer("expect_status", "the status that counts as success (default: any below 400)").range(100, 599))
            .param(Param.string("body", "a regular expression the body must contain (first 1 MiB)"))
            .param(Param.bool("follow", "follow redirects").defaultValue(true))
            .param(Param.integer("max_redirects", "how many redirects to follow at most").defaultValue(5).range(0, 20))
            .param(Param.choice("proxy", "env: use HTTP(S)_PROXY/NO_PROXY as curl does; off: connect directly", "env", "off").defaultValue("env"))
            .param(Param.file("ca", "PEM file of trusted CA certificates for https (default: the system trust store)"))
            .param(Param.host("address", "connect to this address instead of resolving the URL's host, like curl --resolve "
                    + "(the URL's name still goes in Host and SNI; redirects to other hosts resolve as usual; not through a proxy)"))
            .param(Param.duration("timeout", "how long each phase of each request may take").defaultValue("5s").range("1ms", "5m"))
            .fact("outcome", "string", "ok, status, body-mismatch, redirects, refused, timeout, no-response, reset, tls, unresolved, proxy or error")
            .fact("status", "integer", "HTTP status of the last response")
            .fact("reason", "string", "reason phrase of the last response")
            .fact("final_url", "string", "URL of the last request (after redirects)")
            .fact("redirects", "integer", "redirects followed")
            .fact("date", "string", "the server's Date header")
            .fact("server", "string", "the server's Server header")
            .fact("body_bytes", "integer", "body bytes read (at most 1 MiB)")
            .fact("dns_ms", "number", "name lookup of the last request (0 for an IP literal)")
            .fact("connect_ms", "number", "TCP connect of the last request (to the proxy when there is one)")
            .fact("tls_ms", "number", "TLS handshake of the last request (https only)")
            .fact("first_byte_ms", "number", "from the last request sent to the first byte of its answer")
            .fact("total_ms", "number", "all requests, first lookup to last byte")
            .fact("proxy", "string", "the proxy the request went through")
            .fact("proxy_variables", "list", "the environment variables that chose it, NAME=value")
            .fact("no_proxy", "list", "no_proxy/NO_PROXY values that sent the request direct")
            .needs(Needs.NOTHING)
            .example("reach probe http.get url=http://127.0.0.1:8080/health expect_status=200 body=ok")
            .example("reach probe http.get url=https://127.0.0.1:8443/ ca=/etc/ssl/private-ca.pem follow=false proxy=off")
            .about("Sends an HTTP/1.1 request and times DNS, connect, TLS, first byte and total; follows redirects, "
                    + "checks status and a body regex; honours HTTP(S)_PROXY/NO_PROXY as curl does and says so "
                    + "(`proxy.env`), or `proxy=off`; `address=` dials a given address like curl's `--resolve`.")
            .causes("proxy.env", "tcp.refused", "tcp.filtered", "tcp.reset", "tcp.no-response", "tls.expired",
                    "tls.handshake-failure", "tls.hostname-mismatch", "tls.untrusted")
            .build();

    /** Phase times of one request in milliseconds; -1 where the phase did not happen. */
    record Timings(double dnsMs, double connectMs, double tlsMs, double firstByteMs) {
    }

    /** One request: its response, or the stage that failed (resolve, connect, proxy, tls, request) and why. */
    record Fetch(URI url, HttpWire.Response response, String stage, Throwable failure, Timings timings, ProxyEnv.Route proxy) {
    }

    /**
     * The whole run as {@link #classify} needs it.
     *
     * @param bodyMatched null when no body pattern was given
     */
    record Outcome(Fetch last, Integer expectStatus, Boolean bodyMatched, boolean redirectsLeftOver, int maxRedirects) {
    }

    private final Map<String, String> env;

    public HttpGetProbe() {
        this(System.getenv());
    }

    /** With the given environment instead of the process's (tests). */
    HttpGetProbe(Map<String, String> env) {
        this.env = Map.copyOf(env);
    }

    @Override
    public ProbeSpec spec() {
        return SPEC;
    }

    @Override
    public Observation run(ProbeContext ctx, Params params) throws GeneralSecurityException {
        URI url;
        try {
            url = new URI(params.string("url"));
        } catch (java.net.URISyntaxException e) {
            return Observation.error("url=" + params.string("url") + " is not a URL: " + e.getMessage()).fact("outcome", "error").build();
        }
        if (url.getScheme() == null || !url.getScheme().matches("(?i)https?") || url.getHost() == null) {
            return Observation.error("url=" + url + " must be http://HOST[:PORT]/... or https://...").fact("outcome", "error").build();
        }
        // built when an https URL needs it: reading a CA bundle (the system's has about 150 certificates) costs a cold
        // JVM most of a second, which a plain-http request has no use for
        SSLContext tls = null;
        Pattern body;
        try {
            body = params.has("body") ? Pattern.compile(params.string("body")) : null;
        } catch (java.util.regex.PatternSyntaxException e) {
            return Observation.error("body=" + params.string("body") + " is not a regular expression: " + e.getDescription())
                    .fact("outcome", "error").build();
        }
        String method = params.string("method");
        List<String> headers = params.has("headers") ? params.list("headers") : List.of();
        for (String h : headers) {
            if (!h.matches("[!#$%&'*+.^_`|~0-9A-Za-z-]+:[^\\r\\n]*")) {
                return Observation.error("headers: '" + h + "' is not 'Name: value' on one line").fact("outcome", "error").build();
            }
        }
        boolean useEnv = params.string("proxy").equals("env");
        int max = (int) params.integer("max_redirects");
        List<String> evidence = new ArrayList<>();
        long start = System.nanoTime();
        Fetch fetch = null;
        int redirects = 0;
        boolean leftOver = false;
        String pinnedHost = url.getHost();
        String address = params.has("address") ? params.string("address") : null;
        for (int hop = 0; hop <= max; hop++) {
            ProxyEnv.Route route = useEnv ? ProxyEnv.route(url, env).orElse(null) : null;
            ctx.progress(method + " " + url);
            String dialAddress = route == null && address != null && pinnedHost.equalsIgnoreCase(url.getHost()) ? address : null;
            if (tls == null && url.getScheme().equalsIgnoreCase("https")) {
                try {
                    tls = params.has("ca") ? TlsContexts.trusting(Path.of(params.string("ca"))) : TlsContexts.fresh();
                } catch (java.nio.file.NoSuchFileException e) {
                    return Observation.error("ca=" + params.string("ca") + ": no such file; give a PEM file of CA certificates")
                            .fact("outcome", "error").build();
                } catch (IOException | GeneralSecurityException | IllegalArgumentException e) {
                    return Observation.error(params.has("ca") ? "ca=" + params.string("ca") + " could not be read as PEM certificates: "
                            + e.getMessage() : "this JVM has no default TLS trust: " + e.getMessage()).fact("outcome", "error").build();
                }
            }
            fetch = fetch(url, dialAddress, method, headers, route, tls, ctx.bound(params.duration("timeout")));
            evidence.add(line(method, fetch));
            if (fetch.failure() != null || !params.bool("follow") || !redirect(fetch.response())) {
                break;
            }
            if (hop == max) {
                leftOver = true;
                break;
            }
            url = url.resolve(fetch.response().header("location").trim());
            method = fetch.response().status() == 303 && !method.equals("HEAD") ? "GET" : method;
            redirects++;
        }
        long total = System.nanoTime() - start;
        Boolean matched = null;
        if (fetch.response() != null && body != null) {
            String text = new String(fetch.response().body(), StandardCharsets.UTF_8);
            matched = body.matcher(text).find();
            evidence.add("body /" + params.string("body") + "/ " + (matched ? "found" : "NOT found") + " in "
                    + fetch.response().body().length + " bytes");
        }
        Integer expect = params.has("expect_status") ? (int) params.integer("expect_status") : null;
        Judgement c = classify(new Outcome(fetch, expect, matched, leftOver, max));
        Observation.Builder b = c.observation();
        HttpWire.Response r = fetch.response();
        if (r != null) {
            b.fact("status", r.status()).fact("reason", r.reason()).fact("date", r.header("date")).fact("server", r.header("server"))
                    .fact("body_bytes", r.body().length);
        }
        b.fact("final_url", fetch.url().toString()).fact("redirects", redirects);
        Timings t = fetch.timings();
        b.fact("dns_ms", t.dnsMs() < 0 ? null : t.dnsMs()).fact("connect_ms", t.connectMs() < 0 ? null : t.connectMs())
                .fact("tls_ms", t.tlsMs() < 0 ? null : t.tlsMs()).fact("first_byte_ms", t.firstByteMs() < 0 ? null : t.firstByteMs())
                .fact("total_ms", Millis.of(total));
        if (fetch.proxy() != null) {
            b.fact("proxy", fetch.proxy().proxy().toString()).fact("proxy_variables", fetch.proxy().variables());
        } else if (useEnv && !ProxyEnv.bypass(fetch.url(), env).isEmpty()) {
            b.fact("no_proxy", ProxyEnv.bypass(fetch.url(), env));
        }
        evidence.forEach(b::evidence);
        return b.build();
    }

    /** Judges the run. Pure. Any failure through an environment proxy is {@code proxy.env}: the proxy is in the way. */
    static Judgement classify(Outcome o) {
        Fetch f = o.last();
        String via = f.proxy() == null ? "" : " through the proxy " + f.proxy().proxy() + " (" + String.join(", ", f.proxy().variables()) + ")";
        String proxyCause = f.proxy() == null ? null : "proxy.env";
        if (f.failure() != null) {
            Throwable e = f.failure();
            String said = Failures.text(e);
            String lower = (said + " " + e.getMessage()).toLowerCase(Locale.ROOT);   // the JDK's own words as well, to match
            if (f.proxy() != null) {
                return new Judgement(Status.FAIL, "proxy.env", "proxy", f.url() + " failed" + via + " (" + f.stage() + " stage): " + said
                        + "; the proxy settings come from the environment: fix the proxy, add the host to NO_PROXY, or try proxy=off");
            }
            return switch (f.stage()) {
                case "resolve" -> new Judgement(Status.FAIL, null, "unresolved", f.url().getHost() + " did not resolve (" + said + "); run dns.resolve");
                case "connect" -> lower.contains("refused")
                        ? new Judgement(Status.FAIL, "tcp.refused", "refused", f.url() + ": the connection was refused; nothing listens on that port")
                        : e instanceof SocketTimeoutException || lower.contains("timed out")
                        ? new Judgement(Status.FAIL, "tcp.filtered", "timeout", f.url() + ": no answer to the connection attempt; a firewall drops it, or the host is down")
                        : new Judgement(Status.FAIL, null, "error", f.url() + ": connecting failed: " + said + "; run tcp.connect");
                case "tls" -> tls(f.url(), e, said, lower);
                default -> e instanceof SocketTimeoutException
                        ? new Judgement(Status.FAIL, "tcp.no-response", "no-response", f.url() + ": the server accepted the request but sent no answer in time")
                        : lower.contains("reset")
                        ? new Judgement(Status.FAIL, "tcp.reset", "reset", f.url() + ": the server reset the connection instead of answering")
                        : new Judgement(Status.FAIL, null, "error", f.url() + ": the exchange failed: " + said);
            };
        }
        HttpWire.Response r = f.response();
        String got = f.url() + " -> " + r.status() + (r.reason().isEmpty() ? "" : " " + r.reason());
        if (o.redirectsLeftOver()) {
            return new Judgement(Status.FAIL, proxyCause, "redirects", got + ": still redirecting after " + o.maxRedirects()
                    + " redirects (a loop?)" + via);
        }
        boolean statusOk = o.expectStatus() == null ? r.status() < 400 : r.status() == o.expectStatus();
        if (!statusOk) {
            return new Judgement(Status.FAIL, proxyCause, "status", got + (o.expectStatus() == null ? "" : ", expected " + o.expectStatus())
                    + via + (r.status() >= 500 ? ": the server failed" : ""));
        }
        if (Boolean.FALSE.equals(o.bodyMatched())) {
            return new Judgement(Status.FAIL, proxyCause, "body-mismatch", got + " but the body does not contain the expected text" + via);
        }
        if (f.proxy() != null) {
            return new Judgement(Status.WARN, "proxy.env", "ok", got + via + "; a direct connection may behave differently");
        }
        return new Judgement(Status.OK, null, "ok", got);
    }

    private static Judgement tls(URI url, Throwable e, String said, String lower) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof CertificateExpiredException || t instanceof CertificateNotYetValidException) {
                return new Judgement(Status.FAIL, "tls.expired", "tls", url + ": the certificate is outside its validity (" + Failures.text(t) + "); run tls.handshake for the chain");
            }
        }
        if (lower.contains("subject alternative") || lower.contains("doesn't match") || lower.contains("no name matching")) {
            return new Judgement(Status.FAIL, "tls.hostname-mismatch", "tls", url + ": the certificate does not cover " + url.getHost() + " (" + said + ")");
        }
        if (lower.contains("pkix") || lower.contains("certification path")) {
            return new Judgement(Status.FAIL, "tls.untrusted", "tls", url + ": the certificate chain is not trusted (" + said + "); run tls.handshake to see where it breaks");
        }
        return new Judgement(Status.FAIL, "tls.handshake-failure", "tls", url + ": the TLS handshake failed: " + said);
    }

    /** One exchange; {@code address}, when not null, is dialled instead of the URL's host (no proxy then). */
    private static Fetch fetch(URI url, String address, String method, List<String> headers, ProxyEnv.Route proxy, SSLContext tls, Duration timeout) {
        boolean https = url.getScheme().equalsIgnoreCase("https");
        int port = url.getPort() > 0 ? url.getPort() : https ? 443 : 80;
        String host = url.getHost().startsWith("[") ? url.getHost().substring(1, url.getHost().length() - 1) : url.getHost();
        URI dial = proxy == null ? url : proxy.proxy();
        String dialHost = dial.getHost().startsWith("[") ? dial.getHost().substring(1, dial.getHost().length() - 1) : dial.getHost();
        int dialPort = proxy == null ? port : dial.getPort() > 0 ? dial.getPort() : 80;
        int ms = Math.clamp(timeout.toMillis(), 1, Integer.MAX_VALUE);
        double dns = -1, connect = -1, handshake = -1, firstByte = -1;
        String stage = "resolve";
        long t = System.nanoTime();
        try {
            String dialName = address != null ? address : dialHost;
            InetAddress dialled = InetAddress.getByName(dialName);
            dns = literal(dialName) ? 0 : Millis.of(System.nanoTime() - t);
            stage = "connect";
            t = System.nanoTime();
            try (Socket raw = new Socket(Proxy.NO_PROXY)) {
                raw.connect(new InetSocketAddress(dialled, dialPort), ms);
                raw.setSoTimeout(ms);
                connect = Millis.of(System.nanoTime() - t);
                Socket s = raw;
                String authority = (host.contains(":") ? "[" + host + "]" : host) + (url.getPort() > 0 ? ":" + url.getPort() : "");
                if (proxy != null && https) {
                    stage = "proxy";
                    String answer = HttpWire.connect(raw.getInputStream(), raw.getOutputStream(), (host.contains(":") ? "[" + host + "]" : host) + ":" + port);
                    if (!answer.matches("HTTP/1\\.[01] 2\\d\\d.*")) {
                        throw new IOException("the proxy refused the tunnel: " + answer);
                    }
                }
                if (https) {
                    stage = "tls";
                    t = System.nanoTime();
                    SSLSocket ssl = (SSLSocket) tls.getSocketFactory().createSocket(raw, host, port, true);
                    SSLParameters sp = ssl.getSSLParameters();
                    sp.setEndpointIdentificationAlgorithm("HTTPS");
                    sp.setServerNames(literal(host) ? List.of() : List.of(new SNIHostName(host)));
                    ssl.setSSLParameters(sp);
                    ssl.startHandshake();
                    handshake = Millis.of(System.nanoTime() - t);
                    s = ssl;
                }
                stage = "request";
                String path = (url.getRawPath() == null || url.getRawPath().isEmpty() ? "/" : url.getRawPath())
                        + (url.getRawQuery() == null ? "" : "?" + url.getRawQuery());
                String target = proxy != null && !https ? url.getScheme() + "://" + url.getRawAuthority() + path : path;
                InputStream in = new java.io.BufferedInputStream(s.getInputStream());
                long sent = System.nanoTime();
                HttpWire.Response r = HttpWire.exchange(in, s.getOutputStream(), method, target, authority, headers);
                firstByte = Millis.of(r.firstByteNanos() - sent);
                return new Fetch(url, r, stage, null, new Timings(dns, connect, handshake, firstByte), proxy);
            }
        } catch (IOException | RuntimeException e) {
            if (stage.equals("connect")) {
                connect = Millis.of(System.nanoTime() - t);
            }
            return new Fetch(url, null, stage, e, new Timings(dns, connect, handshake, firstByte), proxy);
        }
    }

    private static String line(String method, Fetch f) {
        String through = f.proxy() == null ? "" : " via " + f.proxy().proxy();
        if (f.failure() != null) {
            return method + " " + f.url() + through + " -> " + f.stage() + " failed: " + Failures.text(f.failure());
        }
        HttpWire.Response r = f.response();
        String location = redirect(r) ? ", Location: " + r.header("location") : "";
        return method + " " + f.url() + through + " -> " + r.status() + " " + r.reason() + location
                + " (first byte " + f.timings().firstByteMs() + "ms)";
    }

    private static boolean redirect(HttpWire.Response r) {
        return r != null && List.of(301, 302, 303, 307, 308).contains(r.status()) && r.header("location") != null;
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
