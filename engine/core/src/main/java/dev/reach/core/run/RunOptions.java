package dev.reach.core.run;

import java.nio.file.Path;
import java.time.Duration;

/**
 * How to run: an optional whole-run deadline (else the playbook's), the default step deadline, the
 * cancellation switch, who hears the events, and the working directory that relative {@code file} parameters
 * and inputs are resolved against (null: the process's own; a resident reach gives its client's), and where the
 * secrets the user gives by reference ({@code password=@FILE}) are read ({@link SecretValues}), and the secret
 * values of this run and the runs it includes, kept out of every result ({@link Redaction}), and where steps marked
 * {@code on: server} run ({@link ServerProbes}; null: nowhere).
 */
public record RunOptions(Duration timeout, Duration stepTimeout, Cancellation cancellation, RunListener listener,
                         Path workingDirectory, SecretValues secrets, java.util.Set<String> secretTexts, ServerProbes server) {
    public static final Duration DEFAULT_STEP_TIMEOUT = Duration.ofSeconds(30);

    public RunOptions {
        secretTexts = java.util.Set.copyOf(secretTexts);
        if (workingDirectory != null && !workingDirectory.isAbsolute()) {
            throw new IllegalArgumentException("the working directory must be absolute: " + workingDirectory);
        }
    }

    public static RunOptions defaults() {
        return new RunOptions(null, DEFAULT_STEP_TIMEOUT, new Cancellation(), RunListener.NONE, null, SecretValues.NONE, java.util.Set.of(), null);
    }

    public RunOptions withTimeout(Duration d) {
        return new RunOptions(d, stepTimeout, cancellation, listener, workingDirectory, secrets, secretTexts, server);
    }

    public RunOptions withListener(RunListener l) {
        return new RunOptions(timeout, stepTimeout, cancellation, l, workingDirectory, secrets, secretTexts, server);
    }

    public RunOptions withCancellation(Cancellation c) {
        return new RunOptions(timeout, stepTimeout, c, listener, workingDirectory, secrets, secretTexts, server);
    }

    /** Secret values the user gives as {@code @FILE}, {@code @-} or {@code @env:NAME} are read through {@code s}. */
    public RunOptions withSecrets(SecretValues s) {
        return new RunOptions(timeout, stepTimeout, cancellation, listener, workingDirectory, s, secretTexts, server);
    }

    /** These secret values too are masked in every result of the run (its includes inherit them). */
    public RunOptions withSecretTexts(java.util.Collection<String> more) {
        if (secretTexts.containsAll(more)) return this;
        var all = new java.util.HashSet<>(secretTexts);
        all.addAll(more);
        return new RunOptions(timeout, stepTimeout, cancellation, listener, workingDirectory, secrets, java.util.Set.copyOf(all), server);
    }

    /** Relative {@code file} values are resolved against {@code dir} (an absolute path). */
    public RunOptions withWorkingDirectory(Path dir) {
        return new RunOptions(timeout, stepTimeout, cancellation, listener, dir, secrets, secretTexts, server);
    }

    /** Steps marked {@code on: server} run their probe through {@code s} (null: they are skipped, saying why). */
    public RunOptions withServer(ServerProbes s) {
        return new RunOptions(timeout, stepTimeout, cancellation, listener, workingDirectory, secrets, secretTexts, s);
    }
}
