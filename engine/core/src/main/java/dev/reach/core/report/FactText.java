package dev.reach.core.report;

import dev.reach.spi.ParamType;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A fact's value as a person reads it, never Java's rendering ({@code {A=1}}, {@code [x, y]}): a map as
 * {@code key=value} pairs ({@code TIME_WAIT=1, ESTABLISHED=3}), a list comma-separated ({@code a, b}), numbers in
 * runs as ranges ({@code 22,80-82}), lists of maps or lists one element after another ({@code address=198.18.0.5
 * open=22; address=198.18.0.6 open=80}), and a map (or a list with spaces) nested in a map in parentheses.
 */
final class FactText {
    private FactText() {
    }

    static String of(Object value) {
        return of(value, true);
    }

    private static String of(Object value, boolean top) {
        return switch (value) {
            case Map<?, ?> m when m.isEmpty() -> "none";
            case List<?> l when l.isEmpty() -> "none";
            case Map<?, ?> m -> pairs(m, top ? ", " : " ");
            case List<?> l when l.stream().allMatch(e -> e instanceof Integer || e instanceof Long) -> ParamType.format(l);
            case List<?> l -> {
                boolean nested = l.stream().anyMatch(e -> e instanceof Map || e instanceof List);
                List<String> items = l.stream().map(e -> of(e, false)).toList();
                yield String.join(nested ? "; " : top ? ", " : ",", items);
            }
            case null -> "none";
            default -> ParamType.format(value);
        };
    }

    private static String pairs(Map<?, ?> m, String separator) {
        List<String> pairs = new ArrayList<>();
        m.forEach((k, v) -> {
            String text = of(v, false);
            boolean group = v instanceof Map<?, ?> && !((Map<?, ?>) v).isEmpty() || v instanceof List<?> && text.contains(" ");
            pairs.add(k + "=" + (group ? "(" + text + ")" : text));
        });
        return String.join(separator, pairs);
    }
}
