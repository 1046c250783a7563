package dev.reach.shell.command;

import dev.reach.shell.history.RunRecord;
import dev.reach.shell.history.HistoryStore;
import dev.reach.spi.ParamType;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code reach history [TARGET] [--since 2h] [--json]}: the runs recorded, their verdicts, and where the verdict changed. */
@Command(name = "history", mixinStandardHelpOptions = true,
        description = {"List the runs recorded in the history: every diagnosis, playbook and probe run, from the",
                "command line, the shell, 'reach serve' and 'reach watch': when, what, the verdict, and where the",
                "verdict changed. 'reach diff TARGET' says what changed between two runs. The history is kept in",
                "  $XDG_STATE_HOME/reach/history.db (else ~/.local/state/reach/history.db);",
                "REACH_HISTORY=off, or --no-history on a run, records nothing."},
        footerHeading = "%nExamples:%n",
        footer = {"  reach history                      # the last 50 runs",
                "  reach history db01:5432 --since 2h",
                "  reach history https://web01/ --json"})
public final class HistoryCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", arity = "0..1", paramLabel = "TARGET", description = {"Only the runs of this target, like db01:5432", "or https://web01/."})
    String target;

    @Option(names = "--since", paramLabel = "DURATION", description = "Only runs of the last DURATION, like 30m, 2h or 7d.")
    String since;

    @Option(names = "--limit", paramLabel = "N", defaultValue = "50", description = "At most the last N runs (default ${DEFAULT-VALUE}).")
    int limit;

    @Option(names = "--json", description = "Print as JSON (schema reach.history/1).")
    boolean json;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Instant from = null;
        if (since != null) {
            try {
                from = Instant.now().minus(since.trim().endsWith("d") ? Duration.ofDays(Long.parseLong(since.trim().replaceFirst("d$", "")))
                        : (Duration) ParamType.DURATION.convert(since));
            } catch (RuntimeException e) {
                err.println("reach: history --since " + since + ": give a duration like 30m, 2h or 7d");
                return ExitCodes.USAGE;
            }
        }
        if (limit < 1) {
            err.println("reach: history --limit " + limit + ": give 1 or more");
            return ExitCodes.USAGE;
        }
        var opened = StoredHistory.open(err);
        if (opened.isEmpty()) {
            if (json) out.println("{\"schema\":\"reach.history/1\",\"runs\":[]}");
            out.flush();
            err.flush();
            return ExitCodes.HEALTHY;
        }
        String key = target == null ? null : StoredHistory.target(target);
        List<RunRecord> runs;
        try (HistoryStore store = opened.get()) {
            runs = store.runs(key, from, limit);
        }
        Map<Long, String> changed = changes(runs);
        if (json) {
            List<Map<String, Object>> rows = runs.stream().map(r -> row(r, changed.get(r.id()))).toList();
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("schema", "reach.history/1");
            doc.put("runs", rows);
            out.println(Reports.json(doc));
        } else if (runs.isEmpty()) {
            out.println(key == null ? "no run recorded" + (since != null ? " in the last " + since : "")
                    : "no run of " + key + " recorded" + (since != null ? " in the last " + since : ""));
        } else {
            int w = Math.max(6, runs.stream().mapToInt(r -> r.target().length()).max().orElse(6));
            out.printf("%6s  %-19s  %-" + w + "s  %-7s  %8s  %s%n", "RUN", "TIME", "TARGET", "FROM", "TOOK", "VERDICT");
            for (RunRecord r : runs) {
                String mark = changed.containsKey(r.id()) ? "   (was " + changed.get(r.id()) + ")" : "";
                out.printf("%6d  %s  %-" + w + "s  %-7s  %8s  %s%s%n", r.id(), StoredHistory.TIME.format(r.started()), r.target(),
                        r.origin(), took(r.durationMs()), r.verdict(), mark);
            }
        }
        out.flush();
        return ExitCodes.HEALTHY;
    }

    /** For each run whose verdict differs from the run before it of the same target (in this list): the earlier cause. */
    static Map<Long, String> changes(List<RunRecord> runs) {
        Map<String, String> last = new HashMap<>();
        Map<Long, String> out = new HashMap<>();
        for (RunRecord r : runs) {
            String key = r.target() + "\0" + r.playbook();
            String before = last.put(key, r.cause());
            if (before != null && !before.equals(r.cause())) out.put(r.id(), before);
        }
        return out;
    }

    static String took(double ms) {
        return ms >= 10_000 ? String.format(java.util.Locale.ROOT, "%.0fs", ms / 1000)
                : ms >= 1000 ? String.format(java.util.Locale.ROOT, "%.1fs", ms / 1000) : String.format(java.util.Locale.ROOT, "%.0fms", ms);
    }

    static Map<String, Object> row(RunRecord r, String changedFrom) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("run", r.id());
        m.put("started", r.started().toString());
        m.put("target", r.target());
        m.put("playbook", r.playbook());
        m.put("origin", r.origin());
        m.put("duration_ms", r.durationMs());
        m.put("cause", r.cause());
        m.put("confidence", r.confidence());
        m.put("healthy", r.healthy());
        m.put("worked", r.worked());
        m.put("summary", r.summary());
        m.put("changed_from", changedFrom);
        m.put("facts", r.facts());
        m.put("metrics", r.metrics());
        return m;
    }
}
