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
 */
public record RunResult(String playbook, String source, Map<String, Object> inputs, List<StepResult> steps,
                        Verdict verdict, Instant started, Duration duration, boolean cancelled) {
    public RunResult {
        inputs = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(inputs));
        steps = List.copyOf(steps);
    }

    /** Process exit code: 0 healthy, 1 a fault was found (or a check could not conclude). */
    public int exitCode() {
        return healthy() ? 0 : 1;
    }

    /** Healthy: the verdict is {@code ok}, nothing was cancelled, and no step failed or broke. */
    public boolean healthy() {
        return verdict.healthy() && !cancelled && steps.stream().map(StepResult::status)
                .noneMatch(s -> s == Status.FAIL || s == Status.ERROR);
    }
}
