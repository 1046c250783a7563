package dev.reach.plugins.host;

import dev.reach.spi.Failures;
import dev.reach.spi.ProbeContext;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a system tool ({@code ip}, {@code nft}, {@code arping}) with a deadline, and says what happened
 * as a value: a tool that is missing or hangs is a result for the probe, not an exception.
 *
 * @param command what ran
 * @param exit    its exit code; -1 when it could not start, -2 when it was killed for taking too long
 */
record Exec(List<String> command, int exit, String out, String err) {

    boolean ok() {
        return exit == 0;
    }

    /** The command as a user would type it. */
    String line() {
        return String.join(" ", command);
    }

    /** The first line of stderr, or why it did not run. */
    String why() {
        String e = err.strip();
        return e.isEmpty() ? "exit " + exit : e.lines().findFirst().orElse(e);
    }

    /** Runs the command, killed (by PID) after the wait, bounded by the probe's deadline. */
    static Exec run(ProbeContext ctx, Duration wait, String... command) {
        Duration limit = ctx.bound(wait);
        Path out = null;
        Path err = null;
        Process p = null;
        try {
            out = Files.createTempFile("reach-host-", ".out");
            err = Files.createTempFile("reach-host-", ".err");
            p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
            if (!p.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
                p.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                return new Exec(List.of(command), -2, read(out), "did not finish within " + limit.toMillis() + "ms and was stopped");
            }
            return new Exec(List.of(command), p.exitValue(), read(out), read(err));
        } catch (IOException e) {
            return new Exec(List.of(command), -1, "", Failures.text(e));
        } catch (InterruptedException e) {
            if (p != null) {
                p.destroyForcibly();
            }
            Thread.currentThread().interrupt();
            return new Exec(List.of(command), -2, "", "interrupted");
        } finally {
            delete(out);
            delete(err);
        }
    }

    private static String read(Path p) throws IOException {
        return Files.readString(p, StandardCharsets.UTF_8);
    }

    private static void delete(Path p) {
        try {
            if (p != null) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            // a leftover temp file is harmless
        }
    }
}
