package dev.reach.plugins.net;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.stream.Stream;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * How many descriptors this process may open (RLIMIT_NOFILE) and how many a scan may hold in flight: each
 * connect in flight is a socket. {@link #raise} lifts the soft limit to the hard one (through FFM, as the
 * plugin's other syscalls) when a scan needs more than the soft limit leaves; {@link #inFlight} keeps a margin
 * for the rest of the process (its jars, the engine's other probes, a playbook's parallel steps).
 *
 * <pre>{@code
 * FileLimit l = FileLimit.raise(20_000);   // soft 1024 -> 524288, or unchanged with the reason
 * int cap = l.inFlight(20_000);            // 20000 when the limit allows it, fewer otherwise
 * }</pre>
 *
 * @param before the soft limit found
 * @param soft   the soft limit now (the hard one when raised)
 * @param hard   the hard limit ({@link Long#MAX_VALUE} for unlimited)
 * @param open   descriptors open in the process when it was read
 * @param errno  why raising failed (0: it was not needed, or it worked)
 */
record FileLimit(long before, long soft, long hard, int open, int errno) {
    /** What no scan touches: at least this many, or an eighth of the soft limit, stay for the rest of the process. */
    static final long MARGIN_MIN = 256;

    /** Reads the limits and, when {@code wanted} descriptors more than the soft limit leaves, raises it to the hard limit. */
    static FileLimit raise(long wanted) {
        int open = openNow();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment lim = arena.allocate(Syscalls.RLIMIT);
            Syscalls.Result r = Syscalls.getrlimit(Syscalls.RLIMIT_NOFILE, lim);
            if (r.failed()) return new FileLimit(1024, 1024, 1024, open, r.errno()); // the usual default: assume it
            long soft = unsigned(lim.get(JAVA_LONG, 0));
            long hard = unsigned(lim.get(JAVA_LONG, 8));
            if (!shouldRaise(soft, hard, open, wanted)) return new FileLimit(soft, soft, hard, open, 0);
            lim.set(JAVA_LONG, 0, lim.get(JAVA_LONG, 8));
            Syscalls.Result s = Syscalls.setrlimit(Syscalls.RLIMIT_NOFILE, lim);
            return s.failed() ? new FileLimit(soft, soft, hard, open, s.errno()) : new FileLimit(soft, hard, hard, open, 0);
        }
    }

    /** Pure: raise only when the soft limit is below the hard one and what it leaves is fewer than wanted. */
    static boolean shouldRaise(long soft, long hard, int open, long wanted) {
        return soft < hard && budget(soft, open) < wanted;
    }

    /** Pure: descriptors a scan may hold under a soft limit with {@code open} already in use, the margin kept (never below 1). */
    static long budget(long soft, int open) {
        long margin = Math.max(MARGIN_MIN, soft / 8);
        return Math.max(1, soft - open - margin);
    }

    /** Connects a scan of {@code wanted} may hold at once: what it wants, up to the budget. */
    int inFlight(long wanted) {
        return (int) Math.min(Integer.MAX_VALUE, Math.max(1, Math.min(wanted, budget(soft, open))));
    }

    /** One evidence line: {@code descriptors: soft limit 1024 raised to the hard limit 524288, 41 open; up to 10000 connects in flight}. */
    String describe(int inFlight) {
        String limit;
        if (errno != 0) {
            limit = String.format(Locale.ROOT, "soft limit %d, could not raise it to the hard limit %s (%s)", soft, text(hard),
                    Syscalls.errnoName(errno));
        } else if (soft != before) {
            limit = String.format(Locale.ROOT, "soft limit %d raised to the hard limit %s", before, text(hard));
        } else {
            limit = String.format(Locale.ROOT, "soft limit %d%s", soft, soft == hard ? " (the hard limit)" : ", hard " + text(hard));
        }
        return String.format(Locale.ROOT, "descriptors: %s, %d open; up to %d connects in flight", limit, open, inFlight);
    }

    private static String text(long limit) {
        return limit == Long.MAX_VALUE ? "unlimited" : Long.toString(limit);
    }

    private static long unsigned(long v) {
        return v < 0 ? Long.MAX_VALUE : v; // RLIM_INFINITY
    }

    /** Descriptors open in this process now; a guess of 64 where /proc cannot say. */
    private static int openNow() {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return (int) fds.count();
        } catch (IOException | java.io.UncheckedIOException e) {
            return 64;
        }
    }
}
