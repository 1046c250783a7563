package dev.reach.core.script;

import dev.reach.core.playbook.Expr;
import dev.reach.core.playbook.Fixtures;
import dev.reach.core.playbook.PlaybookException;
import dev.reach.core.playbook.PlaybookLoader;
import dev.reach.core.playbook.PlaybookValidator;
import dev.reach.core.playbook.Problem;
import dev.reach.core.run.TestProbes;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Speed is a feature: every expression of the shipped YAML playbooks is in the Java-side subset, so
 * {@code reach HOST:PORT} never starts GraalJS (a cold context costs ~0.7 s of a run).
 */
class ShippedPlaybooksTest {

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"unreachable.yaml", "listen.yaml", "connect.yaml", "dns.yaml", "tls.yaml", "mtu.yaml", "time.yaml"})
    void everyExpressionIsEvaluatedWithoutTheScriptEngine(String name) throws Exception {
        Path file = Path.of("../../playbooks", name).toAbsolutePath().normalize();
        List<Expr> seen = new ArrayList<>();
        Expressions recording = new Expressions() {
            @Override
            public Optional<Problem> check(Expr expr, List<String> locals) {
                seen.add(expr);
                return Optional.empty();
            }

            @Override
            public Object eval(Expr expr, Scope scope) {
                throw new UnsupportedOperationException();
            }
        };
        try {
            new PlaybookValidator(TestProbes.specs(), TestProbes.ids(), Fixtures.CAUSES, recording)
                    .validate(new PlaybookLoader().load(file));
        } catch (PlaybookException expected) {
            // the test probes are not the shipped ones; only the expressions matter here
        }
        assertThat(seen).as("expressions checked in %s", name).hasSizeGreaterThan(2);
        for (Expr e : seen) {
            if (e.isPath()) continue;
            var tree = SimpleExpr.parse(e.source());
            assertThat(tree.isPresent())
                    .as("%s: '%s' needs GraalJS; keep shipped playbooks in the subset (SimpleExpr)", e.pos(), e.source()).isTrue();
            // a call the subset parses but does not evaluate (slice, indexOf, ...) falls back to GraalJS at run time
            java.util.Set<String> called = new java.util.TreeSet<>();
            calls(tree.get(), called);
            assertThat(called).as("%s: '%s' calls what only GraalJS evaluates", e.pos(), e.source()).isSubsetOf(SimpleCalls.METHODS);
        }
    }

    /** The methods (and global functions) a tree calls, wherever they are: what {@link SimpleCalls#METHODS} must cover. */
    private static void calls(SimpleExpr.Node n, java.util.Set<String> out) {
        switch (n) {
            case null -> { }
            case SimpleExpr.Call c -> {
                out.add(c.method());
                calls(c.target(), out);
                c.args().forEach(x -> calls(x, out));
            }
            case SimpleExpr.Member m -> {
                calls(m.target(), out);
                if (m.key() instanceof SimpleExpr.Node key) calls(key, out);
            }
            case SimpleExpr.ArrayLit a -> a.elements().forEach(e -> calls(e, out));
            case SimpleExpr.Arrow a -> calls(a.body(), out);
            case SimpleExpr.Chain c -> calls(c.chain(), out);
            case SimpleExpr.Unary u -> calls(u.operand(), out);
            case SimpleExpr.Binary b -> {
                calls(b.left(), out);
                calls(b.right(), out);
            }
            case SimpleExpr.Cond c -> {
                calls(c.test(), out);
                calls(c.then(), out);
                calls(c.otherwise(), out);
            }
            case SimpleExpr.Name name -> { }
            case SimpleExpr.Lit l -> { }
            case SimpleExpr.Regex r -> { }
        }
    }
}
