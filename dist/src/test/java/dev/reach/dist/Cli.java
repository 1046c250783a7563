package dev.reach.dist;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the laid-out distribution (target/reach) as a real process, the way the ./reach launcher does. */
final class Cli {
    static final Path HOME = Path.of("target/reach").toAbsolutePath();
    static final Path REPO = Path.of("..").toAbsolutePath().normalize();

    record Result(int exit, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exit + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    private Cli() {
    }

    static Result reach(String... args) throws IOException, InterruptedException {
        return finish(start(args), args);
    }

    /** Runs reach with extra environment variables. */
    static Result reach(java.util.Map<String, String> env, String... args) throws IOException, InterruptedException {
        return finish(start(env, args), args);
    }

    /** Starts reach; {@link #finish} waits for it and reads what it printed. */
    static Running start(String... args) throws IOException {
        return start(java.util.Map.of(), args);
    }

    static Running start(java.util.Map<String, String> env, String... args) throws IOException {
        return start(List.of(), env, args);
    }

    /** Runs reach in directory {@code dir} (the others run in the checkout). */
    static Result run(Path dir, String... args) throws IOException, InterruptedException {
        return finish(start(dir, List.of(), java.util.Map.of(), args), args);
    }

    /** Starts reach with these JVM options too. */
    static Running start(List<String> jvm, java.util.Map<String, String> env, String... args) throws IOException {
        return start(REPO, jvm, env, args);
    }

    private static Running start(Path dir, List<String> jvm, java.util.Map<String, String> env, String... args) throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED",
                "--sun-misc-unsafe-memory-access=allow", "-Dreach.home=" + HOME));
        cmd.addAll(jvm);
        cmd.addAll(List.of("-cp", HOME.resolve("lib") + "/*", "dev.reach.shell.Main"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile());
        environment(pb, env);
        Path out = Files.createTempFile("reach-out", ".txt");
        Path err = Files.createTempFile("reach-err", ".txt");
        pb.redirectOutput(out.toFile()).redirectError(err.toFile());
        return new Running(pb.start(), out, err);
    }

    /** The environment every test run of reach gets, and then {@code env}. */
    static void environment(ProcessBuilder pb, java.util.Map<String, String> env) {
        pb.environment().put("TERM", "dumb");
        pb.environment().remove("COLUMNS");     // piped: reports are 80 columns wide unless a test says otherwise
        pb.environment().remove("REACH_PLUGINS");
        pb.environment().put("XDG_DATA_HOME", HOME.resolve("../it-data").normalize().toString()); // never the user's plugins
        pb.environment().putAll(env);
    }

    /** A started reach process and the files its output goes to. */
    record Running(Process process, Path out, Path err) {
    }

    static Result finish(Running running, String... args) throws IOException, InterruptedException {
        Process p = running.process();
        Path out = running.out();
        Path err = running.err();
        try {
            if (!p.waitFor(90, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                throw new AssertionError("reach " + String.join(" ", args) + " did not finish in 90 s");
            }
            return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            p.destroyForcibly();
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    /** A loopback port that nothing listens on (bound, then released). */
    static int closedPort() throws IOException {
        try (var s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
