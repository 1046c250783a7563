package dev.reach.core.run;

import dev.reach.core.playbook.JsModule;
import dev.reach.core.playbook.ParamBinder;
import dev.reach.core.playbook.Playbook;
import dev.reach.core.playbook.PlaybookException;
import dev.reach.core.script.Expressions;
import dev.reach.core.script.JsPlaybooks;
import dev.reach.spi.Probe;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Runs validated playbooks (and single probes) to one {@link RunResult}. Every step runs under a deadline;
 * a probe that throws or hangs becomes an ERROR for its step and the run goes on as the playbook branches.
 * Stateless between runs: one Runner serves many.
 */
public final class Runner {
    /** How long a snippet ({@link #eval}) may run when the options give no timeout. */
    public static final Duration EVAL_TIMEOUT = Duration.ofMinutes(5);

    private final Function<String, Optional<Probe>> probes;
    private final ProbeInvoker invoker;
    private final Expressions expressions;
    private final Verdicts verdicts;
    private final Scripts scripts;

    /** What JS playbooks need besides the steps: the script runtime, a loader for include(), the cause codes. */
    public record Scripts(JsPlaybooks playbooks, Loader loader, Collection<String> probeIds, Collection<String> causes) {
        /** Loads (and validates) a playbook named by an include. */
        @FunctionalInterface
        public interface Loader {
            Playbook load(Path file) throws PlaybookException;
        }
    }

    /** A runner for YAML playbooks only. */
    public Runner(Function<String, Optional<Probe>> probes, ProbeInvoker invoker, Expressions expressions, Verdicts verdicts) {
        this(probes, invoker, expressions, verdicts, null);
    }

    /** A runner for YAML and JS playbooks. */
    public Runner(Function<String, Optional<Probe>> probes, ProbeInvoker invoker, Expressions expressions, Verdicts verdicts,
                  Scripts scripts) {
        this.probes = probes;
        this.invoker = invoker;
        this.expressions = expressions;
        this.verdicts = verdicts;
        this.scripts = scripts;
    }

    /**
     * Runs a playbook with raw inputs (as given by --set or an include).
     *
     * @throws UsageException when the inputs do not fit the playbook's declarations; nothing ran
     */
    public RunResult run(Playbook playbook, Map<String, ?> rawInputs, RunOptions options) throws UsageException {
        Map<String, Object> inputs = Inputs.bind(playbook, options.secrets().resolve(playbook.inputs().values(), rawInputs),
                options.workingDirectory());
        Duration timeout = options.timeout() != null ? options.timeout() : playbook.timeout();
        var run = new PlaybookRun(this, playbook, inputs, options, Instant.now().plus(timeout), "");
        options.listener().on(new RunEvent.RunStarted(playbook.name(), playbook.steps().size()));
        RunResult result = run.execute();
        options.listener().on(new RunEvent.RunFinished(result));
        return result;
    }

    /**
     * Runs one probe as a one-step run, so it reports like a playbook.
     *
     * @throws UsageException when a parameter is unknown or its value is wrong; nothing ran
     */
    public RunResult runProbe(Probe probe, Map<String, ?> raw, RunOptions options) throws UsageException {
        var binding = ParamBinder.bind(probe.spec(), options.secrets().resolve(probe.spec().params(), raw), options.workingDirectory());
        if (!binding.ok()) {
            throw new UsageException(binding.errors().stream().map(ParamBinder.ParamError::message).toList());
        }
        String id = probe.spec().id();
        Instant started = Instant.now();
        long t0 = System.nanoTime();
        Map<String, Object> shown = probe.spec().shown(binding.params().asMap()); // secrets stay in the probe
        Duration stepTimeout = options.timeout() != null ? options.timeout() : options.stepTimeout();
        // the run is its one step: its deadline is the step's own (the probe's timeout parameter and slack), never
        // past --timeout: the user's bound holds over a probe's own timeout= (it then reports that it was cut)
        Duration timeout = PlaybookRun.stepTimeout(binding.params().asMap(), stepTimeout);
        if (options.timeout() != null && options.timeout().compareTo(timeout) < 0) timeout = options.timeout();
        Playbook one = new Playbook("probe " + id, "", "", Map.of(), List.of(), timeout);
        options.listener().on(new RunEvent.RunStarted(one.name(), 1));
        RunOptions masked = options.withSecretTexts(Redaction.texts(probe.spec().params().stream().filter(dev.reach.spi.Param::isSecret)
                .map(p -> binding.params().find(p.name()).orElse(null)).toList()));
        StepResult step = new PlaybookRun(this, one, Map.of(), masked, started.plus(timeout), "")
                .invoke(id, probe, binding.params(), stepTimeout, options.cancellation(), false);
        boolean cancelled = options.cancellation().isCancelled();
        Verdict verdict = verdicts.derive(List.of(step), cancelled ? "cancelled" : null);
        RunResult result = new RunResult(one.name(), "", shown, List.of(step), verdict, started,
                Duration.ofNanos(System.nanoTime() - t0), cancelled);
        options.listener().on(new RunEvent.RunFinished(result));
        return result;
    }

    /**
     * Evaluates a JavaScript snippet (statements, the last expression's value is the result) in the JS
     * playbooks' sandbox, with their host API ({@code probe}, {@code parallel}, {@code include}, {@code log},
     * {@code sleep}) and {@code names} as globals. Probes run as steps of a JS playbook would: validated,
     * evented, bounded by the step timeout and by {@code options.timeout()} (else {@link #EVAL_TIMEOUT}) for
     * the whole snippet, and cancelled by {@code options.cancellation()}. Errors are results, not exceptions.
     */
    public EvalResult eval(String source, Map<String, ?> names, RunOptions options) {
        Duration timeout = options.timeout() != null ? options.timeout() : EVAL_TIMEOUT;
        JsModule snippet = new JsModule("js", Path.of("").toAbsolutePath().resolve("js"), source); // include() resolves from here
        Playbook pb = new Playbook("js", "", "js", Map.of(), List.of(), timeout, snippet, true); // the user's own line
        return new ScriptSteps(new PlaybookRun(this, pb, Map.of(), options, Instant.now().plus(timeout), "")).evaluate(names);
    }



    Optional<Probe> probe(String id) {
        return probes.apply(id);
    }

    ProbeInvoker invoker() {
        return invoker;
    }

    /** The script runtime; only JS playbooks ask for it. */
    Scripts scripts() {
        if (scripts == null) throw new IllegalStateException("this runner was built without JS playbook support");
        return scripts;
    }

    Expressions expressions() {
        return expressions;
    }

    Verdicts verdicts() {
        return verdicts;
    }
}
