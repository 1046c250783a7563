package dev.reach.shell.command;

import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.time.Duration;

/** Options of commands that produce a run report. */
public final class OutputOptions {
    @Option(names = {"-q", "--quiet"}, description = "Print only the verdict (or nothing with --json).")
    public boolean quiet;

    @Option(names = "--json", description = "Print the result as JSON (schema reach.run/1, see docs/json.md).")
    boolean json;

    @Option(names = "--junit", paramLabel = "FILE", description = "Also write a JUnit XML report to FILE (one testcase per step).")
    Path junit;

    /** Resolves {@code --junit} as {@code resolve} says, once, before the run (a resident reach: in its client's directory). */
    public void resolveJunit(java.util.function.UnaryOperator<Path> resolve) {
        if (junit != null) junit = resolve.apply(junit);
    }

    @Option(names = "--timeout", paramLabel = "DURATION", converter = CommonOptions.DurationConverter.class,
            description = "Deadline for the whole run, like 10s or 2m (default: the playbook's, or 30s for a probe).")
    Duration timeout;
}
