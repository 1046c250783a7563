package dev.reach.core.run;

import dev.reach.core.playbook.ParamBinder;
import dev.reach.core.playbook.Playbook;
import dev.reach.core.playbook.PlaybookException;
import dev.reach.core.script.JsPlaybooks;
import dev.reach.core.script.PlaybookHost;
import dev.reach.core.playbook.Confidence;
import dev.reach.spi.Observation;
import dev.reach.spi.Param;
import dev.reach.spi.ParamType;
import dev.reach.spi.Probe;
import dev.reach.spi.Status;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A JS playbook's run: main() decides what runs, and each call of the host API becomes a step of this
 * {@link PlaybookRun}, through the same probe execution, events and results as a YAML step. Steps are
 * named by the caller ({@code {id: 'connect'}}) or numbered ({@code probe-1}, {@code parallel-2}).
 */
final class ScriptSteps implements PlaybookHost {
    private static final int MAX_INCLUDE_DEPTH = 8;
    /** What include() takes: a playbook, by its extension (never another file read as one). */
    private static final java.util.regex.Pattern PLAYBOOK_FILE = java.util.regex.Pattern.compile(".+\\.(?:ya?ml|m?js)");

    private final PlaybookRun run;
    private final List<StepResult> results = new ArrayList<>();
    private final Map<String, Integer> used = new HashMap<>();
    private int numbered;
    private Verdict concluded;
    private volatile String stopped;

    ScriptSteps(PlaybookRun run) {
        this.run = run;
    }

    RunResult execute() {
        Instant started = Instant.now();
        long t0 = System.nanoTime();
        RunOptions options = run.options();
        JsPlaybooks.Outcome outcome = run.runner().scripts().playbooks().run(run.playbook(), run.inputs(), this,
                run.deadline(), options.cancellation()::isCancelled);
        String stopReason = null;
        StepResult broken = null;
        if (outcome instanceof JsPlaybooks.Outcome.Failed f) {
            if (stopped != null) {
                stopReason = stopped;
            } else if (options.cancellation().isCancelled() || "cancelled".equals(f.stopped())) {
                stopReason = "cancelled";
            } else if (f.stopped() != null && f.stopped().contains("deadline")) {
                stopReason = "the run's deadline passed";
            }
            Observation.Builder o = Observation.error(f.message());
            f.stack().forEach(o::evidence);
            broken = run.finished(new StepResult(unique("script"), "probe", "", Map.of(), o.build(), "", List.of()));
            record(broken);
        }
        if (stopReason == null && options.cancellation().isCancelled()) {
            stopReason = "cancelled";
        }
        Verdict verdict = run.reported(stopReason != null ? run.runner().verdicts().derive(results, stopReason)
                : broken != null ? run.runner().verdicts().broken(broken)
                : concluded != null ? concluded : run.runner().verdicts().derive(results, null));
        Playbook pb = run.playbook();
        return new RunResult(pb.name(), pb.source(), dev.reach.spi.ProbeSpec.shown(pb.inputs().values(), run.inputs()), results, verdict, started,
                Duration.ofNanos(System.nanoTime() - t0), stopReason != null, RunResult.defaultsOf(pb.inputs().values()));
    }

    /** Evaluates the run's playbook as a snippet (see {@link Runner#eval}), {@code names} as its globals. */
    EvalResult evaluate(Map<String, ?> names) {
        long t0 = System.nanoTime();
        RunOptions options = run.options();
        JsPlaybooks.Outcome outcome = run.runner().scripts().playbooks().eval(run.playbook().script(), names, this,
                run.deadline(), options.cancellation()::isCancelled);
        boolean cancelled = stopped != null || options.cancellation().isCancelled()
                || outcome instanceof JsPlaybooks.Outcome.Failed f && f.stopped() != null;
        Duration took = Duration.ofNanos(System.nanoTime() - t0);
        return switch (outcome) {
            case JsPlaybooks.Outcome.Returned r -> new EvalResult(r.value(), null, results, cancelled, took);
            case JsPlaybooks.Outcome.Failed f -> new EvalResult(null, f.message(), results, cancelled, took);
        };
    }

    @Override
    public Map<String, Object> probe(String id, String probe, Map<String, Object> params, boolean onServer) {
        open();
        Bound b = bind(probe, params);
        StepResult r = run.invoke(id == null ? number("probe") : unique(id), b.probe(), b.binding().params(), run.options().stepTimeout(),
                run.options().cancellation(), onServer);
        return record(r);
    }

    @Override
    public List<Map<String, Object>> parallel(String id, List<Call> calls, Until until) {
        open();
        if (calls.size() > dev.reach.core.playbook.Step.ForEachStep.MAX_ITEMS) {
            throw new IllegalArgumentException("parallel() got " + calls.size() + " calls; at most "
                    + dev.reach.core.playbook.Step.ForEachStep.MAX_ITEMS + " run in one step");
        }
        List<Bound> bound = calls.stream().map(c -> bind(c.probe(), c.params())).toList(); // every error before anything runs
        String group = id == null ? number("parallel") : unique(id);
        List<ParallelSteps.Branch> tasks = new ArrayList<>();
        List<String> childIds = new ArrayList<>();
        for (int i = 0; i < calls.size(); i++) {
            Bound b = bound.get(i);
            String childId = calls.get(i).id() != null ? unique(calls.get(i).id()) : group + "[" + i + "]";
            childIds.add(childId);
            tasks.add(stop -> run.invoke(childId, b.probe(), b.binding().params(), run.options().stepTimeout(), stop, false));
        }
        ParallelSteps.Until u = until == null ? null : new ParallelSteps.Until(until.source(), finished -> {
            Map<String, Object> byId = new LinkedHashMap<>();
            List<Object> inOrder = new ArrayList<>(java.util.Collections.nCopies(calls.size(), null));
            for (StepResult f : finished) {
                byId.put(f.id(), withId(f));
                int i = childIds.indexOf(f.id());
                if (i >= 0) inOrder.set(i, withId(f));
            }
            return until.decided(byId, inOrder);
        });
        ParallelSteps.Outcome out = ParallelSteps.race(tasks, PlaybookRun.FOREACH_CONCURRENCY, run.options().cancellation(), u);
        List<StepResult> children = out.results();
        StepResult r = run.finished(new StepResult(group, "parallel", "", Map.of(),
                ParallelSteps.outcome(out), "", children));
        record(r);
        children.forEach(run::remember);
        if (out.failure() instanceof UntilFailed f) {
            throw f.getCause(); // the script's own error, thrown where its until threw
        }
        return children.stream().map(ScriptSteps::withId).toList();
    }

    @Override
    public Map<String, Object> include(String id, String path, Map<String, Object> inputs) {
        open();
        if (run.prefix().chars().filter(c -> c == '/').count() >= MAX_INCLUDE_DEPTH) {
            throw new IllegalArgumentException("includes nest deeper than " + MAX_INCLUDE_DEPTH + "; flatten them");
        }
        if (!PLAYBOOK_FILE.matcher(path).matches()) {
            throw new IllegalArgumentException("include('" + path + "'): only playbooks can be included (.yaml, .yml, .js, .mjs)");
        }
        Path dir = run.playbook().script().path().getParent();
        Playbook child;
        try {
            child = run.runner().scripts().loader().load(dir == null ? Path.of(path) : dir.resolve(path));
        } catch (PlaybookException e) {
            // where, not what: a problem's text may quote the file, and the script must not read files through errors
            throw new IllegalArgumentException("include('" + path + "'): not a playbook that loads (" + e.problems().size()
                    + " problem(s), the first at " + e.problems().getFirst().pos() + "; 'reach run " + path + " --check' lists them)");
        }
        Map<String, Object> bound;
        try {
            bound = Inputs.bind(child, inputs, run.options().workingDirectory());
        } catch (UsageException e) {
            throw new IllegalArgumentException("include('" + path + "'): " + String.join("; ", e.problems()));
        }
        for (Param p : child.inputs().values()) {
            checkFile("include('" + path + "')", p, bound.get(p.name()));
        }
        String stepId = id == null ? number("include") : unique(id);
        return record(run.include(stepId, path, child, bound, child.timeout(), run.options().cancellation()));
    }

    @Override
    public Map<String, Object> verdict(VerdictCall v) {
        open();
        var causes = run.runner().scripts().causes();
        if (!causes.contains(v.cause())) {
            throw new IllegalArgumentException("unknown cause '" + v.cause() + "'" + ParamBinder.closest(v.cause(), causes)
                    .map(c -> "; did you mean '" + c + "'?").orElse("") + " ('reach causes' lists them)");
        }
        Confidence confidence = Confidence.fromLabel(v.confidence()).orElseThrow(() -> new IllegalArgumentException(
                "confidence '" + v.confidence() + "' is not one of certain, likely, possible"));
        boolean ok = Verdict.OK.equals(v.cause());
        String summary = v.summary().isEmpty() ? v.cause() : v.summary();
        StepResult step = run.finished(new StepResult(v.id() == null ? unique("verdict") : unique(v.id()), "verdict", "", Map.of(),
                Observation.of(ok ? Status.OK : Status.FAIL, summary).cause(ok ? null : v.cause()).build(), "", List.of()));
        List<String> evidence = new ArrayList<>();
        List<String> supportedBy = new ArrayList<>();
        for (String ref : v.evidence()) {
            if (run.viewOf(ref) instanceof Map<?, ?> m) {
                supportedBy.add(ref);
                evidence.add(ref + ": " + m.get("summary"));
                if (m.get("evidence") instanceof List<?> lines) lines.forEach(l -> evidence.add("  " + l));
            } else {
                evidence.add(ref);
            }
        }
        concluded = new Verdict(v.cause(), confidence, summary, v.fix().isEmpty() ? run.runner().verdicts().fix(v.cause(), run.inputs()) : v.fix(),
                evidence, supportedBy, true);
        return record(step);
    }

    @Override
    public void log(String message) {
        run.options().listener().on(new RunEvent.StepProgress(run.prefix() + "main", Redaction.text(message, run.options().secretTexts())));
    }

    @Override
    public void sleep(Duration d) {
        open();
        Duration wait = run.bounded(d);
        try {
            run.options().cancellation().signal().get(wait.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException slept) {
            // the usual way out
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException impossible) {
            throw new IllegalStateException(impossible);
        }
        open(); // woken by Ctrl-C or the deadline: the script ends here
    }

    private record Bound(Probe probe, ParamBinder.Binding binding) {
    }

    /** The probe and its checked parameters, or an error naming the parameter and what it allows. */
    private Bound bind(String probeId, Map<String, Object> params) {
        Probe probe = run.runner().probe(probeId).orElseThrow(() -> new IllegalArgumentException("unknown probe '" + probeId + "'"
                + ParamBinder.closest(probeId, run.runner().scripts().probeIds()).map(c -> "; did you mean '" + c + "'?").orElse("")
                + " (see 'reach probes' for the list)"));
        var binding = ParamBinder.bind(probe.spec(), params, run.options().workingDirectory());
        if (!binding.ok()) {
            throw new IllegalArgumentException(String.join("; ", binding.errors().stream().map(ParamBinder.ParamError::message).toList()));
        }
        for (Param p : probe.spec().params()) {
            checkFile("probe('" + probeId + "')", p, binding.params().find(p.name()).orElse(null));
        }
        return new Bound(probe, binding);
    }

    /**
     * A {@code file} value a JS playbook gives a probe or an include: its default, a file the user gave as one of
     * the run's inputs, or any file when the playbook's metadata says {@code allow: ['files']}. Else a script could
     * read any file the process can read (a log, a key) and send it out with the next probe.
     */
    private void checkFile(String call, Param p, Object value) {
        if (p.type() != ParamType.FILE || value == null || run.playbook().readsFiles()
                || p.defaultValue().map(value::equals).orElse(false) || userGave(value)) {
            return;
        }
        throw new IllegalArgumentException(call + ": " + p.name() + "=" + value + " is a file of the script's choosing; a JavaScript"
                + " playbook reads files only when its metadata says allow: ['files'], or those the user gives as inputs");
    }

    /** Whether one of the run's {@code file} inputs is {@code value}, and not by the playbook's own default. */
    private boolean userGave(Object value) {
        for (Param in : run.playbook().inputs().values()) {
            Object given = run.inputs().get(in.name());
            if (in.type() == ParamType.FILE && value.equals(given) && !in.defaultValue().map(given::equals).orElse(false)) return true;
        }
        return false;
    }

    private void open() {
        if (stopped == null && run.options().cancellation().isCancelled()) stopped = "cancelled";
        if (stopped == null && Instant.now().isAfter(run.deadline())) stopped = "the run's deadline passed";
        if (stopped == null && results.size() >= PlaybookRun.STEP_BUDGET) stopped = "the step budget of " + PlaybookRun.STEP_BUDGET + " ran out";
        if (stopped != null) {
            throw new IllegalStateException(stopped + "; nothing more runs");
        }
        if (concluded != null) {
            throw new IllegalStateException("the run already concluded with verdict '" + concluded.cause()
                    + "'; return from main after verdict()");
        }
    }

    private Map<String, Object> record(StepResult r) {
        results.add(r);
        run.remember(r);
        return withId(r);
    }

    private static Map<String, Object> withId(StepResult r) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("id", r.id());
        v.putAll(r.view());
        return v;
    }

    private synchronized String number(String kind) {
        String id;
        do {
            id = kind + "-" + (++numbered);
        } while (used.containsKey(id));
        used.put(id, 1);
        return id;
    }

    /** The id as given, or with {@code -2}, {@code -3} when the script reuses it (in a loop, say). */
    private synchronized String unique(String id) {
        int n = used.merge(id, 1, Integer::sum);
        return n == 1 ? id : id + "-" + n;
    }
}
