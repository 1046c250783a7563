package dev.reach.core.script;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A small, exact subset of JavaScript evaluated in Java, so that the usual conditions and templates —
 * {@code steps.connect.status == 'fail' && inputs.port > 1024}, {@code steps.a.facts.n * 2} — neither wait
 * for the cold script engine nor enter it. The subset: number and plain string literals, true, false, null,
 * undefined, property paths ({@code a.b}, {@code a['b']}, {@code a[0]}, {@code a?.b}, {@code a?.[0]}), array literals,
 * parentheses, {@code ! - +} (unary), {@code * / % + -}, {@code < <= > >=}, {@code == != === !==},
 * {@code && || ??} and {@code ?:} over primitive values, and a few calls ({@link SimpleCalls}): arrays'
 * {@code includes join filter some every map find} (with an arrow function {@code x => ...}), strings'
 * {@code includes startsWith endsWith}, {@code Number(x)} and {@code /re/.test(s)} ({@link SimpleRegex}).
 * An expression that parses in the subset is valid JavaScript, so parsing it is
 * its syntax check. Anything outside it — or a case whose JavaScript meaning is subtle (objects compared,
 * an error to report, -0, exponent formatting) — is left to GraalJS ({@link Fallback}), which then
 * decides, so the answer is always JavaScript's.
 */
final class SimpleExpr {
    /** Thrown when the engine must decide (outside the subset, or an error whose message the engine gives). */
    static final class Fallback extends RuntimeException {
        Fallback() {
            super(null, null, false, false);
        }
    }

    /** Thrown by {@code a?.b} when {@code a} is null or undefined: the whole chain is undefined. */
    static final class ShortCircuit extends RuntimeException {
        static final ShortCircuit INSTANCE = new ShortCircuit();

        private ShortCircuit() {
            super(null, null, false, false);
        }
    }

    /** JavaScript's undefined, kept apart from null while evaluating. */
    static final Object UNDEFINED = new Object();
    static final Set<String> RESERVED = Set.of("break", "case", "catch", "class", "const", "continue", "debugger",
            "default", "delete", "do", "else", "enum", "export", "extends", "false", "finally", "for", "function", "if",
            "implements", "import", "in", "instanceof", "interface", "let", "new", "null", "package", "private",
            "protected", "public", "return", "static", "super", "switch", "this", "throw", "true", "try", "typeof",
            "var", "void", "while", "with", "yield", "await", "arguments", "eval");

    /** A parsed expression: a tree of nodes. */
    /** The names a tree reads that no arrow inside it binds ({@code steps} in {@code steps.a.facts.x.map(p => p + 1)}). */
    static void freeNames(Node n, java.util.Set<String> out) {
        freeNames(n, java.util.Set.of(), out);
    }

    private static void freeNames(Node n, java.util.Set<String> bound, java.util.Set<String> out) {
        switch (n) {
            case Name name -> {
                if (!bound.contains(name.name())) out.add(name.name());
            }
            case Member m -> {
                freeNames(m.target(), bound, out);
                if (m.key() instanceof Node key) freeNames(key, bound, out);
            }
            case ArrayLit a -> a.elements().forEach(e -> freeNames(e, bound, out));
            case Call c -> {
                freeNames(c.target(), bound, out);
                c.args().forEach(x -> freeNames(x, bound, out));
            }
            case Arrow a -> {
                var inner = new java.util.HashSet<>(bound);
                inner.add(a.param());
                freeNames(a.body(), inner, out);
            }
            case Chain c -> freeNames(c.chain(), bound, out);
            case Unary u -> freeNames(u.operand(), bound, out);
            case Binary b -> {
                freeNames(b.left(), bound, out);
                freeNames(b.right(), bound, out);
            }
            case Cond c -> {
                freeNames(c.test(), bound, out);
                freeNames(c.then(), bound, out);
                freeNames(c.otherwise(), bound, out);
            }
            case Lit l -> { }
            case Regex r -> { }
        }
    }

    sealed interface Node permits Lit, Name, Member, Unary, Binary, Cond, ArrayLit, Call, Arrow, Regex, Chain {
    }

    record Lit(Object value) implements Node {
    }

    record Name(String name) implements Node {
    }

    /** {@code target.key}, or {@code target?.key} when optional. */
    record Member(Node target, Object key, boolean optional) implements Node {
    }

    record ArrayLit(List<Node> elements) implements Node {
    }

    /** {@code target.method(args)}, or a global function ({@code Number}) when target is null. */
    record Call(Node target, String method, List<Node> args) implements Node {
    }

    /** {@code param => body}, only ever an argument of a {@link Call}. */
    record Arrow(String param, Node body) implements Node {
    }

    /** A regular expression literal, only ever the target of {@code .test(...)}. */
    record Regex(java.util.regex.Pattern pattern) implements Node {
    }

    /** A chain of members and calls holding an optional member: undefined as a whole when it short-circuits. */
    record Chain(Node chain) implements Node {
    }

    record Unary(char op, Node operand) implements Node {
    }

    record Binary(String op, Node left, Node right) implements Node {
    }

    record Cond(Node test, Node then, Node otherwise) implements Node {
    }

    private SimpleExpr() {
    }

    /** The tree, or empty when the text is not in the subset (it may still be valid JavaScript). */
    static Optional<Node> parse(String source) {
        try {
            SimpleExprParser p = new SimpleExprParser(source);
            Node n = p.ternary();
            p.skipSpace();
            return p.pos == source.length() ? Optional.of(n) : Optional.empty();
        } catch (Fallback e) {
            return Optional.empty();
        }
    }

    /** Evaluates with JavaScript's meaning; throws {@link Fallback} where the engine must decide. */
    static Object eval(Node n, Scope scope) {
        return result(value(n, scope));
    }

    /** A value as the engine hands it back: undefined as null, integral numbers as Long, lists element by element. */
    private static Object result(Object value) {
        Object v = plain(value);
        if (v == UNDEFINED) return null;
        if (v instanceof Double d) return normal(d);
        if (v instanceof List<?> l) {
            List<Object> out = new java.util.ArrayList<>(l.size());
            for (Object x : l) out.add(result(x));
            return out;
        }
        if (v instanceof Map<?, ?> m) {
            Map<String, Object> out = new java.util.LinkedHashMap<>();
            m.forEach((k, x) -> out.put(String.valueOf(k), result(x)));
            return out;
        }
        return v;
    }

    static Object value(Node n, Scope scope) {
        return switch (n) {
            case Lit l -> l.value();
            case Name nm -> switch (nm.name()) {
                case "inputs" -> scope.inputs();
                case "steps" -> scope.steps();
                case "undefined" -> UNDEFINED;
                default -> {
                    if (!scope.locals().containsKey(nm.name())) throw new Fallback(); // a ReferenceError: the engine words it
                    yield plain(scope.locals().get(nm.name()));
                }
            };
            case Member m -> {
                Object target = value(m.target(), scope);
                if (m.optional() && (target == null || target == UNDEFINED)) throw ShortCircuit.INSTANCE;
                yield member(target, m.key());
            }
            case Chain c -> {
                try {
                    yield value(c.chain(), scope);
                } catch (ShortCircuit s) {
                    yield UNDEFINED;
                }
            }
            case ArrayLit a -> {
                List<Object> out = new java.util.ArrayList<>(a.elements().size());
                for (Node e : a.elements()) out.add(value(e, scope));
                yield out;
            }
            case Call c -> SimpleCalls.call(c, scope);
            case Arrow a -> throw new Fallback(); // a function as a value
            case Regex r -> throw new Fallback(); // a RegExp object as a value
            case Unary u -> unary(u.op(), value(u.operand(), scope));
            case Cond c -> truthy(value(c.test(), scope)) ? value(c.then(), scope) : value(c.otherwise(), scope);
            case Binary b when b.op().equals("&&") -> {
                Object l = value(b.left(), scope);
                yield truthy(l) ? value(b.right(), scope) : l;
            }
            case Binary b when b.op().equals("||") -> {
                Object l = value(b.left(), scope);
                yield truthy(l) ? l : value(b.right(), scope);
            }
            case Binary b when b.op().equals("??") -> {
                Object l = value(b.left(), scope);
                yield l == null || l == UNDEFINED ? value(b.right(), scope) : l;
            }
            case Binary b -> binary(b.op(), value(b.left(), scope), value(b.right(), scope));
        };
    }

    private static Object member(Object target, Object key) {
        Object v = switch (target) {
            case Map<?, ?> m when key instanceof String k -> m.containsKey(k) ? m.get(k) : UNDEFINED;
            case List<?> l when key instanceof Long i -> i >= 0 && i < l.size() ? l.get(i.intValue()) : UNDEFINED; // past either end
            case List<?> l when "length".equals(key) -> (long) l.size();
            case String s when "length".equals(key) -> (long) s.length();
            case null, default -> throw new Fallback(); // null.x, undefined.x: TypeErrors; other members: the engine's
        };
        return plain(v);
    }

    /** A scope value as a script would see it (what {@link JsValues#toGuest} makes of it). */
    static Object plain(Object v) {
        return switch (v) {
            case Integer i -> i.longValue();
            case java.time.Duration d -> dev.reach.spi.ParamType.format(d);
            case null -> null;
            case String s -> s;
            case Long l -> l;
            case Double d -> d;
            case Boolean b -> b;
            case Map<?, ?> m -> m;
            case List<?> l -> l;
            default -> v == UNDEFINED ? v : v.toString();
        };
    }

    static boolean truthy(Object v) {
        return switch (v) {
            case null -> false;
            case Boolean b -> b;
            case Long l -> l != 0;
            case Double d -> d != 0 && !d.isNaN();
            case String s -> !s.isEmpty();
            default -> v != UNDEFINED;
        };
    }

    private static Object unary(char op, Object v) {
        if (op == '!') return !truthy(v);
        double d = number(v);
        if (op == '-' && d == 0) throw new Fallback(); // -0
        return normal(op == '-' ? -d : d);
    }

    private static Object binary(String op, Object l, Object r) {
        switch (op) {
            case "===", "!==" -> {
                return op.equals("===") == strictEquals(l, r);
            }
            case "==", "!=" -> {
                return op.equals("==") == looseEquals(l, r);
            }
            default -> {
            }
        }
        if (!primitive(l) || !primitive(r)) throw new Fallback(); // objects convert through toString/valueOf
        if (op.equals("+") && (l instanceof String || r instanceof String)) return text(l) + text(r);
        if (List.of("<", "<=", ">", ">=").contains(op)) {
            if (l instanceof String a && r instanceof String b) {
                int c = a.compareTo(b);
                return switch (op) { case "<" -> c < 0; case "<=" -> c <= 0; case ">" -> c > 0; default -> c >= 0; };
            }
            double a = number(l);
            double b = number(r);
            return switch (op) { case "<" -> a < b; case "<=" -> a <= b; case ">" -> a > b; default -> a >= b; };
        }
        double a = number(l);
        double b = number(r);
        return normal(switch (op) {
            case "+" -> a + b;
            case "-" -> a - b;
            case "*" -> a * b;
            case "/" -> a / b;
            case "%" -> a % b;
            default -> throw new Fallback();
        });
    }

    static boolean primitive(Object v) {
        return v == null || v == UNDEFINED || v instanceof String || v instanceof Long || v instanceof Double || v instanceof Boolean;
    }

    static boolean strictEquals(Object l, Object r) {
        if (l instanceof Number a && r instanceof Number b) return a.doubleValue() == b.doubleValue();
        if (!primitive(l) || !primitive(r)) {
            if (l == r) throw new Fallback(); // the same object: identity in JS depends on how it crossed over
            return false;
        }
        return l == null ? r == null : l.equals(r);
    }

    private static boolean looseEquals(Object l, Object r) {
        boolean ln = l == null || l == UNDEFINED;
        boolean rn = r == null || r == UNDEFINED;
        if (ln || rn) return ln && rn;
        if (!primitive(l) || !primitive(r)) {
            if (primitive(l) || primitive(r) || l == r) throw new Fallback(); // ToPrimitive on an object
            return false;
        }
        if (l.getClass() == r.getClass() || (l instanceof Number && r instanceof Number)) return strictEquals(l, r);
        return number(l) == number(r); // string, number and boolean meet as numbers
    }

    /** ToNumber for primitives. */
    static double number(Object v) {
        return switch (v) {
            case null -> 0;
            case Long l -> l;
            case Double d -> d;
            case Boolean b -> b ? 1 : 0;
            case String s -> {
                String t = s.strip();
                if (t.isEmpty()) yield 0;
                if (!t.matches("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?")) {
                    if (t.matches("[+-]?Infinity|0[xXoObB][0-9a-fA-F]+")) throw new Fallback();
                    yield Double.NaN;
                }
                yield Double.parseDouble(t);
            }
            default -> {
                if (v == UNDEFINED) yield Double.NaN;
                throw new Fallback();
            }
        };
    }

    /** ToString for primitives, as JavaScript writes numbers. */
    static String text(Object v) {
        if (v == UNDEFINED) return "undefined";
        if (v instanceof Double d) {
            if (d.isNaN()) return "NaN";
            if (d.isInfinite()) return d > 0 ? "Infinity" : "-Infinity";
            if (d == Math.rint(d) && Math.abs(d) < 1e15) {
                if (d == 0 && 1 / d < 0) return "0"; // String(-0)
                return Long.toString(d.longValue());
            }
            String s = Double.toString(d);
            if (s.contains("E")) throw new Fallback(); // exponent notation differs from JavaScript's
            return s;
        }
        return String.valueOf(v);
    }

    /** A number result the way the engine hands it over: integral values that fit a long as Long. */
    static Object normal(double d) {
        if (d == Math.rint(d) && d >= -9.223372036854775808E18 && d < 9.223372036854775807E18) {
            if (d == 0 && 1 / d < 0) throw new Fallback(); // -0
            return (long) d;
        }
        return d;
    }
}
