package dev.reach.core.script;

import dev.reach.spi.ParamType;
import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.PolyglotException;
import org.graalvm.polyglot.Source;
import org.graalvm.polyglot.Value;
import org.graalvm.polyglot.proxy.ProxyExecutable;
import org.graalvm.polyglot.proxy.ProxyObject;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The host API a JS playbook sees as globals: {@code probe}, {@code parallel}, {@code verdict},
 * {@code include}, {@code log}, {@code sleep}. Arguments cross as plain data; a wrong call comes back as a
 * JavaScript TypeError thrown at the caller's line (the prelude turns an error marker into a throw, so
 * the script can catch it and its stack points at the playbook, not at Java).
 */
final class JsApi {
    static final List<String> NAMES = List.of("probe", "parallel", "verdict", "include", "log", "sleep");

    private static final Source PRELUDE = Source.newBuilder("js", """
            (function (api) {
              'use strict';
              const wrap = (f) => function (...args) {
                const r = f(...args);
                if (r !== null && typeof r === 'object' && typeof r.__reach_error === 'string') {
                  throw r.__reach_state ? new Error(r.__reach_error) : new TypeError(r.__reach_error);
                }
                return r;
              };
              for (const name of Object.keys(api)) {
                Object.defineProperty(globalThis, name, {value: wrap(api[name]), enumerable: false});
              }
            })""", "reach-api.js").internal(true).buildLiteral();

    private JsApi() {
    }

    /** Defines the API's globals in {@code context}, each calling {@code host}. */
    static void install(Context context, PlaybookHost host) {
        Map<String, Object> api = new LinkedHashMap<>();
        api.put("probe", fn(a -> host.probe(option(a, 2, "id"), text(a, 0, "probe(id, params): the probe id, like 'tcp.connect'"),
                object(a, 1, "probe(id, params): params"), side(a, 2))));
        api.put("parallel", fn(a -> host.parallel(option(a, 1, "id"), calls(a), until(a, 1))));
        api.put("include", fn(a -> host.include(option(a, 2, "id"), text(a, 0, "include(path, inputs): the playbook's path"),
                object(a, 1, "include(path, inputs): inputs"))));
        api.put("verdict", fn(a -> host.verdict(verdict(a))));
        api.put("log", fn(a -> {
            List<String> parts = new ArrayList<>();
            for (Value v : a) parts.add(v.isString() ? v.asString() : Scope.text(JsValues.toJava(v)));
            host.log(String.join(" ", parts));
            return null;
        }));
        api.put("sleep", fn(a -> {
            host.sleep(duration(a));
            return null;
        }));
        context.eval(PRELUDE).execute(ProxyObject.fromMap(api));
    }

    private static ProxyExecutable fn(Function<Value[], Object> body) {
        return args -> {
            try {
                return JsValues.toGuest(body.apply(args));
            } catch (IllegalArgumentException e) {
                return ProxyObject.fromMap(new LinkedHashMap<>(Map.of("__reach_error", e.getMessage())));
            } catch (IllegalStateException e) {
                return ProxyObject.fromMap(new LinkedHashMap<>(Map.of("__reach_error", e.getMessage(), "__reach_state", true)));
            }
        };
    }

    private static String text(Value[] a, int i, String what) {
        if (a.length <= i || !a[i].isString()) {
            throw new IllegalArgumentException(what + " must be a string" + (a.length <= i ? ", and is missing" : ""));
        }
        return a[i].asString();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> object(Value[] a, int i, String what) {
        if (a.length <= i || a[i].isNull()) return Map.of();
        if (JsValues.toJava(a[i]) instanceof Map<?, ?> m) return (Map<String, Object>) m;
        throw new IllegalArgumentException(what + " must be an object like {host: '127.0.0.1', port: 22}");
    }

    /** The {@code id} of an options object ({@code {id: 'connect'}}) at position i, or null. */
    private static String option(Value[] a, int i, String key) {
        if (a.length <= i || a[i].isNull()) return null;
        return stepId(JsValues.toJava(a[i]) instanceof Map<?, ?> m ? m.get(key) : null);
    }

    /** Whether the options say {@code on: 'server'} ({@code 'client'} or nothing: here); anything else is the script's error. */
    private static boolean side(Value[] a, int i) {
        if (a.length <= i || a[i].isNull()) return false;
        Object v = JsValues.toJava(a[i]) instanceof Map<?, ?> m ? m.get("on") : null;
        if (v == null || "client".equals(v)) return false;
        if ("server".equals(v)) return true;
        throw new IllegalArgumentException("on: " + (v instanceof String ? "'" + v + "'" : Scope.text(v))
                + " says where the probe runs: 'server' or 'client'");
    }

    /** A step id the script gave ({@code id: 'connect'}), or null when it gave none; anything else is its error. */
    private static String stepId(Object v) {
        if (v == null) return null;
        if (v instanceof String s && s.matches("[a-z][a-z0-9_]*")) return s;
        throw new IllegalArgumentException("step id " + (v instanceof String ? "'" + v + "'" : Scope.text(v) + " (not text)")
                + " must start with a lower-case letter and hold only a-z, 0-9 and _");
    }

    /**
     * The {@code until} of parallel's options ({@code {until: (steps, results) => ...}}), or null. It runs on the
     * script's thread, which waits inside parallel() meanwhile; what it throws goes back to the script.
     */
    private static PlaybookHost.Until until(Value[] a, int i) {
        if (a.length <= i || a[i].isNull() || !a[i].hasMembers() || !a[i].hasMember("until")) return null;
        Value fn = a[i].getMember("until");
        if (fn == null || fn.isNull()) return null;
        if (!fn.canExecute()) {
            throw new IllegalArgumentException("parallel(calls, {until}): until must be a function, like (steps) => steps.connect?.ok");
        }
        String source = fn.toString().replaceAll("\\s+", " ").strip();
        String shown = source.length() <= 80 ? source : source.substring(0, 79) + "…";
        return new PlaybookHost.Until() {
            @Override
            public boolean decided(Map<String, Object> steps, List<Object> results) {
                try {
                    return Expressions.truthy(JsValues.toJava(fn.execute(JsValues.toGuest(steps), JsValues.toGuest(results))));
                } catch (PolyglotException e) {
                    throw new PlaybookHost.UntilFailed(JsErrors.where(e), e);
                }
            }

            @Override
            public String source() {
                return shown;
            }
        };
    }

    private static List<PlaybookHost.Call> calls(Value[] a) {
        String usage = "parallel(calls): calls is an array of [probe, params] pairs or {probe, params, id} objects";
        if (a.length == 0 || !(JsValues.toJava(a[0]) instanceof List<?> list)) throw new IllegalArgumentException(usage);
        List<PlaybookHost.Call> out = new ArrayList<>();
        for (Object item : list) {
            switch (item) {
                case List<?> pair when !pair.isEmpty() && pair.getFirst() instanceof String probe && pair.size() <= 3 ->
                        out.add(new PlaybookHost.Call(pair.size() > 2 && pair.get(2) instanceof Map<?, ?> o ? stepId(o.get("id")) : null,
                                probe, pair.size() > 1 ? params(pair.get(1), usage) : Map.of()));
                case Map<?, ?> m when m.get("probe") instanceof String probe ->
                        out.add(new PlaybookHost.Call(stepId(m.get("id")), probe, params(m.containsKey("params") ? m.get("params") : m.get("with"), usage)));
                default -> throw new IllegalArgumentException(usage + "; got " + Scope.text(item));
            }
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> params(Object v, String usage) {
        if (v == null) return Map.of();
        if (v instanceof Map<?, ?> m) return (Map<String, Object>) m;
        throw new IllegalArgumentException(usage + "; params must be an object");
    }

    private static PlaybookHost.VerdictCall verdict(Value[] a) {
        String usage = "verdict({cause, summary, fix, confidence, evidence}): ";
        if (a.length == 0 || !(JsValues.toJava(a[0]) instanceof Map<?, ?> m)) {
            throw new IllegalArgumentException(usage + "give an object, like verdict({cause: 'tcp.refused', summary: '...'})");
        }
        for (Object k : m.keySet()) {
            if (!List.of("cause", "summary", "fix", "confidence", "evidence", "id").contains(k)) {
                throw new IllegalArgumentException(usage + "unknown key '" + k + "'");
            }
        }
        if (!(m.get("cause") instanceof String cause)) {
            throw new IllegalArgumentException(usage + "'cause' is required: a code 'reach causes' lists, like 'tcp.refused' (or 'ok')");
        }
        List<String> evidence = new ArrayList<>();
        if (m.get("evidence") instanceof List<?> l) {
            for (Object e : l) evidence.add(e instanceof Map<?, ?> obs && obs.get("id") instanceof String id ? id : Scope.text(e));
        } else if (m.get("evidence") != null) {
            throw new IllegalArgumentException(usage + "'evidence' is an array of results (or step ids, or lines)");
        }
        return new PlaybookHost.VerdictCall(stepId(m.get("id")), cause, str(m.get("summary")), str(m.get("fix")),
                m.get("confidence") == null ? "likely" : str(m.get("confidence")), evidence);
    }

    private static String str(Object v) {
        return v == null ? "" : Scope.text(v);
    }

    private static Duration duration(Value[] a) {
        if (a.length == 0) throw new IllegalArgumentException("sleep(duration): give milliseconds or a duration like '500ms'");
        Object v = JsValues.toJava(a[0]);
        if (v instanceof Number n) return Duration.ofMillis(Math.max(0, n.longValue()));
        return (Duration) ParamType.DURATION.convert(v);
    }
}
