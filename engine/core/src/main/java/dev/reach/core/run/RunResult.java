package dev.reach.core.run;

import dev.reach.spi.Status;


import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Everything a run produced, in the order steps ran, ending in one verdict. Renderers read only this.
 *
 * @param playbook  the playbook's name (or {@code probe <id>} for a single probe)
 * @param source    the file it came from, or empty
 * @param inputs    the inputs after defaults
 * @param steps     the steps that ran (or were skipped), in order
 * @param verdict   the one conclusion
 * @param started   when the run began
 * @param duration  wall time of the whole run
 * @param cancelled true when Ctrl-C or the run deadline stopped it early
 * @param defaults  the declared defaults of the inputs that have one, so that a report can leave out what nobody
 *                  changed (not in the JSON: {@code inputs} is the whole story there)
 */
public record RunResult(String playbook, String source, Map<String, Object> inputs, List<StepResult> steps,
                        Verdict verdict, Instant started, Duration duration, boolean cancelled,
                        Map<String, Object> defaults) {
    public RunResult {
        inputs = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(inputs));
        steps = List.copyOf(steps);
        defaults = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(defaults));
    }

    /** A run whose input defaults are unknown (a single probe, a run built by hand): every input counts as given. */
    public RunResult(String playbook, String source, Map<String, Object> inputs, List<StepResult> steps,
                     Verdict verdict, Instant started, Duration duration, boolean cancelled) {
        this(playbook, source, inputs, steps, verdict, started, duration, cancelled, Map.of());
    }

    /** The declared defaults of a playbook's inputs, by name. */
    public static Map<String, Object> defaultsOf(java.util.Collection<dev.reach.spi.Param> inputs) {
        Map<String, Object> out = new java.util.LinkedHashMap<>();
        inputs.forEach(p -> p.defaultValue().ifPresent(v -> out.put(p.name(), v)));
        return out;
    }

    /** Whether input {@code name} holds its declared default. */
    public boolean atDefault(String name) {
        return defaults.containsKey(name) && java.util.Objects.equals(defaults.get(name), inputs.get(name));
    }

    /** Process exit code: 0 healthy, 1 a fault was found (or a check could not conclude). */
    public int exitCode() {
        return healthy() ? 0 : 1;
    }

    /**
     * Healthy: the verdict is {@code ok}, nothing was cancelled, and no step broke. A step that failed counts through
     * the verdict: a derived verdict is never {@code ok} once one did, and a playbook that concludes {@code ok} beside a
     * failed check has weighed it (an ICMP echo a firewall drops, where the service answers in its protocol, is not the
     * cause: exit 1, Nagios CRITICAL or probe_success 0 would page someone for a target that works). A step that broke
     * (an error, not a finding) was weighed by nobody: it never adds up to healthy.
     */
    public boolean healthy() {
        return verdict.healthy() && !cancelled && steps.stream().noneMatch(s -> s.status() == Status.ERROR);
    }
}
