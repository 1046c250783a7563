package dev.reach.dist;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The resident reach end to end: 'reach daemon start' from the distribution, commands handed to it by the
 * launcher's perl client (shell/src/main/resident/reach-resident.pl), what it declines, Ctrl-C, a change to
 * the sources it watches, and 'reach daemon stop'. Its socket lives in a temporary XDG_RUNTIME_DIR; every
 * target is on loopback.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ResidentIT {
    private static final Path CLIENT = Cli.REPO.resolve("shell/src/main/resident/reach-resident.pl");
    private static final int DECLINED = 120;
    private static Path runtime;
    private static Path checkout;
    private static Map<String, String> env;

    @BeforeAll
    static void start() throws Exception {
        assumeTrue(new ProcessBuilder("perl", "-e1").start().waitFor() == 0, "skipped: perl is missing (the launcher's resident client needs it)");
        runtime = Files.createTempDirectory("reach-xdg", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        checkout = Files.createTempDirectory("reach-checkout");   // stands for the sources of a checkout: 'engine' is what it looks for
        Files.createDirectories(checkout.resolve("engine/src"));
        Files.writeString(checkout.resolve("engine/src/A.java"), "class A {}\n");
        env = Map.of("XDG_RUNTIME_DIR", runtime.toString(), "REACH_HISTORY", runtime.resolve("history.db").toString());
        Cli.Result r = Cli.finish(Cli.start(List.of("-Dreach.checkout=" + checkout), env, "daemon", "start", "--idle", "5m"), "daemon", "start");
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).contains("reach: started; resident reach ").contains("0 command(s) served");
    }

    @AfterAll
    static void stop() throws Exception {
        if (runtime == null) return;
        pid().ifPresent(p -> { p.destroy(); p.onExit().orTimeout(10, TimeUnit.SECONDS).exceptionally(t -> null).join(); p.destroyForcibly(); });
        try (var files = Files.walk(runtime)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
        try (var files = Files.walk(checkout)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
    }

    @Test
    @Order(1)
    void servesADiagnosisWithTheSameVerdictAndExitCodeAsItsOwnJvm() throws Exception {
        int port = Cli.closedPort();
        Cli.Result served = client(Cli.REPO, Map.of(), "127.0.0.1:" + port);
        Cli.Result own = Cli.reach(env, "127.0.0.1:" + port);
        assertThat(served.exit()).as(served.toString()).isEqualTo(1).isEqualTo(own.exit());
        assertThat(served.out()).contains("Verdict: tcp.refused (certain)");
        assertThat(verdict(served.out())).isEqualTo(verdict(own.out())).isNotEmpty();
        assertThat(status()).contains("1 command(s) served");
        // both runs are in the history, the resident's warming up is not
        var runs = new com.fasterxml.jackson.databind.ObjectMapper().readTree(Cli.reach(env, "history", "--json").out()).path("runs");
        assertThat(runs.findValuesAsText("target")).as(runs.toString()).containsExactly("127.0.0.1:" + port, "127.0.0.1:" + port);
    }

    @Test
    @Order(2)
    void servesJsonAndProbes() throws Exception {
        int port = Cli.closedPort();
        Cli.Result json = client(Cli.REPO, Map.of(), "diagnose", "127.0.0.1:" + port, "--json");
        assertThat(json.exit()).as(json.toString()).isEqualTo(1);
        assertThat(json.out()).startsWith("{").contains("\"cause\": \"tcp.refused\"");
        Cli.Result probe = client(Cli.REPO, Map.of(), "probe", "tcp.connect", "host=127.0.0.1", "port=" + port);
        assertThat(probe.exit()).as(probe.toString()).isEqualTo(1);
        assertThat(probe.out()).contains("tcp.refused");
        Cli.Result narrow = client(Cli.REPO, Map.of("COLUMNS", "60"), "probes");
        assertThat(narrow.exit()).as(narrow.toString()).isZero();
        assertThat(narrow.out().lines()).as("the client's COLUMNS").allSatisfy(l -> assertThat(l.length()).isLessThanOrEqualTo(60))
                .anySatisfy(l -> assertThat(l.length()).isGreaterThan(50));
        Cli.Result usage = client(Cli.REPO, Map.of(), "probe", "tcp.connect", "host=127.0.0.1", "port=70000");
        assertThat(usage.exit()).as(usage.toString()).isEqualTo(2);
        assertThat(usage.err()).contains("port");
    }

    @Test
    @Order(3)
    void servesAnotherDirectoryWithItsRelativePathsResolvedThere() throws Exception {
        Path dir = Files.createTempDirectory("reach-elsewhere");
        try {
            int port = Cli.closedPort();
            Files.writeString(dir.resolve("hosts"), "198.18.0.7 lab-x.test\n");
            Files.writeString(dir.resolve("tiny.yaml"), """
                    inputs:
                      port: {type: port, required: true}
                    steps:
                      - id: connect
                        probe: tcp.connect
                        with: {host: 127.0.0.1, port: "${inputs.port}", timeout: 2s}
                    """);
            String before = status();
            Cli.Result hosts = client(dir, Map.of(), "probe", "dns.hosts", "name=lab-x.test", "hosts_file=hosts", "--json");
            assertThat(hosts.exit()).as(hosts.toString()).isZero();
            assertThat(hosts.out()).contains("198.18.0.7");
            Cli.Result run = client(dir, Map.of(), "run", "tiny.yaml", "port=" + port, "--junit", "out.xml");
            assertThat(run.exit()).as(run.toString()).isEqualTo(1);
            assertThat(run.out()).contains("tcp.refused");
            assertThat(dir.resolve("out.xml")).as("--junit in the caller's directory").isRegularFile();
            Cli.Result missing = client(dir, Map.of(), "run", "nothing-here.yaml");
            assertThat(missing.exit()).as(missing.toString()).isEqualTo(2);
            assertThat(missing.err()).contains("nothing-here.yaml");
            assertThat(served(status()) - served(before)).as("all three served by the resident reach").isEqualTo(3);
        } finally {
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }

    private static int served(String status) {
        var m = java.util.regex.Pattern.compile("(\\d+) command\\(s\\) served").matcher(status);
        assertThat(m.find()).as(status).isTrue();
        return Integer.parseInt(m.group(1));
    }

    @Test
    @Order(3)
    void declinesWhatWouldSeeSomethingElseAndPrintsNothing() throws Exception {
        int port = Cli.closedPort();
        List<Cli.Result> declined = List.of(
                client(Cli.REPO, Map.of("REACH_PLUGINS", "/nonexistent"), "127.0.0.1:" + port), // other plugins
                client(Cli.REPO, Map.of("HTTPS_PROXY", "http://127.0.0.1:1"), "127.0.0.1:" + port), // another proxy
                client(Cli.REPO, Map.of(), "shell"),                                           // needs the terminal
                client(Cli.REPO, Map.of(), "plugins"));                                        // not one it serves
        for (Cli.Result r : declined) {
            assertThat(r.exit()).as(r.toString()).isEqualTo(DECLINED);
            assertThat(r.out() + r.err()).isEmpty();
        }
        Cli.Result other = clientWithHome(Cli.REPO, "/another/reach", "127.0.0.1:" + port);
        assertThat(other.exit()).as(other.toString()).isEqualTo(DECLINED);
    }

    @Test
    @Order(4)
    void ctrlCInTheClientCancelsTheRunThere() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 8, InetAddress.getLoopbackAddress())) {
            // accepts (the kernel's backlog) and never says a word: tcp.banner waits out its timeout
            ProcessBuilder pb = clientProcess(Cli.REPO, Map.of(), "probe", "tcp.banner", "host=127.0.0.1",
                    "port=" + silent.getLocalPort(), "timeout=20s");
            Path out = Files.createTempFile("resident-out", ".txt");
            Path err = Files.createTempFile("resident-err", ".txt");
            Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            try {
                try (Socket ignored = waitForConnection(silent)) {
                    Cli.Result meanwhile = client(Cli.REPO, Map.of(), "probes");
                    assertThat(meanwhile.exit()).as("a client that comes meanwhile is declined, not queued").isEqualTo(DECLINED);
                    long t0 = System.nanoTime();
                    new ProcessBuilder("kill", "-INT", Long.toString(p.pid())).start().waitFor();
                    assertThat(p.waitFor(10, TimeUnit.SECONDS)).as("the client exits after Ctrl-C").isTrue();
                    assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(5_000);
                    assertThat(p.exitValue()).as(Files.readString(out) + Files.readString(err)).isEqualTo(130);
                }
            } finally {
                p.destroyForcibly();
                Files.deleteIfExists(out);
                Files.deleteIfExists(err);
            }
        }
        assertThat(status()).as("still serving after a cancelled run").contains("resident reach");
    }

    @Test
    @Order(4)
    void sigtermEndsTheClientAtOnce() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 8, InetAddress.getLoopbackAddress())) {
            Process p = clientProcess(Cli.REPO, Map.of(), "probe", "tcp.banner", "host=127.0.0.1", "port=" + silent.getLocalPort(),
                    "timeout=20s").redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            try (Socket ignored = waitForConnection(silent)) {
                new ProcessBuilder("kill", "-TERM", Long.toString(p.pid())).start().waitFor();
                assertThat(p.waitFor(3, TimeUnit.SECONDS)).as("the client ends on SIGTERM without waiting for an answer").isTrue();
                assertThat(p.exitValue()).isEqualTo(143);
            } finally {
                p.destroyForcibly();
            }
        }
        for (int i = 0; i < 50 && client(Cli.REPO, Map.of(), "probes").exit() == DECLINED; i++) {
            Thread.sleep(100);   // the run there ends on the cancel (the closed socket) within a moment
        }
        assertThat(client(Cli.REPO, Map.of(), "probes").exit()).as("serving again once the cancelled run ended").isZero();
    }

    @Test
    @Order(5)
    void aChangeToTheSourcesStopsItAndTheClientSaysSo() throws Exception {
        long pid = pid().orElseThrow().pid();
        Files.writeString(checkout.resolve("engine/src/A.java"), "class A { int changed; }\n");
        Cli.Result r = null;
        for (int i = 0; i < 50; i++) {   // inotify reports within milliseconds; allow a slow machine 5 s
            r = client(Cli.REPO, Map.of("REACH_RESIDENT", "explain"), "127.0.0.1:" + Cli.closedPort());
            if (r.exit() == DECLINED) break;
            Thread.sleep(100);
        }
        assertThat(r.exit()).as(r.toString()).isEqualTo(DECLINED);
        assertThat(r.err()).as(r.toString()).contains("the resident reach stopped: its sources changed (engine/src/A.java)")
                .contains("'reach daemon start' starts a new one");
        assertThat(ProcessHandle.of(pid).map(p -> p.onExit().orTimeout(10, TimeUnit.SECONDS).join()).map(ProcessHandle::isAlive))
                .hasValue(false);
        assertThat(status()).contains("no resident reach runs for this network namespace");
    }

    @Test
    @Order(6)
    void stopEndsItByItsPidAndRemovesItsSocket() throws Exception {
        Cli.Result start = Cli.finish(Cli.start(env, "daemon", "start", "--idle", "5m"), "daemon", "start");
        assertThat(start.exit()).as(start.toString()).isZero();
        ProcessHandle p = pid().orElseThrow();
        Cli.Result stop = Cli.reach(env, "daemon", "stop");
        assertThat(stop.out()).as(stop.toString()).contains("stopped the resident reach " + p.pid());
        assertThat(p.isAlive()).isFalse();
        try (var files = Files.list(runtime.resolve("reach"))) {
            assertThat(files.map(f -> f.getFileName().toString())).noneMatch(f -> f.endsWith(".sock") || f.endsWith(".pid"));
        }
        assertThat(client(Cli.REPO, Map.of(), "127.0.0.1:1").exit()).isEqualTo(DECLINED);
    }

    @Test
    @Order(7)
    void aSilentConnectionIsHungUpOnAndACommandItStartedIsNeverRunTwice() throws Exception {
        Cli.Result start = Cli.finish(Cli.start(env, "daemon", "start", "--idle", "5m"), "daemon", "start");
        assertThat(start.exit()).as(start.toString()).isZero();
        Path sock;
        try (var files = Files.list(runtime.resolve("reach"))) {
            sock = files.filter(f -> f.toString().endsWith(".sock")).findFirst().orElseThrow();
        }
        try (var silent = java.nio.channels.SocketChannel.open(java.net.UnixDomainSocketAddress.of(sock))) {
            long t0 = System.nanoTime();
            int got = silent.read(java.nio.ByteBuffer.allocate(64));   // blocks until the resident hangs up
            assertThat(got).as("closed, no answer").isEqualTo(-1);
            assertThat((System.nanoTime() - t0) / 1_000_000).as("ms until hung up on").isBetween(3_000L, 9_000L);
        }
        ProcessHandle resident = pid().orElseThrow();
        try (ServerSocket quiet = new ServerSocket(0, 8, InetAddress.getLoopbackAddress())) {
            Process p = clientProcess(Cli.REPO, Map.of(), "probe", "tcp.banner", "host=127.0.0.1", "port=" + quiet.getLocalPort(),
                    "timeout=20s").redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            try (Socket ignored = waitForConnection(quiet)) {
                resident.destroyForcibly();   // dies mid-command, after it said it started it
                assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
                assertThat(p.exitValue()).as("not declined (the launcher would run it again): it ran, and its runner died")
                        .isEqualTo(3);
            } finally {
                p.destroyForcibly();
            }
        }
    }

    @Test
    @Order(8)
    void aPluginJarAddedAfterItStartedStopsIt() throws Exception {
        Path folder = Cli.HOME.resolve("../it-data/reach/plugins").normalize();   // the user's plugin folder in the tests
        Files.createDirectories(folder);
        Cli.Result start = Cli.finish(Cli.start(env, "daemon", "start", "--idle", "5m"), "daemon", "start");
        assertThat(start.exit()).as(start.toString()).isZero();
        Path jar = folder.resolve("resident-it-added.jar");
        try {
            Files.write(jar, new byte[0]);
            Cli.Result r = null;
            for (int i = 0; i < 50; i++) {   // inotify tells within milliseconds; a slow machine gets 5 s
                r = client(Cli.REPO, Map.of(), "probes");
                if (r.exit() == DECLINED) break;
                Thread.sleep(100);
            }
            assertThat(r.exit()).as(r.toString()).isEqualTo(DECLINED);
            assertThat(r.err()).contains("the resident reach stopped: its plugins changed (" + jar + ")");
        } finally {
            Files.deleteIfExists(jar);
            pid().ifPresent(p -> { p.destroy(); p.onExit().orTimeout(10, TimeUnit.SECONDS).exceptionally(t -> null).join(); });
        }
    }

    /**
     * A probe thread deaf to its interrupt keeps running after its step gave up on it; past
     * {@code Resident.MAX_ABANDONED} (4) of them the resident stops, so they cannot pile up in one long-lived process,
     * and the next command runs in a JVM of its own. The deaf probe comes from a plugin in the user's plugin folder;
     * its threads sleep (little CPU) and end by themselves after 20 s.
     */
    @Test
    @Order(9)
    void probeThreadsThatIgnoreTheirInterruptStopItWhenTheyPileUp() throws Exception {
        Path folder = Cli.HOME.resolve("../it-data/reach/plugins").normalize();   // the user's plugin folder in the tests
        Files.createDirectories(folder);
        Path jar = folder.resolve("resident-it-deaf.jar");
        PluginJars.build(Files.createTempDirectory("deaf-plugin"), jar, "deaf", "1.0.0", null, "deaf.sleep", """
                long end = System.nanoTime() + 20_000_000_000L;
                while (System.nanoTime() < end) {
                    try { Thread.sleep(50); } catch (InterruptedException ignored) { }
                }
                return Observation.ok("woke").build();
                """);
        try {
            Cli.Result start = Cli.finish(Cli.start(env, "daemon", "start", "--idle", "5m"), "daemon", "start");
            assertThat(start.exit()).as(start.toString()).isZero();
            for (int i = 1; i <= 5; i++) {
                Cli.Result r = client(Cli.REPO, Map.of(), "probe", "deaf.sleep", "--timeout", "300ms");
                assertThat(r.exit()).as("run %d: %s", i, r).isEqualTo(1);      // served: the step gave up, a fault
                assertThat(r.out()).as("run %d", i).contains("deaf.sleep");
            }
            // it stopped before the fifth client heard its exit code: the next command is declined (the launcher then
            // runs it in a JVM of its own), and the resident's log says why
            Cli.Result after = client(Cli.REPO, Map.of(), "probes");
            assertThat(after.exit()).as(after.toString()).isEqualTo(DECLINED);
            // its log says why once it has shut down (its engines and history closed, up to a few seconds after it
            // stopped taking clients)
            Path log;
            try (var logs = Files.list(runtime.resolve("reach"))) {
                log = logs.filter(f -> f.toString().endsWith(".log")).findFirst().orElseThrow();
            }
            Terminal.await("the resident's log to say why it stopped", 15_000, () -> Files.readString(log),
                    text -> text.contains("reach: stopped: 5 probe threads still ran after their steps gave up on them (more than 4)"));
        } finally {
            pid().ifPresent(p -> { p.destroy(); p.onExit().orTimeout(10, TimeUnit.SECONDS).exceptionally(t -> null).join(); });
            Files.deleteIfExists(jar);
        }
    }

    private static String status() throws Exception {
        return Cli.reach(env, "daemon", "status").out();
    }

    private static Optional<ProcessHandle> pid() throws IOException {
        Path dir = runtime.resolve("reach");
        if (!Files.isDirectory(dir)) return Optional.empty();
        try (var files = Files.list(dir)) {
            return files.filter(f -> f.toString().endsWith(".pid")).findFirst().flatMap(f -> {
                try {
                    return ProcessHandle.of(Long.parseLong(Files.readAllLines(f).getFirst().strip()));
                } catch (IOException | RuntimeException e) {
                    return Optional.empty();
                }
            });
        }
    }

    private static ProcessBuilder clientProcess(Path dir, Map<String, String> extra, String... args) {
        return clientProcess(dir, Cli.HOME.toString(), extra, args);
    }

    private static ProcessBuilder clientProcess(Path dir, String home, Map<String, String> extra, String... args) {
        List<String> cmd = new ArrayList<>(List.of("perl", CLIENT.toString(), runtime.resolve("reach").toString(), home));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile());
        Map<String, String> all = new java.util.HashMap<>(env);
        all.putAll(extra);
        Cli.environment(pb, all);
        return pb;
    }

    private static Cli.Result client(Path dir, Map<String, String> extra, String... args) throws Exception {
        return run(clientProcess(dir, extra, args));
    }

    private static Cli.Result clientWithHome(Path dir, String home, String... args) throws Exception {
        return run(clientProcess(dir, home, Map.of(), args));
    }

    private static Cli.Result run(ProcessBuilder pb) throws Exception {
        Path out = Files.createTempFile("resident-out", ".txt");
        Path err = Files.createTempFile("resident-err", ".txt");
        Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                throw new AssertionError("the resident client did not finish in 60 s: " + pb.command());
            }
            return new Cli.Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            p.destroyForcibly();
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    private static Socket waitForConnection(ServerSocket server) throws IOException {
        server.setSoTimeout(20_000);
        return server.accept();
    }

    /** The verdict line and the fix of a text report (its timings and RTTs differ run to run). */
    private static List<String> verdict(String report) {
        return report.lines().filter(l -> l.startsWith("Verdict: ") || l.startsWith("Fix: ")).toList();
    }
}
