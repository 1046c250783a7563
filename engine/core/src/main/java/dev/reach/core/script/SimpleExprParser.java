package dev.reach.core.script;

import dev.reach.core.script.SimpleExpr.ArrayLit;
import dev.reach.core.script.SimpleExpr.Arrow;
import dev.reach.core.script.SimpleExpr.Binary;
import dev.reach.core.script.SimpleExpr.Call;
import dev.reach.core.script.SimpleExpr.Chain;
import dev.reach.core.script.SimpleExpr.Cond;
import dev.reach.core.script.SimpleExpr.Fallback;
import dev.reach.core.script.SimpleExpr.Lit;
import dev.reach.core.script.SimpleExpr.Member;
import dev.reach.core.script.SimpleExpr.Name;
import dev.reach.core.script.SimpleExpr.Node;
import dev.reach.core.script.SimpleExpr.Regex;
import dev.reach.core.script.SimpleExpr.Unary;

import java.util.ArrayList;
import java.util.List;

/**
 * Recursive descent over the subset; any token outside it throws {@link Fallback}. A {@code ??} chain is tried
 * before the other form at each level (see {@link #shortCircuit}), so the work doubles with each nesting: deeper
 * than {@link #MAX_DEPTH}, or past {@link #MAX_WORK} steps in all, the expression is the script engine's (fuzzing
 * found {@code steps.d[[[[…]]]]} taking minutes).
 */
final class SimpleExprParser {
    static final int MAX_DEPTH = 12;
    static final int MAX_WORK = 100_000;
    private final String s;
    int pos;
    private int depth;
    private int work;

    SimpleExprParser(String s) {
        this.s = s;
    }

    Node ternary() {
        if (++depth > MAX_DEPTH || ++work > MAX_WORK) throw new Fallback();
        try {
            Node test = shortCircuit();
            if (!peek("??") && !peek("?.") && eat("?")) {
                Node then = ternary();
                if (!eat(":")) throw new Fallback();
                return new Cond(test, then, ternary());
            }
            return test;
        } finally {
            depth--;
        }
    }

    /**
     * {@code a || b} or {@code a ?? b}: JavaScript does not let {@code ??} mix with {@code || &&} without
     * parentheses, so a {@code ??} chain is tried first over operands of equality level and below, and the
     * other form is parsed when none follows.
     */
    private Node shortCircuit() {
        if (++work > MAX_WORK) throw new Fallback();
        int start = pos;
        Node head = binary(2);
        if (peek("??")) {
            while (peek("??")) {
                pos += 2;
                head = new Binary("??", head, binary(2));
            }
            if (peek("||") || peek("&&")) throw new Fallback(); // a SyntaxError: the engine words it
            return head;
        }
        pos = start;
        Node n = binary(0);
        if (peek("??")) throw new Fallback();
        return n;
    }

    private boolean peek(String t) {
        skipSpace();
        return s.startsWith(t, pos);
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
        boolean optional = false;
        while (true) {
            skipSpace();
            if (n instanceof Regex && !s.startsWith(".test(", pos)) throw new Fallback(); // a RegExp as a value
            boolean opt = s.startsWith("?.", pos) && !(pos + 2 < s.length() && digit(s.charAt(pos + 2)));
            if (opt || (s.startsWith(".", pos) && !s.startsWith("...", pos))) {
                pos += opt ? 2 : 1;
                skipSpace();
                optional |= opt;
                if (opt && eat("[")) { // a?.[0]
                    n = new Member(n, index(), true);
                    continue;
                }
                if (pos < s.length() && (s.charAt(pos) == '[' || s.charAt(pos) == '(')) throw new Fallback(); // a.[ a?.(
                String name = identifier();
                skipSpace();
                if (pos < s.length() && s.charAt(pos) == '(') {
                    if (opt) throw new Fallback(); // a?.f(): optional calls are the engine's
                    pos++;
                    n = new Call(n, name, arguments());
                } else {
                    n = new Member(n, name, opt);
                }
            } else if (eat("[")) {
                n = new Member(n, index(), false);
            } else if (pos < s.length() && (s.charAt(pos) == '(' || s.charAt(pos) == '`')) {
                throw new Fallback(); // calls of expressions, tagged templates
            } else {
                return optional ? new Chain(n) : n;
            }
        }
    }

    /** The key after an opening bracket, up to the closing one: a string or an integer literal. */
    private Object index() {
        boolean negative = eat("-");
        Node key = primary();
        if (!eat("]")) throw new Fallback();
        if (!(key instanceof Lit(Object k)) || !(k instanceof String || k instanceof Long)) throw new Fallback();
        if (negative && !(k instanceof Long)) throw new Fallback();
        return negative ? -(Long) k : k; // a[-1] reads the property "-1"; a[-0] is a[0]
    }

    /** Call arguments after the opening parenthesis: expressions, or an arrow function {@code x => ...}. */
    private List<Node> arguments() {
        List<Node> args = new ArrayList<>();
        if (eat(")")) return args;
        while (true) {
            skipSpace();
            int start = pos;
            Node arg = null;
            if (pos < s.length() && Character.isLetter(s.charAt(pos))) {
                String param = identifier();
                if (peek("=>")) {
                    if (SimpleExpr.RESERVED.contains(param) || List.of("inputs", "steps", "undefined", "Number").contains(param)) {
                        throw new Fallback();
                    }
                    pos += 2;
                    skipSpace();
                    if (pos < s.length() && s.charAt(pos) == '{') throw new Fallback(); // a block body
                    arg = new Arrow(param, ternary());
                } else {
                    pos = start;
                }
            }
            args.add(arg != null ? arg : ternary());
            if (eat(")")) return args;
            if (!eat(",") || peek(")")) throw new Fallback(); // a trailing comma
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
        if (c == '[') {
            pos++;
            List<Node> elements = new ArrayList<>();
            if (eat("]")) return new ArrayLit(elements);
            while (true) {
                if (peek(",") || peek("...")) throw new Fallback(); // holes, spread
                elements.add(ternary());
                if (eat("]")) return new ArrayLit(elements);
                if (!eat(",") || peek("]")) throw new Fallback(); // a trailing comma
            }
        }
        if (c == '/') {
            SimpleRegex.Literal re = SimpleRegex.parse(s, pos);
            pos = re.end();
            return new Regex(re.pattern());
        }
        if (c == '\'' || c == '"') {
            int end = s.indexOf(c, pos + 1);
            if (end < 0) throw new Fallback();
            String text = s.substring(pos + 1, end);
            if (text.contains("\\") || text.contains("\n") || text.contains("\r")) throw new Fallback();
            pos = end + 1;
            return new Lit(text);
        }
        if (digit(c)) {
            int start = pos;
            while (pos < s.length() && digit(s.charAt(pos))) pos++;
            if (pos < s.length() && s.charAt(pos) == '.') {
                pos++;
                while (pos < s.length() && digit(s.charAt(pos))) pos++;
            }
            String num = s.substring(start, pos);
            if ((num.length() > 1 && num.startsWith("0") && !num.startsWith("0.")) || num.endsWith(".") || num.length() > 15
                    || (pos < s.length() && (Character.isLetterOrDigit(s.charAt(pos)) || s.charAt(pos) == '_' || s.charAt(pos) == '$'))) {
                throw new Fallback(); // octal, 1., exponents, hex, separators, huge numbers
            }
            return new Lit(SimpleExpr.normal(Double.parseDouble(num)));
        }
        String id = identifier();
        if (id.equals("Number") && peek("(")) {
            pos++;
            return new Call(null, id, arguments());
        }
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

    /** A JavaScript decimal digit: 0-9 only (Character.isDigit takes every script's digits, which no number parse reads). */
    private static boolean digit(char c) {
        return c >= '0' && c <= '9';
    }
}
