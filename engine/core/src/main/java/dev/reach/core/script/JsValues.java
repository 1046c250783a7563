package dev.reach.core.script;

import org.graalvm.polyglot.Value;
import org.graalvm.polyglot.proxy.ProxyArray;
import org.graalvm.polyglot.proxy.ProxyObject;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Values across the sandbox wall, both ways as plain data: Java maps and lists become proxy objects and
 * arrays, JavaScript objects and arrays become maps and lists of String, Long, Double, Boolean and null.
 * No host object ever reaches a script.
 */
final class JsValues {
    /** Elements or members read from one script value at most (a huge array is cut, not copied). */
    static final int MAX_ELEMENTS = 100_000;

    private JsValues() {
    }

    static Object toGuest(Object v) {
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
        return v.toString();
    }

    static Object toJava(Value v) {
        return toJava(v, 0);
    }

    private static Object toJava(Value v, int depth) {
        if (v == null || v.isNull()) return null;
        if (v.isBoolean()) return v.asBoolean();
        if (v.isNumber()) {
            if (v.fitsInLong()) return v.asLong();
            return v.asDouble();
        }
        if (v.isString()) return v.asString();
        if (depth > 32) return "[nested too deep]";
        if (v.hasArrayElements()) {
            List<Object> out = new ArrayList<>();
            for (long i = 0; i < v.getArraySize() && i < MAX_ELEMENTS; i++) out.add(toJava(v.getArrayElement(i), depth + 1));
            return out;
        }
        if (v.hasMembers() && !v.canExecute()) {
            Map<String, Object> out = new LinkedHashMap<>();
            for (String k : v.getMemberKeys()) {
                if (out.size() >= MAX_ELEMENTS) break;
                out.put(k, toJava(v.getMember(k), depth + 1));
            }
            return out;
        }
        return v.toString();
    }
}
