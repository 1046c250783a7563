package dev.reach.testkit;

import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real server (redis-server, postgres, dnsmasq...) started by a test on loopback and stopped by its PID on
 * {@link #close()}, also when the test fails. Its stdout and stderr go to a log file that failure messages quote.
 *
 * <pre>{@code
 * Path redis = Daemon.assumeTool("redis-server");                 // skips the test, with the reason, when missing
 * int port = Daemon.freePort();
 * try (Daemon d = Daemon.start(redis.toString(), "--port", "" + port, "--bind", "127.0.0.1", "--save", "")) {
 *     d.awaitPort(port, Duration.ofSeconds(10));
 *     ...
 * }
 * }</pre>
 *
 * <p>Start the command itself, not a shell or a wrapper that forks it (use {@code setpriv}, which execs,
 * rather than {@code su} or {@code runuser}, to drop root): the PID stopped is the one started.
 */
public final class Daemon implements AutoCloseable {
    private static final Duration STOP_GRACE = Duration.ofSeconds(5);

    private final Process process;
    private final Path log;
    private final List<String> command;

    private Daemon(Process process, Path log, List<String> command) {
        this.process = process;
        this.log = log;
        this.command = command;
    }

    /** Starts the command with stdin from /dev/null and its output in a temporary log file. */
    public static Daemon start(String... command) {
        try {
            Path log = Files.createTempFile("reach-daemon-", ".log");
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            return new Daemon(p, log, List.of(command));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + String.join(" ", command), e);
        }
    }

    /**
     * The executable of that name on PATH or in one of the extra directories (globs allowed in the last
     * part, e.g. {@code /usr/lib/postgresql/*}{@code /bin}); aborts the test (a JUnit assumption) with the reason when
     * there is none.
     */
    public static Path assumeTool(String name, String... extraDirs) {
        Optional<Path> found = findTool(name, extraDirs);
        Assumptions.assumeTrue(found.isPresent(), () -> "skipped: '" + name + "' is not installed (not on PATH"
                + (extraDirs.length == 0 ? "" : " nor in " + String.join(", ", extraDirs)) + ")");
        return found.orElseThrow();
    }

    /** The executable of that name on PATH or in one of the extra directories, if any. */
    public static Optional<Path> findTool(String name, String... extraDirs) {
        Stream<Path> path = Stream.of(System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator))
                .filter(s -> !s.isBlank()).map(Path::of);
        Stream<Path> extra = Stream.of(extraDirs).flatMap(Daemon::expand);
        return Stream.concat(path, extra).map(d -> d.resolve(name)).filter(Files::isExecutable).findFirst();
    }

    /** A free loopback port (bound, then released) to start a server on. */
    public static int freePort() {
        return LoopbackServer.closedPort();
    }

    public long pid() {
        return process.pid();
    }

    public boolean alive() {
        return process.isAlive();
    }

    /** Everything it printed so far. */
    public String output() {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    /**
     * Waits until 127.0.0.1:port accepts a connection; throws with the command and its output when it exits
     * first or the wait runs out.
     */
    public Daemon awaitPort(int port, Duration wait) {
        long end = System.nanoTime() + wait.toNanos();
        for (int i = 0; i < 10_000 && System.nanoTime() < end; i++) {
            if (!process.isAlive()) {
                throw new IllegalStateException(this + " exited with " + process.exitValue() + " before listening on " + port
                        + "; it printed:\n" + output());
            }
            try (Socket s = new Socket(Proxy.NO_PROXY)) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return this;
            } catch (IOException notYet) {
                sleep(Duration.ofMillis(50));
            }
        }
        throw new IllegalStateException(this + " did not listen on 127.0.0.1:" + port + " within " + wait.toMillis()
                + "ms; it printed:\n" + output());
    }

    /** Stops it by PID (its children first): SIGTERM, then SIGKILL after a grace period; deletes the log. */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                process.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly().waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        try {
            Files.deleteIfExists(log);
        } catch (IOException e) {
            // a leftover temp file is harmless
        }
    }

    @Override
    public String toString() {
        return String.join(" ", command) + " (pid " + process.pid() + ")";
    }

    private static Stream<Path> expand(String dir) {
        int star = dir.indexOf('*');
        if (star < 0) {
            return Stream.of(Path.of(dir));
        }
        // one glob level: /usr/lib/postgresql/*/bin -> each version's bin, newest name first
        Path parent = Path.of(dir.substring(0, dir.lastIndexOf('/', star)));
        String rest = dir.substring(dir.indexOf('/', star) < 0 ? dir.length() : dir.indexOf('/', star));
        try (Stream<Path> children = Files.list(parent)) {
            return children.filter(Files::isDirectory).sorted(java.util.Comparator.reverseOrder())
                    .map(c -> Path.of(c + rest)).toList().stream();
        } catch (IOException e) {
            return Stream.empty();
        }
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
