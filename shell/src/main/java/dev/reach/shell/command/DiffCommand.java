package dev.reach.shell.command;

import dev.reach.shell.history.RunRecord;
import dev.reach.shell.history.RunFacts;
import dev.reach.shell.history.HistoryStore;
import dev.reach.shell.history.Drift;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

/** {@code reach diff TARGET [--from RUN] [--to RUN]}: what changed between two recorded runs of a target. */
@Command(name = "diff", mixinStandardHelpOptions = true,
        description = {"Say what changed between two recorded runs of TARGET: the name's answer, the route, the next hop's MAC,",
                "the MTUs, the certificate, the listening addresses, the HTTP status, and round trips or loss that moved.",
                "By default from the last run that worked to the newest run. Exit 0 when nothing changed, 1 when something did."},
        footerHeading = "%nExamples:%n",
        footer = {"  reach diff db01:5432                  # since it last worked",
                "  reach diff db01:5432 --from 12 --to 40",
                "  reach history db01:5432             # the run numbers"})
public final class DiffCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "TARGET", description = "What was diagnosed, like db01:5432 or https://web01/.")
    String target;

    @Option(names = "--from", paramLabel = "RUN", description = "The earlier run's number (default: the last run before --to in which it worked).")
    Long from;

    @Option(names = "--to", paramLabel = "RUN", description = "The later run's number (default: the newest run of TARGET).")
    Long to;

    @Option(names = "--json", description = "Print as JSON (schema reach.diff/1).")
    boolean json;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        var opened = StoredHistory.open(err);
        if (opened.isEmpty()) {
            err.flush();
            return ExitCodes.USAGE;
        }
        String key = StoredHistory.target(target);
        RunRecord a;
        RunRecord b;
        try (HistoryStore store = opened.get()) {
            Optional<RunRecord> later = to != null ? store.run(to) : store.runs(key, null, 1).stream().findFirst();
            if (later.isEmpty()) {
                err.println(to != null ? "reach: diff --to " + to + ": no such run ('reach history " + target + "' lists them)"
                        : "reach: no run of " + key + " recorded ('reach history' lists the targets)");
                err.flush();
                return ExitCodes.USAGE;
            }
            b = later.get();
            Optional<RunRecord> earlier;
            if (from != null) {
                earlier = store.run(from);
            } else {
                earlier = store.lastWorked(b.target(), b.playbook(), b.id());
                if (earlier.isEmpty()) {
                    List<RunRecord> before = store.runs(b.target(), null, 200).stream().filter(r -> r.id() < b.id()).toList();
                    earlier = before.isEmpty() ? Optional.empty() : Optional.of(before.getLast());
                }
            }
            if (earlier.isEmpty()) {
                err.println(from != null ? "reach: diff --from " + from + ": no such run ('reach history " + target + "' lists them)"
                        : "reach: " + b.target() + " has one run recorded (run " + b.id() + "): nothing to compare it with");
                err.flush();
                return ExitCodes.USAGE;
            }
            a = earlier.get();
        }
        List<Drift.Change> changes = Drift.changes(a, b);
        if (json) {
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("schema", "reach.diff/1");
            doc.put("from", HistoryCommand.row(a, null));
            doc.put("to", HistoryCommand.row(b, null));
            List<Map<String, Object>> rows = new ArrayList<>();
            for (Drift.Change c : changes) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("key", c.key());
                m.put("kind", c.metric() ? "figure" : "fact");   // a figure is a measurement: it varies run to run
                m.put("label", c.label());
                m.put("before", c.before());
                m.put("after", c.after());
                rows.add(m);
            }
            doc.put("changes", rows);
            doc.put("unchanged", Drift.compared(a, b).stream().filter(l -> changes.stream().noneMatch(c -> c.label().equals(l))).toList());
            out.println(Reports.json(doc));
        } else {
            out.println(b.target() + ": run " + a.id() + " (" + StoredHistory.TIME.format(a.started()) + ", " + a.verdict() + ") → run "
                    + b.id() + " (" + StoredHistory.TIME.format(b.started()) + ", " + b.verdict() + ")");
            if (!a.target().equals(b.target())) out.println("  (runs of two targets: " + a.target() + " and " + b.target() + ")");
            changes.forEach(c -> out.println("  " + c.line()));
            List<String> same = Drift.compared(a, b).stream().filter(l -> changes.stream().noneMatch(c -> c.label().equals(l))).toList();
            if (changes.isEmpty()) out.println("  nothing compared changed");
            if (!same.isEmpty()) out.println("  unchanged: " + String.join(", ", same));
            List<String> unseen = new ArrayList<>();
            RunFacts.LABELS.forEach((k, label) -> {
                if (a.facts().containsKey(k) != b.facts().containsKey(k)) {
                    unseen.add(label + " (" + (a.facts().containsKey(k) ? "not seen in run " + b.id() : "not seen in run " + a.id()) + ")");
                }
            });
            if (!unseen.isEmpty()) out.println("  not compared: " + String.join(", ", unseen));
        }
        out.flush();
        return changes.isEmpty() ? ExitCodes.HEALTHY : ExitCodes.FAULT;
    }
}
