package dev.reach.core.script;

import dev.reach.core.playbook.Expr;

/** An expression failed when evaluated (a TypeError, a bad reference); the message says which and where. */
public final class ExprException extends Exception {
    private final transient Expr expr;

    public ExprException(Expr expr, String message) {
        this(expr.pos(), expr, message);
    }

    /** An error at a place inside the expression (where the TypeError was thrown). */
    public ExprException(dev.reach.core.playbook.SourcePos at, Expr expr, String message) {
        super(at + ": in '" + expr.source() + "': " + message);
        this.expr = expr;
    }

    public Expr expr() {
        return expr;
    }
}
