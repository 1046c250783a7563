package dev.reach.core.script;

import dev.reach.core.playbook.Expr;
import dev.reach.core.playbook.Fixtures;
import dev.reach.core.playbook.SourcePos;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The expressions a hostile playbook writes: what one may not do to the next, at --check, or with the clock. */
class JsExpressionsTest {
    private static final JsExpressions JS = Fixtures.expressions();
    private static final Scope SCOPE = new Scope(Map.of("host", "198.18.0.2"), Map.of(), Map.of());

    @AfterAll
    static void close() {
        JS.close();
    }

    private static Expr expr(String source) {
        return new Expr(source, new SourcePos("t.yaml", 3, 9));
    }

    @Test
    void anExpressionCannotChangeABuiltInOrAGlobalForTheExpressionsAfterIt() throws Exception {
        assertThatThrownBy(() -> JS.eval(expr("(String.prototype.trim = () => 'POISONED', 1)"), SCOPE))
                .isInstanceOf(ExprException.class).hasMessageContaining("TypeError");
        assertThatThrownBy(() -> JS.eval(expr("(Array.prototype.includes = () => true, 1)"), SCOPE)).isInstanceOf(ExprException.class);
        assertThatThrownBy(() -> JS.eval(expr("(globalThis.leak = inputs.host, 1)"), SCOPE)).isInstanceOf(ExprException.class);
        assertThatThrownBy(() -> JS.eval(expr("(Object.prototype.polluted = 'x', 1)"), SCOPE)).isInstanceOf(ExprException.class);
        assertThat(JS.eval(expr("' ABC '.trim()"), SCOPE)).isEqualTo("ABC");
        assertThat(JS.eval(expr("['a'].includes('b')"), SCOPE)).isEqualTo(false);
        assertThat(JS.eval(expr("typeof leak + ' ' + typeof ({}).polluted"), SCOPE)).isEqualTo("undefined undefined");
    }

    @Test
    void anExpressionThatClosesItsWrapperIsASyntaxErrorAndRunsNothingAtCheck() throws Exception {
        String escape = "1);}); globalThis.ranAtCheck = 1; (function(){return (1";
        assertThat(JS.check(expr(escape), List.of())).isPresent()
                .get().satisfies(p -> assertThat(p.toString()).startsWith("t.yaml:3:").contains("invalid expression"));
        assertThat(JS.eval(expr("typeof ranAtCheck"), SCOPE)).isEqualTo("undefined");
    }

    @Test
    void anErrorInsideTheExpressionPointsAtItsColumn() {
        assertThatThrownBy(() -> JS.eval(expr("inputs.host + nope"), SCOPE))
                .hasMessageStartingWith("t.yaml:3:23: in 'inputs.host + nope': ReferenceError: nope is not defined");
    }

    @Test
    void aSlowExpressionStopsAtTheRunsDeadlineAndOnCtrlC() {
        String slow = "(() => { let x = 0; for (let i = 0; i < 9e6; i++) { x += Math.sqrt(i) % 7; for (let j = 0; j < 1; j++) {} } return x; })() "
                + "+ (() => { let y = 0; while (true) { y++; if (y < 0) break; for (let k = 0; k < 50; k++) { y += 0; } } return y; })()";
        Scope due = new Scope(Map.of(), Map.of(), Map.of(), new Scope.Budget(Instant.now().plusMillis(300), () -> false));
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> JS.eval(expr(slow), due)).isInstanceOf(ExprException.class)
                .hasMessageMatching(".*(deadline passed|statements).*");
        assertThat((System.nanoTime() - t0) / 1_000_000).as("ms until it stopped").isLessThan(5_000);
        AtomicBoolean ctrlC = new AtomicBoolean();
        Thread.ofPlatform().daemon().start(() -> {
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                return;
            }
            ctrlC.set(true);
        });
        Scope cancellable = new Scope(Map.of(), Map.of(), Map.of(), new Scope.Budget(Instant.MAX, ctrlC::get));
        assertThatThrownBy(() -> JS.eval(expr("(() => { while (true) { try { for (let i = 0; i < 1e9; i++) {} } catch (e) {} } })()"), cancellable))
                .isInstanceOf(ExprException.class).hasMessageMatching(".*(cancelled|statements).*");
    }

    /** A runaway loop ends at the statement limit, which cancels its context for good: the next expression gets a new one. */
    @Test
    void anExpressionAfterOneThatRanOutOfStatementsStillRuns() throws Exception {
        assertThatThrownBy(() -> JS.eval(expr("(() => { let i = 0; while (true) { i++; } })()"), SCOPE))
                .isInstanceOf(ExprException.class).hasMessageContaining("statements");
        assertThat(JS.eval(expr("[1, 2, 3].map(x => x * 2).length"), SCOPE)).isEqualTo(3L);
        assertThat(JS.eval(expr("inputs.host.split('.').length"), SCOPE)).isEqualTo(4L);
    }

    @Test
    void aHugeAllocationIsStopped() {
        assertThatThrownBy(() -> JS.eval(expr("(() => { const a = []; for (let i = 0; i < 5e6; i++) a.push('x'.repeat(64) + i); return a.length; })()"),
                SCOPE)).isInstanceOf(ExprException.class).hasMessageMatching(".*(allocated more than|statements).*");
    }
}
