package dev.reach.shell.history;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The history's facts and figures as flat JSON objects ({@code {"address":"198.18.2.2 (hosts)"}}, {@code {"rtt_ms":0.4}}),
 * readable by any SQLite client. Written and read here rather than through Jackson's object mapper: making one costs a
 * cold start more than the whole history read before a report.
 */
final class FlatJson {
    private FlatJson() {
    }

    static String write(Map<String, ?> map) {
        StringBuilder b = new StringBuilder("{");
        for (var e : map.entrySet()) {
            if (b.length() > 1) b.append(',');
            string(b, e.getKey()).append(':');
            Object v = e.getValue();
            if (v == null) b.append("null");
            else if (v instanceof Number n) b.append(Double.isFinite(n.doubleValue()) ? number(n.doubleValue()) : "null");
            else string(b, String.valueOf(v));
        }
        return b.append('}').toString();
    }

    private static String number(double d) {
        return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) + ".0" : Double.toString(d);
    }

    private static StringBuilder string(StringBuilder b, String s) {
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) b.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    else b.append(c);
                }
            }
        }
        return b.append('"');
    }

    /** A flat object's members: texts as String, numbers as Double, null as null; anything nested is an error. */
    static Map<String, Object> read(String json) {
        Map<String, Object> out = new LinkedHashMap<>();
        int[] at = {skip(json, 0)};
        expect(json, at, '{');
        if (peek(json, at) == '}') {
            at[0]++;
            return out;
        }
        while (true) {
            String key = text(json, at);
            expect(json, at, ':');
            char c = peek(json, at);
            Object value;
            if (c == '"') {
                value = text(json, at);
            } else if (json.startsWith("null", at[0])) {
                at[0] += 4;
                value = null;
            } else {
                int start = at[0];
                while (at[0] < json.length() && "+-0123456789.eE".indexOf(json.charAt(at[0])) >= 0) at[0]++;
                try {
                    value = Double.parseDouble(json.substring(start, at[0]));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("no value at " + start);
                }
            }
            out.put(key, value);
            char next = peek(json, at);
            at[0]++;
            if (next == '}') return out;
            if (next != ',') throw new IllegalArgumentException("',' or '}' expected at " + (at[0] - 1));
        }
    }

    private static String text(String json, int[] at) {
        expect(json, at, '"');
        StringBuilder b = new StringBuilder();
        while (at[0] < json.length()) {
            char c = json.charAt(at[0]++);
            if (c == '"') return b.toString();
            if (c != '\\') {
                b.append(c);
                continue;
            }
            if (at[0] >= json.length()) break;
            char e = json.charAt(at[0]++);
            switch (e) {
                case 'n' -> b.append('\n');
                case 'r' -> b.append('\r');
                case 't' -> b.append('\t');
                case 'b' -> b.append('\b');
                case 'f' -> b.append('\f');
                case 'u' -> {
                    if (at[0] + 4 > json.length()) throw new IllegalArgumentException("a short \\u escape");
                    b.append((char) Integer.parseInt(json.substring(at[0], at[0] + 4), 16));
                    at[0] += 4;
                }
                default -> b.append(e);   // \" \\ \/
            }
        }
        throw new IllegalArgumentException("a text that does not end");
    }

    private static char peek(String json, int[] at) {
        at[0] = skip(json, at[0]);
        if (at[0] >= json.length()) throw new IllegalArgumentException("the text ends early");
        return json.charAt(at[0]);
    }

    private static void expect(String json, int[] at, char c) {
        if (peek(json, at) != c) throw new IllegalArgumentException("'" + c + "' expected at " + at[0]);
        at[0]++;
    }

    private static int skip(String json, int i) {
        while (i < json.length() && Character.isWhitespace(json.charAt(i))) i++;
        return i;
    }
}
