package dev.reach.core.script;

import dev.reach.core.playbook.Problem;

import java.util.List;
import java.util.Optional;

/**
 * The one expression language of playbooks: JavaScript expressions over {@code inputs}, {@code steps} and
 * loop variables. YAML {@code when:} and {@code ${...}} use it; JS playbooks are the same language.
 */
public interface Expressions {

    /** A syntax error in the expression, placed where it is, or empty; {@code locals} are the loop names in scope. */
    Optional<Problem> check(Expr expr, List<String> locals);

    /** Evaluates to a plain Java value (see {@link Scope}). */
    Object eval(Expr expr, Scope scope) throws ExprException;

    /** Evaluates as a condition, with JavaScript truthiness. */
    default boolean test(Expr expr, Scope scope) throws ExprException {
        return truthy(eval(expr, scope));
    }

    /** JavaScript's Boolean(value) for the plain values expressions give. */
    static boolean truthy(Object v) {
        return switch (v) {
            case null -> false;
            case Boolean b -> b;
            case Number n -> n.doubleValue() != 0 && !Double.isNaN(n.doubleValue());
            case String s -> !s.isEmpty();
            default -> true;
        };
    }
}
