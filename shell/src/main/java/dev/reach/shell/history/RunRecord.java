package dev.reach.shell.history;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One run as the history keeps it: what was asked, what it concluded, and the facts worth comparing with another
 * run of the same target ({@link RunFacts}). Nothing secret: the facts are addresses, routes, MACs, MTUs,
 * certificate fingerprints and figures, never parameters or headers.
 *
 * @param id         the run's number in the history (0 before it is recorded)
 * @param target     what was diagnosed, as {@link RunFacts#target} names it ({@code db01:5432}, {@code ns1:53/udp})
 * @param playbook   the playbook's name, or {@code probe ID}
 * @param started    when the run began
 * @param durationMs how long it took
 * @param cause      the verdict's cause ({@code ok} when healthy)
 * @param confidence certain, likely or possible
 * @param healthy    whether the run was healthy (exit code 0)
 * @param worked     whether the target worked: healthy, or healthy but for the history's own baseline (such a run still
 *                   counts towards the baseline, which so follows a path that changed for good)
 * @param summary    the verdict's summary
 * @param origin     where it ran: cli, shell, serve, watch
 * @param facts      comparable facts by key ({@link RunFacts#LABELS}), as text
 * @param metrics    figures by key ({@link RunFacts#METRIC_LABELS})
 */
public record RunRecord(long id, String target, String playbook, Instant started, double durationMs, String cause,
                        String confidence, boolean healthy, boolean worked, String summary, String origin,
                        Map<String, String> facts, Map<String, Double> metrics) {
    public RunRecord {
        facts = Collections.unmodifiableMap(new LinkedHashMap<>(facts));
        metrics = Collections.unmodifiableMap(new LinkedHashMap<>(metrics));
    }

    /** A run that worked exactly when it was healthy. */
    public RunRecord(long id, String target, String playbook, Instant started, double durationMs, String cause,
                     String confidence, boolean healthy, String summary, String origin, Map<String, String> facts,
                     Map<String, Double> metrics) {
        this(id, target, playbook, started, durationMs, cause, confidence, healthy, healthy, summary, origin, facts, metrics);
    }

    /** The same run under its number in the history. */
    public RunRecord withId(long number) {
        return new RunRecord(number, target, playbook, started, durationMs, cause, confidence, healthy, worked, summary, origin, facts, metrics);
    }


    /** The verdict as one word with its confidence: {@code host.down (certain)}, or {@code ok}. */
    public String verdict() {
        return cause.equals("ok") && confidence.equals("certain") ? cause : cause + " (" + confidence + ")";
    }
}
