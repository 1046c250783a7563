package dev.reach.shell.command;

import dev.reach.core.Reach;
import dev.reach.core.playbook.PlaybookException;
import dev.reach.core.run.Cancellation;
import dev.reach.core.run.RunOptions;
import dev.reach.core.run.RunResult;
import dev.reach.core.run.UsageException;
import dev.reach.shell.history.Recorder;
import dev.reach.shell.term.FullScreen;
import dev.reach.shell.term.OutputMode;
import dev.reach.spi.Status;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code reach watch TARGET}: the diagnosis again and again, every {@code --interval}. On a terminal a live screen: the
 * verdict line coloured by severity, an mtr-like table of the steps (status, last and mean time, how often not ok, when
 * it last changed) and the verdict changes with their times; piped, one line per change. Ctrl-C (or {@code --count})
 * ends it with a summary: the time in each verdict and the changes. Every round is recorded in the history.
 */
@Command(name = "watch", mixinStandardHelpOptions = true,
        description = {"Diagnose TARGET again and again and show, live, its verdict, its steps and every change of verdict.",
                "On a terminal a full screen (Ctrl-C ends it with a summary: time in each verdict, changes); piped, one",
                "line per change. Every round is recorded in the run history ('reach history TARGET')."},
        footerHeading = "%nExamples:%n",
        footer = {"  reach watch db01:5432", "  reach watch https://web01/ --interval 10s",
                "  reach watch db01:5432 --count 30 | tee changes.log"})
public final class WatchCommand implements Callable<Integer> {
    private static final String RESET = "\u001b[0m";
    private static final String BOLD = "\u001b[1m";
    private static final String DIM = "\u001b[2m";

    private final Workbench bench;

    WatchCommand(Workbench bench) {
        this.bench = bench;
    }

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "TARGET", description = {"What to watch, like db01:5432, https://web01/ or ns1:53/udp."})
    String target;

    @Option(names = "--interval", paramLabel = "DURATION", defaultValue = "2s", converter = CommonOptions.DurationConverter.class,
            description = "Time from the start of one round to the next (default ${DEFAULT-VALUE}; a longer round starts the next at once).")
    Duration interval;

    @Option(names = "--count", paramLabel = "N", description = "Stop after N rounds (default: until Ctrl-C).")
    Integer count;

    @Option(names = "--playbook", paramLabel = "NAME|FILE",
            description = "The playbook each round runs (default: unreachable, the diagnosis); a shipped one by name or a file.")
    String playbook;

    @Option(names = "--set", paramLabel = "NAME=VALUE", description = "Another input of the playbook (repeatable).")
    Map<String, String> extra = new LinkedHashMap<>();

    @Option(names = "--timeout", paramLabel = "DURATION", converter = CommonOptions.DurationConverter.class,
            description = "Deadline of each round (default: the playbook's).")
    Duration timeout;

    @Option(names = "--no-history", description = "Do not record the rounds in the run history (also REACH_HISTORY=off).")
    boolean noHistory;

    @Mixin
    CommonOptions common;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Map<String, Object> inputs;
        try {
            inputs = new LinkedHashMap<>(DiagnoseCommand.inputs(target));
        } catch (IllegalArgumentException e) {
            err.println("reach: watch " + e.getMessage());
            return ExitCodes.USAGE;
        }
        inputs.putAll(extra);
        if (!inputs.containsKey("port")) {
            err.println("reach: watch needs HOST:PORT or a URL, like 'reach watch " + target + ":443'");
            return ExitCodes.USAGE;
        }
        if (interval.isNegative() || interval.isZero() || (count != null && count < 1)) {
            err.println("reach: watch: --interval must be above 0 and --count 1 or more");
            return ExitCodes.USAGE;
        }
        Path file = playbookFile();
        if (file == null) {
            err.println("reach: watch --playbook " + playbook + ": no such file, nor a shipped playbook (" + EngineSetup.playbooksDir() + ")");
            return ExitCodes.USAGE;
        }
        OutputMode mode = bench.outputMode(common.noColor);
        Cancellation stop = new Cancellation();
        return bench.withReach(common, reach -> {
            try (Recorder history = Recorder.fromEnvironment(noHistory, "watch", System::getenv).prepare()) {
                return mode.interactive() ? onScreen(reach, file, inputs, history, mode.color(), stop, out, err)
                        : piped(reach, file, inputs, history, stop, out, err);
            }
        });
    }

    private Path playbookFile() {
        if (playbook == null) return EngineSetup.playbooksDir().resolve(DiagnoseCommand.PLAYBOOK);
        Path given = bench.resolve(Path.of(playbook));
        if (Files.isRegularFile(given)) return given;
        for (String ext : List.of("", ".yaml", ".js")) {
            Path shipped = EngineSetup.playbooksDir().resolve(playbook + ext);
            if (Files.isRegularFile(shipped)) return shipped;
        }
        return null;
    }

    /** Piped: one line for the first verdict and one per change; the summary at the end. */
    private int piped(Reach reach, Path file, Map<String, Object> inputs, Recorder history, Cancellation stop, PrintWriter out,
                      PrintWriter err) throws Exception {
        WatchState state = new WatchState();
        try (Interrupts ignored = Interrupts.on(stop)) {
            int code = loop(reach, file, inputs, history, stop, state, (round, change) -> {
                if (state.rounds().size() == 1 || change != null) {
                    WatchState.Round r = state.last();
                    out.println(StoredHistory.TIME.format(r.at()) + "  " + target + "  "
                            + (change != null ? change.from().verdict() + " → " : "") + r.verdict() + ": " + r.summary());
                    out.flush();
                }
            }, err);
            state.summary(target, Instant.now()).forEach(out::println);
            out.flush();
            return code;
        }
    }

    /** On a terminal: the live screen, then the summary on the normal screen. */
    private int onScreen(Reach reach, Path file, Map<String, Object> inputs, Recorder history, boolean color, Cancellation stop,
                         PrintWriter out, PrintWriter err) throws Exception {
        WatchState state = new WatchState();
        int code;
        try (FullScreen screen = FullScreen.open(stop::cancel)) {
            screen.show(List.of("reach watch " + target + ": first round..."));
            code = loop(reach, file, inputs, history, stop, state, (round, change) -> screen.show(lines(state, round, color, screen.columns())), err);
        }
        state.summary(target, Instant.now()).forEach(out::println);
        out.flush();
        return code;
    }

    @FunctionalInterface
    private interface Shown {
        void round(int number, WatchState.Change change) throws Exception;
    }

    /** The rounds: each runs, is recorded and shown; the next starts an interval after this one started. */
    private int loop(Reach reach, Path file, Map<String, Object> inputs, Recorder history, Cancellation stop, WatchState state,
                     Shown shown, PrintWriter err) throws Exception {
        int code = ExitCodes.HEALTHY;
        dev.reach.core.playbook.Playbook loaded;
        try {
            loaded = reach.load(file);
        } catch (PlaybookException e) {
            return HeadlessWorkbench.usage(e, err);
        }
        for (int n = 1; count == null || n <= count; n++) {
            if (stop.isCancelled()) break;
            Instant began = Instant.now();
            RunOptions options = RunOptions.defaults().withCancellation(stop).withWorkingDirectory(bench.workingDirectory());
            if (timeout != null) options = options.withTimeout(timeout);
            RunResult result;
            try {
                result = reach.run(loaded, inputs, options);
            } catch (UsageException e) {
                return HeadlessWorkbench.usage(e, err);
            }
            if (result.cancelled() && stop.isCancelled()) break;   // cut short by Ctrl-C: not a verdict of the target
            result = history.amend(result, reach.causes());
            history.record(result);
            history.problem().ifPresent(p -> err.println("reach: warning: the rounds are not in the history: " + p));
            code = result.exitCode();
            shown.round(n, state.add(result, began));
            if (count != null && n == count) break;
            long wait = Duration.between(Instant.now(), began.plus(interval)).toMillis();
            for (long slept = 0; slept < wait && !stop.isCancelled(); slept += 50) {
                Thread.sleep(Math.min(50, wait - slept));
            }
        }
        return code;
    }

    /** The screen: heading, the verdict line, the steps' table, the last changes. */
    private List<String> lines(WatchState state, int round, boolean color, int width) {
        List<String> l = new ArrayList<>();
        WatchState.Round last = state.last();
        l.add(b(color, BOLD) + "reach watch " + target + b(color, RESET) + "  every " + WatchState.text(interval).replace(".0s", "s")
                + ", round " + round + " at " + StoredHistory.TIME.format(last.at()) + "   (Ctrl-C ends it)");
        l.add("");
        String c = last.healthy() ? "\u001b[32m" : last.warning() ? "\u001b[33m" : "\u001b[31m";
        List<String> said = dev.reach.core.report.Wrap.lines(last.verdict() + ": " + last.summary(), Math.max(40, width - 1));
        for (int i = 0; i < said.size() && i < 4; i++) {
            l.add(i == 0 ? b(color, c + BOLD) + last.verdict() + b(color, RESET) + said.getFirst().substring(last.verdict().length()) : said.get(i));
        }
        l.add("");
        l.add(String.format(Locale.ROOT, "%-18s %-15s %-7s %9s %9s %7s  %s", "STEP", "PROBE", "STATUS", "LAST", "MEAN", "NOT OK", "CHANGED"));
        for (WatchState.Row r : state.rows()) {
            boolean ran = state.ranLast(r);
            String sc = !ran ? DIM : r.last == Status.OK ? "\u001b[32m" : r.last == Status.WARN ? "\u001b[33m" : "\u001b[31m";
            l.add(String.format(Locale.ROOT, "%-18s %-15s %s%-7s%s %9s %9s %7s  %s", cut(r.id, 18), cut(r.probe, 15), b(color, sc),
                    ran ? r.last.name().toLowerCase(Locale.ROOT) : "-", b(color, RESET), ms(r.lastMs), ms(r.meanMs()), r.notOk + "/" + r.seen,
                    r.changed == null ? "-" : StoredHistory.TIME.format(r.changed).substring(11)));
        }
        l.add("");
        List<WatchState.Change> changes = state.changes();
        l.add(changes.isEmpty() ? b(color, DIM) + "no change of verdict yet" + b(color, RESET) : "changes:");
        for (WatchState.Change ch : changes.subList(Math.max(0, changes.size() - 10), changes.size())) {
            l.add("  " + StoredHistory.TIME.format(ch.at()) + "  " + ch.from().verdict() + " → " + ch.to().verdict());
        }
        return l;
    }

    private static String b(boolean color, String code) {
        return color ? code : "";
    }

    private static String cut(String s, int w) {
        return s.length() <= w ? s : s.substring(0, w - 1) + "…";
    }

    private static String ms(double v) {
        return v >= 1000 ? String.format(Locale.ROOT, "%.2fs", v / 1000) : String.format(Locale.ROOT, "%.1fms", v);
    }
}
