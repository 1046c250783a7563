package dev.reach.core.script;

import dev.reach.core.playbook.Expr;
import dev.reach.core.playbook.Problem;
import dev.reach.core.playbook.SourcePos;
import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.PolyglotException;
import org.graalvm.polyglot.Source;
import org.graalvm.polyglot.SourceSection;
import org.graalvm.polyglot.Value;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Playbook expressions on GraalJS, sandboxed (see {@link Sandbox}). Each expression compiles once into a
 * function of {@code (inputs, steps, locals)}. Plain property paths ({@link PathReader}) and the common
 * subset of comparisons and arithmetic ({@link SimpleExpr}) are checked and evaluated without the engine,
 * so a playbook written with them never waits for its cold start. One context, used by one
 * thread at a time: JavaScript contexts are single-threaded, and expressions are short.
 */
public final class JsExpressions implements Expressions, AutoCloseable {
    /** Lines of the wrapper before the expression's own line (see {@link #wrapper}). */
    private static final int PREFIX_LINES = 2;

    private final ScriptEngine engine;
    private final Map<String, Value> compiled = new HashMap<>();
    private final Map<String, Optional<SimpleExpr.Node>> simpleTrees = new HashMap<>();
    private Context context;

    public JsExpressions(ScriptEngine engine) {
        this.engine = engine;
    }

    @Override
    public synchronized Optional<Problem> check(Expr expr, List<String> locals) {
        if (expr.isPath() || simple(expr).isPresent()) {
            return Optional.empty(); // valid JavaScript, known without the engine
        }
        try {
            compile(expr, locals);
            return Optional.empty();
        } catch (PolyglotException e) {
            return Optional.of(new Problem(positioned(expr, e), "invalid expression '" + expr.source() + "': "
                    + trim(e.getMessage()) + "; expressions are JavaScript, like steps.connect.status == 'fail'"));
        }
    }

    @Override
    public synchronized Object eval(Expr expr, Scope scope) throws ExprException {
        if (expr.isPath()) {
            return PathReader.read(expr, scope);
        }
        Optional<SimpleExpr.Node> simple = simple(expr);
        if (simple.isPresent()) {
            try {
                return SimpleExpr.eval(simple.get(), scope);
            } catch (SimpleExpr.Fallback engineDecides) {
                // below
            }
        }
        List<String> locals = List.copyOf(scope.locals().keySet());
        try {
            Value fn = compile(expr, locals);
            Value result = fn.execute(JsValues.toGuest(scope.inputs()), JsValues.toGuest(scope.steps()), JsValues.toGuest(scope.locals()));
            return JsValues.toJava(result);
        } catch (PolyglotException e) {
            if (e.getMessage() != null && e.getMessage().contains("tatement count limit")) {
                throw new ExprException(expr, "stopped after " + Sandbox.STATEMENT_LIMIT + " statements (an endless loop?)");
            }
            if (e.isCancelled() || e.isInterrupted()) {
                throw new ExprException(expr, "interrupted");
            }
            throw new ExprException(positioned(expr, e), expr, trim(e.getMessage()));
        }
    }

    private Optional<SimpleExpr.Node> simple(Expr expr) {
        return simpleTrees.computeIfAbsent(expr.source(), SimpleExpr::parse);
    }

    private Value compile(Expr expr, List<String> locals) {
        String key = String.join(",", locals) + "\u0000" + expr.source();
        Value fn = compiled.get(key);
        if (fn == null) {
            fn = context().eval(Source.create("js", wrapper(expr, locals)));
            compiled.put(key, fn);
        }
        return fn;
    }

    /** The expression on its own line (line {@code PREFIX_LINES + 1}), so error columns map back to the playbook. */
    private static String wrapper(Expr expr, List<String> locals) {
        String destructure = locals.isEmpty() ? "" : "const {" + String.join(", ", locals) + "} = locals;";
        return "(function (inputs, steps, locals) {'use strict'; " + destructure + "\nreturn (\n"
                + expr.source() + "\n);})";
    }

    private static SourcePos positioned(Expr expr, PolyglotException e) {
        SourceSection s = e.getSourceLocation();
        if (s == null || !s.isAvailable() || s.getStartLine() <= PREFIX_LINES) {
            return expr.pos();
        }
        int line = s.getStartLine() - PREFIX_LINES - 1;
        var pos = expr.pos();
        if (line >= expr.source().lines().count()) { // the parser ran off the end of the expression
            return expr.source().contains("\n") ? pos : pos.plusColumns(expr.source().length());
        }
        return line == 0 ? pos.plusColumns(s.getStartColumn() - 1) : new SourcePos(pos.file(), pos.line() + line, s.getStartColumn());
    }

    private static String trim(String message) {
        if (message == null) return "error";
        int nl = message.indexOf('\n');
        return (nl < 0 ? message : message.substring(0, nl)).replaceFirst("Unnamed:\\d+:\\d+ ", "")
                .replace("but found )", "but the expression ended");
    }

    private Context context() {
        if (context == null) {
            context = Sandbox.context(engine);
        }
        context.resetLimits(); // the statement limit counts per expression, not per process
        return context;
    }

    @Override
    public synchronized void close() {
        if (context != null) {
            context.close(true);
            context = null;
        }
    }
}
