package dev.reach.core.playbook;

import dev.reach.spi.Observation;
import dev.reach.spi.Status;

import java.util.List;
import java.util.Optional;

/**
 * One line of a step's {@code on:} map: when the step ends with this status or cause, go to the target.
 * A cause match wins over a status match.
 *
 * @param status the status matched, or null when a cause is matched
 * @param cause  the cause code matched, or null when a status is matched
 */
public record Branch(Status status, String cause, Target target, SourcePos pos) {
    public String key() {
        return status != null ? status.label() : cause;
    }

    /** The branch taken for what a step saw: a cause match first, then a status match; empty means "next". */
    public static Optional<Branch> taken(List<Branch> on, Observation seen) {
        Optional<Branch> byCause = seen.cause().flatMap(c -> on.stream().filter(b -> c.equals(b.cause())).findFirst());
        if (byCause.isPresent()) {
            return byCause;
        }
        return on.stream().filter(b -> b.status() == seen.status()).findFirst();
    }

    /** The branch as the report writes a taken one, e.g. {@code goto refused (on tcp.refused)}. */
    public String describe() {
        return target + " (on " + key() + ")";
    }
}
