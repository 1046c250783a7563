package dev.reach.dist;

import dev.reach.testkit.LoopbackServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The plugin SDK end to end, through the real distribution: a plugin built for a newer engine is refused
 * with a sentence, and docs/plugins.md, followed literally from an empty folder, gives a working probe.
 */
class PluginSdkIT {
    private static final Path DOC = Cli.REPO.resolve("docs/plugins.md");
    /** The SDK version templates/probe-plugin/pom.xml depends on. */
    private static final String SDK_VERSION = "0.1.0-SNAPSHOT";

    @Test
    void pluginThatRequiresANewerEngineIsRefusedWithTheVersionItNeeds(@TempDir Path tmp) throws Exception {
        Path plugins = Files.createDirectory(tmp.resolve("plugins"));
        futurePlugin(tmp, plugins.resolve("future-1.0.0.jar"));

        var r = Cli.reach("plugins", "--plugins", plugins.toString());
        assertThat(r.exit()).as(r.toString()).isEqualTo(1);
        assertThat(r.out()).contains("requires reach >=99.0.0")
                .contains("plugin 'future' requires reach >=99.0.0; this is ")
                .contains("net ");                       // the others still load
        var probes = Cli.reach("probes", "--plugins", plugins.toString());
        assertThat(probes.out()).as(probes.toString()).contains("tcp.connect").doesNotContain("future.probe");
    }

    @Test
    void templateBuildsAgainstTheSdkOfThisVersionOfReach() throws IOException {
        assertThat(SDK_VERSION).as("the reach version this build makes").isEqualTo(dev.reach.core.Reach.version());
        assertThat(Files.readString(Cli.REPO.resolve("templates/probe-plugin/pom.xml")))
                .contains("<reach.version>" + SDK_VERSION + "</reach.version>");
    }

    /**
     * A plugin author's journey with the distribution alone: {@code reach plugins new smtp.banner} into an empty folder,
     * its {@code ./mvnw package} (with no JAVA_HOME and only /usr/bin:/bin on PATH: the wrapper finds the JDK 25 itself)
     * against a Maven repository without any reach artifact, so reach-spi and the test kit can only come from the SDK
     * inside the distribution; its generated tests run; {@code reach plugins install}; the probe run against a loopback
     * SMTP conversation.
     */
    @Test
    void newPluginBuildsWithTheDistributionAloneAndRunsAgainstAConversation(@TempDir Path tmp) throws Exception {
        Path work = Files.createDirectory(tmp.resolve("work"));
        long t0 = System.nanoTime();
        var made = Cli.run(work, "plugins", "new", "smtp.banner", "--description", "Checks an SMTP server's greeting.");
        assertThat(made.exit()).as(made.toString()).isZero();
        assertThat(made.out()).contains("Made reach-plugin-smtp/: probe smtp.banner in plugin smtp (org.example.reach.smtp.SmtpBannerProbe)",
                "./mvnw package");
        long scaffoldMs = (System.nanoTime() - t0) / 1_000_000;
        Path project = work.resolve("reach-plugin-smtp");
        var again = Cli.run(work, "plugins", "new", "smtp.banner");
        assertThat(again.exit()).as("a second scaffold into the same folder: %s", again).isEqualTo(2);
        assertThat(again.err()).contains("is not empty; nothing was written");

        Path repo = Files.createDirectory(tmp.resolve("m2"));
        Path tail = mavenRepositoryWithoutReach(tmp.resolve("m2-tail"));
        ProcessBuilder pb = new ProcessBuilder("./mvnw", "package").directory(project.toFile()).redirectErrorStream(true);
        pb.environment().put("PATH", "/usr/bin:/bin");
        pb.environment().remove("JAVA_HOME");
        if (!jdk25UnderUsrLibJvm()) {
            pb.environment().put("JAVA_HOME", System.getProperty("java.home")); // this machine's JDK 25 is elsewhere
        }
        pb.environment().put("MAVEN_ARGS", "-o -B -q -Dmaven.repo.local=" + repo + " -Dmaven.repo.local.tail=" + tail
                + " -Daether.offline.protocols=file");
        Path log = tmp.resolve("build.log");
        pb.redirectOutput(log.toFile());
        long t1 = System.nanoTime();
        Process build = pb.start();
        try {
            assertThat(build.waitFor(300, TimeUnit.SECONDS)).as("the build finished within 300 s: %s", Files.readString(log)).isTrue();
        } finally {
            build.descendants().forEach(ProcessHandle::destroyForcibly);
            build.destroyForcibly();
            unlinkAll(tail); // the links only: what they point to is the user's
        }
        assertThat(build.exitValue()).as("./mvnw package; it printed:%n%s", Files.readString(log)).isZero();
        long buildMs = (System.nanoTime() - t1) / 1_000_000;
        String origin = Files.readString(repo.resolve("dev/reach/reach-spi/" + SDK_VERSION + "/_remote.repositories"));
        assertThat(origin).as("where reach-spi came from").contains("reach-spi-" + SDK_VERSION + ".jar>reach-sdk=");
        Path reports = project.resolve("target/surefire-reports");
        assertThat(Files.readString(reports.resolve("org.example.reach.smtp.SmtpBannerProbeTest.txt"))).contains("Failures: 0, Errors: 0, Skipped: 0");
        assertThat(Files.readString(reports.resolve("org.example.reach.smtp.SpecsTest.txt"))).contains("Tests run: 2, Failures: 0, Errors: 0, Skipped: 0");
        Path jar = project.resolve("target/reach-plugin-smtp-0.1.0.jar");

        Map<String, String> env = Map.of("XDG_DATA_HOME", tmp.resolve("data").toString());
        var installed = Cli.reach(env, "plugins", "install", jar.toString());
        assertThat(installed.exit()).as(installed.toString()).isZero();
        assertThat(installed.out()).contains("installed smtp 0.1.0 (probes: smtp.banner)");
        try (LoopbackServer smtp = LoopbackServer.dialogue("220 mail.lab ESMTP ready\r\n", line -> line.startsWith("QUIT") ? null : "250 ok\r\n")) {
            var ok = Cli.reach(env, "probe", "smtp.banner", "host=127.0.0.1", "port=" + smtp.port(), "expect=ESMTP", "--json");
            assertThat(ok.exit()).as(ok.toString()).isZero();
            assertThat(ok.out()).contains("\"banner\": \"220 mail.lab ESMTP ready\"");
            var other = Cli.reach(env, "probe", "smtp.banner", "host=127.0.0.1", "port=" + smtp.port(), "expect=Postfix");
            assertThat(other.exit()).as(other.toString()).isEqualTo(1);
            assertThat(other.out()).contains("Verdict: smtp.unexpected", "Fix: Find the program that owns port " + smtp.port());
        }
        var refused = Cli.reach(env, "probe", "smtp.banner", "host=127.0.0.1", "port=" + Cli.closedPort());
        assertThat(refused.out()).as(refused.toString()).contains("Verdict: tcp.refused");
        System.out.printf("new plugin journey: scaffold %d ms, ./mvnw package (compile, 7 tests, jar) %d ms, whole %d ms%n",
                scaffoldMs, buildMs, (System.nanoTime() - t0) / 1_000_000);
    }

    /**
     * A view of ~/.m2/repository with everything but dev/reach (links to the rest), as a read-only tail of a fresh local
     * repository: the build finds Maven's plugins and the third-party libraries offline, and reach only in the SDK.
     */
    private static Path mavenRepositoryWithoutReach(Path view) throws IOException {
        Path m2 = Path.of(System.getProperty("user.home"), ".m2", "repository");
        Files.createDirectories(view.resolve("dev"));
        try (var top = Files.list(m2)) {
            for (Path p : top.toList()) {
                if (!p.getFileName().toString().equals("dev")) Files.createSymbolicLink(view.resolve(p.getFileName()), p);
            }
        }
        if (Files.isDirectory(m2.resolve("dev"))) {
            try (var dev = Files.list(m2.resolve("dev"))) {
                for (Path p : dev.toList()) {
                    if (!p.getFileName().toString().equals("reach")) Files.createSymbolicLink(view.resolve("dev").resolve(p.getFileName()), p);
                }
            }
        }
        return view;
    }

    /**
     * Runs every {@code ```bash} block of docs/plugins.md, in order, as one script in an empty folder, where
     * {@code reach} is the built distribution and Maven runs offline. The {@code ```sh} blocks (installing for good)
     * are shown, not run.
     */
    @Test
    void docsPluginsMdFollowedLiterallyFromAnEmptyFolderGivesAWorkingProbe(@TempDir Path tmp) throws Exception {
        List<String> blocks = bashBlocks(Files.readString(DOC));
        assertThat(blocks).as("```bash blocks in docs/plugins.md").hasSizeGreaterThanOrEqualTo(6);
        Path work = Files.createDirectory(tmp.resolve("empty"));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String script = String.join("\n",
                "set -euo pipefail",
                "reach() { " + quote(java) + " --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow"
                        + " -Dreach.home=" + quote(Cli.HOME.toString()) + " -cp " + quote(Cli.HOME.resolve("lib") + "/*")
                        + " dev.reach.shell.Main \"$@\"; }",
                String.join("\n", blocks));
        Path file = tmp.resolve("walkthrough.sh");
        Files.writeString(file, script);

        ProcessBuilder pb = new ProcessBuilder("bash", file.toString()).directory(work.toFile()).redirectErrorStream(true);
        pb.environment().remove("REACH_PLUGINS");
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        pb.environment().put("PATH", Path.of(System.getProperty("java.home"), "bin") + ":" + System.getenv("PATH"));
        pb.environment().put("TERM", "dumb");
        pb.environment().put("MAVEN_ARGS", "-o -q -B -Daether.offline.protocols=file");
        pb.environment().put("XDG_DATA_HOME", tmp.resolve("data").toString());
        Path log = tmp.resolve("walkthrough.log");
        pb.redirectOutput(log.toFile());
        long t0 = System.nanoTime();
        Process p = pb.start();
        try {
            boolean done = p.waitFor(300, TimeUnit.SECONDS);
            String out = Files.readString(log);
            assertThat(done).as("the walkthrough finished within 300 s; it printed:\n%s", out).isTrue();
            assertThat(p.exitValue()).as("the walkthrough's exit code; it printed:\n%s", out).isZero();

            assertThat(out).contains("acme 0.1.0").contains("probes: acme.greeting");          // reach plugins
            assertThat(out).contains("acme.greeting — Connects and reads the first line");    // reach probes acme.greeting
            assertThat(out).contains("127.0.0.1:52525 greeted with \"220 acme ready\"");       // reach probe, reach run
            assertThat(out).contains("Running playbook greeting");
            Path jar = work.resolve("acme-probe/target/reach-plugin-acme-0.1.0.jar");
            assertThat(jar).exists();
            System.out.printf("docs/plugins.md walkthrough took %d ms; it printed:%n%s%n", (System.nanoTime() - t0) / 1_000_000, out);
        } finally {
            // the walkthrough's greeter (and anything else it left) stops by PID
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
    }

    /** A JDK 25 where the wrapper looks when neither JAVA_HOME nor PATH has one (as the launcher does). */
    private static boolean jdk25UnderUsrLibJvm() throws IOException {
        Path jvm = Path.of("/usr/lib/jvm");
        if (!Files.isDirectory(jvm)) return false;
        try (var homes = Files.list(jvm)) {
            return homes.map(h -> h.resolve("release")).filter(Files::isRegularFile).anyMatch(r -> {
                try {
                    return Files.readString(r).matches("(?s).*JAVA_VERSION=\"(2[5-9]|[3-9][0-9]).*");
                } catch (IOException e) {
                    return false;
                }
            });
        }
    }

    private static void unlinkAll(Path view) throws IOException {
        try (var files = Files.walk(view)) {
            for (Path p : files.filter(Files::isSymbolicLink).toList()) {
                Files.delete(p);
            }
        }
    }

    /** The bodies of the {@code ```bash} fenced blocks, in order. */
    static List<String> bashBlocks(String markdown) {
        List<String> out = new ArrayList<>();
        Matcher m = Pattern.compile("(?m)^```bash\\n(.*?)^```$", Pattern.DOTALL).matcher(markdown);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    private static String quote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }

    /**
     * A plugin with a real probe class and its index, whose manifest says {@code Plugin-Requires: >=99.0.0}:
     * were it not for that line, it would load.
     */

    private static void futurePlugin(Path tmp, Path jar) throws IOException {
        PluginJars.build(tmp, jar, "future", "1.0.0", ">=99.0.0", "future.probe");
    }
}
