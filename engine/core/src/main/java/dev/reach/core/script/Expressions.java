package dev.reach.core.script;

import dev.reach.core.playbook.Expr;
import dev.reach.core.playbook.ExprChecker;
import dev.reach.core.playbook.Problem;
import dev.reach.core.playbook.Template;

import java.util.List;
import java.util.Optional;

/**
 * The one expression language of playbooks: JavaScript expressions over {@code inputs}, {@code steps} and
 * loop variables. YAML {@code when:} and {@code ${...}} use it; JS playbooks are the same language.
 */
public interface Expressions extends ExprChecker {

    /** A syntax error in the expression, placed where it is, or empty; {@code locals} are the loop names in scope. */
    @Override
    Optional<Problem> check(Expr expr, List<String> locals);

    /** Evaluates to a plain Java value (see {@link Scope}). */
    Object eval(Expr expr, Scope scope) throws ExprException;

    /** A template's value: its literal, a lone {@code ${...}} in its own type, or the parts joined as text. */
    default Object render(Template t, Scope scope) throws ExprException {
        if (t.isLiteral()) {
            return t.literalValue().orElse(null);
        }
        if (t.parts().size() == 1 && t.parts().getFirst() instanceof Template.Code c) {
            return eval(c.expr(), scope);
        }
        StringBuilder sb = new StringBuilder();
        for (Template.Part p : t.parts()) {
            switch (p) {
                case Template.Text x -> sb.append(x.text());
                case Template.Code c -> sb.append(Scope.text(eval(c.expr(), scope)));
            }
        }
        return sb.toString();
    }

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
