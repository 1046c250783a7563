package dev.reach.core.script;

import dev.reach.spi.ParamType;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * The names an expression can see: {@code inputs}, {@code steps} and loop variables. Values are plain
 * Java: String, Long, Double, Boolean, null, and Lists and Maps of those.
 *
 * @param inputs the playbook's inputs after defaults
 * @param steps  step id → {@code {status, cause, summary, facts, ...}} for every step run so far
 * @param locals loop variables, e.g. {@code port} inside a foreach
 * @param budget when an expression that runs on the script engine must stop: the run's deadline, its Ctrl-C
 */
public record Scope(Map<String, Object> inputs, Map<String, Object> steps, Map<String, Object> locals, Budget budget) {

    /** A scope with no deadline of its own (checks, tests): the statement limit and the allocation budget still hold. */
    public Scope(Map<String, Object> inputs, Map<String, Object> steps, Map<String, Object> locals) {
        this(inputs, steps, locals, Budget.NONE);
    }

    /** When an expression must stop: at {@code deadline}, or when {@code cancelled} says so. */
    public record Budget(Instant deadline, BooleanSupplier cancelled) {
        public static final Budget NONE = new Budget(Instant.MAX, () -> false);
    }

    public Scope withLocal(String name, Object value) {
        var l = new java.util.LinkedHashMap<>(locals);
        l.put(name, value);
        return new Scope(inputs, steps, l, budget);
    }

    /** JavaScript's String(value) for the values a scope holds. */
    public static String text(Object v) {
        if (v instanceof Double d && d == Math.rint(d) && !d.isInfinite() && Math.abs(d) < 1e15) {
            return Long.toString(d.longValue());
        }
        if (v instanceof List<?> l) {
            return String.join(",", l.stream().map(Scope::text).toList());
        }
        if (v instanceof Map) {
            return "[object Object]";
        }
        if (v instanceof Duration d) {
            return ParamType.format(d); // 3s, as the user wrote it, not PT3S
        }
        return String.valueOf(v);
    }
}
