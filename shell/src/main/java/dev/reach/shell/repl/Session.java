package dev.reach.shell.repl;

import dev.reach.core.Reach;
import dev.reach.core.playbook.PlaybookException;
import dev.reach.core.run.Cancellation;
import dev.reach.core.run.EvalResult;
import dev.reach.core.run.RunOptions;
import dev.reach.core.run.RunResult;
import dev.reach.core.run.StepResult;
import dev.reach.core.run.UsageException;
import dev.reach.core.run.Verdicts;
import dev.reach.core.verdict.CauseCatalog;
import dev.reach.shell.command.CommonOptions;
import dev.reach.shell.command.ExitCodes;
import dev.reach.shell.command.HeadlessWorkbench;
import dev.reach.shell.command.HostPort;
import dev.reach.shell.command.OutputOptions;
import dev.reach.shell.command.Reports;
import dev.reach.shell.command.Request;
import dev.reach.shell.command.Workbench;
import dev.reach.shell.history.Recorder;
import dev.reach.shell.term.OutputMode;
import dev.reach.shell.term.ProgressView;
import dev.reach.spi.Param;
import dev.reach.spi.Probe;
import dev.reach.spi.Status;

import java.io.PrintWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SequencedSet;
import java.util.concurrent.CompletableFuture;

/**
 * The shell's state: one engine for the whole session, the current target, and every result in the order
 * it came. As a {@link Workbench} it runs what commands ask with the target filled in, lets Ctrl-C cancel
 * the run (never the shell), and records the result for {@code last}, {@code history}, {@code save} and {@code js}.
 */
final class Session implements Workbench, AutoCloseable {
    /** How the shell hears Ctrl-C while something runs: {@code on(action)} until the returned handle closes. */
    @FunctionalInterface
    interface InterruptHook {
        AutoCloseable on(Runnable action);
    }

    /** One result of this session, numbered from 1, with the request that produced it (target filled in). */
    record Entry(int number, Request request, RunResult result, Instant at) {
    }

    private final CompletableFuture<Reach> reach;
    private final InterruptHook interrupts;
    private final boolean color;
    private final boolean live;
    /** The columns of the terminal now (it may be resized between commands); 0 or less: 80. */
    private final java.util.function.IntSupplier columns;
    private final List<Entry> entries = new ArrayList<>();
    private final SequencedSet<String> hosts = new LinkedHashSet<>();
    private HostPort target;
    private dev.reach.shell.command.ServerCommand server;
    private boolean exitRequested;
    private Recorder stored;

    Session(CompletableFuture<Reach> reach, InterruptHook interrupts, boolean color, boolean live) {
        this(reach, interrupts, color, live, () -> OutputMode.DEFAULT_WIDTH);
    }

    /** A session whose reports are {@code columns} wide, asked anew for each (the shell's terminal, resized or not). */
    Session(CompletableFuture<Reach> reach, InterruptHook interrupts, boolean color, boolean live, java.util.function.IntSupplier columns) {
        this.reach = reach;
        this.interrupts = interrupts;
        this.color = color;
        this.live = live;
        this.columns = columns;
    }

    /** The width of a report line now. */
    int width() {
        int w = columns.getAsInt();
        return w > 0 ? w : OutputMode.DEFAULT_WIDTH;
    }

    /** The engine, waiting for it if it is still loading plugins. */
    Reach reach() {
        return reach.join();
    }

    /** The engine if it has finished loading, else empty: for what must not wait (highlighting a keystroke). */
    Optional<Reach> reachNow() {
        return reach.isDone() && !reach.isCompletedExceptionally() ? Optional.of(reach.join()) : Optional.empty();
    }

    boolean color() {
        return color;
    }

    @Override
    public <T> T withReach(CommonOptions common, ReachUse<T> use) throws Exception {
        return use.apply(reach());
    }

    @Override
    public boolean hasTarget() {
        return target != null;
    }

    @Override
    public int execute(Request request, CommonOptions common, OutputOptions output, PrintWriter out, PrintWriter err) throws Exception {
        if (!HeadlessWorkbench.junitDirectoryExists(output, err)) {
            return ExitCodes.USAGE;
        }
        Reach engine = reach();
        Cancellation cancel = new Cancellation();
        try (AutoCloseable hook = interrupts.on(cancel::cancel);
             ProgressView progress = new ProgressView(err, live && !output.quiet, this::width)) {
            Request filled = withTarget(engine, request);
            Recorder recorder = output.noHistory ? Recorder.off() : history();
            RunResult result = filled.run(engine, HeadlessWorkbench.options(cancel, output.quiet ? null : progress, output));
            progress.close();
            result = recorder.amend(result, engine.causes());
            record(filled, result);
            int code = Reports.print(result, output, common, new OutputMode(color && !common.noColor, live, width()), out, cancel.isCancelled());
            recorder.record(result);
            recorder.problem().ifPresent(p -> err.println("reach: warning: the run is not in the history: " + p));
            return code;
        } catch (UsageException | PlaybookException e) {
            return HeadlessWorkbench.usage(e, output, out, err);
        }
    }

    /** A js probe's parameters without those at their defaults, as they would be typed (history and save read them). */
    private static Map<String, Object> given(Reach engine, StepResult probe) {
        var spec = engine.probes().find(probe.probe()).map(Probe::spec);
        Map<String, Object> m = new LinkedHashMap<>(probe.params());
        spec.ifPresent(sp -> m.entrySet().removeIf(e -> sp.param(e.getKey()).flatMap(Param::defaultValue).filter(e.getValue()::equals).isPresent()));
        return m;
    }

    /** Fills {@code host} and {@code port} from the target where the probe or playbook takes them and they are not given. */
    Request withTarget(Reach engine, Request request) throws PlaybookException {
        if (target == null) {
            return request;
        }
        return switch (request) {
            case Request.ProbeRequest p -> engine.probes().find(p.id())
                    .map(probe -> new Request.ProbeRequest(p.id(), fill(p.params(), name -> probe.spec().param(name).isPresent())))
                    .orElse(p);
            case Request.PlaybookRequest p -> {
                var inputs = engine.load(p.file()).inputs();
                yield new Request.PlaybookRequest(p.file(), fill(p.inputs(), inputs::containsKey), p.around());
            }
        };
    }

    private Map<String, Object> fill(Map<String, Object> given, java.util.function.Predicate<String> takes) {
        Map<String, Object> m = new LinkedHashMap<>(given);
        if (takes.test("host")) m.putIfAbsent("host", target.host());
        if (target.port() != null && takes.test("port")) m.putIfAbsent("port", target.port());
        return m;
    }

    private void record(Request request, RunResult result) {
        entries.add(new Entry(entries.size() + 1, request, result, result.started()));
        Map<String, Object> params = switch (request) {
            case Request.ProbeRequest p -> p.params();
            case Request.PlaybookRequest p -> p.inputs();
        };
        if (params.get("host") instanceof String h) hosts.add(h);
    }

    void target(HostPort t) {
        target = t;
        if (t != null) hosts.add(t.host());
    }

    @Override
    public Optional<HostPort> target() {
        return Optional.ofNullable(target);
    }

    /** The server {@code target --server-via} named (empty: none); diagnoses and playbooks use it unless given one. */
    void server(dev.reach.shell.command.ServerCommand s) {
        server = s;
    }

    @Override
    public Optional<dev.reach.shell.command.ServerCommand> server() {
        return Optional.ofNullable(server);
    }

    List<Entry> entries() {
        return List.copyOf(entries);
    }

    Optional<Entry> last() {
        return entries.isEmpty() ? Optional.empty() : Optional.of(entries.getLast());
    }

    /** Hosts typed or targeted in this session, oldest first: completion offers them. */
    List<String> hosts() {
        return List.copyOf(hosts);
    }

    void requestExit() {
        exitRequested = true;
    }

    boolean exitRequested() {
        return exitRequested;
    }

    /**
     * Evaluates {@code js} source in the playbooks' sandbox with their host API ({@link Reach#eval}), the
     * session's {@code names} as globals, progress on {@code err} and Ctrl-C cancelling it. The probes it ran
     * are recorded like probes typed at the prompt, so {@code last}, {@code history} and {@code save} see them.
     */
    EvalResult evalJs(String source, Map<String, ?> names, PrintWriter err) throws Exception {
        Reach engine = reach();
        Cancellation cancel = new Cancellation();
        EvalResult result;
        try (AutoCloseable hook = interrupts.on(cancel::cancel); ProgressView progress = new ProgressView(err, live, this::width)) {
            result = engine.eval(source, names, RunOptions.defaults().withCancellation(cancel).withListener(progress));
        }
        Verdicts verdicts = new Verdicts(code -> engine.causes().find(code).map(CauseCatalog.Cause::says));
        for (StepResult step : result.steps()) {
            for (StepResult probe : step.kind().equals("parallel") ? step.children() : List.of(step)) {
                if (!probe.kind().equals("probe") || probe.probe().isEmpty()) continue;
                boolean stopped = result.cancelled() && probe.status() != Status.OK;
                record(new Request.ProbeRequest(probe.probe(), given(engine, probe)), new RunResult("probe " + probe.probe(), "",
                        probe.params(), List.of(probe), verdicts.derive(List.of(probe), stopped ? "cancelled" : null),
                        Instant.now().minus(probe.observation().duration()), probe.observation().duration(), stopped));
            }
        }
        return result;
    }

    /**
     * What {@code js} sees of one result: the playbooks' {@code steps.<id>} shape for its top step (status,
     * cause, summary, facts, ...), its verdict, and all its steps by id.
     */
    static Map<String, Object> view(Entry e) {
        RunResult r = e.result();
        Map<String, Object> v = new LinkedHashMap<>(r.steps().isEmpty() ? Map.of() : r.steps().getFirst().view());
        Map<String, Object> steps = new LinkedHashMap<>();
        r.steps().forEach(s -> steps.put(s.id(), s.view()));
        if (r.steps().size() != 1) {
            v.put("status", r.healthy() ? "ok" : "fail");
            v.put("cause", r.verdict().healthy() ? null : r.verdict().cause());
            v.put("summary", r.verdict().summary());
            v.putIfAbsent("facts", Map.of());
        }
        v.put("n", (long) e.number());
        v.put("run", r.playbook());
        v.put("verdict", Map.of("cause", r.verdict().cause(), "confidence", r.verdict().confidence().label(),
                "summary", r.verdict().summary(), "fix", r.verdict().fix()));
        v.put("steps", steps);
        v.put("cancelled", r.cancelled());
        return v;
    }

    /** The run history (opened at the first run, kept for the session). */
    synchronized Recorder history() {
        if (stored == null) stored = Recorder.fromEnvironment(false, "shell", System::getenv).prepare();
        return stored;
    }

    @Override
    public void close() {
        if (reach.isDone() && !reach.isCompletedExceptionally()) reach.join().close();
        synchronized (this) {
            if (stored != null) stored.close();
        }
    }
}
