package dev.reach.core.script;

import dev.reach.core.playbook.Problem;
import dev.reach.core.playbook.SourcePos;
import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.EnvironmentAccess;
import org.graalvm.polyglot.HostAccess;
import org.graalvm.polyglot.PolyglotAccess;
import org.graalvm.polyglot.PolyglotException;
import org.graalvm.polyglot.Source;
import org.graalvm.polyglot.SourceSection;
import org.graalvm.polyglot.Value;
import org.graalvm.polyglot.io.IOAccess;
import org.graalvm.polyglot.proxy.ProxyArray;
import org.graalvm.polyglot.proxy.ProxyObject;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Playbook expressions on GraalJS, sandboxed (no host classes, IO, threads, processes, environment or
 * polyglot access). Each expression compiles once into a function of {@code (inputs, steps, locals)};
 * plain property paths skip the engine entirely (see {@link PathReader}). One context, used by one
 * thread at a time: JavaScript contexts are single-threaded, and expressions are short.
 */
public final class JsExpressions implements Expressions, AutoCloseable {
    /** Lines of the wrapper before the expression's own line (see {@link #wrapper}). */
    private static final int PREFIX_LINES = 2;

    private final ScriptEngine engine;
    private final Map<String, Value> compiled = new HashMap<>();
    private Context context;

    public JsExpressions(ScriptEngine engine) {
        this.engine = engine;
    }

    @Override
    public synchronized Optional<Problem> check(Expr expr, List<String> locals) {
        if (expr.isPath()) {
            return Optional.empty();
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
        List<String> locals = List.copyOf(scope.locals().keySet());
        try {
            Value fn = compile(expr, locals);
            Value result = fn.execute(toGuest(scope.inputs()), toGuest(scope.steps()), toGuest(scope.locals()));
            return toJava(result);
        } catch (PolyglotException e) {
            if (e.isCancelled() || e.isInterrupted()) {
                throw new ExprException(expr, "interrupted");
            }
            throw new ExprException(expr, trim(e.getMessage()));
        }
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
            context = Context.newBuilder("js")
                    .engine(engine.get())
                    .allowHostAccess(HostAccess.NONE)
                    .allowHostClassLookup(name -> false)
                    .allowIO(IOAccess.NONE)
                    .allowCreateThread(false)
                    .allowCreateProcess(false)
                    .allowNativeAccess(false)
                    .allowEnvironmentAccess(EnvironmentAccess.NONE)
                    .allowPolyglotAccess(PolyglotAccess.NONE)
                    .out(java.io.OutputStream.nullOutputStream())
                    .err(java.io.OutputStream.nullOutputStream())
                    .build();
        }
        return context;
    }

    private static Object toGuest(Object v) {
        if (v instanceof Map<?, ?> m) {
            Map<String, Object> out = new LinkedHashMap<>();
            m.forEach((k, val) -> out.put(String.valueOf(k), toGuest(val)));
            return ProxyObject.fromMap(out);
        }
        if (v instanceof List<?> l) {
            List<Object> out = new ArrayList<>(l.size());
            l.forEach(x -> out.add(toGuest(x)));
            return ProxyArray.fromList(out);
        }
        if (v instanceof Integer i) return i.longValue();
        if (v instanceof java.time.Duration d) return dev.reach.spi.ParamType.format(d); // as the user wrote it: "3s"
        if (v == null || v instanceof String || v instanceof Number || v instanceof Boolean) return v;
        return v.toString(); // no host object ever reaches a script

    }

    private static Object toJava(Value v) {
        if (v == null || v.isNull()) return null;
        if (v.isBoolean()) return v.asBoolean();
        if (v.isNumber()) {
            if (v.fitsInLong()) return v.asLong();
            return v.asDouble();
        }
        if (v.isString()) return v.asString();
        if (v.isProxyObject() && v.asProxyObject() instanceof ProxyObject) {
            return proxyToJava(v);
        }
        if (v.hasArrayElements()) {
            List<Object> out = new ArrayList<>();
            for (long i = 0; i < v.getArraySize() && i < 100_000; i++) out.add(toJava(v.getArrayElement(i)));
            return out;
        }
        if (v.hasMembers() && !v.canExecute()) {
            Map<String, Object> out = new LinkedHashMap<>();
            for (String k : v.getMemberKeys()) out.put(k, toJava(v.getMember(k)));
            return out;
        }
        return v.toString();
    }

    private static Object proxyToJava(Value v) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (String k : v.getMemberKeys()) out.put(k, toJava(v.getMember(k)));
        return out;
    }

    @Override
    public synchronized void close() {
        if (context != null) {
            context.close(true);
            context = null;
        }
    }
}
