package dev.reach.shell.command;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.BufferedReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The server's side of a diagnosis, run on B through the user's own way of running a command there ({@code ssh
 * admin@db01}, {@code kubectl exec -i pod --}, {@code ip netns exec B}): {@code reach listen PORT --from A --watch
 * DURATION --json} started before A's first packet, so that B watches A's packets arrive while A connects. The
 * command prefix is split as a shell splits words and run as argv, never through a shell; only the port, A's address
 * and durations cross on the command line. B's standard error says when its watch is in place ("reach: watching");
 * its standard output is a reach.run/1 report, read once it ends. Every wait is bounded; the process is stopped by
 * its PID when it overstays.
 */
final class ServerVia implements AutoCloseable {
    /** How long B may take to start watching (an ssh connection and a JVM). */
    static final Duration ARMING = Duration.ofSeconds(15);

    /**
     * What B said: its report (empty when there is none) and, when there is none, why; {@code watching} is when A heard
     * B's watch begin (null when it did not), the moment B's packet times count from.
     */
    record View(Optional<JsonNode> report, String absent, List<String> command, java.time.Instant watching) {
        View(Optional<JsonNode> report, String absent, List<String> command) {
            this(report, absent, command, null);
        }

        static View absent(String why, List<String> command) {
            return new View(Optional.empty(), why, command);
        }
    }

    private final List<String> command;
    private final Process process;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final List<String> errLines = new ArrayList<>();
    private final CountDownLatch armed = new CountDownLatch(1);
    private volatile java.time.Instant watching;
    private final Thread outReader;
    private final Thread errReader;

    private ServerVia(List<String> command, Process process) {
        this.command = command;
        this.process = process;
        outReader = Thread.ofVirtual().start(() -> copy(process.getInputStream()));
        errReader = Thread.ofVirtual().start(this::readErr);
    }

    /**
     * The argv run on A: the server command's words, then {@code listen PORT --from CLIENT --watch WATCH --json} (and {@code
     * --proto udp} for UDP).
     */
    static List<String> argv(ServerCommand server, int port, String client, Duration watch, String proto) {
        List<String> words = new ArrayList<>(List.of("listen", Integer.toString(port), "--from", client, "--watch",
                dev.reach.spi.ParamType.format(watch), "--json", "--no-history", "--no-color"));
        if (proto.equals("udp")) words.addAll(List.of("--proto", "udp"));
        return server.argv(words);
    }

    /** Starts B's side and waits (at most {@link #ARMING}) until it watches; empty with why when it could not. */
    static Started start(List<String> argv) {
        Process p;
        try {
            p = new ProcessBuilder(argv).redirectInput(ProcessBuilder.Redirect.PIPE).start();
        } catch (IOException e) {
            return new Started(null, View.absent("'" + argv.getFirst() + "' could not be started: " + e.getMessage(), argv));
        }
        ServerVia s = new ServerVia(argv, p);
        try {
            long end = System.nanoTime() + ARMING.toNanos();
            while (!s.armed.await(50, TimeUnit.MILLISECONDS)) {
                if (!p.isAlive() || System.nanoTime() > end) {
                    String why = p.isAlive() ? "it did not start watching within " + dev.reach.spi.ParamType.format(ARMING)
                            : "it ended (exit " + p.waitFor() + ") before watching";
                    s.errReader.join(Duration.ofMillis(500));
                    s.close();
                    if (!p.isAlive()) {
                        // it could not watch (no root there) but looked at the rest: that view stands, without the wire's
                        View early = s.await(Duration.ofSeconds(2));
                        if (early.report().isPresent()) return new Started(null, early);
                    }
                    return new Started(null, View.absent(why + s.lastError(), argv));
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            s.close();
            return new Started(null, View.absent("interrupted while it started", argv));
        }
        return new Started(s, null);
    }

    /** B's side once started ({@code server}), or why it is absent ({@code absent}). */
    record Started(ServerVia server, View absent) {
    }

    /** Waits at most {@code wait} for B's report, then stops B by its PID if it is still there. */
    View await(Duration wait) {
        try {
            process.getOutputStream().close();   // nothing more is coming from A
        } catch (IOException e) {
            // B may have gone already; its report says
        }
        try {
            if (!process.waitFor(wait.toMillis(), TimeUnit.MILLISECONDS)) {
                close();
                return View.absent("it did not report within " + dev.reach.spi.ParamType.format(wait) + " and was stopped", command);
            }
            outReader.join(Duration.ofSeconds(2));
            errReader.join(Duration.ofSeconds(2));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            close();
            return View.absent("interrupted", command);
        }
        String text;
        synchronized (out) {
            text = out.toString(StandardCharsets.UTF_8);
        }
        try {
            JsonNode report = new ObjectMapper().readTree(text);
            if (report == null || !"reach.run/1".equals(report.path("schema").asText())) {
                return View.absent("it printed no reach.run/1 report (exit " + process.exitValue() + ")" + lastError(), command);
            }
            return new View(Optional.of(report), "", command, watching);
        } catch (IOException e) {
            return View.absent("its output is not a reach.run/1 report (exit " + process.exitValue() + ")" + lastError(), command);
        }
    }

    private String lastError() {
        synchronized (errLines) {
            List<String> real = errLines.stream().filter(l -> !l.isBlank() && !l.startsWith("reach: watching")).toList();
            return real.isEmpty() ? "" : ": " + real.getLast().strip();
        }
    }

    private void copy(InputStream in) {
        byte[] buf = new byte[8192];
        try (in) {
            for (int n; (n = in.read(buf)) >= 0; ) {
                synchronized (out) {
                    if (out.size() < 8 << 20) out.write(buf, 0, n);   // a report is kilobytes; more is not one
                }
            }
        } catch (IOException e) {
            // the process went away: what was read is what there is
        }
    }

    private void readErr() {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                if (line.startsWith("reach: watching") && armed.getCount() > 0) {
                    watching = java.time.Instant.now();
                    armed.countDown();
                }
                synchronized (errLines) {
                    if (errLines.size() < 200) errLines.add(line);
                }
            }
        } catch (IOException e) {
            // as above
        }
    }

    /** Stops B's side (and what it started) by PID if it is still running. */
    @Override
    public void close() {
        if (process.isAlive()) {
            process.toHandle().descendants().forEach(ProcessHandle::destroy);
            process.destroy();
            try {
                if (!process.waitFor(2, TimeUnit.SECONDS)) {
                    process.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
            }
        }
    }
}
