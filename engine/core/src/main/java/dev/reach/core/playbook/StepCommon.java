package dev.reach.core.playbook;


import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * What every step has: an id, where it is written, an optional {@code when:} condition, its {@code on:}
 * branches and an optional deadline.
 */
public record StepCommon(String id, SourcePos pos, Expr when, List<Branch> on, Duration timeout) {
    public StepCommon {
        on = List.copyOf(on);
    }

    public Optional<Expr> condition() {
        return Optional.ofNullable(when);
    }

    public Optional<Duration> deadline() {
        return Optional.ofNullable(timeout);
    }
}
