package dev.reach.core.plugin;

import dev.reach.core.run.AbandonedThreads;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * Runs a plugin's code while loading it (its probes' constructors and {@code spec()}) on a daemon thread of its own,
 * under a deadline for each call: a plugin that hangs there is left out instead of hanging every command. The calls
 * of one plugin go to one thread as a batch, run in turn, and the loading thread wakes when the batch is done or a
 * call has taken too long (a hand-off per call cost about a millisecond each on a small VM, at every start). A call
 * that misses its deadline is interrupted, its thread counted in {@link AbandonedThreads} until it ends, and the rest
 * of the batch goes on in a new thread.
 */
final class PluginCalls {
    /**
     * How long a probe's constructor, and then its {@code spec()}, may take while plugins load. Both should only
     * build objects (the built-in probes take well under a millisecond); 2 s is far beyond that on a loaded machine,
     * and short enough that a plugin stuck there costs each command little.
     */
    static final Duration LIMIT = Duration.ofSeconds(2);

    private static final AtomicInteger THREADS = new AtomicInteger();

    private final Duration limit;
    private final AbandonedThreads abandoned;

    PluginCalls(Duration limit, AbandonedThreads abandoned) {
        this.limit = limit;
        this.abandoned = abandoned;
    }

    /** The deadline, as messages say it ({@code 2s}). */
    String limitText() {
        return dev.reach.spi.ParamType.format(limit);   // as a user writes a duration
    }

    /**
     * How one call ended: its value, what it threw, or that it missed its deadline.
     *
     * @param stage the stage the call had reached when it missed the deadline (what {@link Call#stage} was last given)
     */
    record Outcome<T>(T value, Throwable failure, boolean timedOut, int stage) {}

    /** One call: its name in {@link AbandonedThreads}, and the code, which may say how far it got ({@link Stage}). */
    record Call<T>(String name, Staged<T> code) {}

    /** Code that marks its stages (0 at the start), so a call that misses its deadline can say where it was. */
    interface Staged<T> {
        T call(Stage stage) throws Exception;
    }

    /** Where a call is: {@code reached(1)} after its first part, and so on. */
    interface Stage {
        void reached(int stage);
    }

    /** Runs the calls in order on a thread of their own; one outcome per call, in the same order. */
    <T> List<Outcome<T>> callAll(List<Call<T>> calls) {
        List<Outcome<T>> out = new ArrayList<>(calls.size());
        int from = 0;
        while (from < calls.size()) {
            Batch<T> batch = new Batch<>(calls.subList(from, calls.size()));
            int stopped = batch.await(limit.toNanos());
            out.addAll(batch.outcomes(stopped));
            if (stopped < 0) break;                 // all done
            abandoned.add(batch.thread, calls.get(from + stopped).name());
            from += stopped + 1;                    // the rest in a new thread, unless this one was interrupted
            if (Thread.currentThread().isInterrupted()) {
                for (; from < calls.size(); from++) out.add(new Outcome<>(null, null, true, 0));
            }
        }
        return out;
    }

    /**
     * A batch of calls on one thread, each timed from its own start. The thread and the waiting one decide under the
     * batch's lock, so a call is either finished or timed out, never both, and none starts after the batch was stopped.
     */
    private static final class Batch<T> {
        private final List<Call<T>> calls;
        private final Object[] values;
        private final Throwable[] failures;
        private final AtomicIntegerArray stages;
        private final CountDownLatch done = new CountDownLatch(1);
        private final Thread thread;
        // guarded by this
        private int current = -1;
        private long startedAt;
        private boolean stopped;

        Batch(List<Call<T>> calls) {
            this.calls = calls;
            this.values = new Object[calls.size()];
            this.failures = new Throwable[calls.size()];
            this.stages = new AtomicIntegerArray(calls.size());
            this.thread = Thread.ofPlatform().daemon().name("plugin-load-" + THREADS.getAndIncrement()).start(this::run);
        }

        private void run() {
            try {
                for (int i = 0; i < calls.size(); i++) {
                    synchronized (this) {
                        if (stopped) return;
                        current = i;
                        startedAt = System.nanoTime();
                    }
                    int index = i;
                    Object value = null;
                    Throwable failure = null;
                    try {
                        value = calls.get(i).code().call(stage -> stages.set(index, stage));
                    } catch (Throwable t) {
                        failure = t;
                    }
                    synchronized (this) {
                        if (stopped) return;        // too late: it was given up on
                        values[i] = value;
                        failures[i] = failure;
                    }
                }
                synchronized (this) {
                    current = calls.size();
                }
            } finally {
                done.countDown();
            }
        }

        /** -1 when every call ended; else the index of the call that missed its deadline (its thread interrupted). */
        int await(long limitNanos) {
            long born = System.nanoTime();
            try {
                while (true) {
                    long wait;
                    synchronized (this) {
                        if (current >= calls.size()) return -1;
                        long since = current < 0 ? born : startedAt;
                        wait = since + limitNanos - System.nanoTime();
                        if (wait <= 0) {
                            return stop();
                        }
                    }
                    if (done.await(wait, TimeUnit.NANOSECONDS)) {
                        synchronized (this) {
                            if (current >= calls.size()) return -1;
                        }
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                synchronized (this) {
                    return stop();
                }
            }
        }

        /** Gives up on the current call (under the lock): the thread is interrupted and starts no other. */
        private int stop() {
            stopped = true;
            thread.interrupt();
            return Math.max(0, current);
        }

        /** The outcomes up to {@code stopped} (that one timed out), or of all the calls when it is -1. */
        @SuppressWarnings("unchecked")
        synchronized List<Outcome<T>> outcomes(int stoppedAt) {
            int n = stoppedAt < 0 ? calls.size() : stoppedAt + 1;
            List<Outcome<T>> out = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                out.add(i == stoppedAt ? new Outcome<>(null, null, true, stages.get(i))
                        : new Outcome<>((T) values[i], failures[i], false, stages.get(i)));
            }
            return out;
        }
    }
}
