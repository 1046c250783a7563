package dev.reach.spi;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The types a probe parameter can have. Each converts the raw value written by a user (a YAML scalar, a
 * {@code k=v} string on the command line, a JS value) into the Java value a probe reads from {@link Params},
 * or throws {@link IllegalArgumentException} with a sentence that says what was expected.
 *
 * <pre>{@code
 * ParamType.DURATION.convert("500ms");   // Duration.ofMillis(500)
 * ParamType.PORTS.convert("22,80-82");   // [22, 80, 81, 82]
 * ParamType.PORT.convert("70000");       // IllegalArgumentException: 70000 is not a port number from 1 to 65535
 * }</pre>
 */
public enum ParamType {
    /** Any text. */
    STRING("string", "text"),
    /** A whole number ({@code Long}). */
    INTEGER("integer", "a whole number"),
    /** {@code true} or {@code false} (also yes/no, on/off). */
    BOOLEAN("boolean", "true or false"),
    /** A duration with a unit: {@code 500ms}, {@code 3s}, {@code 1m}, {@code 1.5s}. */
    DURATION("duration", "a duration with a unit, like 500ms, 3s or 1m"),
    /** A TCP/UDP port, 1 to 65535 ({@code Integer}). */
    PORT("port", "a port number from 1 to 65535"),
    /** A host name, an IPv4 literal or an IPv6 literal (brackets optional). */
    HOST("host", "a host name or an IP address"),
    /** One of a fixed set of words; see {@link Param#allowed()}. */
    CHOICE("choice", "one of the allowed values"),
    /** Ports and ranges: {@code 22,80,8000-8100} ({@code List<Integer>}, in the order given, no repeats). */
    PORTS("ports", "ports and ranges like 22,80,8000-8100"),
    /** A list of text items, from a YAML/JS list or a comma-separated string ({@code List<String>}). */
    LIST("list", "a list, or items separated by commas"),
    /**
     * A file's path ({@code String}). The engine hands a probe the path resolved against the run's working directory
     * (the user's, also when a resident reach runs the command), so a probe opens it as given.
     */
    FILE("file", "a file's path");

    private static final Pattern DURATION_TEXT = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(ms|s|m|h)");
    private static final Pattern HOST_TEXT = Pattern.compile("[A-Za-z0-9._:%-]+");
    /** Bounds a {@code ports} list so a typo like {@code 1-6553500} cannot allocate without limit. */
    public static final int MAX_LIST_ITEMS = 65_535;

    private final String label;
    private final String expected;

    ParamType(String label, String expected) {
        this.label = label;
        this.expected = expected;
    }

    /** Lower-case name, as shown in help and JSON. */
    public String label() {
        return label;
    }

    /** What a valid value looks like, in words. */
    public String expected() {
        return expected;
    }

    /**
     * Converts a raw value.
     *
     * @throws IllegalArgumentException with a sentence naming what was expected
     */
    public Object convert(Object raw) {
        if (raw == null) {
            throw new IllegalArgumentException("no value; expected " + expected);
        }
        return switch (this) {
            case STRING -> raw instanceof String s ? s : scalarText(raw);
            case INTEGER -> toLong(raw);
            case BOOLEAN -> toBoolean(raw);
            case DURATION -> toDuration(raw);
            case PORT -> toPort(raw);
            case HOST -> toHost(raw);
            case CHOICE -> scalarText(raw);
            case PORTS -> toPorts(raw);
            case LIST -> toList(raw);
            case FILE -> toFile(raw);
        };
    }

    /** Renders a converted value back the way a user would write it. */
    public static String format(Object value) {
        if (value instanceof Duration d) {
            long ms = d.toMillis();
            if (ms % 60_000 == 0 && ms > 0) {
                return ms / 60_000 + "m";
            }
            if (ms % 1000 == 0 && ms > 0) {
                return ms / 1000 + "s";
            }
            return ms + "ms";
        }
        if (value instanceof List<?> list) {
            if (!list.isEmpty() && list.stream().allMatch(e -> e instanceof Integer || e instanceof Long)) {
                return ranges(list.stream().mapToLong(e -> ((Number) e).longValue()).toArray());
            }
            return String.join(",", list.stream().map(ParamType::format).toList());
        }
        return String.valueOf(value);
    }

    /** Numbers as {@link #PORTS} reads them back, runs of three or more as ranges: {@code 1-1024,8080}. */
    private static String ranges(long[] n) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < n.length; ) {
            int j = i;
            while (j + 1 < n.length && n[j + 1] == n[j] + 1) j++;
            if (!out.isEmpty()) out.append(',');
            if (j - i >= 2) {
                out.append(n[i]).append('-').append(n[j]);
            } else {
                for (int k = i; k <= j; k++) out.append(k > i ? "," : "").append(n[k]);
            }
            i = j + 1;
        }
        return out.toString();
    }

    private String scalarText(Object raw) {
        if (raw instanceof String || raw instanceof Number || raw instanceof Boolean) {
            return raw instanceof Double d && d == Math.rint(d) ? String.valueOf(d.longValue()) : raw.toString();
        }
        throw new IllegalArgumentException("got a " + kind(raw) + "; expected " + expected);
    }

    private String toFile(Object raw) {
        String text = scalarText(raw);
        if (text.isBlank() || text.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("'" + text.replace("\0", "\\0") + "' is not " + expected);
        }
        return text;
    }

    private Long toLong(Object raw) {
        if (raw instanceof Integer || raw instanceof Long || raw instanceof Short) {
            return ((Number) raw).longValue();
        }
        if (raw instanceof Double d && d == Math.rint(d) && !d.isInfinite()) {
            return d.longValue();
        }
        String text = scalarText(raw).trim();
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' is not " + expected);
        }
    }

    private Boolean toBoolean(Object raw) {
        if (raw instanceof Boolean b) {
            return b;
        }
        return switch (scalarText(raw).trim().toLowerCase(Locale.ROOT)) {
            case "true", "yes", "on", "1" -> true;
            case "false", "no", "off", "0" -> false;
            default -> throw new IllegalArgumentException("'" + raw + "' is not " + expected);
        };
    }

    private Duration toDuration(Object raw) {
        if (raw instanceof Duration d) {
            return d;
        }
        String text = scalarText(raw).trim().toLowerCase(Locale.ROOT);
        var m = DURATION_TEXT.matcher(text);
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not " + expected);
        }
        long unitMs = switch (m.group(2)) {
            case "ms" -> 1;
            case "s" -> 1000;
            case "m" -> 60_000;
            default -> 3_600_000;
        };
        String number = m.group(1);
        try {
            if (number.length() <= 12 && number.indexOf('.') < 0) { // whole numbers, as nearly all are: no BigDecimal
                return Duration.ofMillis(Long.parseLong(number) * unitMs);
            }
            return Duration.ofMillis(new BigDecimal(number).multiply(BigDecimal.valueOf(unitMs)).longValueExact());
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("'" + text + "' is not " + expected + " (whole milliseconds)");
        }
    }

    private Integer toPort(Object raw) {
        long p;
        try {
            p = toLong(raw);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + raw + "' is not " + expected);
        }
        if (p < 1 || p > 65535) {
            throw new IllegalArgumentException(p + " is not " + expected);
        }
        return (int) p;
    }

    private String toHost(Object raw) {
        String text = scalarText(raw).trim();
        if (text.startsWith("[") && text.endsWith("]")) {
            text = text.substring(1, text.length() - 1);
        }
        if (text.isEmpty() || text.length() > 253 || !HOST_TEXT.matcher(text).matches()) {
            throw new IllegalArgumentException("'" + raw + "' is not " + expected);
        }
        if (text.startsWith("-")) {   // no name or address does; a tool's command line would take it for an option
            throw new IllegalArgumentException("'" + raw + "' is not " + expected + ": a host name does not start with '-'");
        }
        return text;
    }

    private List<Integer> toPorts(Object raw) {
        List<Object> items = raw instanceof List<?> l ? new ArrayList<>(l) : List.of((Object[]) scalarText(raw).split(","));
        var seen = new java.util.LinkedHashSet<Integer>();
        for (Object item : items) {
            String text = item instanceof Number ? item.toString() : scalarText(item).trim();
            int dash = text.indexOf('-');
            if (dash > 0) {
                int from = toPort(text.substring(0, dash));
                int to = toPort(text.substring(dash + 1));
                if (to < from) {
                    throw new IllegalArgumentException("range '" + text + "' runs backwards; write " + to + "-" + from);
                }
                for (int p = from; p <= to; p++) {
                    seen.add(p);
                }
            } else {
                seen.add(toPort(item instanceof Number ? item : text));
            }
            if (seen.size() > MAX_LIST_ITEMS) {
                throw new IllegalArgumentException("more than " + MAX_LIST_ITEMS + " ports");
            }
        }
        if (seen.isEmpty()) {
            throw new IllegalArgumentException("no ports; expected " + expected);
        }
        return List.copyOf(seen);
    }

    private List<String> toList(Object raw) {
        List<?> items = raw instanceof List<?> l ? l : List.of(scalarText(raw).split(","));
        if (items.size() > MAX_LIST_ITEMS) {
            throw new IllegalArgumentException("more than " + MAX_LIST_ITEMS + " items");
        }
        return items.stream().map(this::scalarText).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    private static String kind(Object raw) {
        return raw instanceof List ? "list" : raw instanceof java.util.Map ? "map" : raw.getClass().getSimpleName();
    }
}
