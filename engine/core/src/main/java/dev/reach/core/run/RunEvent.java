package dev.reach.core.run;

import java.util.Map;

/** What a run reports while it goes, for progress displays, recorders and reports. */
public sealed interface RunEvent {
    /** The run began; {@code steps} is the number of top-level steps. */
    record RunStarted(String playbook, int steps) implements RunEvent {
    }

    /** A step (or a foreach item, or a parallel branch) began. */
    record StepStarted(String id, String probe, Map<String, Object> params) implements RunEvent {
    }

    /** A running probe said what it is doing. */
    record StepProgress(String id, String message) implements RunEvent {
    }

    /** A step ended. */
    record StepFinished(StepResult result) implements RunEvent {
    }

    /** The run ended. */
    record RunFinished(RunResult result) implements RunEvent {
    }
}
