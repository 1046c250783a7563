package dev.reach.core.playbook;


import java.util.regex.Pattern;

/**
 * One expression as written in a playbook ({@code steps.connect.status == 'fail'}), JavaScript syntax,
 * with where it stands. Simple property paths ({@code inputs.host}) are marked so the evaluator can read
 * them without starting the script engine; they mean exactly what they mean in JavaScript.
 */
public record Expr(String source, SourcePos pos) {
    private static final Pattern PATH = Pattern.compile("[A-Za-z_$][\\w$]*(?:\\.[A-Za-z_$][\\w$]*)*");

    public Expr {
        source = source.strip();
    }

    /** Words that read like a name but are JavaScript values: {@code when: true} is the value true, not a name. */
    private static final java.util.Set<String> LITERALS = java.util.Set.of("true", "false", "null", "undefined", "NaN", "Infinity");

    /** A plain property path, like {@code steps.connect.facts.connect_ms}. */
    public boolean isPath() {
        return PATH.matcher(source).matches() && !LITERALS.contains(source.split("\\.", 2)[0]);
    }

    /** The name a path starts from ({@code steps} in {@code steps.connect.ok}); meaningful when {@link #isPath()}. */
    public String root() {
        return source.split("\\.", 2)[0];
    }

    @Override
    public String toString() {
        return source;
    }
}
