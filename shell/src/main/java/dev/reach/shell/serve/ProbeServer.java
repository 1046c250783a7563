package dev.reach.shell.serve;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.reach.core.Reach;
import dev.reach.core.playbook.PlaybookException;
import dev.reach.core.report.JsonReport;
import dev.reach.core.report.PrometheusReport;
import dev.reach.core.run.RunOptions;
import dev.reach.core.run.RunResult;
import dev.reach.core.run.UsageException;
import dev.reach.shell.command.DiagnoseCommand;
import dev.reach.shell.command.EngineSetup;

import java.io.IOException;
import java.io.OutputStream;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

/**
 * The HTTP side of {@code reach serve} (the JDK's own server: nothing to add to the distribution, and it starts in a
 * few milliseconds): {@code /probe} runs a playbook against {@code target} and answers in the Prometheus text format
 * (or JSON), {@code /metrics} says how the server does, {@code /-/healthy} that it is up. One engine serves every
 * request; each run is its own (fresh lookups, fresh TLS contexts), at most {@code maxConcurrent} at once.
 */
final class ProbeServer implements AutoCloseable {
    /** How much of a scrape's own timeout is kept for the answer to travel back (as blackbox_exporter keeps). */
    static final Duration SCRAPE_MARGIN = Duration.ofMillis(500);
    static final String DEFAULT_PLAYBOOK = "unreachable";

    private final Reach reach;
    private final AtomicReference<ServeConfig> config;
    private final byte[] token;
    private final Semaphore slots;
    private final int maxConcurrent;
    private final Duration defaultTimeout;
    private final ServerMetrics metrics = new ServerMetrics();
    private final HttpServer server;
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();

    /**
     * @param token null for none (loopback only); else what {@code Authorization: Bearer} must say
     */
    ProbeServer(Reach reach, InetSocketAddress listen, ServeConfig config, String token, int maxConcurrent,
                Duration defaultTimeout) throws IOException {
        this.reach = reach;
        this.config = new AtomicReference<>(config);
        this.token = token == null ? null : token.getBytes(StandardCharsets.UTF_8);
        this.maxConcurrent = maxConcurrent;
        this.slots = new Semaphore(maxConcurrent);
        this.defaultTimeout = defaultTimeout;
        this.server = HttpServer.create(listen, 64);
        server.createContext("/", this::handle);
        server.setExecutor(threads);
    }

    private volatile dev.reach.shell.history.Recorder history = dev.reach.shell.history.Recorder.off();
    private volatile java.io.PrintWriter log = new java.io.PrintWriter(java.io.OutputStream.nullOutputStream());

    /** Records every diagnosis it serves in {@code history}; says on {@code log}, once, when it cannot. */
    void history(dev.reach.shell.history.Recorder recorder, java.io.PrintWriter problems) {
        this.history = recorder;
        this.log = problems;
    }

    void start() {
        server.start();
    }

    /** The address it listens on (the port when 0 was asked for). */
    InetSocketAddress address() {
        return server.getAddress();
    }

    /** Replaces the configuration (SIGHUP); runs already started keep the one they began with. */
    void reconfigure(ServeConfig next) {
        config.set(next);
        metrics.reload(true);
    }

    /** A reload that failed: the old configuration stays. */
    void reloadFailed() {
        metrics.reload(false);
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }

    /** An answer: status code, media type, body. */
    private record Answer(int code, String type, String body) {
        static Answer text(int code, String body) {
            return new Answer(code, "text/plain; charset=utf-8", body.endsWith("\n") ? body : body + "\n");
        }
    }

    private void handle(HttpExchange ex) throws IOException {
        long t0 = System.nanoTime();
        String path = ex.getRequestURI().getPath();
        String known = switch (path) {
            case "/probe", "/metrics", "/-/healthy", "/" -> path;
            default -> "other";
        };
        Answer a;
        try {
            a = answer(ex, path);
        } catch (RuntimeException e) {
            a = Answer.text(500, "reach: internal error: " + e);
        }
        byte[] body = a.body().getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", a.type());
        if (a.code() == 401) ex.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"reach\"");
        ex.sendResponseHeaders(a.code(), body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        } finally {
            metrics.request(known, a.code(), (System.nanoTime() - t0) / 1e9);
        }
    }

    private Answer answer(HttpExchange ex, String path) {
        if (!ex.getRequestMethod().equals("GET")) return Answer.text(405, "reach: only GET is served");
        if (path.equals("/-/healthy")) return Answer.text(200, "Healthy");
        if (token != null && !authorised(ex.getRequestHeaders().getFirst("Authorization"))) {
            return Answer.text(401, "reach: this server wants 'Authorization: Bearer TOKEN' (the token of its --token-file)");
        }
        return switch (path) {
            case "/metrics" -> new Answer(200, PrometheusReport.CONTENT_TYPE, metrics.render());
            case "/probe" -> probe(ex);
            case "/" -> Answer.text(200, """
                    reach serve: the diagnosis over HTTP
                      /probe?target=HOST:PORT[&module=NAME][&format=json][&NAME=VALUE...]   one diagnosis (Prometheus text or JSON)
                      /metrics                                                            this server's own metrics
                      /-/healthy                                                          whether it is up
                    docs/metrics.md says what each metric means.""");
            default -> Answer.text(404, "reach: no such page: " + path + " (try /probe, /metrics, /-/healthy)");
        };
    }

    private boolean authorised(String header) {
        if (header == null || !header.startsWith("Bearer ")) return false;
        byte[] given = header.substring("Bearer ".length()).strip().getBytes(StandardCharsets.UTF_8);
        return MessageDigest.isEqual(given, token);    // in constant time
    }

    private Answer probe(HttpExchange ex) {
        Map<String, String> query;
        try {
            query = query(ex.getRequestURI().getRawQuery());
        } catch (IllegalArgumentException e) {
            return Answer.text(400, "reach: " + e.getMessage());
        }
        String target = query.remove("target");
        if (target == null || target.isBlank()) {
            return Answer.text(400, "reach: give target=HOST:PORT or target=URL, like /probe?target=127.0.0.1:5432");
        }
        String module = query.remove("module");
        String playbookName = query.remove("playbook");
        if (module != null && playbookName != null && !module.equals(playbookName)) {
            return Answer.text(400, "reach: module and playbook name the same thing; give one");
        }
        String name = module != null ? module : playbookName != null ? playbookName : DEFAULT_PLAYBOOK;
        String format = query.remove("format");
        if (format != null && !format.equals("json") && !format.equals("prometheus")) {
            return Answer.text(400, "reach: format=" + format + ": prometheus (the default) or json");
        }
        ServeConfig cfg = config.get();
        ServeConfig.Module m = cfg.modules().get(name);
        if (m == null) {
            Path installed = installed(name);
            if (installed == null) {
                return Answer.text(400, "reach: no module or installed playbook '" + name + "'; known: " + String.join(", ", known(cfg)));
            }
            m = new ServeConfig.Module(installed.toString(), Map.of(), null);
        } else if (m.playbook().matches("[A-Za-z0-9_-]+")) {
            Path installed = installed(m.playbook());
            if (installed == null) return Answer.text(400, "reach: module '" + name + "': no installed playbook '" + m.playbook() + "'");
            m = new ServeConfig.Module(installed.toString(), m.inputs(), m.timeout());
        }
        Map<String, Object> targetInputs;
        try {
            targetInputs = DiagnoseCommand.inputs(target);
        } catch (IllegalArgumentException e) {
            return Answer.text(400, "reach: target " + e.getMessage());
        }
        if (!cfg.allows(String.valueOf(targetInputs.get("host")))) {
            return Answer.text(403, "reach: target " + target + " is not in the allow list of " + cfg.file());
        }
        for (String k : query.keySet()) {
            if (m.inputs().containsKey(k)) {
                return Answer.text(400, "reach: input '" + k + "' is fixed by module '" + name + "'");
            }
        }
        Duration deadline = deadline(m, ex.getRequestHeaders().getFirst("X-Prometheus-Scrape-Timeout-Seconds"));
        if (!slots.tryAcquire()) {
            return Answer.text(503, "reach: busy: " + maxConcurrent + " diagnoses run already (--max-concurrent " + maxConcurrent + ")");
        }
        metrics.begin();
        try {
            var pb = reach.load(Path.of(m.playbook()));
            Map<String, Object> inputs = new LinkedHashMap<>();
            targetInputs.forEach((k, v) -> {
                if (pb.inputs().containsKey(k)) inputs.put(k, v);
            });
            if (!pb.inputs().containsKey("host")) {
                return Answer.text(400, "reach: playbook '" + name + "' takes no host: it cannot be pointed at a target");
            }
            if (pb.inputs().containsKey("port") && !targetInputs.containsKey("port") && !m.inputs().containsKey("port")
                    && !query.containsKey("port")) {
                return Answer.text(400, "reach: target " + target + " has no port: write HOST:PORT (db01:5432) or a URL (https://web01/)");
            }
            inputs.putAll(m.inputs());
            inputs.putAll(query);
            RunResult result = history.amend(reach.run(pb, inputs, RunOptions.defaults().withTimeout(deadline)), reach.causes());
            history.record(result);
            history.problem().ifPresent(p -> {
                log.println("reach serve: runs are not recorded in the history: " + p);
                log.flush();
            });
            if ("json".equals(format)) {
                StringWriter w = new StringWriter();
                new JsonReport().render(result, w);
                return new Answer(200, "application/json", w + "\n");
            }
            return new Answer(200, PrometheusReport.CONTENT_TYPE, new PrometheusReport().render(result));
        } catch (UsageException e) {
            return Answer.text(400, "reach: " + String.join("; ", e.problems()));
        } catch (PlaybookException e) {
            return Answer.text(500, "reach: the playbook of '" + name + "' has problems: "
                    + String.join("; ", e.problems().stream().map(Object::toString).toList()));
        } catch (IOException e) {
            return Answer.text(500, "reach: " + e.getMessage());
        } finally {
            metrics.end();
            slots.release();
        }
    }

    /** The run's deadline: the module's (or the server's), shortened to the scrape's own timeout less a margin. */
    Duration deadline(ServeConfig.Module m, String scrapeTimeout) {
        Duration d = m.timeout() != null ? m.timeout() : defaultTimeout;
        if (scrapeTimeout != null) {
            try {
                double s = Double.parseDouble(scrapeTimeout.strip());
                if (s > 0 && Double.isFinite(s)) {
                    Duration scrape = Duration.ofMillis((long) (s * 1000)).minus(SCRAPE_MARGIN);
                    if (scrape.compareTo(Duration.ofMillis(100)) < 0) scrape = Duration.ofMillis(100);
                    if (scrape.compareTo(d) < 0) d = scrape;
                }
            } catch (NumberFormatException e) {
                // not a number: the configured deadline stands
            }
        }
        return d;
    }

    /** An installed playbook by bare name ({@code unreachable}, {@code tls}), or null: never a path from a request. */
    static Path installed(String name) {
        if (!name.matches("[A-Za-z0-9_-]{1,64}")) return null;
        Path dir = EngineSetup.playbooksDir();
        for (String ext : List.of(".yaml", ".js")) {
            Path p = dir.resolve(name + ext);
            if (Files.isRegularFile(p)) return p;
        }
        return null;
    }

    private static List<String> known(ServeConfig cfg) {
        TreeSet<String> names = new TreeSet<>(cfg.modules().keySet());
        try (Stream<Path> files = Files.list(EngineSetup.playbooksDir())) {
            files.map(p -> p.getFileName().toString()).filter(f -> f.endsWith(".yaml") || f.endsWith(".js"))
                    .map(f -> f.substring(0, f.lastIndexOf('.'))).forEach(names::add);
        } catch (IOException e) {
            // no installed playbooks to list
        }
        return List.copyOf(names);
    }

    /** The query's NAME=VALUE pairs, decoded; a name given twice is an error. */
    static Map<String, String> query(String raw) {
        Map<String, String> out = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) return out;
        for (String pair : raw.split("&")) {
            if (pair.isEmpty()) continue;
            int eq = pair.indexOf('=');
            String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            if (out.put(k, v) != null) throw new IllegalArgumentException("'" + k + "' is given twice");
        }
        return out;
    }

    /** Whether {@code host} (as --listen gives it) is a loopback address: no other machine can reach it. */
    static boolean loopback(String host) {
        return ServeConfig.literal(host.startsWith("[") ? host.substring(1, host.length() - 1) : host)
                .map(java.net.InetAddress::isLoopbackAddress).orElse(host.equalsIgnoreCase("localhost"));
    }
}
