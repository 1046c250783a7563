package dev.reach.core.script;

import dev.reach.core.playbook.Expr;
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
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
        facts.put("whole", 3.0);
        facts.put("nl", "198.18.0.1\n");
        facts.put("nel", "a\u0085c");
        facts.put("ls", "a\u2028c");
        facts.put("words", List.of("a", "b"));
        facts.put("mixed", java.util.Arrays.asList("x", null, 2L, 2.5, true));
        facts.put("items", List.of(Map.of("status", "ok", "port", 22L), Map.of("status", "fail", "port", 80L, "cause", "tcp.refused")));
        facts.put("empty", List.of());
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
            "nosuchname", "-0", "1e3", "0x10", "steps.a.facts.n ** 2", "steps?.a", "inputs.ports.includes(22)",
            // nullish coalescing and optional chaining
            "steps.a.facts.none ?? 'd'", "steps.a.facts.missing ?? 0", "steps.a.facts.zero ?? 5", "steps.a.facts.note ?? 'x'",
            "steps.b?.status", "steps.b?.facts.n", "steps.a?.facts.n", "(steps.b?.status ?? 'skipped') == 'skipped'",
            "steps.b?.facts.received ?? 0", "steps.a?.facts?.missing?.x", "steps.b.status", "steps.a.facts.none?.x",
            "a ?? b || c", "(steps.b?.x ?? 1) > 0 && (steps.a?.facts.n ?? 0) >= 8", "steps.a.facts.none ?? steps.a.facts.missing ?? 3",
            // arrays, calls
            "[]", "[1, 'a', null]", "[1, 2][5]", "[443, 8443].includes(Number(inputs.port))", "[5432].includes(inputs.port)",
            "inputs.ports.includes(80)", "inputs.ports.includes('80')", "steps.a.facts.words.join('')", "steps.a.facts.words.join()",
            "steps.a.facts.mixed.join('-')", "steps.a.facts.list.join(', ')", "[steps.a.status, steps.b?.status].join('|')",
            "inputs.ports.filter(p => p != inputs.port)", "inputs.ports.filter(p => p > 30)", "inputs.ports.map(p => p * 2)",
            "steps.a.facts.items.some(i => i.status == 'ok' || i.cause == 'tcp.refused')", "steps.a.facts.items.every(i => i.status == 'ok')",
            "steps.a.facts.items.find(i => i.port == 80).cause", "steps.a.facts.items.find(i => i.port == 1)",
            "(steps.b?.items || []).some(i => i.status == 'ok')", "steps.a.facts.empty.length", "!(steps.a.facts.empty || []).length",
            "(steps.a.facts.missing || [])[0] || inputs.host", "inputs.ports.filter(item => item > 0).length", "item",
            "inputs.host.includes(':')", "inputs.host.startsWith('127.')", "inputs.host.endsWith('.1')", "inputs.host.includes(1)",
            "Number(inputs.port)", "Number('12')", "Number('x')", "Number(null)", "Number(true)", "Number()", "Number(' 7 ')",
            "Number(steps.a.facts.list)", "'v' + steps.a.facts.whole", "steps.a.facts.whole", "steps.a.facts.whole + 0.5",
            // regular expressions
            "/^[0-9.]+$/.test(inputs.host)", "/^[0-9.]+$/.test('db01')", "/^[0-9.]+$/.test(steps.a.facts.nl)", "/a.c/.test(steps.a.facts.nel)", "/a.c/.test(steps.a.facts.ls)",
            "/^(?:[a-z]+-)?\\d{2,3}$/.test('web-123')", "/^\\w+\\.lab$/.test('w_1.lab')", "/^[^.]*$/.test('a.b')", "/[-a]/.test('-')",
            "/x|y/.test('zzy')", "/^a*?b/.test('aab')", "/[\\d-x]/.test('-')", "/\\s/.test(' ')", "/a/i.test('A')", "/a{2,1}/.test('a')",
            "/[a&&b]/.test('&')", "/\\bx/.test('x')",
            // indexes past either end, members JavaScript answers
            "steps.a.facts.empty[0]", "steps.a.facts.empty[0] ?? 'none'", "'x ' + (steps.a.facts.empty[0] ?? 'none')",
            "steps.a.facts.list[2]", "steps.a.facts.list[-1]", "steps.a.facts.list[-0]", "steps.a.facts.list[- 1]", "[1, 2][-1]",
            "inputs.ports[2] ?? 0", "steps.a.facts.items[1].port", "steps.a.facts.items[5]?.port", "steps.a.facts.items[5].port",
            "steps.a.facts.missing[0]", "steps.a.facts.missing?.[0]", "steps.a.facts.none?.[0]", "steps.a.facts.none[0]",
            "steps.a.facts.list?.[0]", "steps.a.facts.items?.[1].port", "steps.a.facts.items?.[5].port", "steps.a.facts?.['note']", "steps.b?.facts.list[0]",
            "steps.a.facts.list.length", "steps.a.facts.list['length']", "steps.a.facts.empty.length", "steps.a.facts.list['0']",
            "inputs.ports[1.5]", "steps.a.facts.list[-1.5]", "steps.a.facts['missing']", "steps.a.facts.missing",
            "inputs.timeout.length", "steps.a.facts.note.length", "steps.a.facts.n.x", "steps.a.facts.none.x",
            "steps.a.facts.list.x", "inputs.flag.x", "steps.a.facts.none", "steps.a.facts.n", "steps.a.facts.items",
            "steps.a.facts.whole", "steps.a.facts.none.x ?? 1", "steps.a.facts.none.includes('x')", "steps.a.facts.none?.includes('x')",
            "/[\\\\-\\-d]/.test('x')", "/[z-\\-]/.test('x')"})   // ranges out of order: JavaScript's SyntaxError
    void meansWhatGraalJsMeans(String source) {
        Expr expr = new Expr(source, new SourcePos("t.yaml", 1, 1));
        Object engine = engine(expr);
        if (expr.isPath()) {
            assertThat(number(path(expr))).as("PathReader: " + source).isEqualTo(number(engine));
        }
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

    /** What {@link PathReader} (the evaluator of plain paths) makes of it, or "error". */
    static Object path(Expr expr) {
        try {
            return PathReader.read(expr, SCOPE);
        } catch (ExprException e) {
            return "error";
        }
    }

    /** JavaScript has one number type: 3.0 and 3 are the same value, whichever Java type holds it. */
    static Object number(Object v) {
        return switch (v) {
            case Number n when n.doubleValue() == Math.rint(n.doubleValue()) -> n.longValue();
            case Number n -> n.doubleValue();
            case List<?> l -> l.stream().map(SimpleExprTest::number).toList();
            case null, default -> v;
        };
    }

    /** An index past either end of a list gives undefined, in the subset and in GraalJS alike, never an error. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"steps.a.facts.empty[0]", "steps.a.facts.list[2]", "steps.a.facts.list[-1]", "inputs.ports[5]",
            "[1, 2][2]", "steps.a.facts.items[2]", "steps.b?.facts.list[0]", "steps.a.facts.items[5]?.port"})
    void anIndexOutOfRangeIsUndefinedInBothEvaluators(String source) throws ExprException {
        Expr expr = new Expr(source, new SourcePos("t.yaml", 1, 1));
        assertThat(SimpleExpr.eval(SimpleExpr.parse(source).orElseThrow(), SCOPE)).as(source).isNull();
        assertThat(engine(expr)).as(source).isNull();
        assertThat(ENGINE.eval(expr, SCOPE)).as(source).isNull();
        Expr withDefault = new Expr(source + " ?? 'none'", expr.pos());
        assertThat(SimpleExpr.eval(SimpleExpr.parse(withDefault.source()).orElseThrow(), SCOPE)).as(source).isEqualTo("none");
        assertThat(engine(withDefault)).as(source).isEqualTo("none");
    }

    /** An index on a missing fact reads a member of undefined: JavaScript's TypeError, unless the read is optional. */
    @Test
    void anIndexOnAMissingFactIsATypeErrorUnlessOptional() throws ExprException {
        Expr plain = new Expr("steps.a.facts.missing[0] ?? 'none'", new SourcePos("t.yaml", 1, 1));
        assertThat(engine(plain)).isEqualTo("error");
        assertThatThrownBy(() -> ENGINE.eval(plain, SCOPE)).isInstanceOf(ExprException.class).hasMessageContaining("TypeError");
        Expr optional = new Expr("steps.a.facts.missing?.[0] ?? 'none'", plain.pos());
        assertThat(ENGINE.eval(optional, SCOPE)).isEqualTo("none");
        assertThat(engine(optional)).isEqualTo("none");
    }

    /** The differential test skips what falls back; these must not fall back (so they were compared above). */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"steps.b?.facts.n", "(steps.b?.status ?? 'skipped') == 'skipped'", "[443, 8443].includes(Number(inputs.port))",
            "inputs.ports.filter(p => p != inputs.port)", "steps.a.facts.items.some(i => i.status == 'ok' || i.cause == 'tcp.refused')",
            "/^[0-9.]+$/.test(inputs.host)", "/^(?:[a-z]+-)?\\d{2,3}$/.test('web-123')", "/a.c/.test(steps.a.facts.nel)",
            "steps.a.facts.words.join('')", "(steps.a.facts.missing || [])[0] || inputs.host", "'v' + steps.a.facts.whole",
            "steps.a.facts.mixed.join('-')", "inputs.host.includes(':')", "steps.a.facts.items.find(i => i.port == 80).cause",
            "steps.a.facts.empty[0] ?? 'none'", "steps.a.facts.list[-1]", "steps.a.facts.list[-0]", "inputs.ports[5]",
            "steps.a.facts.missing?.[0] ?? 'none'", "steps.a.facts.list?.[1]", "steps.b?.facts?.list?.[0]",
            "steps.b?.facts.outcome == 'unresolved' || steps.a?.status == 'ok'", // a parallel's until: b still runs
            "/^[a-\\{]+$/.test('b{')", "/[\\--\\/]/.test('.')"})          // a range to an escaped character
    void evaluatedInJavaWithoutTheEngine(String source) {
        var tree = SimpleExpr.parse(source);
        assertThat(tree).as(source).isPresent();
        Object value = SimpleExpr.eval(tree.get(), SCOPE); // a Fallback would fail the test
        assertThat(value).as(source).isEqualTo(engine(new Expr(source, new SourcePos("t.yaml", 1, 1))));
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
        for (String s : Arrays.asList("steps.a.status ==", "a = 1", "a => a", "x.filter((p) => p)", "`t`", "a ?? b || c", "if", "a // c",
                "'it\\'s'", "012", "a..b", "a[b]", "[1,]", "[,1]",
                "a?.f()", "a?.[b]", "a.[0]", "/a/g.test(b)", "/a/", "x.filter(p => { return p })", "f(x)", "[...a]")) {
            assertThat(SimpleExpr.parse(s)).as(s).isEmpty();
        }
    }
}
