package dev.reach.dist;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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
     * Runs every {@code ```bash} block of docs/plugins.md, in order, as one script in an empty folder, where
     * {@code reach} is the built distribution and {@code mvn} is this repository's Maven wrapper, offline.
     * The {@code ```sh} blocks (setup of a new machine, installing for good) are shown, not run.
     */
    @Test
    void docsPluginsMdFollowedLiterallyFromAnEmptyFolderGivesAWorkingProbe(@TempDir Path tmp) throws Exception {
        sdkInstalled();
        List<String> blocks = bashBlocks(Files.readString(DOC));
        assertThat(blocks).as("```bash blocks in docs/plugins.md").hasSizeGreaterThanOrEqualTo(6);
        Path work = Files.createDirectory(tmp.resolve("empty"));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String script = String.join("\n",
                "set -euo pipefail",
                "export REACH_SRC=" + quote(Cli.REPO.toString()),
                "reach() { " + quote(java) + " --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow"
                        + " -Dreach.home=" + quote(Cli.HOME.toString()) + " -cp " + quote(Cli.HOME.resolve("lib") + "/*")
                        + " dev.reach.shell.Main \"$@\"; }",
                "mvn() { " + quote(Cli.REPO.resolve("mvnw").toString()) + " -o -q -B -f \"$PWD/pom.xml\" \"$@\"; }",
                String.join("\n", blocks));
        Path file = tmp.resolve("walkthrough.sh");
        Files.writeString(file, script);

        ProcessBuilder pb = new ProcessBuilder("bash", file.toString()).directory(work.toFile()).redirectErrorStream(true);
        pb.environment().remove("REACH_PLUGINS");
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        pb.environment().put("PATH", Path.of(System.getProperty("java.home"), "bin") + ":" + System.getenv("PATH"));
        pb.environment().put("TERM", "dumb");
        pb.environment().put("MAVEN_OPTS", "--sun-misc-unsafe-memory-access=allow");
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

    /**
     * The template builds offline against reach-spi and reach-testkit from ~/.m2, as a plugin author's would:
     * skip, saying so, when they are not there ({@code ./mvnw install} puts them there before dist runs).
     */
    private static void sdkInstalled() {
        Path repo = Path.of(System.getProperty("user.home"), ".m2", "repository", "dev", "reach");
        for (String artifact : List.of("reach-spi", "reach-testkit")) {
            Path jar = repo.resolve(artifact).resolve(SDK_VERSION).resolve(artifact + "-" + SDK_VERSION + ".jar");
            Assumptions.assumeTrue(Files.isRegularFile(jar), () -> "skipped: " + jar + " is missing; the template builds "
                    + "against the installed SDK: run ./mvnw install (not just verify) so it is there");
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
