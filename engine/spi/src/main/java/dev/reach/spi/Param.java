package dev.reach.spi;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One typed parameter of a probe: its name (from the shared vocabulary: {@code host}, {@code port},
 * {@code timeout}, ...), type, default, bounds or allowed values, and a one-line description.
 * Immutable; the fluent methods return copies.
 *
 * <pre>{@code
 * Param.duration("timeout", "how long to wait for the handshake").defaultValue("3s").range("1ms", "5m")
 * Param.choice("family", "address family to use", "any", "4", "6").defaultValue("any")
 * }</pre>
 */
public final class Param {
    private final String name;
    private final ParamType type;
    private final String description;
    private final boolean required;
    private final Object defaultValue;
    private final Comparable<?> min;
    private final Comparable<?> max;
    private final List<String> allowed;
    private final boolean secret;
    private final String instead;
    private final Shape shape;

    /** What a text value must look like, and the words that say so. */
    private record Shape(java.util.regex.Pattern pattern, String what) {
    }

    private Param(String name, ParamType type, String description, boolean required, Object defaultValue,
                  Comparable<?> min, Comparable<?> max, List<String> allowed, boolean secret) {
        this(name, type, description, required, defaultValue, min, max, allowed, secret, null, null);
    }

    private Param(String name, ParamType type, String description, boolean required, Object defaultValue,
                  Comparable<?> min, Comparable<?> max, List<String> allowed, boolean secret, String instead, Shape shape) {
        if (!name.matches("[a-z][a-z0-9_]*")) {
            throw new IllegalArgumentException("parameter name '" + name + "' must be snake_case");
        }
        this.name = name;
        this.type = Objects.requireNonNull(type);
        this.description = Objects.requireNonNull(description);
        this.required = required;
        this.defaultValue = defaultValue;
        this.min = min;
        this.max = max;
        this.allowed = List.copyOf(allowed);
        this.secret = secret;
        this.instead = instead;
        this.shape = shape;
    }

    public static Param of(String name, ParamType type, String description) {
        return new Param(name, type, description, false, null, null, null, List.of(), false);
    }

    public static Param string(String name, String description) { return of(name, ParamType.STRING, description); }
    public static Param integer(String name, String description) { return of(name, ParamType.INTEGER, description); }
    public static Param bool(String name, String description) { return of(name, ParamType.BOOLEAN, description); }
    public static Param duration(String name, String description) { return of(name, ParamType.DURATION, description); }
    public static Param port(String name, String description) { return of(name, ParamType.PORT, description); }
    public static Param host(String name, String description) { return of(name, ParamType.HOST, description); }
    public static Param ports(String name, String description) { return of(name, ParamType.PORTS, description); }
    public static Param list(String name, String description) { return of(name, ParamType.LIST, description); }
    public static Param file(String name, String description) { return of(name, ParamType.FILE, description); }

    public static Param choice(String name, String description, String... allowed) {
        return new Param(name, ParamType.CHOICE, description, false, null, null, null, List.of(allowed), false);
    }

    /** A value must be given. */
    public Param required() {
        return new Param(name, type, description, true, null, min, max, allowed, secret, instead, shape);
    }

    /**
     * A secret (a password, a token): the probe gets the value, but reports, progress lines and {@code --json}
     * show {@value ProbeSpec#HIDDEN} in its place.
     */
    public Param secret() {
        return new Param(name, type, description, required, defaultValue, min, max, allowed, true, instead, shape);
    }

    /**
     * An old name kept working for one release: it binds as before, but help, completion and {@code reach probes}
     * no longer show it, and a run that gives it says, in its evidence, to write {@code instead}
     * ({@code "proto=tcp"}). The probe reads both names.
     */
    public Param deprecated(String instead) {
        return new Param(name, type, description, required, defaultValue, min, max, allowed, secret, Objects.requireNonNull(instead), shape);
    }

    /** What to write instead of this deprecated parameter; empty when it is not deprecated. */
    public Optional<String> deprecation() { return Optional.ofNullable(instead); }

    /** The value used when none is given, written as a user would write it; it is validated here. */
    public Param defaultValue(Object raw) {
        Param p = new Param(name, type, description, false, null, min, max, allowed, secret, null, shape);
        return new Param(name, type, description, false, p.convert(raw), min, max, allowed, secret, instead, shape);
    }

    /** Inclusive bounds for integer, duration and port parameters, written as a user would write them. */
    public Param range(Object from, Object to) {
        Comparable<?> lo = (Comparable<?>) type.convert(from);
        Comparable<?> hi = (Comparable<?>) type.convert(to);
        return new Param(name, type, description, required, defaultValue, lo, hi, allowed, secret, instead, shape);
    }

    /**
     * A text value must match {@code regex} (all of it), else it is refused, before any probe runs, with a sentence
     * that names {@code what} it must be. A value that reaches a system tool's command line, where a leading
     * {@code -} would make it an option, is checked this way:
     * {@code Param.string("service", "unit name").matching("[^-].*", "a unit or process name, which does not start with '-'")}.
     */
    public Param matching(String regex, String what) {
        return new Param(name, type, description, required, defaultValue, min, max, allowed, secret, instead,
                new Shape(java.util.regex.Pattern.compile(regex, java.util.regex.Pattern.DOTALL), Objects.requireNonNull(what)));
    }

    public String name() { return name; }
    public ParamType type() { return type; }
    public String description() { return description; }
    public boolean isRequired() { return required; }
    public List<String> allowed() { return allowed; }
    public boolean isSecret() { return secret; }

    /** The converted default, when there is one. */
    public Optional<Object> defaultValue() { return Optional.ofNullable(defaultValue); }
    public Optional<Object> min() { return Optional.ofNullable(min); }
    public Optional<Object> max() { return Optional.ofNullable(max); }

    /**
     * Converts and checks a raw value against type, bounds and allowed values.
     *
     * @throws IllegalArgumentException with a sentence that says what is allowed
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public Object convert(Object raw) {
        Object value = type.convert(raw);
        if (!allowed.isEmpty() && !allowed.contains(value.toString())) {
            throw new IllegalArgumentException("'" + value + "' is not allowed (allowed: " + String.join(", ", allowed) + ")");
        }
        if (min != null && ((Comparable) value).compareTo(min) < 0 || max != null && ((Comparable) value).compareTo(max) > 0) {
            throw new IllegalArgumentException(ParamType.format(value) + " is out of range (allowed: " + rangeText() + ")");
        }
        if (shape != null && !shape.pattern().matcher(value.toString()).matches()) {
            throw new IllegalArgumentException("'" + value + "' is not " + shape.what());
        }
        return value;
    }

    /** Human text of the bounds, e.g. {@code 1ms..5m}. */
    public String rangeText() {
        return (min == null ? "" : ParamType.format(min)) + ".." + (max == null ? "" : ParamType.format(max));
    }

    /** One line for help: {@code timeout=DURATION (default 3s, 1ms..5m) how long to wait}. */
    public String usage() {
        StringBuilder sb = new StringBuilder(name).append('=');
        sb.append(allowed.isEmpty() ? type.label().toUpperCase(java.util.Locale.ROOT) : String.join("|", allowed));
        List<String> notes = new java.util.ArrayList<>();
        if (required) notes.add("required");
        if (defaultValue != null) notes.add("default " + ParamType.format(defaultValue));
        if (min != null || max != null) notes.add(rangeText());
        if (!notes.isEmpty()) sb.append(" (").append(String.join(", ", notes)).append(')');
        return sb.append("  ").append(description).toString();
    }

    @Override
    public String toString() {
        return usage();
    }
}
