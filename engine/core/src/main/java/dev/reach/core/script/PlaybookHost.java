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

    /**
     * Runs one probe as a step; {@code id} null means the next {@code probe-N}; {@code onServer}: on the other end
     * ({@code probe('flow.watch', {...}, {on: 'server'})}).
     */
    Map<String, Object> probe(String id, String probe, Map<String, Object> params, boolean onServer);

    /**
     * Runs the calls at once, as one group step; their results in call order. With {@code until} (or null),
     * the calls still running when it holds are cut short (SKIPPED, {@code facts.cut_short} true).
     *
     * @throws UntilFailed when the until threw; the step is recorded as an error first
     */
    List<Map<String, Object>> parallel(String id, List<Call> calls, Until until);

    /** Runs another playbook (YAML or JS, relative to this one) as a step; its verdict is the step's outcome. */
    Map<String, Object> include(String id, String path, Map<String, Object> inputs);

    /** Concludes the run with this verdict; nothing runs after it. */
    Map<String, Object> verdict(VerdictCall verdict);

    /** A line for the progress display. */
    void log(String message);

    /** Waits, never past the run's deadline; returns early when the run is cancelled. */
    void sleep(Duration d);

    /** A {@link #parallel} call's {@code until}: asked on the script's thread after each call finishes. */
    interface Until {
        /**
         * @param steps   the results of the calls finished so far, by step id
         * @param results the results in call order, null for the calls still running
         * @throws UntilFailed when the script's function threw
         */
        boolean decided(Map<String, Object> steps, List<Object> results);

        /** The function as reports quote it. */
        String source();
    }

    /** A script's until threw: the message says where ({@code file:line:col: TypeError: ...}); the cause is the script's own error. */
    final class UntilFailed extends RuntimeException {
        public UntilFailed(String message, RuntimeException cause) {
            super(message, cause);
        }

        @Override
        public synchronized RuntimeException getCause() {
            return (RuntimeException) super.getCause();
        }
    }

    /** One probe of a {@link #parallel} call. */
    record Call(String id, String probe, Map<String, Object> params) {
    }

    /**
     * @param evidence step ids (their summaries and evidence lines are quoted) or plain lines
     */
    record VerdictCall(String id, String cause, String summary, String fix, String confidence, List<String> evidence) {
    }
}
