package dev.reach.core.run;

import dev.reach.spi.Millis;
import dev.reach.spi.Observation;
import dev.reach.spi.Status;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one step did: which probe with which parameters, what it observed, where the run went next, and
 * the results of its children (foreach iterations, parallel branches, an included playbook's steps).
 *
 * @param id          the step id ({@code ports[2]} for a foreach iteration)
 * @param kind        {@code probe}, {@code verdict}, {@code foreach}, {@code parallel} or {@code include}
 * @param probe       the probe id, or the included playbook, or empty
 * @param params      the parameters as rendered and converted (for probe steps)
 * @param observation what was seen; for groups, the worst of the children
 * @param branch      where the run went after this step, in words ({@code goto refused (on tcp.refused)}), or empty
 * @param children    nested results
 */
public record StepResult(String id, String kind, String probe, Map<String, Object> params, Observation observation,
                         String branch, List<StepResult> children) {
    public StepResult {
        params = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(params));
        children = List.copyOf(children);
    }

    /** How the summary of a step skipped by its {@code when:} condition begins. */
    public static final String CONDITION_FALSE = "condition false: ";

    public Status status() {
        return observation.status();
    }

    /** Skipped because its {@code when:} was false: the playbook chose not to run it, nothing was missed. */
    public boolean skippedByCondition() {
        return observation.status() == Status.SKIPPED && observation.summary().startsWith(CONDITION_FALSE);
    }

    /**
     * Cut short: a parallel step's {@code until:} held while it ran or before it started, so it was not
     * needed (SKIPPED, with the fact {@code cut_short: true}).
     */
    public boolean cutShort() {
        return observation.status() == Status.SKIPPED && Boolean.TRUE.equals(observation.facts().get(Cut.FACT));
    }

    /**
     * The summary for a person: a cut step's without the {@code until:} condition it ends with, which is for the
     * playbook's author ({@code cut short after 230ms: the evidence had decided}); any other step's as it is.
     */
    public String briefSummary() {
        String summary = observation.summary();
        int until = cutShort() ? summary.indexOf(Cut.UNTIL) : -1;
        return until < 0 ? summary : summary.substring(0, until);
    }

    /**
     * What an expression sees as {@code steps.<id>} (and the shell's {@code js} of a result): status, cause,
     * summary, ok (OK or WARN), facts, evidence, duration_ms, and the children's views as items.
     */
    public Map<String, Object> view() {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("status", observation.status().label());
        v.put("cause", observation.cause().orElse(null));
        v.put("summary", observation.summary());
        v.put("ok", observation.status() == Status.OK || observation.status() == Status.WARN);
        v.put("facts", observation.facts());
        v.put("evidence", observation.evidence());
        v.put("duration_ms", Millis.of(observation.duration()));
        if (!children.isEmpty()) {
            v.put("items", children.stream().map(StepResult::view).toList());
        }
        return v;
    }

    public StepResult withBranch(String b) {
        return new StepResult(id, kind, probe, params, observation, b, children);
    }
}
