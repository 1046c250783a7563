package dev.reach.core.script;

import dev.reach.core.script.SimpleExpr.Fallback;

import java.util.regex.Pattern;

/**
 * JavaScript regular expression literals, for {@code /re/.test(s)} in the expression subset: the part of the
 * syntax where a {@link Pattern} means exactly what JavaScript means once translated — literal characters,
 * {@code . ^ $}, {@code \d \D \w \W}, escaped punctuation, character classes of literals and ranges, groups,
 * {@code |}, and the quantifiers {@code * + ? {n} {n,} {n,m}} (greedy or lazy). No flags. Anything else
 * ({@code \s}, {@code \b}, back-references, lookaround, Annex B oddities, non-ASCII) is left to GraalJS.
 * Translation pins the differences: JavaScript's {@code $} is the end of input ({@code \z}), its {@code .}
 * excludes only the four line terminators (LF, CR, U+2028, U+2029), and every punctuation character is escaped for Java, so a Java
 * class operator such as {@code &&} or a nested {@code [} can never arise.
 */
final class SimpleRegex {
    private final String s;
    private final StringBuilder out = new StringBuilder();
    private int pos;
    private int depth;

    private SimpleRegex(String s) {
        this.s = s;
    }

    /** The literal starting at {@code start} (its opening slash): the compiled pattern and the index after it. */
    record Literal(Pattern pattern, int end) {
    }

    static Literal parse(String source, int start) {
        int i = start + 1;
        boolean inClass = false;
        while (true) {
            if (i >= source.length()) throw new Fallback();
            char c = source.charAt(i);
            if (c == '\n' || c == '\r') throw new Fallback();
            if (c == '\\') {
                i += 2;
                continue;
            }
            if (c == '[') inClass = true;
            else if (c == ']') inClass = false;
            else if (c == '/' && !inClass) break;
            i++;
        }
        String body = source.substring(start + 1, i);
        int end = i + 1;
        if (end < source.length() && (Character.isLetterOrDigit(source.charAt(end)) || source.charAt(end) == '_' || source.charAt(end) == '$')) {
            throw new Fallback(); // flags
        }
        if (body.isEmpty()) throw new Fallback(); // "//" is a comment
        try {
            return new Literal(Pattern.compile(new SimpleRegex(body).translate()), end);
        } catch (java.util.regex.PatternSyntaxException e) {
            throw new Fallback(); // never expected (the subset translates to valid Java), but the engine decides, not a crash
        }
    }

    private String translate() {
        alternatives();
        if (pos != s.length() || depth != 0) throw new Fallback();
        return out.toString();
    }

    private void alternatives() {
        sequence();
        while (pos < s.length() && s.charAt(pos) == '|') {
            out.append('|');
            pos++;
            sequence();
        }
    }

    private void sequence() {
        while (pos < s.length() && s.charAt(pos) != '|' && s.charAt(pos) != ')') {
            char c = s.charAt(pos);
            if (c == '^' || c == '$') {
                out.append(c == '^' ? "^" : "\\z");
                pos++;
                continue; // assertions take no quantifier in the subset
            }
            atom();
            quantifier();
        }
    }

    private void atom() {
        char c = s.charAt(pos);
        if (c >= 128) throw new Fallback();
        switch (c) {
            case '.' -> {
                out.append("[^\\n\\r\\u2028\\u2029]");
                pos++;
            }
            case '(' -> {
                pos++;
                if (pos < s.length() && s.charAt(pos) == '?') {
                    if (!s.startsWith("?:", pos)) throw new Fallback(); // lookaround, named groups
                    pos += 2;
                    out.append("(?:");
                } else {
                    out.append('(');
                }
                depth++;
                alternatives();
                if (pos >= s.length() || s.charAt(pos) != ')') throw new Fallback();
                pos++;
                depth--;
                out.append(')');
            }
            case '[' -> characterClass();
            case '\\' -> out.append(escape(false));
            case '*', '+', '?', '{', '}', ']', ')' -> throw new Fallback(); // nothing to repeat, or Annex B literals
            default -> {
                out.append(literal(c));
                pos++;
            }
        }
    }

    private void quantifier() {
        if (pos >= s.length()) return;
        char c = s.charAt(pos);
        if (c == '*' || c == '+' || c == '?') {
            out.append(c);
            pos++;
        } else if (c == '{') {
            int close = s.indexOf('}', pos);
            if (close < 0) throw new Fallback();
            String inner = s.substring(pos + 1, close);
            if (!inner.matches("\\d{1,4}(,\\d{0,4})?")) throw new Fallback();
            String[] parts = inner.split(",", -1);
            if (parts.length == 2 && !parts[1].isEmpty() && Integer.parseInt(parts[1]) < Integer.parseInt(parts[0])) {
                throw new Fallback(); // out of order: a SyntaxError the engine words
            }
            out.append('{').append(inner).append('}');
            pos = close + 1;
        } else {
            return;
        }
        if (pos < s.length() && s.charAt(pos) == '?') { // lazy
            out.append('?');
            pos++;
        }
        if (pos < s.length() && "*+?{".indexOf(s.charAt(pos)) >= 0) throw new Fallback(); // nothing to repeat
    }

    private void characterClass() {
        pos++; // [
        out.append('[');
        if (pos < s.length() && s.charAt(pos) == '^') {
            out.append('^');
            pos++;
        }
        if (pos < s.length() && s.charAt(pos) == ']') throw new Fallback(); // [] and [^]: no Java equivalent
        while (true) {
            if (pos >= s.length()) throw new Fallback();
            char c = s.charAt(pos);
            if (c == ']') {
                pos++;
                out.append(']');
                return;
            }
            String from = classChar();
            if (pos + 1 < s.length() && s.charAt(pos) == '-' && s.charAt(pos + 1) != ']') {
                pos++;
                String to = classChar();
                if (from.length() > 2 || to.length() > 2) throw new Fallback(); // \d-x
                if (member(to) < member(from)) throw new Fallback();           // out of order: the engine's SyntaxError
                out.append(from).append('-').append(to);
            } else {
                out.append(from);
            }
        }
    }

    /** The character a one-character member stands for: {@code a}, or the escaped {@code -} of {@code \-}. */
    private static char member(String translated) {
        return translated.charAt(translated.length() - 1);
    }

    /** One member of a class: a literal (escaped for Java) or \d / \w. */
    private String classChar() {
        char c = s.charAt(pos);
        if (c >= 128 || c == '[') throw new Fallback();
        if (c == '\\') {
            String e = escape(true);
            return e;
        }
        pos++;
        return literal(c);
    }

    /** The escape at pos, translated; {@code inClass} gives \d and \w without their brackets. */
    private String escape(boolean inClass) {
        if (pos + 1 >= s.length()) throw new Fallback();
        char e = s.charAt(pos + 1);
        pos += 2;
        return switch (e) {
            case 'd' -> inClass ? "0-9" : "[0-9]";
            case 'w' -> inClass ? "A-Za-z0-9_" : "[A-Za-z0-9_]";
            case 'D' -> {
                if (inClass) throw new Fallback();
                yield "[^0-9]";
            }
            case 'W' -> {
                if (inClass) throw new Fallback();
                yield "[^A-Za-z0-9_]";
            }
            default -> {
                if ("\\/.-^$*+?()[]{}|".indexOf(e) < 0) throw new Fallback(); // \s, \b, \n, back-references, unicode escapes: the engine's
                yield "\\" + e;
            }
        };
    }

    private static String literal(char c) {
        if (c < 32 || c == 127) throw new Fallback();
        return Character.isLetterOrDigit(c) ? String.valueOf(c) : "\\" + c;
    }
}
