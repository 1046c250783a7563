package dev.reach.plugins.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.reach.spi.Observation;
import dev.reach.spi.Status;
import dev.reach.testkit.ProbeHarness;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * http.get against the JDK's own HttpServer on 127.0.0.1 (an origin, and a second one that plays the
 * proxy and records what it was asked), with the proxy environment handed to the probe, never set.
 */
class HttpGetProbeIT {
    private static HttpServer origin;
    private static HttpServer proxy;
    private static String base;
    private static String proxyUrl;
    private static final List<String> PROXIED = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void start() throws IOException {
        origin = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        origin.createContext("/ok", ex -> answer(ex, 200, "all good"));
        origin.createContext("/old", ex -> redirect(ex, "/new"));
        origin.createContext("/echo", ex -> answer(ex, 200, "x-probe: " + ex.getRequestHeaders().getFirst("X-Probe")));
        origin.createContext("/new", ex -> answer(ex, 200, "moved here"));
        origin.createContext("/host", ex -> answer(ex, 200, "host: " + ex.getRequestHeaders().getFirst("Host")));
        origin.createContext("/loop", ex -> redirect(ex, "/loop"));
        origin.createContext("/broken", ex -> answer(ex, 503, "down for maintenance"));
        origin.createContext("/slow", ex -> {
            try {
                Thread.sleep(700);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            answer(ex, 200, "finally");
        });
        origin.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        origin.start();
        base = "http://127.0.0.1:" + origin.getAddress().getPort();

        proxy = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        proxy.createContext("/", ex -> {
            PROXIED.add(ex.getRequestMethod() + " " + ex.getRequestURI());
            answer(ex, 200, "from the proxy");
        });
        proxy.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        proxy.start();
        proxyUrl = "http://127.0.0.1:" + proxy.getAddress().getPort();
    }

    @AfterAll
    static void stop() {
        if (origin != null) origin.stop(0);
        if (proxy != null) proxy.stop(0);
    }

    /**
     * A plain-http request never reads ca= (the trust store is built when an https URL needs it: the diagnosis passes
     * the system's bundle, which costs a cold JVM most of a second to parse); an https one says when it cannot.
     */
    @Test
    void theCaFileIsReadOnlyWhenHttpsNeedsIt() {
        String missing = "ca=/nonexistent/reach-test-ca.pem";
        Observation plain = get(Map.of(), "url=" + base + "/new", missing, "proxy=off");
        assertThat(plain.status()).as(plain.toString()).isEqualTo(Status.OK);
        Observation https = get(Map.of(), "url=https://127.0.0.1:" + origin.getAddress().getPort() + "/", missing, "proxy=off");
        assertThat(https.summary()).isEqualTo("ca=/nonexistent/reach-test-ca.pem: no such file; give a PEM file of CA certificates");
    }

    /** address= dials the given address (no name lookup: the name below exists nowhere) and keeps the URL's name in Host. */
    @Test
    void addressPinsTheConnectionAndKeepsTheNameInHost() {
        int port = origin.getAddress().getPort();
        Observation o = get(Map.of(), "url=http://web.lab.test:" + port + "/host", "address=127.0.0.1", "body=host: web\\.lab\\.test:" + port);
        assertThat(o.status()).as(o.toString()).isEqualTo(Status.OK);
        assertThat(o.facts()).containsEntry("dns_ms", 0.0);
    }

    @Test
    void okAnswerIsOkWithTimingsAndTheServersDate() {
        Observation o = get(Map.of(), "url=" + base + "/ok", "body=all g..d");
        assertThat(o.status()).as(o.toString()).isEqualTo(Status.OK);
        assertThat(o.facts()).containsEntry("status", 200).containsEntry("final_url", base + "/ok").containsEntry("dns_ms", 0.0);
        assertThat(o.facts().get("date").toString()).matches("\\w{3}, \\d{2} \\w{3} \\d{4} \\d{2}:\\d{2}:\\d{2} GMT");
        assertThat(o.facts()).containsKeys("connect_ms", "first_byte_ms", "total_ms").doesNotContainKey("tls_ms");
    }

    @Test
    void extraHeadersAreSentAndBrokenOnesRefused() {
        Observation o = get(Map.of(), "url=" + base + "/echo", "headers=X-Probe: yes,Accept-Language: en", "body=x-probe: yes");
        assertThat(o.status()).as(o.toString()).isEqualTo(Status.OK);
        assertThat(get(Map.of(), "url=" + base + "/ok", "headers=no colon here").status()).isEqualTo(Status.ERROR);
    }

    @Test
    void redirectIsFollowedToTheFinalUrl() {
        Observation o = get(Map.of(), "url=" + base + "/old");
        assertThat(o.status()).as(o.toString()).isEqualTo(Status.OK);
        assertThat(o.facts()).containsEntry("final_url", base + "/new").containsEntry("redirects", 1);
        assertThat(o.evidence().getFirst()).contains("-> 302").contains("Location: /new");
    }

    @Test
    void redirectIsReportedNotFollowedWhenAskedSo() {
        Observation o = get(Map.of(), "url=" + base + "/old", "follow=false");
        assertThat(o.facts()).as(o.toString()).containsEntry("status", 302).containsEntry("redirects", 0);
        assertThat(o.status()).isEqualTo(Status.OK);
    }

    @Test
    void redirectLoopStopsAtTheLimit() {
        Observation o = get(Map.of(), "url=" + base + "/loop", "max_redirects=3");
        assertThat(o.facts()).as(o.toString()).containsEntry("outcome", "redirects").containsEntry("redirects", 3);
        assertThat(o.evidence()).hasSize(4);
    }

    @Test
    void serverErrorFails() {
        Observation o = get(Map.of(), "url=" + base + "/broken");
        assertThat(o.status()).as(o.toString()).isEqualTo(Status.FAIL);
        assertThat(o.facts()).containsEntry("status", 503).containsEntry("outcome", "status");
    }

    @Test
    void slowFirstByteShowsInTheFirstByteTimeNotTheConnect() {
        Observation o = get(Map.of(), "url=" + base + "/slow");
        assertThat(((Number) o.facts().get("first_byte_ms")).doubleValue()).as(o.toString()).isGreaterThanOrEqualTo(650);
        assertThat(((Number) o.facts().get("connect_ms")).doubleValue()).isLessThan(300);
    }

    @Test
    void slowerThanTheTimeoutIsNoResponse() {
        Observation o = get(Map.of(), "url=" + base + "/slow", "timeout=200ms");
        assertThat(o.cause()).as(o.toString()).contains("tcp.no-response");
    }

    @Test
    void proxyFromTheEnvironmentCarriesTheRequestAndIsNamed() {
        PROXIED.clear();
        Observation o = get(Map.of("HTTP_PROXY", proxyUrl), "url=" + base + "/ok");
        assertThat(o.status()).as(o.toString()).isEqualTo(Status.WARN);
        assertThat(o.cause()).contains("proxy.env");
        assertThat(o.facts()).containsEntry("proxy_variables", List.of("HTTP_PROXY=" + proxyUrl));
        assertThat(PROXIED).containsExactly("GET " + base + "/ok");
    }

    @Test
    void noProxyForTheHostGoesDirect() {
        PROXIED.clear();
        Observation o = get(Map.of("http_proxy", proxyUrl, "no_proxy", "localhost,127.0.0.1"), "url=" + base + "/ok");
        assertThat(o.status()).as(o.toString()).isEqualTo(Status.OK);
        assertThat(o.facts()).containsEntry("no_proxy", List.of("no_proxy=localhost,127.0.0.1"));
        assertThat(PROXIED).isEmpty();
    }

    @Test
    void proxyOffIgnoresTheEnvironment() {
        PROXIED.clear();
        Observation o = get(Map.of("HTTP_PROXY", proxyUrl), "url=" + base + "/ok", "proxy=off");
        assertThat(o.status()).as(o.toString()).isEqualTo(Status.OK);
        assertThat(PROXIED).isEmpty();
    }

    @Test
    void deadProxyInTheEnvironmentIsProxyEnv() throws IOException {
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        Observation o = get(Map.of("HTTPS_PROXY", "http://127.0.0.1:" + closed, "HTTP_PROXY", "http://127.0.0.1:" + closed),
                "url=" + base + "/ok");
        assertThat(o.cause()).as(o.toString()).contains("proxy.env");
        assertThat(o.summary()).contains("HTTP_PROXY=http://127.0.0.1:" + closed).contains("connect");
    }

    @Test
    void closedPortIsRefused() throws IOException {
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        assertThat(get(Map.of(), "url=http://127.0.0.1:" + closed + "/").cause()).contains("tcp.refused");
    }

    @Test
    void httpsIsTimedAndJudgedAgainstTheGivenCa() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(java.util.stream.Stream.of(System.getenv().getOrDefault("PATH", "").split(":"))
                .anyMatch(d -> !d.isEmpty() && java.nio.file.Files.isExecutable(java.nio.file.Path.of(d, "openssl"))),
                "skipped: needs 'openssl' on PATH for a TLS server");
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("reach-http-it");
        Process server = null;
        try {
            Process gen = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                    "-keyout", "key.pem", "-out", "cert.pem", "-subj", "/CN=localhost", "-days", "30",
                    "-addext", "subjectAltName=IP:127.0.0.1").directory(dir.toFile()).redirectErrorStream(true).start();
            gen.getInputStream().readAllBytes();
            assertThat(gen.waitFor(30, java.util.concurrent.TimeUnit.SECONDS) && gen.exitValue() == 0).isTrue();
            int port;
            try (ServerSocket s = new ServerSocket(0)) {
                port = s.getLocalPort();
            }
            server = new ProcessBuilder("openssl", "s_server", "-accept", "127.0.0.1:" + port, "-cert", "cert.pem", "-key", "key.pem", "-www")
                    .directory(dir.toFile()).redirectErrorStream(true).start();
            var out = new java.io.BufferedReader(new java.io.InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
            String line = null;
            for (int i = 0; i < 20 && (line = out.readLine()) != null && !line.startsWith("ACCEPT"); i++) {
                // skip the banner lines before ACCEPT
            }
            assertThat(line).as("s_server did not start").startsWith("ACCEPT");
            Thread.ofVirtual().start(() -> { try { out.transferTo(java.io.Writer.nullWriter()); } catch (IOException e) { /* stopped */ } });

            Observation ok = get(Map.of(), "url=https://127.0.0.1:" + port + "/", "ca=" + dir.resolve("cert.pem"));
            assertThat(ok.status()).as(ok.toString()).isEqualTo(Status.OK);
            assertThat(ok.facts()).containsEntry("status", 200).containsKey("tls_ms");
            Observation untrusted = get(Map.of(), "url=https://127.0.0.1:" + port + "/");
            assertThat(untrusted.cause()).as(untrusted.toString()).contains("tls.untrusted");
            try (ServerSocket tunnel = new ServerSocket(0, 4, java.net.InetAddress.getLoopbackAddress())) {
                List<String> asked = new CopyOnWriteArrayList<>();
                Thread proxyThread = Thread.ofVirtual().start(() -> connectProxy(tunnel, asked));
                Observation proxied = get(Map.of("HTTPS_PROXY", "http://127.0.0.1:" + tunnel.getLocalPort()),
                        "url=https://127.0.0.1:" + port + "/", "ca=" + dir.resolve("cert.pem"));
                assertThat(proxied.cause()).as(proxied.toString()).contains("proxy.env");
                assertThat(proxied.facts()).containsEntry("status", 200).containsKey("tls_ms");
                assertThat(asked).containsExactly("CONNECT 127.0.0.1:" + port + " HTTP/1.1");
                tunnel.close();
                proxyThread.join(java.time.Duration.ofSeconds(5));
            }
        } finally {
            if (server != null) server.destroyForcibly().waitFor();
            try (var files = java.nio.file.Files.list(dir)) {
                for (var f : files.toList()) java.nio.file.Files.delete(f);
            }
            java.nio.file.Files.delete(dir);
        }
    }

    /** A one-connection CONNECT proxy: reads the request head, answers 200, then copies bytes both ways. */
    private static void connectProxy(ServerSocket listener, List<String> asked) {
        try (java.net.Socket client = listener.accept()) {
            var in = client.getInputStream();
            StringBuilder head = new StringBuilder();
            while (head.length() < 4096 && !head.toString().endsWith("\r\n\r\n")) {
                int b = in.read();
                if (b < 0) return;
                head.append((char) b);
            }
            String request = head.substring(0, head.indexOf("\r\n"));
            asked.add(request);
            String[] hostPort = request.split(" ")[1].split(":");
            try (java.net.Socket upstream = new java.net.Socket(hostPort[0], Integer.parseInt(hostPort[1]))) {
                client.getOutputStream().write("HTTP/1.1 200 Connection established\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
                Thread back = Thread.ofVirtual().start(() -> {
                    try {
                        upstream.getInputStream().transferTo(client.getOutputStream());
                    } catch (IOException e) {
                        // one side closed
                    }
                });
                in.transferTo(upstream.getOutputStream());
                upstream.shutdownOutput();
                back.join(java.time.Duration.ofSeconds(5));
            }
        } catch (IOException | InterruptedException e) {
            // the test closed the listener or a side closed
        }
    }

    private static Observation get(Map<String, String> env, String... params) {
        return ProbeHarness.run(new HttpGetProbe(env), params);
    }

    private static void redirect(HttpExchange ex, String to) throws IOException {
        ex.getResponseHeaders().add("Location", to);
        ex.sendResponseHeaders(302, -1);
        ex.close();
    }

    private static void answer(HttpExchange ex, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.sendResponseHeaders(status, bytes.length);
        try (var out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }
}
