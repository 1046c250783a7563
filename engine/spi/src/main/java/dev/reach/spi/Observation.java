package dev.reach.spi;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What a probe saw: a status, a one-line summary, typed facts, the evidence lines that prove it, how long
 * it took, and a cause code from the fault catalogue where one applies.
 *
 * <pre>{@code
 * return Observation.fail("tcp.refused", "127.0.0.1:5432 refused the connection")
 *         .fact("outcome", "refused").fact("connect_ms", 0.21)
 *         .evidence("connect 127.0.0.1:5432 -> Connection refused (RST)")
 *         .build();
 * }</pre>
 *
 * <p>Fact values are {@code String}, {@code Number}, {@code Boolean}, or lists and maps of those.
 */
public final class Observation {
    /** Cause codes are dotted lower-case, like {@code tcp.refused} or {@code dns.server-unreachable}. */
    public static final Pattern CAUSE = Pattern.compile("[a-z][a-z0-9]*(?:\\.[a-z0-9]+(?:-[a-z0-9]+)*)*");

    private final Status status;
    private final String summary;
    private final String cause;
    private final Map<String, Object> facts;
    private final List<String> evidence;
    private final Duration duration;

    private Observation(Status status, String summary, String cause, Map<String, Object> facts,
                        List<String> evidence, Duration duration) {
        this.status = Objects.requireNonNull(status);
        this.summary = Objects.requireNonNull(summary);
        this.cause = cause;
        this.facts = Collections.unmodifiableMap(new LinkedHashMap<>(facts));
        this.evidence = List.copyOf(evidence);
        this.duration = Objects.requireNonNull(duration);
    }

    public static Builder ok(String summary) { return new Builder(Status.OK, summary, null); }
    public static Builder warn(String cause, String summary) { return new Builder(Status.WARN, summary, cause); }
    public static Builder fail(String cause, String summary) { return new Builder(Status.FAIL, summary, cause); }
    /** A fault whose cause the probe cannot name on its own (a playbook may still name it). */
    public static Builder fail(String summary) { return new Builder(Status.FAIL, summary, null); }
    public static Builder error(String summary) { return new Builder(Status.ERROR, summary, null); }
    public static Builder skipped(String reason) { return new Builder(Status.SKIPPED, reason, null); }
    public static Builder of(Status status, String summary) { return new Builder(status, summary, null); }

    public Status status() { return status; }
    public String summary() { return summary; }
    /** The cause code from the fault catalogue, when the probe could name one. */
    public Optional<String> cause() { return Optional.ofNullable(cause); }
    public Map<String, Object> facts() { return facts; }
    public List<String> evidence() { return evidence; }
    /** Wall time of the check; set by the engine when the probe leaves it zero. */
    public Duration duration() { return duration; }

    /** A copy that took the given time. */
    public Observation withDuration(Duration d) {
        return new Observation(status, summary, cause, facts, evidence, d);
    }

    /** A builder that starts as a copy of this observation. */
    public Builder toBuilder() {
        Builder b = new Builder(status, summary, cause);
        b.facts.putAll(facts);
        b.evidence.addAll(evidence);
        b.duration = duration;
        return b;
    }

    @Override
    public String toString() {
        return status.label() + (cause == null ? "" : " [" + cause + "]") + ": " + summary;
    }

    /** Collects facts and evidence; {@link #build()} makes the immutable observation. */
    public static final class Builder {
        private Status status;
        private String summary;
        private String cause;
        private final Map<String, Object> facts = new LinkedHashMap<>();
        private final List<String> evidence = new ArrayList<>();
        private Duration duration = Duration.ZERO;

        private Builder(Status status, String summary, String cause) {
            this.status = status;
            this.summary = summary;
            cause(cause);
        }

        public Builder status(Status s) { status = Objects.requireNonNull(s); return this; }
        public Builder summary(String s) { summary = Objects.requireNonNull(s); return this; }

        /** Sets the cause code; {@code null} clears it. */
        public Builder cause(String code) {
            if (code != null && !CAUSE.matcher(code).matches()) {
                throw new IllegalArgumentException("cause '" + code + "' must be dotted lower-case like tcp.refused");
            }
            cause = code;
            return this;
        }

        /** Adds a fact; a {@code null} value is left out. */
        public Builder fact(String name, Object value) {
            if (value != null) {
                facts.put(name, value);
            }
            return this;
        }

        public Builder facts(Map<String, ?> more) { more.forEach(this::fact); return this; }
        public Builder evidence(String line) { evidence.add(line); return this; }
        public Builder duration(Duration d) { duration = d; return this; }

        public Observation build() {
            return new Observation(status, summary, cause, facts, evidence, duration);
        }
    }
}
