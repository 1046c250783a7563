package dev.reach.dist;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The checkout's launcher rebuilds the distribution when a source of it changed, and only then: a copy of {@code ./reach}
 * in a tree of its own, whose {@code mvnw} only notes that it was asked to build.
 */
class LauncherIT {
    private static final Instant BUILT = Instant.parse("2026-01-01T00:00:10Z");

    @TempDir
    Path root;

    @Test
    void rebuildsWhenASourceOfTheDistributionChangedAndOnlyThen() throws Exception {
        Files.copy(Cli.REPO.resolve("reach"), root.resolve("reach"));
        executable(root.resolve("reach"));
        Files.writeString(root.resolve("mvnw"), "#!/bin/sh\necho built >> \"$(dirname \"$0\")/built.log\"\n");
        executable(root.resolve("mvnw"));
        Path options = root.resolve("shell/src/main/launcher/jvm.options");
        Files.createDirectories(options.getParent());
        Files.copy(Cli.REPO.resolve("shell/src/main/launcher/jvm.options"), options);
        Files.setLastModifiedTime(options, FileTime.from(BUILT.minusSeconds(5)));   // a source too
        List<Path> sources = List.of(root.resolve("pom.xml"), root.resolve("engine/core/pom.xml"),
                root.resolve("engine/core/src/main/java/A.java"), root.resolve("plugins/examples/redis/src/main/resources/x.properties"),
                root.resolve("playbooks/p.yaml"), root.resolve("templates/probe-plugin/.mvn/jvm.config"));
        List<Path> others = List.of(root.resolve("engine/core/src/test/java/ATest.java"), root.resolve("engine/core/target/classes/A.class"),
                root.resolve("plugins/net/bench.sh"));
        for (Path p : sources) write(p, BUILT.minusSeconds(5));
        for (Path p : others) write(p, BUILT.minusSeconds(5));
        Files.createDirectories(root.resolve("dist/target/reach/lib"));
        write(root.resolve("dist/target/reach/.built"), BUILT);

        assertThat(builds()).as("nothing changed since the build").isZero();
        for (Path p : others) Files.setLastModifiedTime(p, FileTime.from(Instant.now().plusSeconds(60)));
        assertThat(builds()).as("a test, a build output and a bench script are no source of the distribution").isZero();
        int expected = 0;
        for (Path p : sources) {
            Files.setLastModifiedTime(p, FileTime.from(Instant.now().plusSeconds(60)));   // newer than the stamp the last build touched
            assertThat(builds()).as("%s changed", root.relativize(p)).isEqualTo(++expected);
            Files.setLastModifiedTime(p, FileTime.from(BUILT));
        }
    }

    /** Runs {@code ./reach --version} (which then fails: the tree has no classes) and returns how many builds it asked for so far. */
    private int builds() throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(root.resolve("reach").toString(), "--version").directory(root.toFile())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        pb.environment().put("REACH_AOT", "0");
        pb.environment().put("REACH_RESIDENT", "0");
        Process p = pb.start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        Path log = root.resolve("built.log");
        return Files.exists(log) ? Files.readAllLines(log).size() : 0;
    }

    private static void write(Path file, Instant modified) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, "x\n");
        Files.setLastModifiedTime(file, FileTime.from(modified));
    }

    private static void executable(Path file) throws IOException {
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
}
