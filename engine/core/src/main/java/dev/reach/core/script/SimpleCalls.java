package dev.reach.core.script;

import dev.reach.core.script.SimpleExpr.Arrow;
import dev.reach.core.script.SimpleExpr.Call;
import dev.reach.core.script.SimpleExpr.Fallback;
import dev.reach.core.script.SimpleExpr.Node;
import dev.reach.core.script.SimpleExpr.Regex;

import java.util.List;
import java.util.Map;

import static dev.reach.core.script.SimpleExpr.UNDEFINED;

/**
 * The calls of the expression subset, each with JavaScript's meaning for the argument types it accepts and
 * {@link Fallback} for any other: arrays' {@code includes(v)}, {@code join(sep)} and, with an arrow function,
 * {@code filter some every map find}; strings' {@code includes startsWith endsWith} with a string argument;
 * {@code Number(v)} of a primitive; {@code /re/.test(s)} of a string.
 */
final class SimpleCalls {
    /** Every method (and global function) the subset evaluates; a call of any other is left to the engine. */
    static final java.util.Set<String> METHODS = java.util.Set.of("includes", "join", "filter", "some", "every", "map", "find",
            "startsWith", "endsWith", "Number", "test");

    private SimpleCalls() {
    }

    static Object call(Call c, Scope scope) {
        if (c.target() == null) {
            if (!c.method().equals("Number") || scope.locals().containsKey("Number") || c.args().size() > 1) throw new Fallback();
            if (c.args().isEmpty()) return 0L;
            Object v = SimpleExpr.value(c.args().getFirst(), scope);
            if (!SimpleExpr.primitive(v)) throw new Fallback();
            double d = SimpleExpr.number(v);
            return d == 0 && 1 / d < 0 ? fallback() : d; // Number(-0): the engine's
        }
        if (c.target() instanceof Regex r) {
            if (!c.method().equals("test") || c.args().size() != 1) throw new Fallback();
            if (!(SimpleExpr.value(c.args().getFirst(), scope) instanceof String s)) throw new Fallback();
            return r.pattern().matcher(s).find();
        }
        Object target = SimpleExpr.value(c.target(), scope);
        return switch (target) {
            case String s -> string(s, c, scope);
            case List<?> l -> array(l, c, scope);
            case null, default -> throw new Fallback(); // null.f(), undefined.f(): TypeErrors; other receivers: the engine's
        };
    }

    private static Object string(String s, Call c, Scope scope) {
        if (c.args().size() != 1) throw new Fallback();
        if (!(SimpleExpr.value(c.args().getFirst(), scope) instanceof String arg)) throw new Fallback();
        return switch (c.method()) {
            case "includes" -> s.contains(arg);
            case "startsWith" -> s.startsWith(arg);
            case "endsWith" -> s.endsWith(arg);
            default -> throw new Fallback();
        };
    }

    private static Object array(List<?> list, Call c, Scope scope) {
        switch (c.method()) {
            case "includes" -> {
                if (c.args().size() != 1) throw new Fallback();
                Object v = SimpleExpr.value(c.args().getFirst(), scope);
                if (!SimpleExpr.primitive(v)) throw new Fallback();
                for (Object e : list) {
                    Object x = SimpleExpr.plain(e);
                    if (sameValueZero(x, v)) return true;
                }
                return false;
            }
            case "join" -> {
                if (c.args().size() > 1) throw new Fallback();
                String sep = ",";
                if (c.args().size() == 1) {
                    Object v = SimpleExpr.value(c.args().getFirst(), scope);
                    if (!(v instanceof String text)) throw new Fallback();
                    sep = text;
                }
                StringBuilder out = new StringBuilder();
                for (int i = 0; i < list.size(); i++) {
                    if (i > 0) out.append(sep);
                    Object x = SimpleExpr.plain(list.get(i));
                    if (x == null || x == UNDEFINED) continue;
                    if (!SimpleExpr.primitive(x)) throw new Fallback(); // nested arrays and objects
                    out.append(SimpleExpr.text(x));
                }
                return out.toString();
            }
            case "filter", "some", "every", "map", "find" -> {
                if (c.args().size() != 1 || !(c.args().getFirst() instanceof Arrow fn)) throw new Fallback();
                List<Object> out = new java.util.ArrayList<>(list.size());
                for (Object e : list) {
                    Object x = SimpleExpr.plain(e);
                    Object r = SimpleExpr.value(fn.body(), scope.withLocal(fn.param(), x));
                    boolean t = SimpleExpr.truthy(r);
                    switch (c.method()) {
                        case "filter" -> {
                            if (t) out.add(x);
                        }
                        case "some" -> {
                            if (t) return true;
                        }
                        case "every" -> {
                            if (!t) return false;
                        }
                        case "find" -> {
                            if (t) return x;
                        }
                        default -> out.add(r);
                    }
                }
                return switch (c.method()) {
                    case "some" -> false;
                    case "every" -> true;
                    case "find" -> UNDEFINED;
                    default -> out;
                };
            }
            default -> throw new Fallback();
        }
    }

    /** Array.prototype.includes' comparison for a primitive {@code v}: strict equality, but NaN finds NaN. */
    private static boolean sameValueZero(Object x, Object v) {
        if (x instanceof Double a && a.isNaN() && v instanceof Double b && b.isNaN()) return true;
        if (x instanceof Map || x instanceof List) return false;
        return SimpleExpr.strictEquals(x, v);
    }

    private static Object fallback() {
        throw new Fallback();
    }
}
