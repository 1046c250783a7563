package dev.reach.core.run;

import dev.reach.core.playbook.Branch;
import dev.reach.core.playbook.ParamBinder;
import dev.reach.core.playbook.Playbook;
import dev.reach.core.playbook.Step;
import dev.reach.core.playbook.Target;
import dev.reach.core.script.ExprException;
import dev.reach.core.script.Scope;
import dev.reach.core.playbook.Confidence;
import dev.reach.spi.Observation;
import dev.reach.spi.Probe;
import dev.reach.spi.ProbeSpec;
import dev.reach.spi.Status;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** One execution of one playbook: the program counter, what each step saw, and the jumps taken. */
final class PlaybookRun {
    /** How many foreach items run at once. */
    static final int FOREACH_CONCURRENCY = 16;
    /** No run executes more steps than this, whatever its jumps say. */
    static final int STEP_BUDGET = 1000;

    private final Runner runner;
    private final Playbook pb;
    private final Map<String, Object> inputs;
    private final RunOptions options;
    private final Instant deadline;
    private final String prefix;
    /** Step id → what expressions see as {@code steps.<id>}; parallel branches write it at once. */
    private final Map<String, Object> views = new java.util.concurrent.ConcurrentHashMap<>();
    private final Map<Branch, Integer> jumps = new HashMap<>();
    /** What the verdict step that ended the run concluded, or null. */
    private Verdict concluded;

    PlaybookRun(Runner runner, Playbook pb, Map<String, Object> inputs, RunOptions options, Instant deadline, String prefix) {
        this.runner = runner;
        this.pb = pb;
        this.inputs = inputs;
        // its secret inputs' values, with those of the runs that include it, are masked in all it reports
        this.options = options.withSecretTexts(Redaction.texts(pb.inputs().values().stream()
                .filter(dev.reach.spi.Param::isSecret).map(p -> inputs.get(p.name())).toList()));
        this.deadline = deadline;
        this.prefix = prefix;
    }

    Runner runner() { return runner; }

    Playbook playbook() { return pb; }

    Map<String, Object> inputs() { return inputs; }

    RunOptions options() { return options; }

    Instant deadline() { return deadline; }

    String prefix() { return prefix; }

    /** Records what expressions (and a JS verdict's evidence) see of a finished step. */
    void remember(StepResult r) {
        views.put(r.id(), r.view());
    }

    Object viewOf(String id) {
        return views.get(id);
    }

    RunResult execute() {
        if (pb.isScript()) {
            return new ScriptSteps(this).execute();
        }
        Instant started = Instant.now();
        long t0 = System.nanoTime();
        List<StepResult> results = new ArrayList<>();
        String stopReason = null;
        int pc = 0;
        int executed = 0;
        while (pc < pb.steps().size()) {
            if (options.cancellation().isCancelled()) {
                stopReason = "cancelled";
                break;
            }
            if (Instant.now().isAfter(deadline)) {
                stopReason = "the run's deadline passed";
                break;
            }
            if (++executed > STEP_BUDGET) {
                stopReason = "the step budget of " + STEP_BUDGET + " ran out";
                break;
            }
            Step step = pb.steps().get(pc);
            StepResult result = step(step, scope(), options.cancellation());
            if (step instanceof Step.VerdictStep && result.status() != Status.SKIPPED) {
                if (result.status() == Status.ERROR) {
                    concluded = runner.verdicts().broken(result); // its when:, summary or fix could not be computed
                }
                results.add(result);
                break;
            }
            Optional<Branch> branch = Branch.taken(step.common().on(), result.observation());
            Target target = branch.map(Branch::target).orElse(Target.NEXT);
            String note = branch.filter(b -> b.target().isJump()).map(Branch::describe).orElse("");
            if (target instanceof Target.GoTo g && g.max() > 0) {
                int taken = jumps.merge(branch.get(), 1, Integer::sum);
                if (taken > g.max()) {
                    target = Target.NEXT;
                    note = "jump to " + g.step() + " already taken " + g.max() + " times: going on";
                }
            }
            results.add(note.isEmpty() ? result : result.withBranch(note));
            pc = switch (target) {
                case Target.Next n -> pc + 1;
                case Target.Stop s -> pb.steps().size();
                case Target.GoTo g -> pb.indexOf(g.step());
            };
        }
        if (stopReason == null && options.cancellation().isCancelled()) {
            stopReason = "cancelled";
        }
        Verdict verdict = reported(concluded != null && stopReason == null ? concluded : runner.verdicts().derive(results, stopReason));
        return new RunResult(pb.name(), pb.source(), ProbeSpec.shown(pb.inputs().values(), inputs), results, verdict, started,
                Duration.ofNanos(System.nanoTime() - t0), stopReason != null, RunResult.defaultsOf(pb.inputs().values()));
    }

    private Scope scope() {
        return new Scope(inputs, views, Map.of(), new Scope.Budget(deadline, options.cancellation()::isCancelled));
    }

    /**
     * Runs one step (of any kind) under {@code stop} (the run's switch, or a parallel step's branch of it)
     * and records what expressions will see of it.
     */
    private StepResult step(Step step, Scope scope, Cancellation stop) {
        StepResult r;
        Optional<Cut> cut = stop.cut();
        Optional<String> skip = cut.isPresent() ? Optional.empty() : conditionFalse(step, scope);
        if (cut.isPresent()) { // an enclosing until: held before this step began, so it does not begin
            r = finished(new StepResult(step.id(), kind(step), label(step), Map.of(), cut.get().observation(null), "", List.of()));
        } else if (skip.isPresent()) {
            r = finished(new StepResult(step.id(), kind(step), "", Map.of(), skipOrError(skip.get()), "", List.of()));
        } else {
            r = switch (step) {
                case Step.ProbeStep p -> probe(p, step.id(), scope, stop);
                case Step.ForEachStep f -> forEach(f, scope, stop);
                case Step.ParallelStep p -> parallel(p, scope, stop);
                case Step.IncludeStep i -> include(i, scope, stop);
                case Step.VerdictStep v -> verdictStep(v, scope);
            };
        }
        views.put(step.id(), r.view());
        return r;
    }

    private static Observation skipOrError(String why) {
        return why.startsWith("!") ? Observation.error(why.substring(1)).build() : Observation.skipped(why).build();
    }

    /** Empty when the step should run; a reason ("!"-prefixed for an error) when it should not. */
    private Optional<String> conditionFalse(Step step, Scope scope) {
        var cond = step.common().condition();
        if (cond.isEmpty()) return Optional.empty();
        try {
            return runner.expressions().test(cond.get(), scope) ? Optional.empty()
                    : Optional.of(StepResult.CONDITION_FALSE + cond.get().source());
        } catch (ExprException e) {
            return Optional.of("!condition failed: " + e.getMessage());
        }
    }

    private StepResult probe(Step.ProbeStep p, String id, Scope scope, Cancellation stop) {
        Map<String, Object> raw = new LinkedHashMap<>();
        for (Step.Arg a : p.with().values()) {
            try {
                raw.put(a.name(), runner.expressions().render(a.value(), scope));
            } catch (ExprException e) {
                return finished(new StepResult(id, "probe", p.probe(), Map.of(),
                        Observation.error("parameter '" + a.name() + "' could not be computed: " + e.getMessage()).build(), "", List.of()));
            }
        }
        Optional<Probe> probe = runner.probe(p.probe());
        if (probe.isEmpty()) { // validated before the run; only an embedder swapping registries gets here
            return finished(new StepResult(id, "probe", p.probe(), Map.of(), Observation.error("probe " + p.probe() + " is not loaded").build(), "", List.of()));
        }
        var binding = ParamBinder.bind(probe.get().spec(), raw, options.workingDirectory());
        if (!binding.ok()) {
            Observation.Builder o = Observation.error("parameters do not fit " + p.probe() + ": " + binding.errors().getFirst().message());
            for (var e : binding.errors()) {
                o.evidence(p.with().containsKey(e.param()) ? p.with().get(e.param()).valuePos() + ": " + e.message() : e.message());
            }
            return finished(new StepResult(id, "probe", p.probe(), probe.get().spec().shown(raw), o.build(), "", List.of()));
        }
        return invoke(id, probe.get(), binding.params(), p.common().deadline().orElse(options.stepTimeout()), stop, p.onServer());
    }

    /**
     * Runs a probe with bound parameters as step {@code id}, stopped by {@code stop}: the one place YAML
     * and JS steps run a probe; with {@code onServer} it runs on the other end ({@link ServerProbes}), not here.
     */
    StepResult invoke(String id, Probe probe, dev.reach.spi.Params bound, Duration stepDeadline, Cancellation stop, boolean onServer) {
        Map<String, Object> params = bound.asMap();
        Map<String, Object> shown = probe.spec().shown(params); // secrets stay in the probe
        String probeId = probe.spec().id();
        Optional<Cut> cut = stop.cut();
        if (cut.isPresent()) { // waited for its turn (16 at a time) while the evidence decided
            return finished(new StepResult(id, "probe", probeId, shown, cut.get().observation(null), "", List.of()));
        }
        options.listener().on(new RunEvent.StepStarted(prefix + id, probeId, Redaction.params(shown, options.secretTexts())));
        Duration timeout = bounded(stepTimeout(params, stepDeadline));
        Observation obs = onServer ? ServerSteps.run(options.server(), probe, params, timeout, stop)
                : runner.invoker().invoke(probe, bound, timeout, stop,
                        m -> options.listener().on(new RunEvent.StepProgress(prefix + id, Redaction.text(m, options.secretTexts()))));
        return finished(new StepResult(id, "probe", probeId, shown, obs, "", List.of()));
    }

    StepResult finished(StepResult r) {
        StepResult masked = Redaction.step(r, options.secretTexts());   // what is seen and said of it from here on
        options.listener().on(new RunEvent.StepFinished(masked));
        return masked;
    }

    /** The verdict as the run reports it: no secret value in its text. */
    Verdict reported(Verdict v) {
        return Redaction.verdict(v, options.secretTexts());
    }

    private StepResult forEach(Step.ForEachStep f, Scope scope, Cancellation stop) {
        long t0 = System.nanoTime();
        Object items;
        try {
            items = runner.expressions().render(f.items(), scope);
        } catch (ExprException e) {
            return finished(group(f, Observation.error("'foreach' list could not be computed: " + e.getMessage()).build(), List.of()));
        }
        if (!(items instanceof List<?> list)) {
            return finished(group(f, Observation.error("'foreach' needs a list; " + f.items() + " gave " + Scope.text(items)).build(), List.of()));
        }
        if (list.size() > Step.ForEachStep.MAX_ITEMS) {
            return finished(group(f, Observation.error("'foreach' list has " + list.size() + " items; at most "
                    + Step.ForEachStep.MAX_ITEMS + " run in one step").build(), List.of()));
        }
        List<ParallelSteps.Branch> each = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            Scope itemScope = scope.withLocal(f.as(), list.get(i));
            String itemId = f.id() + "[" + i + "]";
            each.add(s -> probe(f.body(), itemId, itemScope, s));
        }
        List<StepResult> children = ParallelSteps.all(each, FOREACH_CONCURRENCY, stop);
        Observation obs = ParallelSteps.summarize(list.size() + " items", children);
        return finished(group(f, ParallelSteps.cutOrElse(stop, children.stream().anyMatch(StepResult::cutShort), obs, t0), children));
    }

    /** Runs the branches at once; with {@code until:}, only until it holds (see {@link ParallelSteps}). */
    private StepResult parallel(Step.ParallelStep p, Scope scope, Cancellation stop) {
        List<ParallelSteps.Branch> branches = p.branches().stream().<ParallelSteps.Branch>map(b -> s -> step(b, scope, s)).toList();
        ParallelSteps.Until until = p.decidedWhen().map(e -> {
            forget(p.branches()); // a branch is in steps once it finished this time, not from an earlier pass
            return new ParallelSteps.Until(e.source(), finished -> runner.expressions().test(e, scope));
        }).orElse(null);
        long t0 = System.nanoTime();
        ParallelSteps.Outcome out = ParallelSteps.race(branches, branches.size(), stop, until);
        Observation obs = ParallelSteps.outcome(out);
        boolean cut = out.decidedBy() == null && out.results().stream().anyMatch(StepResult::cutShort);
        return finished(group(p, ParallelSteps.cutOrElse(stop, cut, obs, t0), out.results()));
    }

    private void forget(List<Step> steps) {
        for (Step s : steps) {
            views.remove(s.id());
            if (s instanceof Step.ParallelStep p) forget(p.branches());
        }
    }

    private StepResult include(Step.IncludeStep inc, Scope scope, Cancellation stop) {
        Map<String, Object> raw = new LinkedHashMap<>();
        for (Step.Arg a : inc.with().values()) {
            try {
                raw.put(a.name(), runner.expressions().render(a.value(), scope));
            } catch (ExprException e) {
                return finished(new StepResult(inc.id(), "include", inc.path(), Map.of(),
                        Observation.error("input '" + a.name() + "' could not be computed: " + e.getMessage()).build(), "", List.of()));
            }
        }
        Map<String, Object> childInputs;
        try {
            childInputs = Inputs.bind(inc.playbook(), raw, options.workingDirectory());
        } catch (UsageException e) {
            return finished(new StepResult(inc.id(), "include", inc.path(), raw,
                    Observation.error("inputs do not fit " + inc.path() + ": " + e.problems().getFirst()).build(), "", List.of()));
        }
        return include(inc.id(), inc.path(), inc.playbook(), childInputs, inc.common().deadline().orElse(inc.playbook().timeout()), stop);
    }

    /** Runs another playbook with bound inputs as step {@code id}, stopped by {@code stop}; its verdict becomes the step's outcome. */
    StepResult include(String id, String path, Playbook playbook, Map<String, Object> childInputs, Duration childTimeout, Cancellation stop) {
        options.listener().on(new RunEvent.StepStarted(prefix + id, path, Redaction.params(childInputs, options.secretTexts())));
        long t0 = System.nanoTime();
        Instant childDeadline = Instant.now().plus(bounded(childTimeout));
        RunResult child = new PlaybookRun(runner, playbook, childInputs, options.withCancellation(stop), childDeadline, prefix + id + "/").execute();
        Verdict v = child.verdict();
        Status status = v.healthy() ? Status.OK : Verdicts.INCONCLUSIVE.equals(v.cause()) ? Status.ERROR : Status.FAIL;
        Observation.Builder o = Observation.of(status, v.summary()).cause(v.healthy() || Verdicts.INCONCLUSIVE.equals(v.cause()) ? null : v.cause())
                .fact("verdict", v.cause()).fact("confidence", v.confidence().label()).fact("concluded", v.concluded())
                .duration(child.duration());
        v.evidence().forEach(o::evidence);
        return finished(new StepResult(id, "include", path, childInputs, ParallelSteps.cutOrElse(stop, child.cancelled(), o.build(), t0), "", child.steps()));
    }

    /**
     * The verdict as a step, and the run's conclusion ({@link #concluded}). When its summary or fix cannot be
     * computed, the step is an ERROR, which {@link #execute} turns into an inconclusive run carrying the error.
     */
    private StepResult verdictStep(Step.VerdictStep v, Scope scope) {
        String summary;
        String fix;
        try {
            summary = text(v.summary(), scope);
        } catch (ExprException e) {
            return broken(v, "summary", e);
        }
        try {
            fix = text(v.fix(), scope);
        } catch (ExprException e) {
            return broken(v, "fix", e);
        }
        boolean ok = Verdict.OK.equals(v.cause());
        summary = summary.isEmpty() ? v.cause() : summary;
        List<String> evidence = new ArrayList<>();
        List<String> supportedBy = new ArrayList<>();
        for (String ref : v.evidence()) {
            // a step the playbook chose not to take (or never reached, or cut short) supports nothing; one skipped
            // for want of a privilege or a tool stays: that it could not look is itself evidence
            if (!(views.get(ref) instanceof Map<?, ?> m) || String.valueOf(m.get("summary")).startsWith(StepResult.CONDITION_FALSE)
                    || m.get("facts") instanceof Map<?, ?> f && Boolean.TRUE.equals(f.get(Cut.FACT))) continue;
            supportedBy.add(ref);
            evidence.add(ref + ": " + m.get("summary"));
            if (m.get("evidence") instanceof List<?> lines) lines.forEach(l -> evidence.add("  " + l));
        }
        concluded = new Verdict(v.cause(), Confidence.fromLabel(v.confidence()).orElse(Confidence.LIKELY), summary,
                fix.isEmpty() ? runner.verdicts().fix(v.cause(), inputs) : fix, evidence, supportedBy, true);
        return finished(new StepResult(v.id(), "verdict", "", Map.of(),
                Observation.of(ok ? Status.OK : Status.FAIL, summary).cause(ok ? null : v.cause()).build(), "", List.of()));
    }

    private StepResult broken(Step.VerdictStep v, String part, ExprException e) {
        return finished(new StepResult(v.id(), "verdict", "", Map.of(),
                Observation.error(part + " could not be computed: " + e.getMessage()).build(), "", List.of()));
    }

    private String text(dev.reach.core.playbook.Template t, Scope scope) throws ExprException {
        return Scope.text(runner.expressions().render(t, scope));
    }

    /** The step's deadline: the probe's own timeout parameter plus slack, at least the default. */
    static Duration stepTimeout(Map<String, Object> params, Duration fallback) {
        if (params.get("timeout") instanceof Duration d) {
            Duration padded = d.plusSeconds(1);
            return padded.compareTo(fallback) > 0 ? padded : fallback;
        }
        return fallback;
    }

    Duration bounded(Duration d) {
        Duration left = Duration.between(Instant.now(), deadline);
        if (left.isNegative() || left.isZero()) return Duration.ofMillis(1);
        return d.compareTo(left) < 0 ? d : left;
    }

    private static StepResult group(Step s, Observation obs, List<StepResult> children) {
        return new StepResult(s.id(), kind(s), s instanceof Step.ForEachStep f ? f.body().probe() : "", Map.of(), obs, "", children);
    }

    /** What a report shows beside the kind: the probe, or the included playbook. */
    private static String label(Step s) {
        return switch (s) {
            case Step.ProbeStep p -> p.probe();
            case Step.ForEachStep f -> f.body().probe();
            case Step.IncludeStep i -> i.path();
            case Step.ParallelStep p -> "";
            case Step.VerdictStep v -> "";
        };
    }

    private static String kind(Step s) {
        return switch (s) {
            case Step.ProbeStep p -> "probe";
            case Step.ForEachStep f -> "foreach";
            case Step.ParallelStep p -> "parallel";
            case Step.IncludeStep i -> "include";
            case Step.VerdictStep v -> "verdict";
        };
    }
}
