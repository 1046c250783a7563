package dev.reach.core.script;

import dev.reach.core.playbook.Expr;
import dev.reach.core.playbook.ParamBinder;
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
 *
 * <p>What holds between runs (a resident reach keeps the context): the context's built-ins are frozen before
 * any expression sees them, and the global object too, so no expression can change what a later one, in
 * this run or another, computes. An expression is compiled as the body of {@code Function(inputs, steps,
 * locals, body)}, which parses it alone: it cannot close a wrapper and run at {@code --check}. It runs under
 * the run's deadline and Ctrl-C and an allocation budget ({@link Watchdog}), besides the statement limit.
 */
public final class JsExpressions implements Expressions, AutoCloseable {
    /** Lines of the body before the expression's own ({@link #body}): where a syntax error's line counts from. */
    private static final int BODY_PREFIX_LINES = 2;
    /**
     * Lines before the expression's own in the function's source, where a run-time error's line counts from: GraalJS
     * writes a {@code Function} as {@code (function anonymous(PARAMS\n) {\nBODY\n})}.
     */
    private static final int PREFIX_LINES = BODY_PREFIX_LINES + 2;
    /** Where GraalJS says a syntax error in a {@code Function}'s body is: {@code <function>:LINE:COLUMN} (column from 0). */
    private static final java.util.regex.Pattern BODY_PLACE = java.util.regex.Pattern.compile("<function>:(\\d+):(\\d+) ");
    /**
     * Freezes every built-in reachable from the global object (constructors, their prototypes, and the objects
     * those hold), then the global object itself. Run once per context, before any expression.
     */
    private static final String LOCKDOWN = """
            (function () {
              'use strict';
              const seen = new Set();
              const freeze = (o) => {
                if ((typeof o !== 'object' && typeof o !== 'function') || o === null || seen.has(o)) return;
                seen.add(o);
                Object.freeze(o);
                for (const k of Reflect.ownKeys(o)) {
                  const d = Object.getOwnPropertyDescriptor(o, k);
                  if (d === undefined) continue;
                  if ('value' in d) freeze(d.value); else { freeze(d.get); freeze(d.set); }
                }
                freeze(Object.getPrototypeOf(o));
              };
              freeze(globalThis);
              return Function;
            })()""";

    /** The names every expression sees. */
    private static final List<String> SCOPE_NAMES = List.of("inputs", "steps");
    /** JavaScript's own global names an expression may use besides them. */
    private static final java.util.Set<String> JS_GLOBALS = java.util.Set.of("undefined", "NaN", "Infinity", "globalThis",
            "Math", "JSON", "Number", "String", "Boolean", "Array", "Object", "Date", "RegExp", "Symbol", "Map", "Set",
            "BigInt", "Error", "TypeError", "RangeError", "Reflect", "Intl", "parseInt", "parseFloat", "isNaN", "isFinite",
            "encodeURIComponent", "decodeURIComponent", "encodeURI", "decodeURI");

    private final ScriptEngine engine;
    private final Map<String, Value> compiled = new HashMap<>();
    private final Map<String, Optional<SimpleExpr.Node>> simpleTrees = new HashMap<>();
    private Context context;
    /** The context's own {@code Function} constructor, taken before anything ran. */
    private Value function;

    public JsExpressions(ScriptEngine engine) {
        this.engine = engine;
    }

    @Override
    public synchronized Optional<Problem> check(Expr expr, List<String> locals) {
        java.util.Set<String> names = new java.util.TreeSet<>();
        if (expr.isPath()) {
            names.add(expr.root());
        } else {
            simple(expr).ifPresent(tree -> SimpleExpr.freeNames(tree, names));
        }
        for (String name : names) {   // else a typo (stpes.x) would be a ReferenceError only when the run gets there
            if (!SCOPE_NAMES.contains(name) && !locals.contains(name) && !JS_GLOBALS.contains(name)) {
                return Optional.of(new Problem(expr.pos(), "unknown name '" + name + "' in '" + expr.source() + "'; expressions see "
                        + String.join(", ", SCOPE_NAMES) + (locals.isEmpty() ? "" : " and " + String.join(", ", locals))
                        + ParamBinder.closest(name, SCOPE_NAMES).map(c -> "; did you mean '" + c + "'?").orElse("")));
            }
        }
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
        Value fn;
        try {
            fn = compile(expr, locals);
        } catch (PolyglotException e) {
            throw new ExprException(positioned(expr, e), expr, trim(e.getMessage()));
        }
        Scope.Budget budget = scope.budget();
        try (Watchdog watchdog = new Watchdog(context, Thread.currentThread(), budget.deadline(), budget.cancelled(),
                Watchdog.ALLOCATION_BUDGET).start()) {
            try {
                Value result = fn.execute(JsValues.toGuest(scope.inputs()), JsValues.toGuest(scope.steps()), JsValues.toGuest(scope.locals()));
                return JsValues.toJava(result);
            } catch (PolyglotException e) {
                if (e.getMessage() != null && e.getMessage().contains("tatement count limit")) {
                    discard();   // Truffle cancels a context that ran out of statements, for good: the next expression gets a new one
                    throw new ExprException(expr, "stopped after " + Sandbox.STATEMENT_LIMIT + " statements (an endless loop?)");
                }
                if (e.isCancelled() || e.isInterrupted() || watchdog.tripped() != null) {
                    throw new ExprException(expr, "stopped: " + (watchdog.tripped() != null ? watchdog.tripped() : "interrupted"));
                }
                throw new ExprException(positioned(expr, e), expr, trim(e.getMessage()));
            }
        }
    }

    private Optional<SimpleExpr.Node> simple(Expr expr) {
        return simpleTrees.computeIfAbsent(expr.source(), SimpleExpr::parse);
    }

    private Value compile(Expr expr, List<String> locals) {
        String key = String.join(",", locals) + "\u0000" + expr.source();
        Value fn = compiled.get(key);
        if (fn == null) {
            context();
            fn = function.newInstance("inputs", "steps", "locals", body(expr, locals));   // parses; runs nothing
            compiled.put(key, fn);
        }
        return fn;
    }

    /** The function's body: the expression on its own line, so error columns map back to the playbook. */
    private static String body(Expr expr, List<String> locals) {
        String destructure = locals.isEmpty() ? "" : "const {" + String.join(", ", locals) + "} = locals;";
        return "'use strict'; " + destructure + "\nreturn (\n" + expr.source() + "\n);";
    }

    private static SourcePos positioned(Expr expr, PolyglotException e) {
        SourceSection s = e.getSourceLocation();
        int startLine;
        int startColumn;
        var bodyPlace = e.getMessage() == null ? null : BODY_PLACE.matcher(e.getMessage());
        if (s != null && s.isAvailable()) {
            startLine = s.getStartLine() - PREFIX_LINES;
            startColumn = s.getStartColumn();
        } else if (bodyPlace != null && bodyPlace.find()) {   // a syntax error: the body is parsed alone first
            startLine = Integer.parseInt(bodyPlace.group(1)) - BODY_PREFIX_LINES;
            startColumn = Integer.parseInt(bodyPlace.group(2)) + 1;
        } else {
            return expr.pos();
        }
        if (startLine <= 0) {
            return expr.pos();
        }
        int line = startLine - 1;
        var pos = expr.pos();
        if (line >= expr.source().lines().count()) { // the parser ran off the end of the expression
            return expr.source().contains("\n") ? pos : pos.plusColumns(expr.source().length());
        }
        return line == 0 ? pos.plusColumns(startColumn - 1) : new SourcePos(pos.file(), pos.line() + line, startColumn);
    }

    private static String trim(String message) {
        if (message == null) return "error";
        int nl = message.indexOf('\n');
        return (nl < 0 ? message : message.substring(0, nl)).replaceFirst("(?:Unnamed|<function>):\\d+:\\d+ ", "")
                .replace("but found )", "but the expression ended");
    }

    private Context context() {
        if (context == null) {
            context = Sandbox.context(engine);
            function = context.eval(Source.create("js", LOCKDOWN));
        }
        context.resetLimits(); // the statement limit counts per expression, not per process
        return context;
    }

    /** Closes the context and forgets what was compiled in it: the next expression starts a new one. */
    private void discard() {
        compiled.clear();
        close();
    }

    @Override
    public synchronized void close() {
        if (context != null) {
            context.close(true);
            context = null;
            function = null;
        }
    }
}
