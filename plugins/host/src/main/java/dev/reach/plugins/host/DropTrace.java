package dev.reach.plugins.host;

import dev.reach.spi.ProbeContext;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The kernel's own word on every packet it drops: the {@code skb:kfree_skb} tracepoint (Linux 5.17 and later
 * carry {@code enum skb_drop_reason}), enabled in a tracefs instance of its own for a bounded window, filtered to
 * IPv4 and IPv6, read back as lines and counted by reason and kernel location. An instance has its own buffer and
 * switches, so perf, trace-cmd or another reach tracing at the same time are not disturbed; it is removed when the
 * window ends, whatever happened.
 *
 * <p>The tracepoint sees the whole machine, every network namespace included, and carries no addresses: what a
 * count means for one flow comes from beside it (a baseline window before, or the flow's own packets seen
 * meanwhile, as {@code flow.watch} does). Root only.
 */
final class DropTrace implements AutoCloseable {
    static final List<Path> ROOTS = List.of(Path.of("/sys/kernel/tracing"), Path.of("/sys/kernel/debug/tracing"));
    private static final String EVENT = "events/skb/kfree_skb";
    /** A marker written into the instance's buffer: lines after it belong to the window, before it to the baseline. */
    static final String MARK = "reach-window-starts";
    private static final Pattern LINE = Pattern.compile("kfree_skb: .*?protocol=(\\d+) location=(\\S+) reason: (\\S+)");

    /** Drops of one reason at one kernel location. */
    record Drop(String reason, String location, int count) {
        /** {@code nf_hook_slow+0x91/0x100} → {@code nf_hook_slow}: the function, without offset and size. */
        String function() {
            int plus = location.indexOf('+');
            return plus < 0 ? location : location.substring(0, plus);
        }

        String text() {
            return reason + " ×" + count + " at " + location;
        }
    }

    /** What a window saw: its drops (most first), the baseline's, events the buffer lost, and notes on how it ran. */
    record Counts(List<Drop> window, List<Drop> baseline, long lost, List<String> notes) {
        int total() {
            return window.stream().mapToInt(Drop::count).sum();
        }

        /** Drops of this reason in the window (all locations). */
        int of(String reason) {
            return window.stream().filter(d -> d.reason().equals(reason)).mapToInt(Drop::count).sum();
        }
    }

    private final Path instance;
    private final List<String> notes;

    private DropTrace(Path instance, List<String> notes) {
        this.instance = instance;
        this.notes = notes;
    }

    /**
     * Makes an instance and starts tracing into it; the reason it cannot is the exception's message (not root,
     * no tracefs, a kernel without the tracepoint or its drop reasons). Mounts tracefs at /sys/kernel/tracing when it
     * is not mounted (as perf does), and says so in the notes.
     */
    static DropTrace start(ProbeContext ctx) throws IOException {
        if (!ctx.privileges().root()) {
            throw new IOException("the kernel's drop reasons are read through tracefs, which needs root");
        }
        List<String> notes = new ArrayList<>();
        Path root = ROOTS.stream().filter(r -> Files.isDirectory(r.resolve("instances"))).findFirst().orElse(null);
        if (root == null && Files.isDirectory(ROOTS.getFirst())) {
            Exec m = Exec.run(ctx, Duration.ofSeconds(2), "mount", "-t", "tracefs", "nodev", ROOTS.getFirst().toString());
            if (m.ok() && Files.isDirectory(ROOTS.getFirst().resolve("instances"))) {
                root = ROOTS.getFirst();
                notes.add("mounted tracefs at " + root + " (it was not mounted)");
            } else {
                throw new IOException("tracefs is not mounted and could not be (" + m.line() + ": " + m.why() + ")");
            }
        }
        if (root == null) {
            throw new IOException("this kernel has no tracefs (/sys/kernel/tracing)");
        }
        if (!Files.exists(root.resolve(EVENT).resolve("format"))) {
            throw new IOException("this kernel has no skb:kfree_skb tracepoint");
        }
        if (!Files.readString(root.resolve(EVENT).resolve("format")).contains("reason")) {
            throw new IOException("this kernel's skb:kfree_skb carries no drop reason (Linux 5.17 or later does)");
        }
        Path instance = root.resolve("instances").resolve("reach-" + ProcessHandle.current().pid() + "-" + Long.toHexString(System.nanoTime()));
        Files.createDirectory(instance);   // tracefs makes the instance's files
        DropTrace t = new DropTrace(instance, notes);
        try {
            write(instance.resolve("buffer_size_kb"), "1024");
            write(instance.resolve(EVENT).resolve("filter"), "protocol==2048||protocol==34525");
            write(instance.resolve(EVENT).resolve("enable"), "1");
        } catch (IOException e) {
            t.close();
            throw new IOException("could not enable skb:kfree_skb in " + instance + ": " + e.getMessage(), e);
        }
        return t;
    }

    /** From now on, drops count as the window's; those before as the baseline's. */
    void markWindow() throws IOException {
        write(instance.resolve("trace_marker"), MARK);
    }

    /** Stops tracing and counts what the buffer holds. */
    Counts stop() throws IOException {
        write(instance.resolve(EVENT).resolve("enable"), "0");
        String trace = Files.readString(instance.resolve("trace"), StandardCharsets.UTF_8);
        long lost = 0;
        try (var cpus = Files.list(instance.resolve("per_cpu"))) {
            for (Path cpu : cpus.toList()) {
                lost += overrun(Files.readString(cpu.resolve("stats")));
            }
        } catch (IOException e) {
            notes.add("the buffer's overrun counters could not be read: " + e.getMessage());
        }
        return count(trace, lost, notes);
    }

    /** Counts the lines of a trace by reason and location, split at the marker when there is one. Pure. */
    static Counts count(String trace, long lost, List<String> notes) {
        boolean marked = trace.contains(MARK);
        Map<String, int[]> before = new LinkedHashMap<>();
        Map<String, int[]> after = new LinkedHashMap<>();
        boolean inWindow = !marked;
        for (String line : trace.split("\n")) {
            if (line.startsWith("#")) continue;
            if (line.contains(MARK)) {
                inWindow = true;
                continue;
            }
            Matcher m = LINE.matcher(line);
            if (!m.find()) continue;
            (inWindow ? after : before).computeIfAbsent(m.group(3) + "\t" + m.group(2), k -> new int[1])[0]++;
        }
        return new Counts(drops(after), drops(before), lost, List.copyOf(notes));
    }

    private static List<Drop> drops(Map<String, int[]> counted) {
        List<Drop> out = new ArrayList<>();
        counted.forEach((k, n) -> out.add(new Drop(k.substring(0, k.indexOf('\t')), k.substring(k.indexOf('\t') + 1), n[0])));
        out.sort(Comparator.comparingInt(Drop::count).reversed().thenComparing(Drop::reason));
        return List.copyOf(out);
    }

    static long overrun(String stats) {
        for (String line : stats.split("\n")) {
            if (line.startsWith("overrun:")) {
                try {
                    return Long.parseLong(line.substring(8).strip());
                } catch (NumberFormatException e) {
                    return 0;
                }
            }
        }
        return 0;
    }

    /** Disables the event and removes the instance (its buffer with it); safe to call twice. */
    @Override
    public void close() {
        try {
            write(instance.resolve(EVENT).resolve("enable"), "0");
        } catch (IOException e) {
            // the instance may be half made: removing it is what matters
        }
        for (int i = 0; i < 5; i++) {   // rmdir fails with EBUSY while a reader holds the buffer open
            try {
                Files.deleteIfExists(instance);
                return;
            } catch (IOException e) {
                try {
                    Thread.sleep(20);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    private static void write(Path file, String value) throws IOException {
        Files.writeString(file, value + "\n", StandardCharsets.UTF_8);
    }
}
