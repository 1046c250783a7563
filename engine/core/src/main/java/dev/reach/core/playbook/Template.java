package dev.reach.core.playbook;


import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A value that may hold {@code ${expression}} parts. A value that is exactly one {@code ${...}} keeps the
 * expression's type (a number, a list); anything else renders as text. A value with no {@code ${} is a literal.
 */
public final class Template {
    /** A piece of a template: literal text or an expression. */
    public sealed interface Part permits Text, Code {
    }

    public record Text(String text) implements Part {
    }

    public record Code(Expr expr) implements Part {
    }

    private final Object literal;
    private final List<Part> parts;

    private Template(Object literal, List<Part> parts) {
        this.literal = literal;
        this.parts = parts;
    }

    /** A non-text literal (number, boolean, list) or text without expressions. */
    public static Template literal(Object value) {
        return new Template(value, List.of());
    }

    /**
     * Parses text that may contain {@code ${...}}; {@code pos} is where the text's first character stands.
     *
     * @throws IllegalArgumentException with the column offset in the message when a {@code ${} is not closed
     */
    public static Template parse(String text, SourcePos pos) {
        if (!text.contains("${")) {
            return literal(text);
        }
        List<Part> parts = new ArrayList<>();
        int i = 0;
        while (i < text.length()) {
            int open = text.indexOf("${", i);
            if (open < 0) {
                parts.add(new Text(text.substring(i)));
                break;
            }
            if (open > i) {
                parts.add(new Text(text.substring(i, open)));
            }
            int close = matchingBrace(text, open + 2);
            if (close < 0) {
                throw new UnclosedException(open, "'${' at column " + pos.plusColumns(open).col() + " is never closed; end the expression with '}'");
            }
            String code = text.substring(open + 2, close);
            if (code.isBlank()) {
                throw new UnclosedException(open, "empty expression '${}'; write one like ${inputs.host}");
            }
            parts.add(new Code(new Expr(code, pos.plusColumns(open + 2))));
            i = close + 1;
        }
        return new Template(null, List.copyOf(parts));
    }

    /** Thrown by {@link #parse} for a malformed template. */
    public static final class UnclosedException extends IllegalArgumentException {
        private final int offset;

        UnclosedException(int offset, String message) {
            super(message);
            this.offset = offset;
        }

        public int offset() {
            return offset;
        }
    }

    private static int matchingBrace(String s, int from) {
        int depth = 0;
        char quote = 0;
        for (int i = from; i < s.length(); i++) {
            char c = s.charAt(i);
            if (quote != 0) {
                if (c == '\\') i++;
                else if (c == quote) quote = 0;
            } else if (c == '\'' || c == '"' || c == '`') {
                quote = c;
            } else if (c == '{') {
                depth++;
            } else if (c == '}') {
                if (depth == 0) return i;
                depth--;
            }
        }
        return -1;
    }

    public boolean isLiteral() {
        return parts.isEmpty();
    }

    /** The literal value, for templates without expressions. */
    public Optional<Object> literalValue() {
        return isLiteral() ? Optional.ofNullable(literal) : Optional.empty();
    }

    /** Every expression in this template. */
    public List<Expr> exprs() {
        return parts.stream().filter(Code.class::isInstance).map(p -> ((Code) p).expr()).toList();
    }

    public List<Part> parts() {
        return parts;
    }

    @Override
    public String toString() {
        if (isLiteral()) return String.valueOf(literal);
        StringBuilder sb = new StringBuilder();
        for (Part p : parts) {
            switch (p) {
                case Text t -> sb.append(t.text());
                case Code c -> sb.append("${").append(c.expr().source()).append('}');
            }
        }
        return sb.toString();
    }
}
