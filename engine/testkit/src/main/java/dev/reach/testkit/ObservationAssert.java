package dev.reach.testkit;

import dev.reach.spi.Observation;
import dev.reach.spi.ParamType;
import dev.reach.spi.Status;
import org.assertj.core.api.AbstractAssert;

import java.util.Objects;

/**
 * AssertJ assertions on an {@link Observation} whose failure messages print the whole observation (status,
 * cause, summary, facts, evidence), so a failing probe test says what the probe saw.
 *
 * <pre>{@code
 * import static dev.reach.testkit.ObservationAssert.assertThat;   // beside AssertJ's own assertThat
 *
 * assertThat(ProbeHarness.run(probe, "host=127.0.0.1", "port=" + port))
 *         .isFail().hasCause("tcp.refused")
 *         .hasFact("outcome", "refused").summaryContains("refused").hasEvidenceContaining("(RST)");
 * }</pre>
 */
public final class ObservationAssert extends AbstractAssert<ObservationAssert, Observation> {

    private ObservationAssert(Observation actual) {
        super(actual, ObservationAssert.class);
    }

    /** The entry point; static-import it next to {@code org.assertj.core.api.Assertions.assertThat}. */
    public static ObservationAssert assertThat(Observation actual) {
        return new ObservationAssert(actual);
    }

    public ObservationAssert hasStatus(Status expected) {
        isNotNull();
        if (actual.status() != expected) {
            failWithMessage("expected status %s but was:%n%s", expected.label(), describe(actual));
        }
        return this;
    }

    public ObservationAssert isOk() { return hasStatus(Status.OK); }
    public ObservationAssert isWarn() { return hasStatus(Status.WARN); }
    public ObservationAssert isFail() { return hasStatus(Status.FAIL); }
    public ObservationAssert isError() { return hasStatus(Status.ERROR); }
    public ObservationAssert isSkipped() { return hasStatus(Status.SKIPPED); }

    /** The cause code is exactly this one. */
    public ObservationAssert hasCause(String expected) {
        isNotNull();
        if (!actual.cause().equals(java.util.Optional.of(expected))) {
            failWithMessage("expected cause %s but was:%n%s", expected, describe(actual));
        }
        return this;
    }

    public ObservationAssert hasNoCause() {
        isNotNull();
        if (actual.cause().isPresent()) {
            failWithMessage("expected no cause but was:%n%s", describe(actual));
        }
        return this;
    }

    /** A fact of that name whose value equals the expected one (numbers compare by value: 5 equals 5L). */
    public ObservationAssert hasFact(String name, Object expected) {
        hasFact(name);
        Object value = actual.facts().get(name);
        boolean same = value instanceof Number a && expected instanceof Number b
                ? Double.compare(a.doubleValue(), b.doubleValue()) == 0
                : Objects.equals(value, expected);
        if (!same) {
            failWithMessage("expected fact %s=%s but was:%n%s", name, ParamType.format(expected), describe(actual));
        }
        return this;
    }

    /** A fact of that name is present, whatever its value. */
    public ObservationAssert hasFact(String name) {
        isNotNull();
        if (!actual.facts().containsKey(name)) {
            failWithMessage("expected a fact %s but there was none in:%n%s", name, describe(actual));
        }
        return this;
    }

    public ObservationAssert summaryContains(String... parts) {
        isNotNull();
        for (String part : parts) {
            if (!actual.summary().contains(part)) {
                failWithMessage("expected the summary to contain \"%s\" but was:%n%s", part, describe(actual));
            }
        }
        return this;
    }

    /** Some evidence line contains the text. */
    public ObservationAssert hasEvidenceContaining(String text) {
        isNotNull();
        if (actual.evidence().stream().noneMatch(e -> e.contains(text))) {
            failWithMessage("expected an evidence line containing \"%s\" but was:%n%s", text, describe(actual));
        }
        return this;
    }

    /** The observation as a block of text: the line {@link Observation#toString()} gives, then facts and evidence. */
    public static String describe(Observation o) {
        StringBuilder sb = new StringBuilder("  ").append(o);
        o.facts().forEach((k, v) -> sb.append("\n    fact ").append(k).append('=').append(ParamType.format(v)));
        o.evidence().forEach(e -> sb.append("\n    evidence ").append(e));
        return sb.toString();
    }
}
