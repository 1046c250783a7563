package dev.reach.core.script;

import java.util.List;
import java.util.Map;

/**
 * Reads a plain property path ({@code steps.connect.facts.connect_ms}) with JavaScript's meaning, so the
 * common case of a template needs no script engine: a missing member is undefined (null), reading a
 * member of undefined is a TypeError, an unknown root name is a ReferenceError.
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
            v = switch (v) {
                case null -> throw new ExprException(expr, "TypeError: Cannot read property '" + name
                        + "' of undefined (" + String.join(".", java.util.Arrays.copyOf(names, i)) + " is undefined)");
                case Map<?, ?> m -> m.get(name);
                case List<?> l -> name.equals("length") ? (Object) (long) l.size() : null;
                case String s -> name.equals("length") ? (Object) (long) s.length() : null;
                default -> null;
            };
        }
        return v;
    }
}
