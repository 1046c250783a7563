package dev.reach.shell.term;

import dev.reach.core.run.RunEvent;
import dev.reach.core.run.RunListener;
import dev.reach.spi.ParamType;

import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Live progress on standard error while a run is long: on a terminal, one line with a spinner and the
 * running steps, redrawn in place and erased at the end; when piped, a plain line per step that
 * finishes. Quiet at first ({@link #QUIET_MS}, {@link #QUIET_PLAIN_MS}), so quick runs print only their report.
 */
public final class ProgressView implements RunListener, AutoCloseable {
    public static final long QUIET_MS = 700;
    /** Plain lines (piped output) start later: they stay in logs, so only truly long runs get them. */
    public static final long QUIET_PLAIN_MS = 2000;
    private static final String[] SPIN = {"⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"};

    private final PrintWriter err;
    private final boolean live;
    private final java.util.function.IntSupplier width;
    private final long t0 = System.nanoTime();
    private final Map<String, String> running = new ConcurrentHashMap<>();
    private final ScheduledExecutorService ticker;
    private int frame;
    private boolean drawn;

    /** At {@link OutputMode#DEFAULT_WIDTH} columns. */
    public ProgressView(PrintWriter err, boolean live) {
        this(err, live, () -> OutputMode.DEFAULT_WIDTH);
    }

    /** {@code width}: the terminal's columns, read when drawing, so that the live line never wraps (it could not be erased). */
    public ProgressView(PrintWriter err, boolean live, java.util.function.IntSupplier width) {
        this.err = err;
        this.live = live;
        this.width = width;
        if (live) {
            ticker = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "reach-progress");
                t.setDaemon(true);
                return t;
            });
            ticker.scheduleAtFixedRate(this::draw, QUIET_MS, 100, TimeUnit.MILLISECONDS);
        } else {
            ticker = null;
        }
    }

    @Override
    public void on(RunEvent event) {
        switch (event) {
            case RunEvent.StepStarted s -> running.put(s.id(), s.probe() + " " + params(s.params()));
            case RunEvent.StepProgress p -> running.computeIfPresent(p.id(), (k, v) -> v.replaceAll(" · .*", "") + " · " + p.message());
            case RunEvent.StepFinished f -> {
                running.remove(f.result().id());
                if (!live && elapsedMs() > QUIET_PLAIN_MS) {
                    synchronized (this) {
                        err.printf("reach: %6.1fs  %-8s %s: %s%n", elapsedMs() / 1000.0, f.result().status().label(),
                                f.result().id(), f.result().observation().summary());
                        err.flush();
                    }
                }
            }
            default -> { }
        }
    }

    private long elapsedMs() {
        return (System.nanoTime() - t0) / 1_000_000;
    }

    private synchronized void draw() {
        if (running.isEmpty()) {
            clear();
            return;
        }
        String what = running.entrySet().stream().map(e -> e.getKey() + " (" + e.getValue() + ")")
                .collect(Collectors.joining(", "));
        String line = SPIN[frame++ % SPIN.length] + String.format(" %.1fs  ", elapsedMs() / 1000.0) + what;
        // one column short of the margin: a line that fills it leaves the cursor past the end on some terminals
        int columns = width.getAsInt();
        err.print("\r\u001b[2K" + (line.length() >= columns ? line.substring(0, Math.max(1, columns - 2)) + "…" : line));
        err.flush();
        drawn = true;
    }

    private void clear() {
        if (drawn) {
            err.print("\r\u001b[2K");
            err.flush();
            drawn = false;
        }
    }

    private static String params(Map<String, Object> params) {
        return params.entrySet().stream().map(e -> e.getKey() + "=" + ParamType.format(e.getValue()))
                .collect(Collectors.joining(" "));
    }

    @Override
    public synchronized void close() {
        if (ticker != null) {
            ticker.shutdownNow();
        }
        clear();
    }
}
