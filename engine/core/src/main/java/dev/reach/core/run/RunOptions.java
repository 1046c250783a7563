package dev.reach.core.run;

import java.nio.file.Path;
import java.time.Duration;

/**
 * How to run: an optional whole-run deadline (else the playbook's), the default step deadline, the
 * cancellation switch, who hears the events, and the working directory that relative {@code file} parameters
 * and inputs are resolved against (null: the process's own; a resident reach gives its client's).
 */
public record RunOptions(Duration timeout, Duration stepTimeout, Cancellation cancellation, RunListener listener,
                         Path workingDirectory) {
    public static final Duration DEFAULT_STEP_TIMEOUT = Duration.ofSeconds(30);

    public RunOptions {
        if (workingDirectory != null && !workingDirectory.isAbsolute()) {
            throw new IllegalArgumentException("the working directory must be absolute: " + workingDirectory);
        }
    }

    public static RunOptions defaults() {
        return new RunOptions(null, DEFAULT_STEP_TIMEOUT, new Cancellation(), RunListener.NONE, null);
    }

    public RunOptions withTimeout(Duration d) {
        return new RunOptions(d, stepTimeout, cancellation, listener, workingDirectory);
    }

    public RunOptions withListener(RunListener l) {
        return new RunOptions(timeout, stepTimeout, cancellation, l, workingDirectory);
    }

    public RunOptions withCancellation(Cancellation c) {
        return new RunOptions(timeout, stepTimeout, c, listener, workingDirectory);
    }

    /** Relative {@code file} values are resolved against {@code dir} (an absolute path). */
    public RunOptions withWorkingDirectory(Path dir) {
        return new RunOptions(timeout, stepTimeout, cancellation, listener, dir);
    }
}
