package dev.reach.core.run;

import java.util.concurrent.CompletableFuture;

/** A one-way switch that Ctrl-C (or an embedder) flips to stop a run; waiting code can join on it. */
public final class Cancellation {
    private final CompletableFuture<Void> signal = new CompletableFuture<>();

    public void cancel() {
        signal.complete(null);
    }

    public boolean isCancelled() {
        return signal.isDone();
    }

    /** Completes when cancelled. */
    CompletableFuture<Void> signal() {
        return signal;
    }
}
