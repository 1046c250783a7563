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
            return new GuestArray(out);
        }
        if (v instanceof Integer i) return i.longValue();
        if (v instanceof java.time.Duration d) return dev.reach.spi.ParamType.format(d); // as the user wrote it: "3s"
        if (v == null || v instanceof String || v instanceof Number || v instanceof Boolean) return v;
        return v.toString();
    }

    /**
     * A list as a script's array. Unlike {@link ProxyArray#fromList}, whose out-of-range read escapes as a
     * host exception, a read past either end throws {@link ArrayIndexOutOfBoundsException}, which the engine
     * turns into JavaScript's answer: undefined ({@code list[5]} of two items). A write at the end appends ({@code push}).
     */
    private record GuestArray(List<Object> values) implements ProxyArray {
        @Override
        public Object get(long index) {
            return values.get(checked(index, values.size()));
        }

        @Override
        public void set(long index, Value value) {
            Object v = value.isHostObject() ? value.asHostObject() : value;
            if (index == values.size()) {
                values.add(v);
            } else {
                values.set(checked(index, values.size()), v);
            }
        }

        @Override
        public boolean remove(long index) {
            values.remove(checked(index, values.size()));
            return true;
        }

        @Override
        public long getSize() {
            return values.size();
        }

        private static int checked(long index, int size) {
            if (index < 0 || index >= size) throw new ArrayIndexOutOfBoundsException((int) Math.min(index, Integer.MAX_VALUE));
            return (int) index;
        }
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
