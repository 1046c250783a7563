package dev.reach.spi;

/**
 * How a probe's check came out, ordered from best to worst so that a group can take the worst.
 * A check that could not run is {@link #SKIPPED} (needs unmet) or {@link #ERROR} (it broke): never OK.
 *
 * <pre>{@code
 * Observation.of(Status.WARN, "certificate expires in 5 days").cause("tls.expiring").build();
 * // in a playbook: on: {fail: diagnose, error: stop}    when: steps.tls.status == 'warn'
 * }</pre>
 */
public enum Status {
    /** The thing checked answered as expected. */
    OK,
    /** It works, with something worth knowing (a certificate expiring soon, a slow answer). */
    WARN,
    /** The check ran and found a fault; the observation names its cause where one applies. */
    FAIL,
    /** The check could not reach a conclusion: the probe broke, hung or was cancelled. */
    ERROR,
    /** The check did not run: a condition was false, or its needs (root, a tool) were not met. */
    SKIPPED;

    /** Lower-case name, as written in playbooks and JSON. */
    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    /** Parses a lower-case label; empty when it is not a status. */
    public static java.util.Optional<Status> fromLabel(String label) {
        for (Status s : values()) {
            if (s.label().equals(label)) {
                return java.util.Optional.of(s);
            }
        }
        return java.util.Optional.empty();
    }

    /** The worse of two statuses (FAIL and ERROR outrank WARN, which outranks OK and SKIPPED). */
    public Status worse(Status other) {
        return rank() >= other.rank() ? this : other;
    }

    private int rank() {
        return switch (this) {
            case SKIPPED -> 0;
            case OK -> 1;
            case WARN -> 2;
            case ERROR -> 3;
            case FAIL -> 4;
        };
    }
}
