package dev.reach.plugins.http;

import dev.reach.spi.Judgement;
import dev.reach.spi.Status;
import org.junit.jupiter.api.Test;

import javax.net.ssl.SSLHandshakeException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class HttpGetProbeTest {
    private static final URI URL = URI.create("http://127.0.0.1:8080/health");
    private static final HttpGetProbe.Timings T = new HttpGetProbe.Timings(0, 0.2, -1, 1.5);
    private static final ProxyEnv.Route PROXY = new ProxyEnv.Route(URI.create("http://127.0.0.1:3128"), List.of("HTTP_PROXY=http://127.0.0.1:3128"));

    private static HttpGetProbe.Fetch answered(int status, ProxyEnv.Route proxy) {
        return new HttpGetProbe.Fetch(URL, new HttpWire.Response(status, "Reason", Map.of(), new byte[0], false, 0), "request", null, T, proxy);
    }

    private static HttpGetProbe.Fetch failed(String stage, Exception e, ProxyEnv.Route proxy) {
        return new HttpGetProbe.Fetch(URL, null, stage, e, T, proxy);
    }

    private static Judgement classify(HttpGetProbe.Fetch f, Integer expect, Boolean body) {
        return HttpGetProbe.classify(new HttpGetProbe.Outcome(f, expect, body, false, 5));
    }

    @Test
    void successBelow400IsOk() {
        var c = classify(answered(204, null), null, null);
        assertThat(c.status()).isEqualTo(Status.OK);
        assertThat(c.summary()).isEqualTo("http://127.0.0.1:8080/health -> 204 Reason");
    }

    @Test
    void serverErrorFailsWithoutACauseTheCatalogueLacks() {
        var c = classify(answered(503, null), null, null);
        assertThat(c.status()).isEqualTo(Status.FAIL);
        assertThat(c.cause()).isNull();
        assertThat(c.outcome()).isEqualTo("status");
        assertThat(c.summary()).endsWith(": the server failed");
    }

    @Test
    void unexpectedStatusFailsEvenWhenBelow400() {
        assertThat(classify(answered(200, null), 201, null).outcome()).isEqualTo("status");
        assertThat(classify(answered(404, null), 404, null).status()).isEqualTo(Status.OK);
    }

    @Test
    void missingBodyTextFails() {
        assertThat(classify(answered(200, null), null, false).outcome()).isEqualTo("body-mismatch");
    }

    @Test
    void requestThroughAnEnvironmentProxyWarnsNamingTheVariable() {
        var c = classify(answered(200, PROXY), null, null);
        assertThat(c.status()).isEqualTo(Status.WARN);
        assertThat(c.cause()).isEqualTo("proxy.env");
        assertThat(c.summary()).contains("through the proxy http://127.0.0.1:3128 (HTTP_PROXY=http://127.0.0.1:3128)");
    }

    @Test
    void anyFailureThroughAnEnvironmentProxyBlamesTheProxySettings() {
        var c = classify(failed("connect", new ConnectException("Connection refused"), PROXY), null, null);
        assertThat(c.cause()).isEqualTo("proxy.env");
        assertThat(c.summary()).contains("NO_PROXY").contains("proxy=off");
        assertThat(classify(answered(502, PROXY), null, null).cause()).isEqualTo("proxy.env");
    }

    @Test
    void directFailuresAreTransportCauses() {
        assertThat(classify(failed("connect", new ConnectException("Connection refused"), null), null, null).cause()).isEqualTo("tcp.refused");
        assertThat(classify(failed("connect", new SocketTimeoutException("Connect timed out"), null), null, null).cause()).isEqualTo("tcp.filtered");
        assertThat(classify(failed("request", new SocketTimeoutException("Read timed out"), null), null, null).cause()).isEqualTo("tcp.no-response");
    }

    @Test
    void tlsFailuresAreNamedFromTheJdkMessage() {
        var untrusted = new SSLHandshakeException("(certificate_unknown) PKIX path building failed: "
                + "sun.security.provider.certpath.SunCertPathBuilderException: unable to find valid certification path to requested target");
        var judged = classify(failed("tls", untrusted, null), null, null);
        assertThat(judged.cause()).isEqualTo("tls.untrusted");
        assertThat(judged.summary()).contains("no chain of certificates leads from it to a trusted CA").doesNotContain("Exception", "sun.");
        var mismatch = new SSLHandshakeException("No subject alternative names matching IP address 127.0.0.1 found");
        assertThat(classify(failed("tls", mismatch, null), null, null).cause()).isEqualTo("tls.hostname-mismatch");
        var expired = new SSLHandshakeException("validity check failed");
        expired.initCause(new java.security.cert.CertificateExpiredException("NotAfter: ..."));
        assertThat(classify(failed("tls", expired, null), null, null).cause()).isEqualTo("tls.expired");
    }

    @Test
    void redirectLoopFails() {
        var c = HttpGetProbe.classify(new HttpGetProbe.Outcome(answered(302, null), null, null, true, 5));
        assertThat(c.outcome()).isEqualTo("redirects");
        assertThat(c.summary()).contains("still redirecting after 5 redirects");
    }

    // the proxy environment, read as curl reads it

    @Test
    void httpProxyVariableRoutesHttpOnly() {
        Map<String, String> env = Map.of("HTTP_PROXY", "http://127.0.0.1:3128");
        assertThat(ProxyEnv.route(URL, env)).get().extracting(r -> r.variables()).isEqualTo(List.of("HTTP_PROXY=http://127.0.0.1:3128"));
        assertThat(ProxyEnv.route(URI.create("https://127.0.0.1/"), env)).isEmpty();
    }

    @Test
    void lowerCaseWinsAndBareHostPortGetsAScheme() {
        var r = ProxyEnv.route(URL, Map.of("http_proxy", "127.0.0.1:8888", "HTTP_PROXY", "http://127.0.0.1:3128")).orElseThrow();
        assertThat(r.proxy()).isEqualTo(URI.create("http://127.0.0.1:8888"));
    }

    @Test
    void noProxyMatchesDomainsSubdomainsAddressesPortsAndStar() {
        URI api = URI.create("https://api.corp.test:8443/");
        assertThat(ProxyEnv.bypassed(api, "corp.test")).isTrue();
        assertThat(ProxyEnv.bypassed(api, ".corp.test")).isTrue();
        assertThat(ProxyEnv.bypassed(api, "rp.test")).isFalse();
        assertThat(ProxyEnv.bypassed(api, "api.corp.test:8443")).isTrue();
        assertThat(ProxyEnv.bypassed(api, "api.corp.test:443")).isFalse();
        assertThat(ProxyEnv.bypassed(URL, "localhost, 127.0.0.1")).isTrue();
        assertThat(ProxyEnv.bypassed(URL, "*")).isTrue();
        assertThat(ProxyEnv.route(URL, Map.of("HTTP_PROXY", "http://127.0.0.1:3128", "NO_PROXY", "127.0.0.1"))).isEmpty();
        assertThat(ProxyEnv.bypass(URL, Map.of("HTTP_PROXY", "http://127.0.0.1:3128", "NO_PROXY", "127.0.0.1")))
                .containsExactly("NO_PROXY=127.0.0.1");
    }
}
