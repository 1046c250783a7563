package dev.reach.core.playbook;

import dev.reach.spi.Param;
import dev.reach.spi.ParamType;
import dev.reach.spi.Params;
import dev.reach.spi.ProbeSpec;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Checks raw parameter values against a probe's spec and converts them; the one place that does. */
public final class ParamBinder {
    private ParamBinder() {
    }

    /** One wrong parameter: which one, and a sentence that says how to fix it. */
    public record ParamError(String param, String message) {
    }

    /** The outcome of binding: the params, or the errors (never both). */
    public record Binding(Params params, List<ParamError> errors) {
        public boolean ok() {
            return errors.isEmpty();
        }
    }

    /** Binds every value; unknown names, bad values and missing required ones are all reported at once. */
    public static Binding bind(ProbeSpec spec, Map<String, ?> raw) {
        return bind(spec, raw, null);
    }

    /**
     * Binds every value as {@link #bind(ProbeSpec, Map)} does, a relative {@code file} value resolved against
     * {@code workingDirectory} (null: left as given, so the process's own directory applies).
     */
    public static Binding bind(ProbeSpec spec, Map<String, ?> raw, Path workingDirectory) {
        List<ParamError> errors = new ArrayList<>(checkNames(spec, raw.keySet()));
        List<String> known = spec.params().stream().map(Param::name).toList();
        var meant = new java.util.HashSet<String>(); // a typo'd name is reported once, not again as "missing"
        raw.keySet().stream().filter(k -> !known.contains(k)).forEach(k -> closest(k, known).ifPresent(meant::add));
        Map<String, Object> values = new LinkedHashMap<>();
        for (Param p : spec.params()) {
            if (raw.containsKey(p.name())) {
                try {
                    values.put(p.name(), resolved(p, p.convert(raw.get(p.name())), workingDirectory));
                } catch (IllegalArgumentException e) {
                    errors.add(new ParamError(p.name(), valueMessage(spec, p, unsaid(p, e.getMessage()))));
                }
            } else if (p.isRequired() && !meant.contains(p.name())) {
                errors.add(new ParamError(p.name(), "missing required parameter '" + p.name() + "' for " + spec.id()
                        + "; add " + p.name() + "=" + example(p)));
            } else {
                p.defaultValue().ifPresent(v -> values.put(p.name(), v));
            }
        }
        return new Binding(errors.isEmpty() ? new Params(values) : null, List.copyOf(errors));
    }

    /**
     * Why a value was refused, in words that do not repeat it when it is a secret (a mistyped password must not
     * reach the terminal, a log or CI output): then only what was expected.
     */
    public static String unsaid(Param p, String why) {
        return p.isSecret() ? "the value given is not " + p.type().expected() + " (not shown: it is a secret)" : why;
    }

    /** A {@code file} value resolved against {@code dir} when it is relative (and {@code dir} is given); others as they are. */
    public static Object resolved(Param p, Object value, Path dir) {
        if (p.type() != ParamType.FILE || dir == null || !(value instanceof String s)) return value;
        try {
            return dir.resolve(s).toString();
        } catch (InvalidPathException e) {
            throw new IllegalArgumentException("'" + s + "' is not " + ParamType.FILE.expected() + " (" + e.getReason() + ")");
        }
    }

    /** Errors for names the spec does not declare, each with a "did you mean" where one is close. */
    public static List<ParamError> checkNames(ProbeSpec spec, Collection<String> names) {
        List<String> known = spec.params().stream().map(Param::name).toList();
        List<ParamError> errors = new ArrayList<>();
        for (String name : names) {
            if (!known.contains(name)) {
                errors.add(new ParamError(name, "unknown parameter '" + name + "' for " + spec.id()
                        + closest(name, known).map(c -> "; did you mean '" + c + "'?").orElse("")
                        + " (parameters: " + String.join(", ", known) + ")"));
            }
        }
        return errors;
    }

    /** Checks one value; empty when it is fine. */
    public static Optional<String> checkValue(ProbeSpec spec, Param p, Object raw) {
        try {
            p.convert(raw);
            return Optional.empty();
        } catch (IllegalArgumentException e) {
            return Optional.of(valueMessage(spec, p, unsaid(p, e.getMessage())));
        }
    }

    private static String valueMessage(ProbeSpec spec, Param p, String why) {
        return "bad value for parameter '" + p.name() + "' of " + spec.id() + ": " + why;
    }

    private static String example(Param p) {
        return switch (p.type()) {
            case HOST -> "127.0.0.1";
            case PORT -> "443";
            case DURATION -> "3s";
            case INTEGER -> "1";
            case BOOLEAN -> "true";
            case PORTS -> "22,80";
            case CHOICE -> p.allowed().getFirst();
            case FILE -> "/path/to/file";
            default -> "...";
        };
    }

    /** The candidate nearest to {@code word} by edit distance (a swap counts as one edit), if near enough to be a typo. */
    public static Optional<String> closest(String word, Collection<String> candidates) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String c : candidates) {
            int d = distance(word, c);
            if (d < bestDistance) {
                best = c;
                bestDistance = d;
            }
        }
        int allowed = Math.max(1, Math.min(3, word.length() / 3));
        return bestDistance <= allowed ? Optional.of(best) : Optional.empty();
    }

    private static int distance(String a, String b) {
        int[] before = new int[b.length() + 1];
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) prev[j] = j;
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    cur[j] = Math.min(cur[j], before[j - 2] + 1); // a swap of two neighbours is one typo
                }
            }
            int[] t = before;
            before = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
