package dev.reach.core.script;

import com.code_intelligence.jazzer.junit.FuzzTest;

import java.util.List;
import java.util.Map;

/**
 * Fuzz target for the expression subset reach evaluates without the script engine ({@link SimpleExpr}): any text
 * either parses or is left to the engine, and a parsed tree evaluates to a value or hands over to the engine
 * ({@link SimpleExpr.Fallback}, also wherever JavaScript would throw); never another exception. Seeds
 * under {@code src/test/resources/dev/reach/core/script/ExpressionFuzzTestInputs/} run in every build; fuzzing for
 * real: {@code JAZZER_FUZZ=1 ./mvnw -pl engine/core test -Dtest=ExpressionFuzzTest}.
 */
class ExpressionFuzzTest {
    private static final Scope SCOPE = new Scope(Map.of("host", "198.18.0.2", "port", 5432L, "ports", List.of(22L, 80L)),
            Map.of("connect", Map.of("status", "fail", "cause", "tcp.refused", "ok", false,
                    "facts", Map.of("connect_ms", 1.5, "addresses", List.of("198.18.0.2"), "outcome", "refused"))),
            Map.of("port", 80L));

    @FuzzTest(maxDuration = "20s")
    void simpleExpressions(String source) {
        if (source == null) return;   // an Expr always has text
        var tree = SimpleExpr.parse(source);
        if (tree.isEmpty()) return;   // not in the subset: the script engine would take it
        try {
            SimpleExpr.eval(tree.get(), SCOPE);
        } catch (SimpleExpr.Fallback engineDecides) {
            // the subset hands over (what JavaScript would throw is the engine's to say)
        }
    }
}
