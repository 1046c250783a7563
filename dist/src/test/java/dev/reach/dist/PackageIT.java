package dev.reach.dist;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The packages './mvnw package -Ppackage' makes (./reach test does), used as on a host with no JDK: the tarball unpacked
 * into a temporary folder and run with a bare environment, and the .deb installed with dpkg into a scratch root.
 */
class PackageIT {
    private static final Path TARGET = Path.of("target").toAbsolutePath();
    private static final String VERSION = dev.reach.core.Reach.version();
    private static final Path TARBALL = TARGET.resolve("reach-" + VERSION + "-linux-x86_64.tar.gz");
    private static final Path DEB = TARGET.resolve("reach_" + VERSION.replace('-', '~') + "_amd64.deb");

    @TempDir
    static Path unpacked;
    private static Path home;

    @BeforeAll
    static void unpack() throws Exception {
        Assumptions.assumeTrue(Files.isRegularFile(TARBALL), () -> "skipped: " + TARBALL.getFileName()
                + " is made by './mvnw package -Ppackage' (the README's test command, ./reach test, makes it)");
        Result r = run(unpacked, Map.of(), "tar", "-xzf", TARBALL.toString());
        assertThat(r.exit()).as(r.toString()).isZero();
        home = unpacked.resolve("reach-" + VERSION + "-linux-x86_64");
    }

    @Test
    void tarballHoldsARuntimeTheJarsThePagesAndTheCache() throws IOException {
        for (String p : List.of("bin/reach", "runtime/bin/java", "lib/classpath", "lib/jvm.options", "lib/reach.aot", "lib/reach-probe.aot", "lib/reach-probe-tls.aot", "libexec/reach-resident.pl",
                "plugins", "playbooks/unreachable.yaml", "sdk/repository/dev/reach/reach-spi", "sdk/template/pom.xml",
                "share/man/man1/reach.1", "share/bash-completion/completions/reach", "share/zsh/site-functions/_reach",
                "share/fish/vendor_completions.d/reach.fish")) {
            assertThat(home.resolve(p)).as(p).exists();
        }
        assertThat(Files.isExecutable(home.resolve("bin/reach"))).isTrue();
        // which plugin jar registers which probe, written by the training run: 'reach probe ID' loads that jar alone
        assertThat(home.resolve("plugins/.probe-index")).content().containsPattern("reach-plugin-net-[^\t]*\\.jar\t\\d+\t\\d+\t.*tcp\\.connect=");
        // the class path file names every jar of lib/, in the order the start-up cache was made with
        try (Stream<Path> jars = Files.list(home.resolve("lib"))) {
            assertThat(Files.readAllLines(home.resolve("lib/classpath")))
                    .containsExactlyInAnyOrderElementsOf(jars.map(j -> j.getFileName().toString()).filter(n -> n.endsWith(".jar")).toList());
        }
    }

    /** The runtime holds the modules jdeps finds the jars need, and not the JDK's tools. */
    @Test
    void runtimeHoldsTheModulesJdepsFindsAndNoMore() throws Exception {
        Set<String> runtime = releaseModules(home.resolve("runtime/release"));
        Path jdk = Path.of(System.getProperty("java.home"));
        List<String> cmd = new ArrayList<>(List.of(jdk.resolve("bin/jdeps").toString(), "--print-module-deps", "--ignore-missing-deps",
                "--multi-release", "25", "-q", "--class-path", home.resolve("lib") + "/*"));
        try (Stream<Path> s = Stream.concat(Files.list(home.resolve("lib")), Files.list(home.resolve("plugins")))) {
            s.map(Path::toString).filter(n -> n.endsWith(".jar")).sorted().forEach(cmd::add);
        }
        Result deps = run(home, Map.of(), cmd.toArray(String[]::new));
        assertThat(deps.exit()).as(deps.toString()).isZero();
        Set<String> needed = new TreeSet<>(Arrays.asList(deps.out().strip().split(",")));
        assertThat(runtime).as("modules of the packaged runtime").containsAll(needed).contains("jdk.zipfs", "jdk.crypto.ec")
                .doesNotContain("jdk.compiler", "jdk.jshell", "jdk.javadoc", "jdk.jlink", "jdk.jdeps");
        assertThat(runtime.size()).as("fewer modules than this JDK's " + releaseModules(jdk.resolve("release")).size())
                .isLessThan(releaseModules(jdk.resolve("release")).size() / 2);
    }

    /** With no JDK anywhere: a bare environment, and a PATH that holds no java at all. */
    @Test
    void tarballRunsWithNoJavaOnThePath(@TempDir Path emptyBin) throws Exception {
        Result version = run(unpacked, bare(emptyBin.toString()), home.resolve("bin/reach").toString(), "--version");
        assertThat(version.exit()).as(version.toString()).isZero();
        assertThat(version.out()).startsWith("reach " + VERSION);
        int closed = Cli.closedPort();
        Result probe = run(unpacked, bare(emptyBin.toString()), home.resolve("bin/reach").toString(), "probe", "tcp.connect",
                "host=127.0.0.1", "port=" + closed);
        assertThat(probe.exit()).as(probe.toString()).isEqualTo(1);
        assertThat(probe.out()).contains("Verdict: tcp.refused");
        assertThat(probe.err()).as("the launcher's JVM options (SLF4J's provider named) add nothing to stderr").isEmpty();
    }

    /** The packaged probe index is still true once unpacked (tar keeps whole seconds): a probe loads its own plugin alone. */
    @Test
    void aProbeLoadsOnlyItsOwnPluginFromTheUnpackedTarball(@TempDir Path tmp) throws Exception {
        Path log = tmp.resolve("classes.log");
        Map<String, String> env = new java.util.HashMap<>(bare(System.getenv("PATH")));
        env.put("REACH_JAVA_OPTS", "-Xlog:class+load:file=" + log);
        Result probe = run(unpacked, env, home.resolve("bin/reach").toString(), "probe", "tcp.connect", "host=127.0.0.1",
                "port=" + Cli.closedPort(), "--no-history");
        assertThat(probe.exit()).as(probe.toString()).isEqualTo(1);
        assertThat(Files.readString(log)).contains("dev.reach.plugins.net.TcpConnectProbe ")
                .doesNotContain("dev.reach.plugins.dns.", "dev.reach.plugins.tls.", "dev.reach.plugins.net.TcpScanProbe ");
    }

    /**
     * The start-up caches were made where the package was built and still serve where it is unpacked: the JVM checks the
     * class path's jars by name, size and time (kept by tar and dpkg), in the order lib/classpath gives them.
     */
    @Test
    void startUpCacheServesTheUnpackedCopy(@TempDir Path emptyBin) throws Exception {
        Map<String, String> env = new java.util.HashMap<>(bare(emptyBin.toString()));
        env.put("REACH_JAVA_OPTS", "-Xlog:class+load=info");
        Result r = run(unpacked, env, home.resolve("bin/reach").toString(), "--version");
        assertThat(r.exit()).as(r.toString()).isZero();
        long shared = r.out().lines().filter(l -> l.contains("source: shared objects file")).count();
        assertThat(shared).as("classes loaded from the start-up cache").isGreaterThan(1000);
        // 'reach probe' starts with its own cache: as many classes from it, none of the playbooks' YAML (the other has
        // them), and none of the TLS handshake's, which only the TLS and HTTP probes' cache holds
        Result probe = run(unpacked, env, home.resolve("bin/reach").toString(), "probe", "tcp.connect", "host=127.0.0.1",
                "port=" + Cli.closedPort(), "--no-history");
        assertThat(probe.exit()).as(probe.toString()).isEqualTo(1);
        List<String> fromCache = probe.out().lines().filter(l -> l.contains("source: shared objects file")).toList();
        assertThat(fromCache).as("classes loaded from the probe's start-up cache").hasSizeGreaterThan(1000)
                .noneMatch(l -> l.contains("org.yaml.snakeyaml.")).noneMatch(l -> l.contains("sun.security.ssl."));
        Result tls = run(unpacked, env, home.resolve("bin/reach").toString(), "probe", "tls.handshake", "host=127.0.0.1",
                "port=" + Cli.closedPort(), "--no-history");
        assertThat(tls.exit()).as(tls.toString()).isEqualTo(1);
        assertThat(tls.out().lines().filter(l -> l.contains("source: shared objects file")))
                .as("classes loaded from the TLS probes' start-up cache").hasSizeGreaterThan(1000)
                .anyMatch(l -> l.contains("sun.security.ssl.")).noneMatch(l -> l.contains("org.yaml.snakeyaml."));
        assertThat(r.out().lines().filter(l -> l.contains("org.yaml.snakeyaml.") && l.contains("source: shared objects file")))
                .as("the diagnosis' cache, which --version starts with, holds the YAML parser").isNotEmpty();
    }

    /** The diagnosis, and a JS playbook (GraalJS on the packaged runtime), with PATH=/usr/bin:/bin and no JAVA_HOME. */
    @Test
    void tarballDiagnosesAndRunsAJsPlaybook(@TempDir Path work) throws Exception {
        HttpServer http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 8);
        http.createContext("/", x -> {
            byte[] body = "hello\n".getBytes(StandardCharsets.UTF_8);
            x.sendResponseHeaders(200, body.length);
            x.getResponseBody().write(body);
            x.close();
        });
        http.start();
        try {
            int port = http.getAddress().getPort();
            Result ok = run(work, bare("/usr/bin:/bin"), home.resolve("bin/reach").toString(), "127.0.0.1:" + port);
            assertThat(ok.exit()).as(ok.toString()).isZero();
            assertThat(ok.out()).contains("Verdict: ok");
            assertThat(ok.err()).as("a diagnosis on a pipe says nothing on stderr").isEmpty();
            Path js = work.resolve("check.js");
            Files.writeString(js, """
                    export const metadata = {name: 'check', inputs: {port: {type: 'port', required: true}}};
                    export function main(inputs) {
                      const c = probe('tcp.connect', {host: '127.0.0.1', port: inputs.port});
                      return verdict({cause: c.ok ? 'ok' : c.cause, confidence: 'certain', evidence: [c],
                        summary: `connect said ${c.facts.outcome}`});
                    }
                    """);
            Result playbook = run(work, bare("/usr/bin:/bin"), home.resolve("bin/reach").toString(), "run", js.toString(), "port=" + port);
            assertThat(playbook.exit()).as(playbook.toString()).isZero();
            assertThat(playbook.out()).contains("connect said ok");
            Result refused = run(work, bare("/usr/bin:/bin"), home.resolve("bin/reach").toString(), "run", js.toString(),
                    "port=" + Cli.closedPort());
            assertThat(refused.exit()).as(refused.toString()).isEqualTo(1);
            assertThat(refused.out()).contains("Verdict: tcp.refused", "connect said refused");
        } finally {
            http.stop(0);
        }
    }

    /** dpkg installs the .deb into a scratch root: the launcher, the man page and the completions where Debian wants them. */
    @Test
    void debInstallsWithDpkgIntoAScratchRoot(@TempDir Path root) throws Exception {
        Assumptions.assumeTrue(Files.isRegularFile(DEB), () -> "skipped: " + DEB.getFileName() + " is made by -Ppackage");
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/dpkg")), "skipped: dpkg is not installed");
        Files.createDirectories(root.resolve("var/lib/dpkg/info"));
        Files.createDirectories(root.resolve("var/lib/dpkg/updates"));
        Files.createFile(root.resolve("var/lib/dpkg/status"));
        // the scratch root's empty package database knows no libc6: --force-depends
        Result install = run(root, Map.of(), "dpkg", "--root=" + root, "--force-depends", "--force-not-root", "-i", DEB.toString());
        assertThat(install.exit()).as(install.toString()).isZero();
        Result listed = run(root, Map.of(), "dpkg", "--root=" + root, "-L", "reach");
        assertThat(listed.out()).contains("/usr/bin/reach\n", "/usr/share/man/man1/reach.1.gz\n", "/usr/share/bash-completion/completions/reach\n",
                "/usr/share/zsh/vendor-completions/_reach\n", "/usr/share/fish/vendor_completions.d/reach.fish\n", "/opt/reach/bin/reach\n");
        assertThat(Files.readSymbolicLink(root.resolve("usr/bin/reach"))).isEqualTo(Path.of("/opt/reach/bin/reach"));
        Result version = run(root, bare("/usr/bin:/bin"), root.resolve("opt/reach/bin/reach").toString(), "--version");
        assertThat(version.exit()).as(version.toString()).isZero();
        assertThat(version.out()).startsWith("reach " + VERSION);
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/man")), "skipped: man (man-db) is not installed");
        Result man = run(root, Map.of("MANWIDTH", "100", "PATH", "/usr/bin:/bin"), "man", "-l", root.resolve("usr/share/man/man1/reach.1.gz").toString());
        assertThat(man.exit()).as(man.toString()).isZero();
        assertThat(man.out()).contains("REACH(1)", "SYNOPSIS", "reach plugins new", "tcp.connect", "EXIT STATUS");
        Result control = run(root, Map.of(), "dpkg-deb", "-f", DEB.toString(), "Package", "Depends");
        assertThat(control.out()).contains("Package: reach", "Depends: libc6");
    }

    private static Set<String> releaseModules(Path release) throws IOException {
        for (String line : Files.readAllLines(release)) {
            if (line.startsWith("MODULES=")) {
                return new TreeSet<>(Arrays.asList(line.substring("MODULES=".length()).replace("\"", "").split(" ")));
            }
        }
        throw new AssertionError("no MODULES line in " + release);
    }

    /** An environment with only PATH, HOME and a data folder of the test's: no JAVA_HOME, nothing of the user's. */
    private static Map<String, String> bare(String path) {
        return Map.of("PATH", path, "HOME", unpacked.toString(), "XDG_DATA_HOME", unpacked.resolve("data").toString(),
                "REACH_RESIDENT", "0", "TERM", "dumb");
    }

    record Result(int exit, String out, String err) {
    }

    private static Result run(Path dir, Map<String, String> env, String... cmd) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile());
        if (!env.isEmpty()) {
            pb.environment().clear();
            pb.environment().putAll(env);
        }
        Path out = Files.createTempFile("pkg-out", ".txt");
        Path err = Files.createTempFile("pkg-err", ".txt");
        pb.redirectOutput(out.toFile()).redirectError(err.toFile());
        Process p = pb.start();
        try {
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                throw new AssertionError(String.join(" ", cmd) + " did not finish in 120 s");
            }
            return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
        } finally {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }
}
