package dev.reach.core.run;

import java.time.Duration;
import java.util.List;

/**
 * What a JavaScript snippet ({@code Reach.eval}) gave: its value as plain data (maps, lists, String, Long,
 * Double, Boolean, null) or the error that ended it, and every step its host calls ran, in order.
 *
 * @param value     the last expression's value; null when it failed or had none
 * @param error     null when it evaluated; else one line, {@code js:1:7: ReferenceError: x is not defined}
 * @param steps     the probe, parallel and include steps it ran, as a playbook's steps
 * @param cancelled true when Ctrl-C or the deadline stopped it
 * @param duration  wall time
 */
public record EvalResult(Object value, String error, List<StepResult> steps, boolean cancelled, Duration duration) {
    public EvalResult {
        steps = List.copyOf(steps);
    }

    public boolean ok() {
        return error == null;
    }
}
