package dev.reach.dist;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** What the tests that drive reach in a real pseudo-terminal (tmux) share: short commands, shell quoting, waiting for a screen. */
final class Terminal {
    private Terminal() {
    }

    /** A command's exit code and its output (standard output and error together). */
    record Exec(int exit, String out) {
    }

    /** Runs a short command (tmux's own) and waits for it, at most 10 s; 127 when it cannot start. */
    static Exec exec(String... cmd) throws Exception {
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        } catch (IOException e) {
            return new Exec(127, e.toString());
        }
        try {
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(10, TimeUnit.SECONDS)) throw new AssertionError(String.join(" ", cmd) + " did not finish");
            return new Exec(p.exitValue(), out);
        } finally {
            p.destroyForcibly();
        }
    }

    /** {@code s} quoted for sh. */
    static String q(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }

    /** Polls {@code capture} every 100 ms until {@code ready} holds; fails with what was seen after {@code waitMs}. */
    static String await(String what, long waitMs, Callable<String> capture, Predicate<String> ready) throws Exception {
        long deadline = System.nanoTime() + waitMs * 1_000_000;
        String s = "";
        while (System.nanoTime() < deadline) {
            s = capture.call();
            if (ready.test(s)) return s;
            Thread.sleep(100);
        }
        throw new AssertionError("waited " + waitMs / 1000 + " s for " + what + "; saw:\n" + s);
    }
}
