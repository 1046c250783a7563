package dev.reach.plugins.net;

import dev.reach.plugins.net.PathTraceProbe.Hop;
import dev.reach.spi.Addresses;
import dev.reach.spi.ProbeContext;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * path.trace's {@code system} method: the system's {@code tracepath -n} (preferred) or {@code traceroute -n}
 * as a child process with a bounded deadline, killed by its PID when it outlives it, its output read back by
 * {@link TraceOutput}. The fallback where this process may not open the sockets itself.
 */
final class SystemTrace {
    /** A silent hop costs tracepath about three seconds (it has no timeout option). */
    private static final Duration TRACEPATH_SILENT_HOP = Duration.ofSeconds(3);
    /** What the probe keeps back from its deadline to read the output and answer. */
    private static final Duration MARGIN = Duration.ofMillis(300);

    private SystemTrace() {
    }

    /**
     * One run of the tool.
     *
     * @param tool    {@code tracepath} or {@code traceroute}
     * @param command what ran
     * @param output  stdout and stderr together
     * @param exit    its exit code; -1 when it was stopped at the deadline
     */
    record Ran(String tool, List<String> command, String output, int exit) {
        boolean stopped() {
            return exit == -1;
        }

        List<Hop> hops(String target) {
            return tool.equals("tracepath") ? TraceOutput.tracepath(output) : TraceOutput.traceroute(output, target);
        }

        /** The tool could not trace at all (no socket for it either, a bad argument): its first lines, else null. */
        String failure() {
            String lower = output.toLowerCase(Locale.ROOT);
            boolean refused = lower.contains("operation not permitted") || lower.contains("permission denied") || lower.contains("socket:");
            if (!refused && (exit <= 0 || !hops(null).isEmpty())) return null;
            List<String> lines = output.strip().lines().limit(3).toList();
            return tool + " exited " + exit + (lines.isEmpty() ? "" : ": " + String.join(" / ", lines));
        }
    }

    /** The tool this host has, tracepath first; empty when neither is on PATH. */
    static Optional<Path> find(ProbeContext ctx) {
        return ctx.privileges().tool("tracepath").or(() -> ctx.privileges().tool("traceroute"));
    }

    /** The command line for that tool: numeric output, its hop limit, and (traceroute) probes per hop and wait. */
    static List<String> command(Path tool, InetAddress target, int maxHops, int count, Duration timeout, Integer port) {
        List<String> c = new ArrayList<>(List.of(tool.toString(), "-n", "-m", String.valueOf(maxHops)));
        if (tool.getFileName().toString().equals("traceroute")) {
            c.addAll(List.of("-q", String.valueOf(count), "-w", String.format(Locale.ROOT, "%.3f", timeout.toMillis() / 1000.0)));
        }
        if (port != null) c.addAll(List.of("-p", String.valueOf(port)));
        c.add(Addresses.text(target));
        return List.copyOf(c);
    }

    /** How long the tool may run: its own worst case for these settings, cut to what the step has left. */
    static Duration limit(ProbeContext ctx, String tool, int maxHops, int count, Duration timeout) {
        Duration worst = tool.equals("tracepath") ? TRACEPATH_SILENT_HOP.multipliedBy(maxHops)
                : timeout.multipliedBy((long) maxHops * count);
        Duration left = ctx.remaining().minus(MARGIN);
        Duration want = worst.plusSeconds(2);
        return left.compareTo(want) < 0 ? (left.isNegative() ? Duration.ofMillis(1) : left) : want;
    }

    /**
     * Runs it, killed by PID if it outlives {@code limit}; the output (in a temp file, so a long run cannot
     * fill a pipe) is read even then, and kept: the hops it printed before the deadline are still facts.
     */
    static Ran run(List<String> command, Duration limit) throws IOException, InterruptedException {
        Path out = Files.createTempFile("reach-trace-", ".txt");
        Process p = null;
        try {
            p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
            int exit;
            if (p.waitFor(Math.max(1, limit.toMillis()), TimeUnit.MILLISECONDS)) {
                exit = p.exitValue();
            } else {
                p.destroyForcibly().waitFor(2, TimeUnit.SECONDS);
                exit = -1;
            }
            String tool = Path.of(command.getFirst()).getFileName().toString();
            return new Ran(tool, command, Files.readString(out, StandardCharsets.UTF_8), exit);
        } finally {
            if (p != null && p.isAlive()) p.destroyForcibly();
            Files.deleteIfExists(out);
        }
    }
}
