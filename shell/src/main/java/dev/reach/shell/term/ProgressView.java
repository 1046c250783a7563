package dev.reach.shell.term;

import dev.reach.core.report.Visible;
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
 * Live progress on standard error while a run is long: on a terminal, each step's line as it finishes (mark, id,
 * summary, cut to the width) with one line below it, a spinner and the running steps, redrawn in place and erased at
 * the end, the way mtr and nmap --reason show results as they come; when piped, a plain line per step that finishes
 * (not cut: logs keep whole lines). Quiet at first ({@link #QUIET_MS}, {@link #QUIET_PLAIN_MS}), so quick runs print
 * only their report. Steps skipped by their condition, or cut short because the evidence had decided, are not shown
 * as they finish, either way. What a step reports is {@link Visible}: a server's bytes never act on the terminal.
 * A step that says it is {@link #WATCHING} (a packet watch in place: the other side may start now) is said at once,
 * in either mode, as one line: {@code reach: watching ...} (the client side of {@code --server-via} waits for it).
 */
public final class ProgressView implements RunListener, AutoCloseable {
    public static final long QUIET_MS = 700;
    /** Plain lines (piped output) start later: they stay in logs, so only truly long runs get them. */
    public static final long QUIET_PLAIN_MS = 2000;
    /** How a step's progress message begins when it has started watching for something another party does. */
    public static final String WATCHING = "watching ";
    private static final String[] SPIN = {"⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"};

    private final PrintWriter err;
    private final boolean live;
    private final java.util.function.IntSupplier width;
    private final long quietMs;
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
        this(err, live, width, live ? QUIET_MS : QUIET_PLAIN_MS);
    }

    /** {@code quietMs}: how long the view shows nothing (tests give 0). */
    ProgressView(PrintWriter err, boolean live, java.util.function.IntSupplier width, long quietMs) {
        this.err = err;
        this.live = live;
        this.width = width;
        this.quietMs = quietMs;
        if (live) {
            ticker = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "reach-progress");
                t.setDaemon(true);
                return t;
            });
            ticker.scheduleAtFixedRate(this::draw, quietMs, 100, TimeUnit.MILLISECONDS);
        } else {
            ticker = null;
        }
    }

    @Override
    public void on(RunEvent event) {
        switch (event) {
            case RunEvent.StepStarted s -> running.put(s.id(), Visible.text(s.probe() + " " + params(s.params())));
            case RunEvent.StepProgress p -> {
                running.computeIfPresent(p.id(), (k, v) -> v.replaceAll(" · .*", "") + " · " + Visible.text(p.message()));
                if (p.message().startsWith(WATCHING)) {
                    synchronized (this) {
                        clear();
                        err.println("reach: " + Visible.text(p.message()));
                        err.flush();
                    }
                }
            }
            case RunEvent.StepFinished f -> {
                running.remove(f.result().id());
                if (f.result().skippedByCondition() || f.result().cutShort()) return;   // the report says why; noise here
                if (live && elapsedMs() >= quietMs) {
                    finished(f.result());
                } else if (!live && elapsedMs() >= quietMs) {
                    synchronized (this) {
                        err.printf("reach: %6.1fs  %-8s %s: %s%n", elapsedMs() / 1000.0, f.result().status().label(),
                                Visible.text(f.result().id()), Visible.text(f.result().observation().summary()));
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
        String what = running.entrySet().stream().map(e -> Visible.text(e.getKey()) + " (" + e.getValue() + ")")
                .collect(Collectors.joining(", "));
        String line = SPIN[frame++ % SPIN.length] + String.format(" %.1fs  ", elapsedMs() / 1000.0) + what;
        err.print("\r\u001b[2K" + fit(line));
        err.flush();
        drawn = true;
    }

    /** A finished step's line above the spinner: it stays on the screen; the spinner is drawn again below it. */
    private synchronized void finished(dev.reach.core.run.StepResult r) {
        String mark = switch (r.status()) {
            case OK -> "✔";
            case WARN -> "!";
            case SKIPPED -> "–";
            default -> "✘";
        };
        String line = String.format("%s %5.1fs  %s  %s", mark, elapsedMs() / 1000.0, Visible.text(r.id()),
                Visible.text(r.observation().summary()));
        clear();
        err.println(fit(line));
        err.flush();
    }

    /** The line cut to the terminal, one column short of the margin: a full line leaves the cursor past it on some terminals. */
    private String fit(String line) {
        int columns = width.getAsInt();
        return line.length() >= columns ? line.substring(0, Math.max(1, columns - 2)) + "…" : line;
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
