package dev.reach.core.run;

import java.time.Duration;

/**
 * How to run: an optional whole-run deadline (else the playbook's), the default step deadline, the
 * cancellation switch, and who hears the events.
 */
public record RunOptions(Duration timeout, Duration stepTimeout, Cancellation cancellation, RunListener listener) {
    public static final Duration DEFAULT_STEP_TIMEOUT = Duration.ofSeconds(30);

    public static RunOptions defaults() {
        return new RunOptions(null, DEFAULT_STEP_TIMEOUT, new Cancellation(), RunListener.NONE);
    }

    public RunOptions withTimeout(Duration d) {
        return new RunOptions(d, stepTimeout, cancellation, listener);
    }

    public RunOptions withListener(RunListener l) {
        return new RunOptions(timeout, stepTimeout, cancellation, l);
    }

    public RunOptions withCancellation(Cancellation c) {
        return new RunOptions(timeout, stepTimeout, c, listener);
    }
}
