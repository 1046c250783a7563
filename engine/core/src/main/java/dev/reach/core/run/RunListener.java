package dev.reach.core.run;

/** Receives a run's events, possibly from several threads at once (parallel steps): implementations must be thread-safe. */
@FunctionalInterface
public interface RunListener {
    RunListener NONE = e -> { };

    void on(RunEvent event);
}
