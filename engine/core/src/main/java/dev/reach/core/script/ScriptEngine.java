package dev.reach.core.script;

import org.graalvm.polyglot.Engine;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * One GraalJS engine for the process, built on a background thread: a cold engine costs about a second
 * on these machines, so it starts while plugins load and the first probes run, off the critical path.
 * Contexts made on a shared engine are cheap (under a millisecond).
 */
public final class ScriptEngine implements AutoCloseable {
    private final CompletableFuture<Engine> engine = new CompletableFuture<>();
    private volatile boolean started;

    /** Starts building the engine now, if not started yet; returns at once. */
    public synchronized ScriptEngine warmUp() {
        if (!started) {
            started = true;
            Thread t = new Thread(() -> {
                try {
                    engine.complete(Engine.newBuilder("js")
                            .option("engine.WarnInterpreterOnly", "false")
                            .out(java.io.OutputStream.nullOutputStream())
                            .err(java.io.OutputStream.nullOutputStream())
                            .build());
                } catch (Throwable e) {
                    engine.completeExceptionally(e);
                }
            }, "reach-js-engine");
            t.setDaemon(true);
            t.start();
        }
        return this;
    }

    /** The engine, waiting for it if it is still being built. */
    public Engine get() {
        warmUp();
        try {
            return engine.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while the script engine started", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("the JavaScript engine could not start: " + e.getCause(), e.getCause());
        }
    }

    @Override
    public void close() {
        if (started && engine.isDone() && !engine.isCompletedExceptionally()) {
            engine.join().close();
        }
    }
}
