package dev.reach.core.playbook;

import dev.reach.spi.Status;

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
}
