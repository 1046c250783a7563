package dev.reach.core.playbook;

import java.util.List;
import java.util.Optional;

/**
 * What the playbook model needs of the expression language to check a playbook before it runs: a syntax error in an
 * expression, placed where it is. The language itself (evaluating, rendering) is script's {@code Expressions}, which
 * is one of these.
 */
public interface ExprChecker {

    /** A syntax error in the expression, placed where it is, or empty; {@code locals} are the loop names in scope. */
    Optional<Problem> check(Expr expr, List<String> locals);
}
