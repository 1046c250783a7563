package dev.reach.core.script;

/** An expression failed when evaluated (a TypeError, a bad reference); the message says which and where. */
public final class ExprException extends Exception {
    private final transient Expr expr;

    public ExprException(Expr expr, String message) {
        super(expr.pos() + ": in '" + expr.source() + "': " + message);
        this.expr = expr;
    }

    public Expr expr() {
        return expr;
    }
}
