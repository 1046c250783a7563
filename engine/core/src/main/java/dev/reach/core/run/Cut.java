package dev.reach.core.run;

import dev.reach.spi.Observation;

import java.time.Duration;

/**
 * Why a step ended early although nothing broke: the {@code until:} of the parallel step it ran in held,
 * so it was not needed. A cut step is SKIPPED (never OK: it saw nothing) with the fact {@code cut_short: true}.
 *
 * @param until   the condition as written ({@code steps.arp?.facts.outcome == 'unresolved'})
 * @param decider the branch whose result made it hold
 */
record Cut(String until, String decider) {
    /** The fact every cut step carries, true. */
    static final String FACT = "cut_short";
    /** Where the condition starts in a cut step's summary. */
    static final String UNTIL = " (until: ";

    /** The observation of a step cut after running for {@code ran}, or before it started when {@code ran} is null. */
    Observation observation(Duration ran) {
        String when = ran == null ? "before it started" : "after " + Durations.format(ran);
        return Observation.skipped("cut short " + when + ": the evidence had decided" + UNTIL + until + ")")
                .fact(FACT, true).evidence("until held when '" + decider + "' finished")
                .duration(ran == null ? Duration.ZERO : ran).build();
    }
}
