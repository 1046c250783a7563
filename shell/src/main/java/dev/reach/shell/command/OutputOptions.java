package dev.reach.shell.command;

import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.time.Duration;

/** Options of commands that produce a run report. */
public final class OutputOptions {
    @Option(names = {"-q", "--quiet"}, description = "Print only the verdict (or nothing with --json).")
    public boolean quiet;

    @Option(names = "--json", description = "Print the result as JSON (schema reach.run/1, see docs/json.md); the same as --format json.")
    boolean json;

    /** How the result is printed. */
    public enum Format {
        TEXT, JSON, NAGIOS, PROMETHEUS;

        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    @Option(names = "--format", paramLabel = "FORMAT",
            description = {"text (the default), json, nagios (one line, 'CAUSE - summary | perfdata', and the Monitoring",
                    "Plugins exit codes: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN) or prometheus (the text format,",
                    "for node_exporter's textfile collector; names in docs/metrics.md)."})
    Format format;

    /** The format asked for: {@code --format}, or json for {@code --json}, else text. */
    public Format format() {
        return json ? Format.JSON : format == null ? Format.TEXT : format;
    }

    /** Why these options cannot go together, or null. */
    String conflict() {
        return json && format != null && format != Format.JSON ? "--json and --format " + format.label() + " ask for two formats; give one" : null;
    }

    @Option(names = "--no-history", description = "Do not record this run in the history, nor compare it with earlier runs (also REACH_HISTORY=off).")
    public boolean noHistory;

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
