package dev.reach.core.plugin;

import dev.reach.core.run.AbandonedThreads;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs a plugin's code while loading it (a probe's constructor, its {@code spec()}) on a daemon thread of its own,
 * under a deadline: a plugin that hangs there is left out instead of hanging every command. One worker thread
 * serves the calls of a load in turn (no thread per probe at every start); a call that misses its deadline is
 * interrupted, its thread counted in {@link AbandonedThreads} until it ends, and the next call gets a new worker.
 */
final class PluginCalls implements AutoCloseable {
    /**
     * How long a probe's constructor, and then its {@code spec()}, may take while plugins load. Both should only
     * build objects (the built-in probes take well under a millisecond); 2 s is far beyond that on a loaded machine,
     * and short enough that a plugin stuck there costs each command little.
     */
    static final Duration LIMIT = Duration.ofSeconds(2);

    private final Duration limit;
    private final AbandonedThreads abandoned;
    private ExecutorService worker;

    PluginCalls(Duration limit, AbandonedThreads abandoned) {
        this.limit = limit;
        this.abandoned = abandoned;
    }

    /** The deadline, as messages say it ({@code 2s}). */
    String limitText() {
        return dev.reach.spi.ParamType.format(limit);   // as a user writes a duration
    }

    /**
     * The task's result, computed on the worker thread.
     *
     * @param name what to call the thread in {@link AbandonedThreads} if it misses the deadline
     * @throws TimeoutException   when it did not finish in time (its thread is interrupted and counted)
     * @throws ExecutionException with what the task threw
     */
    <T> T call(String name, Callable<T> task) throws TimeoutException, ExecutionException {
        if (worker == null) {
            worker = Executors.newSingleThreadExecutor(Thread.ofPlatform().daemon().name("plugin-load-", 0).factory());
        }
        AtomicReference<Thread> runner = new AtomicReference<>();
        Future<T> result = worker.submit(() -> {
            runner.set(Thread.currentThread());
            return task.call();
        });
        try {
            return result.get(limit.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            result.cancel(true);
            worker.shutdownNow();       // its thread ends when (if ever) the task does; the next call gets a new one
            worker = null;
            Thread stuck = runner.get();
            if (stuck != null) {
                abandoned.add(stuck, name);
            }
            throw e;
        } catch (InterruptedException e) {
            result.cancel(true);
            Thread.currentThread().interrupt();
            throw new ExecutionException(e);
        }
    }

    /** Lets the worker thread end (it is a daemon: it would not hold the process anyway). */
    @Override
    public void close() {
        if (worker != null) {
            worker.shutdown();
            worker = null;
        }
    }
}
