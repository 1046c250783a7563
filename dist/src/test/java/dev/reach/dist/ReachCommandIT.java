package dev.reach.dist;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static dev.reach.dist.Cli.reach;
import static org.assertj.core.api.Assertions.assertThat;

/** The reach command end to end: the built distribution, real processes, real loopback sockets. */
class ReachCommandIT {

    /**
     * What the launcher does once per build: the training run (loopback only) records a JDK AOT cache, and a
     * start with that cache loads classes from it and runs as before.
     */
    @Test
    void trainingRunRecordsAStartUpCacheThatAStartUses(@TempDir Path dir) throws Exception {
        String out = trainAndStart(dir, List.of(), List.of("--version"), 0);
        assertThat(out).contains("reach ");
    }

    /**
     * The cache of {@code reach probe}: its training runs one probe of each kind but TLS (a nameserver, a scan, a
     * route, against servers of its own on loopback), each of which must end ok; a probe then starts with it.
     */
    @Test
    void probeTrainingRecordsTheCacheAProbeStartsWith(@TempDir Path dir) throws Exception {
        int closed = Cli.closedPort();
        String out = trainAndStart(dir, List.of("probe"), List.of("probe", "tcp.connect", "host=127.0.0.1", "port=" + closed, "--no-history"), 1);
        assertThat(out).contains("127.0.0.1:" + closed + " refused the connection");
    }

    /** The cache of the TLS and HTTP probes: TLS and HTTP against an HTTPS server of its own, each ok; a TLS probe starts with it. */
    @Test
    void tlsProbeTrainingRecordsTheCacheATlsProbeStartsWith(@TempDir Path dir) throws Exception {
        int closed = Cli.closedPort();
        String out = trainAndStart(dir, List.of("probe-tls"),
                List.of("probe", "tls.handshake", "host=127.0.0.1", "port=" + closed, "--no-history"), 1);
        assertThat(out).contains("refused").containsPattern("sun\\.security\\.ssl\\.\\S+ source: shared objects file");
    }

    /** Trains a cache ({@code dev.reach.shell.Training} with {@code training}), then runs {@code command} with it; its output. */
    private static String trainAndStart(Path dir, List<String> training, List<String> command, int exit) throws Exception {
        Path cache = dir.resolve("reach.aot");
        String javaCommand = ProcessHandle.current().info().command().orElse("java");
        List<String> jvm = List.of(javaCommand, "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "--enable-native-access=ALL-UNNAMED",
                "--sun-misc-unsafe-memory-access=allow", "-Dreach.home=" + Cli.HOME, "-Dreach.history=" + dir.resolve("history.db"),
                "-cp", Cli.HOME.resolve("lib") + "/*");
        List<String> train = new ArrayList<>(jvm);
        train.addAll(List.of("-XX:AOTCacheOutput=" + cache, "dev.reach.shell.Training"));
        train.addAll(training);
        Process p = new ProcessBuilder(train).redirectErrorStream(true).redirectOutput(dir.resolve("train.txt").toFile()).start();
        assertThat(p.waitFor(120, java.util.concurrent.TimeUnit.SECONDS)).as("training finishes").isTrue();
        assertThat(p.exitValue()).as(Files.readString(dir.resolve("train.txt"))).isZero();
        assertThat(Files.size(cache)).as("the cache").isGreaterThan(1 << 20);

        List<String> start = new ArrayList<>(jvm);
        start.addAll(List.of("-XX:AOTCache=" + cache, "-Xlog:class+load", "dev.reach.shell.Main"));
        start.addAll(command);
        Process run = new ProcessBuilder(start).redirectErrorStream(true).redirectOutput(dir.resolve("run.txt").toFile()).start();
        assertThat(run.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        String out = Files.readString(dir.resolve("run.txt"));
        assertThat(run.exitValue()).as(out).isEqualTo(exit);
        assertThat(out).contains("dev.reach.shell.Main source: shared objects file").doesNotContain("[error]");
        return out;
    }

    @Test
    void probeOfAClosedPortFailsWithTcpRefusedAndExitsOne() throws Exception {
        int port = Cli.closedPort();
        var r = reach("probe", "tcp.connect", "host=127.0.0.1", "port=" + port);
        assertThat(r.exit()).as(r.toString()).isEqualTo(1);
        assertThat(r.out()).contains("✘ tcp.connect").contains("127.0.0.1:" + port + " refused the connection")
                .contains("Verdict: tcp.refused");
        // nothing on stderr: the ICMP echo raced beside the SYN used to outlive the probe and die loading a class
        // from its plugin's closed class loader, a stack trace as the command exited
        assertThat(r.err()).as(r.toString()).isEmpty();
    }

    /** --format nagios: one line and the Monitoring Plugins' states as exit codes (a warning is in DiagnosisLabIT). */
    @Test
    void nagiosFormatIsOneLineWithTheStateAsExitCode() throws Exception {
        int port = Cli.closedPort();
        var critical = reach("127.0.0.1:" + port, "--format", "nagios");
        assertThat(critical.exit()).as(critical.toString()).isEqualTo(2);
        assertThat(critical.out().lines().toList()).singleElement().asString()
                .startsWith("tcp.refused - 127.0.0.1:" + port + " refused the connection: nothing listens on tcp port " + port)
                .contains(" | duration=", "'connect'=");
        try (ServerSocket server = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
            var ok = reach("probe", "tcp.connect", "host=127.0.0.1", "port=" + server.getLocalPort(), "--format", "nagios");
            assertThat(ok.exit()).as(ok.toString()).isZero();
            assertThat(ok.out()).startsWith("ok - ");
        }
        var unknown = reach("probe", "tcp.connect", "host=127.0.0.1", "prot=1", "--format", "nagios");
        assertThat(unknown.exit()).as(unknown.toString()).isEqualTo(3);
        assertThat(unknown.out()).startsWith("UNKNOWN - unknown parameter 'prot' for tcp.connect; did you mean 'port'?");
        var both = reach("127.0.0.1:" + port, "--json", "--format", "nagios");
        assertThat(both.exit()).isEqualTo(2);
        assertThat(both.err()).contains("--json and --format nagios ask for two formats; give one");
    }

    /** --format prometheus: the text node_exporter's textfile collector reads. */
    @Test
    void prometheusFormatIsTheTextFormat() throws Exception {
        int port = Cli.closedPort();
        var r = reach("probe", "tcp.connect", "host=127.0.0.1", "port=" + port, "--format", "prometheus");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.out()).startsWith("# HELP reach_probe_success ").contains("reach_probe_success 0\n",
                "reach_verdict{cause=\"tcp.refused\",confidence=\"likely\"} 1\n");
    }

    @Test
    void probeOfAnOpenPortIsHealthyAndExitsZero() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
            var r = reach("probe", "tcp.connect", "host=127.0.0.1", "port=" + server.getLocalPort(), "--json");
            assertThat(r.exit()).as(r.toString()).isZero();
            JsonNode json = new ObjectMapper().readTree(r.out());
            assertThat(json.get("schema").asText()).isEqualTo("reach.run/1");
            assertThat(json.get("verdict").get("cause").asText()).isEqualTo("ok");
            assertThat(json.get("steps").get(0).get("facts").get("outcome").asText()).isEqualTo("ok");
            assertThat(json.get("exit_code").asInt()).isZero();
        }
    }

    @Test
    void typoInAProbeParameterIsAUsageErrorWithASuggestion() throws Exception {
        var r = reach("probe", "tcp.connect", "host=127.0.0.1", "prot=22");
        assertThat(r.exit()).as(r.toString()).isEqualTo(2);
        assertThat(r.err()).contains("unknown parameter 'prot' for tcp.connect; did you mean 'port'?")
                .doesNotContain("Exception");
        assertThat(r.out()).isEmpty();
    }

    @Test
    void badParameterValueNamesTheAllowedValues() throws Exception {
        var r = reach("probe", "tcp.connect", "host=127.0.0.1", "port=22", "family=ipv4");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("'ipv4' is not allowed (allowed: any, 4, 6)");
    }

    @Test
    void unknownProbeIsAUsageError() throws Exception {
        var r = reach("probe", "tcp.conect", "host=127.0.0.1", "port=22");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("unknown probe 'tcp.conect'; did you mean 'tcp.connect'?");
    }

    /** A misspelt descriptor key reads as a missing one: the problem says which keys, and names the plugin's path once. */
    /**
     * A run records itself in the history the environment names, with SQLite from the distribution's own unpacked
     * library (not copied to /tmp on every start); --no-history records nothing; history and diff read it back.
     */
    @Test
    void runsAreRecordedInTheHistoryAndReadBack(@TempDir Path tmp) throws Exception {
        if (System.getProperty("os.arch").equals("amd64")) {
            assertThat(Cli.HOME.resolve("lib/native/sqlite/Linux/x86_64/libsqlitejdbc.so")).isRegularFile();
        }
        int closed = Cli.closedPort();
        var env = java.util.Map.of("REACH_HISTORY", tmp.resolve("h/history.db").toString());
        assertThat(reach(env, "probe", "tcp.connect", "host=127.0.0.1", "port=" + closed, "-q").exit()).isEqualTo(1);
        assertThat(reach(env, "probe", "tcp.connect", "host=127.0.0.1", "port=" + closed, "-q", "--no-history").exit()).isEqualTo(1);
        var r = reach(env, "probe", "tcp.connect", "host=127.0.0.1", "port=" + closed, "-q");
        assertThat(r.err()).as(r.toString()).doesNotContain("history");
        var listed = reach(env, "history", "127.0.0.1:" + closed, "--json");
        JsonNode runs = new ObjectMapper().readTree(listed.out()).path("runs");
        assertThat(runs.size()).as(listed.toString()).isEqualTo(2);
        assertThat(runs.get(0).path("playbook").asText()).isEqualTo("probe tcp.connect");
        assertThat(runs.get(0).path("cause").asText()).isEqualTo("tcp.refused");
        var diff = reach(env, "diff", "127.0.0.1:" + closed);
        assertThat(diff.exit()).as(diff.toString()).isZero();
        assertThat(diff.out()).contains("127.0.0.1:" + closed + ": run 1 (").contains("→ run 2 (");
        var off = reach(java.util.Map.of("REACH_HISTORY", "off"), "history");
        assertThat(off.err()).contains("the run history is off");
        assertThat(reach(env, "diff", "db01:1").exit()).isEqualTo(2);
    }

    @Test
    void aMisspeltPluginIdSaysWhichKeysAndNamesThePathOnce(@TempDir Path tmp) throws Exception {
        Path bad = Files.createDirectories(tmp.resolve("plugins/bad"));
        Files.writeString(bad.resolve("plugin.properties"), "plugin.Id=smtp\nplugin.version=1.0.0\nplugin.provider=me\n");
        var r = reach("plugins", "--plugins", tmp.resolve("plugins").toString());
        assertThat(r.exit()).as(r.toString()).isEqualTo(1);
        assertThat(r.out()).contains("  ✘ '" + bad + "' has an invalid plugin descriptor: field 'id' cannot be empty"
                + " (plugin.properties: plugin.id; or META-INF/MANIFEST.MF: Plugin-Id; both spelt exactly so)")
                .doesNotContain(bad + ": '" + bad);
    }

    /** A probe of a plugin that failed to load is unknown: the message says which plugin failed, and where to read why. */
    @Test
    void anUnknownProbeNamesThePluginsThatFailedToLoad(@TempDir Path tmp) throws Exception {
        Path plugins = Files.createDirectories(tmp.resolve("plugins"));
        PluginJars.build(tmp, plugins.resolve("future.jar"), "future", "1.0.0", ">=99.0.0", "future.probe");
        for (String command : List.of("probe", "probes")) {
            var r = reach(command, "future.probe", "--plugins", plugins.toString());
            assertThat(r.exit()).as(r.toString()).isEqualTo(2);
            assertThat(r.err()).as(command).contains("unknown probe 'future.probe'", "1 plugin problem, which may be why: plugin"
                    + " 'future' requires reach >=99.0.0", "'reach plugins' lists it");
        }
    }

    @Test
    void examplePlaybookPrintsTheBranchItTookAndTheVerdict() throws Exception {
        int port = Cli.closedPort();
        var r = reach("run", "playbooks/connect.yaml", "--set", "host=127.0.0.1", "--set", "port=" + port);
        assertThat(r.exit()).as(r.toString()).isEqualTo(1);
        assertThat(r.out()).contains("→ goto refused (on tcp.refused)").contains("Verdict: tcp.refused (certain)")
                .contains("nothing listens");
        assertThat(r.out().strip()).as("the verdict block comes last").contains("Took");
    }

    /**
     * A healthy HTTP service on a port that names no protocol, of a kind that says nothing to a TLS ClientHello and,
     * single-threaded, answers nobody while it waits for the rest of one (the JDK's own server): the diagnosis asks it
     * in HTTP once both ClientHellos went unanswered, and says ok, not tcp.no-response.
     */
    @Test
    void httpServiceSilentToTlsOnAnUnknownPortIsOk() throws Exception {
        com.sun.net.httpserver.HttpServer http = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 8);
        http.createContext("/", x -> {
            x.sendResponseHeaders(204, -1);
            x.close();
        });
        http.start();
        try {
            var r = reach("127.0.0.1:" + http.getAddress().getPort());
            assertThat(r.exit()).as(r.toString()).isZero();
            assertThat(r.out()).contains("Verdict: ok", "answered an HTTP request with \"HTTP/1.1 204 No Content\"");
        } finally {
            http.stop(0);
        }
    }

    /** Refused by this host itself: its listeners say where the service listens instead (::1 only here). */
    @Test
    void localServiceListeningOnAnotherAddressIsRefusedAndSaysWhere() throws Exception {
        try (ServerSocket v6 = new ServerSocket()) {
            try {
                v6.bind(new java.net.InetSocketAddress(InetAddress.getByName("::1"), 0), 5);
            } catch (java.io.IOException e) {
                org.junit.jupiter.api.Assumptions.abort("skipped: no IPv6 loopback here (" + e.getMessage() + ")");
            }
            // a JDK socket bound to ::1 is IPv6-only in effect: 127.0.0.1 on the same port is refused
            var r = reach("127.0.0.1:" + v6.getLocalPort());
            assertThat(r.exit()).as(r.toString()).isEqualTo(1);
            assertThat(r.out()).contains("Verdict: tcp.refused (certain)", "[::1]:" + v6.getLocalPort(), "but not on 127.0.0.1");
        }
    }

    /**
     * A local service that stopped accepting: its accept queue (backlog 1) is full, so the kernel drops further SYNs and
     * from the connect alone it looks like a firewall. The target is this host, so its listener is read: listen.overflow.
     */
    @Test
    void localServiceWithAFullAcceptQueueIsListenOverflow() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            List<java.nio.channels.SocketChannel> filling = new java.util.ArrayList<>();
            try {
                for (int i = 0; i < 4; i++) { // never accepted: two fill the queue, the rest wait as SYNs the kernel drops
                    java.nio.channels.SocketChannel c = java.nio.channels.SocketChannel.open();
                    c.configureBlocking(false);
                    c.connect(server.getLocalSocketAddress());
                    filling.add(c);
                }
                Thread.sleep(200);
                var r = reach("127.0.0.1:" + server.getLocalPort());
                assertThat(r.exit()).as(r.toString()).isEqualTo(1);
                assertThat(r.out()).contains("Verdict: listen.overflow (certain)", "is full (accept queue");
            } finally {
                for (var c : filling) c.close();
            }
        }
    }

    @Test
    void examplePlaybookOnAnOpenPortIsHealthy(@TempDir Path tmp) throws Exception {
        try (ServerSocket server = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
            Path junit = tmp.resolve("report.xml");
            var r = reach("run", "playbooks/connect.yaml", "--set", "host=127.0.0.1",
                    "--set", "port=" + server.getLocalPort(), "--junit", junit.toString());
            assertThat(r.exit()).as(r.toString()).isZero();
            assertThat(r.out()).contains("→ goto healthy (on ok)").contains("Verdict: ok (certain)");
            assertThat(Files.readString(junit)).contains("<testsuite").contains("name=\"connect (tcp.connect)\"")
                    .doesNotContain("<failure");
        }
    }

    @Test
    void playbookWithATypoIsRefusedWithLineAndColumnAndNothingRuns(@TempDir Path tmp) throws Exception {
        Path file = tmp.resolve("typo.yaml");
        Files.writeString(file, """
                # a playbook with a typo in a parameter name
                steps:
                  - id: connect
                    probe: tcp.connect
                    with:
                      host: 127.0.0.1
                      prot: 22
                """);
        var r = reach("run", file.toString());
        assertThat(r.exit()).as(r.toString()).isEqualTo(2);
        assertThat(r.err()).contains(file + ":7:7: unknown parameter 'prot' for tcp.connect; did you mean 'port'?")
                .contains("nothing ran");
        assertThat(r.out()).isEmpty();
    }

    @Test
    void missingInputIsAUsageError() throws Exception {
        var r = reach("run", "playbooks/connect.yaml", "--set", "host=127.0.0.1");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("missing required input 'port'; give it with --set port=VALUE");
    }

    static Stream<Path> shippedPlaybooks() throws Exception {
        try (var files = Files.list(Cli.REPO.resolve("playbooks"))) {
            return files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList().stream();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("shippedPlaybooks")
    void everyShippedPlaybookLoadsAndValidates(Path playbook) throws Exception {
        var r = reach("run", playbook.toString(), "--check");
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).contains(": ok (");
    }

    @Test
    void probesListsTcpConnectFromItsSpec() throws Exception {
        var r = reach("probes", "--json");
        assertThat(r.exit()).isZero();
        JsonNode specs = new ObjectMapper().readTree(r.out());
        assertThat(specs.findValuesAsText("id")).contains("tcp.connect");
        var one = reach("probes", "tcp.connect");
        assertThat(one.out()).contains("tcp.connect").contains("port=PORT (required)").contains("timeout=DURATION (default 3s");
    }

    @Test
    void reportsFitEightyColumnsWhenPipedAndTheWidthColumnsSays() throws Exception {
        int port = Cli.closedPort();
        var diagnosis = reach("127.0.0.1:" + port);
        assertThat(diagnosis.out()).as(diagnosis.toString()).startsWith("Diagnosing 127.0.0.1:" + port + " (tcp)\n");
        assertThat(diagnosis.out().lines()).allSatisfy(l -> assertThat(l.length() <= 80 || !l.strip().contains(" ")).as(l).isTrue());
        for (int width : new int[] {80, 120}) {
            var probes = reach(java.util.Map.of("COLUMNS", String.valueOf(width)), "probes");
            assertThat(probes.out().lines()).as("reach probes at %d columns", width)
                    .allSatisfy(l -> assertThat(l.length()).isLessThanOrEqualTo(width));
        }
    }

    @Test
    void brokenPluginIsReportedAndTheOthersStillWork(@TempDir Path tmp) throws Exception {
        Files.writeString(tmp.resolve("broken.jar"), "this is not a jar");
        var plugins = reach("plugins", "--plugins", tmp.toString());
        assertThat(plugins.exit()).as(plugins.toString()).isEqualTo(1);
        assertThat(plugins.out()).contains("net ").contains("tcp.connect").contains("broken.jar");
        var probe = reach("probe", "tcp.connect", "host=127.0.0.1", "port=" + Cli.closedPort(), "--plugins", tmp.toString());
        assertThat(probe.exit()).isEqualTo(1);
        assertThat(probe.out()).contains("tcp.refused");
        assertThat(probe.err()).contains("plugin problem(s); see 'reach plugins'");
    }

    @Test
    void helpTeachesAndVersionAnswers() throws Exception {
        var help = reach("--help");
        assertThat(help.exit()).isZero();
        assertThat(help.out()).contains("probe", "run", "probes", "plugins", "Exit codes");
        var version = reach("--version");
        assertThat(version.out()).startsWith("reach ");
        var bad = reach("--no-such-option");
        assertThat(bad.exit()).isEqualTo(2);
    }

    @Test
    void ctrlCCancelsAHangingConnectReportsWhatWasSeenAndExits130() throws Exception {
        // a listener whose accept queue is full drops further SYNs: a connect to it hangs, on loopback, without root
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = server.getLocalPort();
            var fillers = new java.util.ArrayList<java.net.Socket>();
            try {
                for (int i = 0; i < 10; i++) {
                    var s = new java.net.Socket();
                    fillers.add(s);
                    try {
                        s.connect(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), port), 300);
                    } catch (java.io.IOException full) {
                        break;
                    }
                }
                // wait=full: a connect that hangs until Ctrl-C (adaptive waiting would decide tcp.filtered within 300 ms)
                var running = Cli.start("probe", "tcp.connect", "host=127.0.0.1", "port=" + port, "timeout=30s", "wait=full");
                long deadline = System.nanoTime() + 30_000_000_000L;
                while (!synSentTo(port) && System.nanoTime() < deadline && running.process().isAlive()) {
                    Thread.sleep(50);
                }
                assertThat(synSentTo(port)).as("reach's SYN is pending").isTrue();
                long t0 = System.nanoTime();
                new ProcessBuilder("kill", "-INT", Long.toString(running.process().pid())).start().waitFor();
                var r = Cli.finish(running);
                assertThat((System.nanoTime() - t0) / 1_000_000).as("ms from Ctrl-C to exit").isLessThan(5000);
                assertThat(r.exit()).as(r.toString()).isEqualTo(130);
                assertThat(r.out()).contains("cancelled").contains("Verdict: inconclusive");
            } finally {
                for (var s : fillers) s.close();
            }
        }
    }

    /** Whether a socket here is in SYN_SENT towards 127.0.0.1:port (/proc/net/tcp, or tcp6 for a mapped address). */
    private static boolean synSentTo(int port) throws java.io.IOException {
        String remoteEnd = String.format("0100007F:%04X", port);
        for (String file : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            for (String line : Files.readAllLines(Path.of(file))) {
                String[] f = line.trim().split("\\s+");
                if (f.length > 3 && f[2].endsWith(remoteEnd) && f[3].equals("02")) return true;
            }
        }
        return false;
    }

    @Test
    void anInstalledPlaybookRunsByNameFromAnyDirectory(@TempDir Path tmp) throws Exception {
        var byName = Cli.run(tmp, "run", "time", "--check");
        assertThat(byName.exit()).as(byName.toString()).isZero();
        assertThat(byName.out()).contains("time: ok (4 steps");
        var missing = Cli.run(tmp, "run", "no-such-playbook");
        assertThat(missing.exit()).as(missing.toString()).isEqualTo(2);
        assertThat(missing.err()).contains("no-such-playbook: no such playbook file").contains("nor an installed playbook of that name in");
    }

    /** {@code reach run NAME}, {@code reach probe ID k=v}, {@code reach listen PORT} in a fix or summary text. */
    private static final java.util.regex.Pattern REACH_COMMAND = java.util.regex.Pattern.compile(
            "reach (run|probe|listen) +([^\\s;)'\"]+)((?: +[a-z_]+=[^\\s;)'\"]*)*)");

    @Test
    void everyReachCommandAFixTextNamesIsOneReachTakes() throws Exception {
        List<String> texts = new java.util.ArrayList<>();
        for (JsonNode c : new ObjectMapper().readTree(reach("causes", "--json").out()).get("causes")) {
            if (c.hasNonNull("fix")) texts.add(c.get("code").asText() + ": " + c.get("fix").asText());
        }
        try (var files = Files.list(Cli.REPO.resolve("playbooks"))) {
            for (Path f : files.filter(f -> f.toString().endsWith(".yaml")).toList()) {
                Files.readAllLines(f).stream().filter(l -> !l.strip().startsWith("#")).forEach(l -> texts.add(f.getFileName() + ": " + l));
            }
        }
        int checked = 0;
        for (String text : texts) {
            var m = REACH_COMMAND.matcher(text);
            while (m.find()) {
                checked++;
                String what = m.group(2);
                switch (m.group(1)) {
                    case "run" -> assertThat(reach("run", what, "--check").exit()).as(text).isZero();
                    case "listen" -> assertThat(what).as(text).matches("[0-9]+|\\$\\{[^}]+}|PORT|\\{port}");
                    default -> {
                        var spec = reach("probes", what, "--json");
                        assertThat(spec.exit()).as(text).isZero();
                        List<String> params = new java.util.ArrayList<>();
                        new ObjectMapper().readTree(spec.out()).get("params").forEach(p -> params.add(p.get("name").asText()));
                        for (String kv : m.group(3).strip().split(" +")) {
                            if (!kv.isEmpty()) assertThat(params).as(text).contains(kv.substring(0, kv.indexOf('=')));
                        }
                    }
                }
            }
        }
        assertThat(checked).as("fix texts name reach commands").isGreaterThan(8);
    }

    @Test
    void quietPrintsOnlyTheVerdictLine() throws Exception {
        var r = reach("probe", "tcp.connect", "host=127.0.0.1", "port=" + Cli.closedPort(), "--quiet");
        assertThat(r.out().strip().lines()).hasSize(1).first().asString().startsWith("tcp.refused (likely): ");
    }
}
