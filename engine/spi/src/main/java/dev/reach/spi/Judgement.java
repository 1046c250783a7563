package dev.reach.spi;

import java.util.List;
import java.util.Objects;

/**
 * What a probe's pure {@code classify} step makes of a raw outcome (observe → judge → render): a status, a cause
 * code where one applies, the {@code outcome} fact, a one-line summary and the evidence lines that prove it. Tests
 * check it without a network; {@link #observation()} starts the observation from it.
 *
 * <pre>{@code
 * static Judgement classify(Throwable error, String target) {
 *     if (error == null) return new Judgement(Status.OK, null, "ok", target + " accepted the connection");
 *     return new Judgement(Status.FAIL, "tcp.refused", "refused", target + " refused the connection",
 *             "connect " + target + " -> Connection refused (RST)");
 * }
 * // in run():
 * return classify(error, target).observation().fact("connect_ms", Millis.of(took)).build();
 * }</pre>
 *
 * @param status   how the check came out
 * @param cause    the cause code from the fault catalogue; {@code null} where the probe cannot name one
 * @param outcome  the value of the {@code outcome} fact ({@code refused}, {@code timeout}); {@code null} for a probe without one
 * @param summary  one line for people
 * @param evidence the lines that prove it, in order; empty when there are none
 */
public record Judgement(Status status, String cause, String outcome, String summary, List<String> evidence) {

    public Judgement {
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(summary, "summary");
        evidence = List.copyOf(evidence);
    }

    /** Without an outcome fact or evidence. */
    public Judgement(Status status, String cause, String summary) {
        this(status, cause, null, summary, List.of());
    }

    /** Without evidence. */
    public Judgement(Status status, String cause, String outcome, String summary) {
        this(status, cause, outcome, summary, List.of());
    }

    /** With one evidence line, or none when it is {@code null}; with no line at all, use the four-argument form. */
    public Judgement(Status status, String cause, String outcome, String summary, String evidence) {
        this(status, cause, outcome, summary, evidence == null ? List.of() : List.of(evidence));
    }

    /**
     * The observation as far as the judgement goes: status, summary and cause, the {@code outcome} fact when there
     * is one, then the evidence lines; the probe adds its own facts and evidence after them.
     */
    public Observation.Builder observation() {
        Observation.Builder b = Observation.of(status, summary).cause(cause).fact("outcome", outcome);
        evidence.forEach(b::evidence);
        return b;
    }
}
