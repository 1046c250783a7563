package dev.reach.core.script;

import dev.reach.core.script.SimpleExpr.Binary;
import dev.reach.core.script.SimpleExpr.Cond;
import dev.reach.core.script.SimpleExpr.Fallback;
import dev.reach.core.script.SimpleExpr.Lit;
import dev.reach.core.script.SimpleExpr.Member;
import dev.reach.core.script.SimpleExpr.Name;
import dev.reach.core.script.SimpleExpr.Node;
import dev.reach.core.script.SimpleExpr.Unary;

import java.util.List;

/** Recursive descent over the subset; any token outside it throws {@link Fallback}. */
final class SimpleExprParser {
    private final String s;
    int pos;

    SimpleExprParser(String s) {
        this.s = s;
    }

    Node ternary() {
        Node test = binary(0);
        if (eat("?")) {
            Node then = ternary();
            if (!eat(":")) throw new Fallback();
            return new Cond(test, then, ternary());
        }
        return test;
    }

    private static final List<List<String>> LEVELS = List.of(List.of("||"), List.of("&&"),
            List.of("===", "!==", "==", "!="), List.of("<=", ">=", "<", ">"), List.of("+", "-"), List.of("*", "/", "%"));

    Node binary(int level) {
        if (level == LEVELS.size()) return unary();
        Node left = binary(level + 1);
        for (String op = operator(LEVELS.get(level)); op != null; op = operator(LEVELS.get(level))) {
            left = new Binary(op, left, binary(level + 1));
        }
        return left;
    }

    private static final List<String> PUNCTUATORS = List.of(">>>=", "===", "!==", "**=", "<<=", ">>=", ">>>", "&&=",
            "||=", "??=", "...", "==", "!=", "<=", ">=", "&&", "||", "??", "=>", "**", "++", "--", "<<", ">>", "+=",
            "-=", "*=", "/=", "%=", "&=", "|=", "^=", "?.", "<", ">", "+", "-", "*", "/", "%", "=", "&", "|", "^");

    /** The operator here if it is one of {@code ops} (by longest match, so {@code <<} is never {@code <}). */
    private String operator(List<String> ops) {
        skipSpace();
        for (String p : PUNCTUATORS) {
            if (s.startsWith(p, pos)) {
                if (!ops.contains(p)) return null;
                pos += p.length();
                return p;
            }
        }
        return null;
    }

    Node unary() {
        skipSpace();
        if (pos < s.length() && "!-+".indexOf(s.charAt(pos)) >= 0) {
            char op = s.charAt(pos++);
            if (pos < s.length() && (s.charAt(pos) == op && op != '!')) throw new Fallback(); // -- ++
            return new Unary(op, unary());
        }
        return postfix(primary());
    }

    Node postfix(Node n) {
        while (true) {
            skipSpace();
            if (eat(".")) {
                skipSpace();
                n = new Member(n, identifier());
            } else if (eat("[")) {
                skipSpace();
                Node key = primary();
                if (!eat("]")) throw new Fallback();
                if (!(key instanceof Lit(Object k)) || !(k instanceof String || k instanceof Long)) throw new Fallback();
                n = new Member(n, k);
            } else if (pos < s.length() && (s.charAt(pos) == '(' || s.charAt(pos) == '`' || s.startsWith("?.", pos))) {
                throw new Fallback(); // calls, tagged templates, optional chaining
            } else {
                return n;
            }
        }
    }

    Node primary() {
        skipSpace();
        if (pos >= s.length()) throw new Fallback();
        char c = s.charAt(pos);
        if (c == '(') {
            pos++;
            Node n = ternary();
            if (!eat(")")) throw new Fallback();
            return n;
        }
        if (c == '\'' || c == '"') {
            int end = s.indexOf(c, pos + 1);
            if (end < 0) throw new Fallback();
            String text = s.substring(pos + 1, end);
            if (text.contains("\\") || text.contains("\n") || text.contains("\r")) throw new Fallback();
            pos = end + 1;
            return new Lit(text);
        }
        if (Character.isDigit(c)) {
            int start = pos;
            while (pos < s.length() && Character.isDigit(s.charAt(pos))) pos++;
            if (pos < s.length() && s.charAt(pos) == '.') {
                pos++;
                while (pos < s.length() && Character.isDigit(s.charAt(pos))) pos++;
            }
            String num = s.substring(start, pos);
            if ((num.length() > 1 && num.startsWith("0") && !num.startsWith("0.")) || num.endsWith(".") || num.length() > 15
                    || (pos < s.length() && (Character.isLetterOrDigit(s.charAt(pos)) || s.charAt(pos) == '_' || s.charAt(pos) == '$'))) {
                throw new Fallback(); // octal, 1., exponents, hex, separators, huge numbers
            }
            return new Lit(SimpleExpr.normal(Double.parseDouble(num)));
        }
        String id = identifier();
        return switch (id) {
            case "true" -> new Lit(true);
            case "false" -> new Lit(false);
            case "null" -> new Lit(null);
            default -> {
                if (SimpleExpr.RESERVED.contains(id)) throw new Fallback();
                yield new Name(id);
            }
        };
    }

    String identifier() {
        int start = pos;
        while (pos < s.length() && (Character.isLetterOrDigit(s.charAt(pos)) || s.charAt(pos) == '_' || s.charAt(pos) == '$')
                && s.charAt(pos) < 128) {
            pos++;
        }
        if (pos == start || Character.isDigit(s.charAt(start))) throw new Fallback();
        if (pos < s.length() && s.charAt(pos) >= 128) throw new Fallback();
        return s.substring(start, pos);
    }

    boolean eat(String t) {
        skipSpace();
        if (s.startsWith(t, pos)) {
            pos += t.length();
            return true;
        }
        return false;
    }

    void skipSpace() {
        while (pos < s.length()) {
            char c = s.charAt(pos);
            if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
                pos++;
            } else if (s.startsWith("//", pos) || s.startsWith("/*", pos)) {
                throw new Fallback();
            } else {
                return;
            }
        }
    }
}
