package dev.reach.core.script;

import dev.reach.core.playbook.Expr;

import java.util.List;
import java.util.Map;

/**
 * Reads a plain property path ({@code steps.connect.facts.connect_ms}) with JavaScript's meaning, so the
 * common case of a template needs no script engine: a missing member is undefined (null), reading a
 * member of undefined or null is a TypeError, an unknown root name is a ReferenceError. Values are read
 * as a script sees them ({@link SimpleExpr#plain}: a duration input is its text, {@code 3s}).
 */
final class PathReader {
    private PathReader() {
    }

    static Object read(Expr expr, Scope scope) throws ExprException {
        String[] names = expr.source().split("\\.");
        Object v = switch (names[0]) {
            case "inputs" -> scope.inputs();
            case "steps" -> scope.steps();
            default -> {
                if (!scope.locals().containsKey(names[0])) {
                    throw new ExprException(expr, "ReferenceError: " + names[0] + " is not defined");
                }
                yield scope.locals().get(names[0]);
            }
        };
        for (int i = 1; i < names.length; i++) {
            String name = names[i];
            v = switch (SimpleExpr.plain(v)) {
                case null -> throw cannotRead(expr, names, i, "null");
                case Map<?, ?> m -> m.containsKey(name) ? m.get(name) : SimpleExpr.UNDEFINED;
                case List<?> l -> name.equals("length") ? (Object) (long) l.size() : SimpleExpr.UNDEFINED;
                case String s -> name.equals("length") ? (Object) (long) s.length() : SimpleExpr.UNDEFINED;
                case Object o when o == SimpleExpr.UNDEFINED -> throw cannotRead(expr, names, i, "undefined");
                default -> SimpleExpr.UNDEFINED;
            };
        }
        v = SimpleExpr.plain(v);
        return v == SimpleExpr.UNDEFINED ? null : v;
    }

    private static ExprException cannotRead(Expr expr, String[] names, int i, String what) {
        return new ExprException(expr, "TypeError: Cannot read property '" + names[i] + "' of " + what + " ("
                + String.join(".", java.util.Arrays.copyOf(names, i)) + " is " + what + ")");
    }
}
