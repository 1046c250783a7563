package dev.reach.core.run;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * A one-way switch that Ctrl-C (or an embedder) flips to stop a run; waiting code can join on it. A parallel
 * step with {@code until:} gives its branches a {@link #branch} of the run's switch, which flips with it or,
 * on its own, when the evidence decided ({@link #cutShort}): then what it stopped was not needed, not broken.
 */
public final class Cancellation {
    private final CompletableFuture<Void> signal = new CompletableFuture<>();
    private final Cancellation parent;
    private volatile Cut cut;

    public Cancellation() {
        this(null);
    }

    private Cancellation(Cancellation parent) {
        this.parent = parent;
        if (parent != null) {
            parent.signal.thenRun(() -> signal.complete(null));
        }
    }

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

    /** A switch for the branches of one parallel step: it flips with this one, and {@link #cutShort} flips it alone. */
    Cancellation branch() {
        return new Cancellation(this);
    }

    /** The run's own switch, the one Ctrl-C flips. */
    Cancellation root() {
        return parent == null ? this : parent.root();
    }

    /** Stops what runs under this switch because the evidence decided; a no-op once it is flipped. */
    void cutShort(Cut why) {
        if (isCancelled()) return;
        cut = why;
        if (!signal.complete(null)) cut = null; // the run was cancelled in between: that is what stopped it
    }

    /**
     * Why the switch flipped when an {@code until:} decided it (here or in an enclosing parallel step);
     * empty when it has not flipped or when the run itself was cancelled first.
     */
    Optional<Cut> cut() {
        if (!isCancelled()) return Optional.empty();
        for (Cancellation c = this; c != null; c = c.parent) {
            if (c.cut != null) return Optional.of(c.cut);
        }
        return Optional.empty();
    }
}
