package dev.reach.core.script;

import dev.reach.core.playbook.Fixtures;
import dev.reach.core.playbook.SourcePos;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The Java-side subset must mean exactly what GraalJS means: each case is evaluated both ways and compared. */
class SimpleExprTest {
    static final JsExpressions ENGINE = Fixtures.expressions();
    static final Scope SCOPE = scope();

    static Scope scope() {
        Map<String, Object> facts = new LinkedHashMap<>();
        facts.put("n", 8);
        facts.put("ms", 12.5);
        facts.put("note", "n=4");
        facts.put("none", null);
        facts.put("zero", 0L);
        facts.put("num_text", "42");
        facts.put("list", List.of(1L, 2L));
        Map<String, Object> a = new LinkedHashMap<>();
        a.put("status", "fail");
        a.put("cause", "tcp.refused");
        a.put("ok", false);
        a.put("facts", facts);
        Map<String, Object> inputs = new LinkedHashMap<>();
        inputs.put("port", 5432L);
        inputs.put("host", "127.0.0.1");
        inputs.put("timeout", Duration.ofSeconds(3));
        inputs.put("ports", List.of(22L, 80L));
        inputs.put("flag", true);
        return new Scope(inputs, Map.of("a", a), Map.of("item", 7L));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
            "steps.a.status == 'fail'", "steps.a.status === 'ok'", "steps.a.status != 'ok' && inputs.port > 1024",
            "steps.a.cause == null", "steps.a.cause === null", "steps.a.facts.none == undefined", "steps.a.facts.none === undefined",
            "steps.a.facts.missing === undefined", "steps.a.facts.missing == null", "steps.a.facts.missing === null",
            "steps.a.facts.n * 2", "steps.a.facts.n / 3", "steps.a.facts.n % 3", "steps.a.facts.ms + 1", "steps.a.facts.n - 10",
            "steps.a.facts.num_text == 42", "steps.a.facts.num_text === 42", "steps.a.facts.num_text > 9", "'10' < '9'",
            "'a' + steps.a.facts.n", "'x' + steps.a.facts.ms", "'v=' + steps.a.facts.none", "'v=' + steps.a.facts.missing",
            "inputs.timeout", "inputs.timeout == '3s'", "inputs.ports.length", "inputs.ports[1]", "inputs.ports[5]",
            "inputs.host.length", "steps.a.facts['note']", "!steps.a.ok", "!!steps.a.facts.note", "-steps.a.facts.n",
            "steps.a.ok ? 'yes' : 'no'", "steps.a.facts.zero || 'fallback'", "steps.a.facts.n && steps.a.facts.note",
            "true == 1", "false == ''", "null == 0", "item + 1", "item > 5 && item < 10", "(1 + 2) * 3", "1 / 0", "0 / 0",
            "0.1 + 0.2", "steps.a.facts.n >= 8 ? steps.a.facts.n : -1", "inputs.flag == true", "10 % 4 == 2", "'b' >= 'a'",
            "steps.a.facts.missing > 1", "steps.a.facts.list == steps.a.facts.list", "steps.a.facts.missing.deeper",
            "nosuchname", "-0", "1e3", "0x10", "steps.a.facts.n ** 2", "steps?.a", "inputs.ports.includes(22)"})
    void meansWhatGraalJsMeans(String source) {
        Expr expr = new Expr(source, new SourcePos("t.yaml", 1, 1));
        Object engine = engine(expr);
        var tree = SimpleExpr.parse(source);
        if (tree.isEmpty()) {
            return; // outside the subset: the engine decides, nothing to compare
        }
        Object simple;
        try {
            simple = SimpleExpr.eval(tree.get(), SCOPE);
        } catch (SimpleExpr.Fallback f) {
            return; // left to the engine on purpose
        }
        assertThat(simple).as(source).isEqualTo(engine);
    }

    /** The engine's answer (the expression wrapped so it cannot take the Java path), or the error's class. */
    static Object engine(Expr expr) {
        try {
            return ENGINE.eval(new Expr("(() => (" + expr.source() + "))()", expr.pos()), SCOPE);
        } catch (ExprException e) {
            return "error";
        }
    }

    @Test
    void theUsualConditionsAreInTheSubset() {
        for (String s : List.of("steps.connect.status == 'fail'", "steps.a.facts.n > 100 && steps.b.status == 'skipped'",
                "inputs.port != 22 || !steps.x.ok", "steps.c.duration_ms / 1000 > 1.5 ? 'slow' : 'fast'")) {
            assertThat(SimpleExpr.parse(s)).as(s).isPresent();
        }
    }

    @Test
    void invalidOrUnknownSyntaxIsLeftToTheEngine() {
        for (String s : Arrays.asList("steps.a.status ==", "a = 1", "a => a", "x.filter(p => p)", "`t`", "a ?? b", "if", "a // c",
                "'it\\'s'", "012", "a..b", "a[b]")) {
            assertThat(SimpleExpr.parse(s)).as(s).isEmpty();
        }
    }
}
