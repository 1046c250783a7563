package dev.reach.dist;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code reach serve} end to end: the distribution serving on loopback, asked over real HTTP, and scraped by a real
 * Prometheus (Debian's package) configured as for blackbox_exporter. Targets are loopback ports of this test: an HTTP
 * server (healthy), a port nothing listens on (refused), and a listener that accepts and never speaks.
 */
class ServeIT {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final Pattern SERVING = Pattern.compile("serving on http://127\\.0\\.0\\.1:(\\d+)/");

    private static Path dir;
    private static Path config;
    private static Cli.Running server;
    private static int port;
    private static HttpServer web;
    private static ServerSocket silent;
    private static int closed;

    @BeforeAll
    static void start() throws Exception {
        dir = Files.createTempDirectory("reach-serve");
        web = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        web.createContext("/", ex -> {
            byte[] b = "hello\n".getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, b.length);
            ex.getResponseBody().write(b);
            ex.close();
        });
        web.start();
        silent = new ServerSocket(0, 16, InetAddress.getLoopbackAddress());
        Thread.ofPlatform().daemon().name("serve-it-mute").start(() -> {   // accepts, holds, never speaks; ends when closed
            List<java.net.Socket> held = new ArrayList<>();
            while (!silent.isClosed() && held.size() < 10_000) {
                try {
                    held.add(silent.accept());
                } catch (IOException e) {
                    break;
                }
            }
            held.forEach(h -> {
                try {
                    h.close();
                } catch (IOException e) {
                    // closing anyway
                }
            });
        });
        closed = Cli.closedPort();
        config = dir.resolve("serve.yaml");
        Files.writeString(config, """
                modules:
                  quick:
                    playbook: unreachable
                    inputs: {timeout: 1s}
                allow:
                  - 127.0.0.1/32
                """);
        server = Cli.start("serve", "--listen", "127.0.0.1:0", "--config", config.toString(), "--max-concurrent", "1");
        port = awaitPort(server);
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) {
            server.process().destroy();
            server.process().waitFor(10, TimeUnit.SECONDS);
            server.process().destroyForcibly();
        }
        if (web != null) web.stop(0);
        if (silent != null) silent.close();
    }

    @Test
    void aHealthyTargetAndARefusedOneSayWhyInPrometheusText() throws Exception {
        var ok = get("/probe?target=" + url("http://127.0.0.1:" + web.getAddress().getPort() + "/"));
        assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
        assertThat(ok.headers().firstValue("Content-Type")).contains("text/plain; version=0.0.4; charset=utf-8");
        assertThat(ok.body()).contains("reach_probe_success 1\n", "reach_verdict{cause=\"ok\",confidence=\"certain\"} 1\n",
                "reach_http_status_code{step=\"http\"} 200\n", "reach_step_status{step=\"connect\",probe=\"tcp.connect\",status=\"ok\"} 1\n");

        var refused = get("/probe?target=127.0.0.1:" + closed + "&module=quick");
        assertThat(refused.statusCode()).isEqualTo(200);            // the target failing is an answer, not an error
        assertThat(refused.body()).contains("reach_probe_success 0\n", "reach_verdict{cause=\"tcp.refused\",confidence=\"certain\"} 1\n");

        var json = get("/probe?target=127.0.0.1:" + closed + "&format=json");
        JsonNode report = new ObjectMapper().readTree(json.body());
        assertThat(report.path("schema").asText()).isEqualTo("reach.run/1");
        assertThat(report.path("verdict").path("cause").asText()).isEqualTo("tcp.refused");
    }

    @Test
    void mistakesInARequestAreA400ThatSaysWhatToWrite() throws Exception {
        var none = get("/probe");
        assertThat(none.statusCode()).isEqualTo(400);
        assertThat(none.body()).contains("give target=HOST:PORT");
        var unknown = get("/probe?target=127.0.0.1:1&module=nosuch");
        assertThat(unknown.statusCode()).isEqualTo(400);
        assertThat(unknown.body()).contains("no module or installed playbook 'nosuch'; known: ", "quick", "unreachable");
        var path = get("/probe?target=127.0.0.1:1&playbook=..%2F..%2Fetc%2Fpasswd");
        assertThat(path.statusCode()).isEqualTo(400);
        var fixed = get("/probe?target=127.0.0.1:1&module=quick&timeout=9s");
        assertThat(fixed.statusCode()).isEqualTo(400);
        assertThat(fixed.body()).contains("input 'timeout' is fixed by module 'quick'");
        var noPort = get("/probe?target=127.0.0.1");
        assertThat(noPort.statusCode()).isEqualTo(400);
        assertThat(noPort.body()).contains("target 127.0.0.1 has no port: write HOST:PORT");
        var badInput = get("/probe?target=127.0.0.1:1&nosuch=1");
        assertThat(badInput.statusCode()).isEqualTo(400);
        assertThat(get("/nothing").statusCode()).isEqualTo(404);
    }

    @Test
    void aTargetOutsideTheAllowListIsRefused() throws Exception {
        var r = get("/probe?target=127.0.0.2:" + closed);
        assertThat(r.statusCode()).isEqualTo(403);
        assertThat(r.body()).contains("target 127.0.0.2:" + closed + " is not in the allow list of " + config);
    }

    @Test
    void beyondMaxConcurrentARequestGets503AndTheServerCountsItself() throws Exception {
        // the silent listener keeps a diagnosis busy for seconds (the service's greeting never comes)
        CompletableFuture<HttpResponse<String>> slow = CompletableFuture.supplyAsync(() -> {
            try {
                return get("/probe?target=127.0.0.1:" + silent.getLocalPort());
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        boolean running = false;
        for (int i = 0; i < 100 && !running; i++) {        // at most 10 s
            running = get("/metrics").body().contains("reach_serve_in_flight 1\n");
            if (!running) Thread.sleep(100);
        }
        assertThat(running).as("the slow diagnosis runs").isTrue();
        var busy = get("/probe?target=127.0.0.1:" + closed);
        assertThat(busy.statusCode()).isEqualTo(503);
        assertThat(busy.body()).contains("busy: 1 diagnoses run already (--max-concurrent 1)");
        var done = slow.get(30, TimeUnit.SECONDS);
        assertThat(done.statusCode()).isEqualTo(200);
        assertThat(done.body()).contains("reach_probe_success 0");
        String metrics = get("/metrics").body();
        assertThat(metrics).contains("reach_serve_requests_total{path=\"/probe\",code=\"503\"} ", "reach_serve_in_flight 0\n");
    }

    @Test
    void sighupReloadsTheConfigurationAndABrokenOneLeavesTheOldInPlace() throws Exception {
        String before = Files.readString(config);
        try {
            Files.writeString(config, before.replace("modules:", "modules:\n  later:\n    inputs: {timeout: 1s}"));
            hangUp();
            awaitMetric("reach_serve_config_reloads_total{result=\"ok\"} 1");
            var later = get("/probe?target=127.0.0.1:" + closed + "&module=later");
            assertThat(later.statusCode()).as(later.body()).isEqualTo(200);

            Files.writeString(config, "modules: [\n");
            hangUp();
            awaitMetric("reach_serve_config_reloads_total{result=\"error\"} 1");
            assertThat(get("/metrics").body()).contains("reach_serve_config_last_reload_successful 0");
            assertThat(get("/probe?target=127.0.0.1:" + closed + "&module=later").statusCode()).isEqualTo(200);
        } finally {
            Files.writeString(config, before);
        }
    }

    @Test
    void aTokenGuardsEveryPageButHealthAndAnotherAddressNeedsOne() throws Exception {
        Cli.Result open = Cli.reach("serve", "--listen", "0.0.0.0:0");
        assertThat(open.exit()).isEqualTo(2);
        assertThat(open.err()).contains("serve --listen 0.0.0.0:0 is not a loopback address", "--token-file FILE");
        Cli.Result named = Cli.reach("serve", "--listen", "web01:9720");
        assertThat(named.exit()).isEqualTo(2);
        assertThat(named.err()).contains("the host is an address");

        Path token = dir.resolve("token");
        Files.writeString(token, "short\n");
        Cli.Result weak = Cli.reach("serve", "--token-file", token.toString());
        assertThat(weak.exit()).isEqualTo(2);
        assertThat(weak.err()).contains("at least 16 printable characters");

        Files.writeString(token, "0123456789abcdef0123456789abcdef\n");
        Cli.Running guarded = Cli.start("serve", "--listen", "127.0.0.1:0", "--token-file", token.toString());
        try {
            int p = awaitPort(guarded);
            String probe = "http://127.0.0.1:" + p + "/probe?target=127.0.0.1:" + closed;
            var anonymous = HTTP.send(HttpRequest.newBuilder(URI.create(probe)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(anonymous.statusCode()).isEqualTo(401);
            assertThat(anonymous.headers().firstValue("WWW-Authenticate")).contains("Bearer realm=\"reach\"");
            var wrong = HTTP.send(HttpRequest.newBuilder(URI.create(probe)).header("Authorization", "Bearer 0123456789abcdef0123456789abcdeX")
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(wrong.statusCode()).isEqualTo(401);
            var right = HTTP.send(HttpRequest.newBuilder(URI.create(probe)).header("Authorization", "Bearer 0123456789abcdef0123456789abcdef")
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(right.statusCode()).isEqualTo(200);
            var health = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + p + "/-/healthy")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(health.statusCode()).isEqualTo(200);
        } finally {
            guarded.process().destroy();
            guarded.process().waitFor(10, TimeUnit.SECONDS);
        }
    }

    /**
     * A real Prometheus scrapes reach serve the blackbox way (targets relabelled into ?target=), and its query API gives
     * each target's cause back as a label.
     */
    @Test
    void prometheusScrapesCausesAsLabels() throws Exception {
        Path binary = Path.of("/usr/bin/prometheus");
        assumeTrue(Files.isExecutable(binary), "skipped: prometheus is missing (apt-get install prometheus; .ci/setup does)");
        int promPort = Cli.closedPort();
        String ok = "http://127.0.0.1:" + web.getAddress().getPort() + "/";
        String refused = "127.0.0.1:" + closed;
        String mute = "127.0.0.1:" + silent.getLocalPort();
        Path promConfig = dir.resolve("prometheus.yml");
        Files.writeString(promConfig, """
                global:
                  scrape_interval: 5s
                  scrape_timeout: 5s
                scrape_configs:
                  - job_name: reach
                    metrics_path: /probe
                    params:
                      module: [unreachable]
                    static_configs:
                      - targets: ['%s', '%s', '%s']
                    relabel_configs:
                      - source_labels: [__address__]
                        target_label: __param_target
                      - source_labels: [__param_target]
                        target_label: instance
                      - target_label: __address__
                        replacement: 127.0.0.1:%d
                """.formatted(ok, refused, mute, port));
        Path log = dir.resolve("prometheus.log");
        Cli.Running scraped = Cli.start("serve", "--listen", "127.0.0.1:0");       // its own: the others' allows one run at once
        int scrapedPort = awaitPort(scraped);
        Files.writeString(promConfig, Files.readString(promConfig).replace("replacement: 127.0.0.1:" + port,
                "replacement: 127.0.0.1:" + scrapedPort));
        Process prom = new ProcessBuilder(binary.toString(), "--config.file=" + promConfig, "--storage.tsdb.path=" + dir.resolve("tsdb"),
                "--web.listen-address=127.0.0.1:" + promPort).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            Map<String, String> causes = new TreeMap<>();
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (causes.size() < 3 && System.nanoTime() < end && prom.isAlive()) {
                Thread.sleep(1000);
                causes = causes(promPort);
            }
            assertThat(causes).as("reach_verdict by instance, read from Prometheus; its log: %s",
                    Files.exists(log) ? Files.readString(log) : "").containsExactlyInAnyOrderEntriesOf(Map.of(
                    ok, "ok", refused, "tcp.refused", mute, "tcp.no-response"));
        } finally {
            prom.destroy();
            if (!prom.waitFor(10, TimeUnit.SECONDS)) prom.destroyForcibly();
            scraped.process().destroy();
            scraped.process().waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** {@code reach_verdict}'s cause label by instance, from Prometheus' query API (empty while it has none). */
    private static Map<String, String> causes(int promPort) {
        Map<String, String> out = new TreeMap<>();
        try {
            var r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + promPort + "/api/v1/query?query=reach_verdict"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            for (JsonNode series : new ObjectMapper().readTree(r.body()).path("data").path("result")) {
                out.put(series.path("metric").path("instance").asText(), series.path("metric").path("cause").asText());
            }
        } catch (IOException | InterruptedException e) {
            // not up yet
        }
        return out;
    }

    private static void hangUp() throws Exception {
        Process kill = new ProcessBuilder("kill", "-HUP", Long.toString(server.process().pid())).start();
        assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(kill.exitValue()).isZero();
    }

    private static void awaitMetric(String line) throws Exception {
        for (int i = 0; i < 100; i++) {       // at most 10 s
            if (get("/metrics").body().contains(line)) return;
            Thread.sleep(100);
        }
        assertThat(get("/metrics").body()).contains(line);
    }

    private static HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(60)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static String url(String s) {
        return java.net.URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    /** The port a 'reach serve --listen 127.0.0.1:0' says it took, once it says so (at most 60 s). */
    private static int awaitPort(Cli.Running running) throws Exception {
        List<String> seen = new ArrayList<>();
        for (int i = 0; i < 600; i++) {
            String out = Files.readString(running.out());
            Matcher m = SERVING.matcher(out);
            if (m.find()) return Integer.parseInt(m.group(1));
            if (!running.process().isAlive()) break;
            Thread.sleep(100);
        }
        seen.add(Files.readString(running.out()));
        seen.add(Files.readString(running.err()));
        throw new AssertionError("reach serve did not start: " + seen);
    }
}
