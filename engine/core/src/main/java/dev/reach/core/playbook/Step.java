package dev.reach.core.playbook;


import java.util.List;
import java.util.Map;
import java.util.Optional;

/** One step of a playbook. Every name a step refers to is checked by the validator before anything runs. */
public sealed interface Step permits Step.ProbeStep, Step.VerdictStep, Step.ForEachStep, Step.ParallelStep, Step.IncludeStep {

    StepCommon common();

    default String id() {
        return common().id();
    }

    default SourcePos pos() {
        return common().pos();
    }

    /** A parameter value as written: the template and where its key and value stand. */
    record Arg(String name, Template value, SourcePos keyPos, SourcePos valuePos) {
    }

    /** Runs a probe with parameters rendered from templates. */
    /** {@code onServer}: the step said {@code on: server}, so its probe runs on the other end (see {@code ServerProbes}). */
    record ProbeStep(StepCommon common, String probe, SourcePos probePos, Map<String, Arg> with, boolean onServer) implements Step {
        public ProbeStep {
            with = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(with));
        }

        public ProbeStep(StepCommon common, String probe, SourcePos probePos, Map<String, Arg> with) {
            this(common, probe, probePos, with, false);
        }
    }

    /** Concludes the run with a cause, a summary, a fix and the steps that support it. */
    record VerdictStep(StepCommon common, String cause, SourcePos causePos, String confidence, Template summary,
                       Template fix, List<String> evidence, SourcePos evidencePos) implements Step {
        public VerdictStep {
            evidence = List.copyOf(evidence);
        }
    }

    /** Runs its body once per item, the item bound to {@code as}; bounded by {@link #MAX_ITEMS}. */
    record ForEachStep(StepCommon common, Template items, SourcePos itemsPos, String as, ProbeStep body) implements Step {
        public static final int MAX_ITEMS = 256;
    }

    /**
     * Runs its branches at once and waits for all, or, with {@code until}, until that holds after a branch
     * finishes: the rest are cut short. Its status is the worst of the branches that were not cut.
     *
     * @param until the {@code until:} condition, or null to wait for every branch
     */
    record ParallelStep(StepCommon common, List<Step> branches, Expr until) implements Step {
        public ParallelStep {
            branches = List.copyOf(branches);
        }

        public Optional<Expr> decidedWhen() {
            return Optional.ofNullable(until);
        }
    }

    /** Runs another playbook with inputs rendered from templates; its verdict becomes this step's result. */
    record IncludeStep(StepCommon common, String path, Playbook playbook, Map<String, Arg> with) implements Step {
        public IncludeStep {
            with = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(with));
        }
    }
}
