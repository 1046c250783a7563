package dev.reach.core.script;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * What a JS playbook's host API calls into: the runner's own step execution, so a probe run from JavaScript
 * is validated, evented, bounded and reported exactly like one run from YAML. Each method returns what
 * {@code steps.<id>} shows an expression: {@code {id, status, cause, summary, ok, facts, evidence, duration_ms}}.
 * A wrong call (unknown probe, bad parameter, unknown cause) throws {@link IllegalArgumentException}
 * with the message the script's author sees as a TypeError; a call after the verdict throws
 * {@link IllegalStateException}.
 */
public interface PlaybookHost {

    /** Runs one probe as a step; {@code id} null means the next {@code probe-N}. */
    Map<String, Object> probe(String id, String probe, Map<String, Object> params);

    /** Runs the calls at once, as one group step; their results in call order. */
    List<Map<String, Object>> parallel(String id, List<Call> calls);

    /** Runs another playbook (YAML or JS, relative to this one) as a step; its verdict is the step's outcome. */
    Map<String, Object> include(String id, String path, Map<String, Object> inputs);

    /** Concludes the run with this verdict; nothing runs after it. */
    Map<String, Object> verdict(VerdictCall verdict);

    /** A line for the progress display. */
    void log(String message);

    /** Waits, never past the run's deadline; returns early when the run is cancelled. */
    void sleep(Duration d);

    /** One probe of a {@link #parallel} call. */
    record Call(String id, String probe, Map<String, Object> params) {
    }

    /**
     * @param evidence step ids (their summaries and evidence lines are quoted) or plain lines
     */
    record VerdictCall(String id, String cause, String summary, String fix, String confidence, List<String> evidence) {
    }
}
