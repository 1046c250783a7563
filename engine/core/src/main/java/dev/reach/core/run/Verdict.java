package dev.reach.core.run;

import dev.reach.core.playbook.Confidence;
import java.util.List;
import java.util.Objects;

/**
 * The one conclusion of a run: a cause code, what it means here, the fix, how sure, and the evidence.
 *
 * @param cause       a cause code from FAULTS.md ({@code ok} when healthy)
 * @param confidence  certain, likely or possible
 * @param summary     one paragraph about this case
 * @param fix         the next command or change that fixes it (empty when healthy)
 * @param evidence    the lines that prove it
 * @param supportedBy ids of the steps whose observations support it
 * @param concluded   true when a playbook's verdict step said it; false when derived from step results
 */
public record Verdict(String cause, Confidence confidence, String summary, String fix, List<String> evidence,
                      List<String> supportedBy, boolean concluded) {
    public Verdict {
        Objects.requireNonNull(cause);
        Objects.requireNonNull(confidence);
        Objects.requireNonNull(summary);
        Objects.requireNonNull(fix);
        evidence = List.copyOf(evidence);
        supportedBy = List.copyOf(supportedBy);
    }

    /** The healthy cause. */
    public static final String OK = "ok";

    public boolean healthy() {
        return OK.equals(cause);
    }
}
