package dev.reach.core.script;

import org.graalvm.polyglot.Context;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;

/**
 * Watches one script while it runs, from its own thread: at the run's deadline, on Ctrl-C, or when the
 * script's thread has allocated more than its budget, it interrupts the context (which stays usable, so
 * the run can still report). An interrupt waits for the script to be back in JavaScript; host calls
 * (probe, sleep) are themselves bounded by the same deadline and cancellation, so it never waits long.
 */
final class Watchdog implements AutoCloseable {
    /** Bytes the script's thread may allocate in all; checked every {@link #PERIOD}, so one allocation can overshoot it. */
    static final long ALLOCATION_BUDGET = 512L << 20;
    private static final Duration PERIOD = Duration.ofMillis(5);

    private final Context context;
    private final Thread script;
    private final Instant deadline;
    private final BooleanSupplier cancelled;
    private final long budget;
    private final Thread thread;
    private volatile String tripped;
    private volatile boolean done;

    Watchdog(Context context, Thread script, Instant deadline, BooleanSupplier cancelled, long budget) {
        this.context = context;
        this.script = script;
        this.deadline = deadline;
        this.cancelled = cancelled;
        this.budget = budget;
        this.thread = Thread.ofPlatform().daemon().name("reach-js-watchdog").unstarted(this::watch);
    }

    Watchdog start() {
        thread.start();
        return this;
    }

    /** Why the script was stopped, or null when it was not. */
    String tripped() {
        return tripped;
    }

    private void watch() {
        var mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long base = mx.getThreadAllocatedBytes(script.threadId());
        while (!done && tripped == null) {
            if (cancelled.getAsBoolean()) {
                tripped = "cancelled";
            } else if (Instant.now().isAfter(deadline)) {
                tripped = "the run's deadline passed";
            } else if (base >= 0 && mx.getThreadAllocatedBytes(script.threadId()) - base > budget) {
                tripped = "the script allocated more than " + (budget >> 20) + " MB";
            } else {
                sleep(PERIOD);
            }
        }
        while (!done) {
            try {
                context.interrupt(Duration.ofMillis(200));
                return; // interrupted: the script thread unwinds with an interrupted PolyglotException
            } catch (TimeoutException stillInHostCode) {
                // the script is in a probe or sleep, both bounded by the deadline; try again
            } catch (IllegalStateException closed) {
                return;
            }
        }
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        done = true;
    }
}
