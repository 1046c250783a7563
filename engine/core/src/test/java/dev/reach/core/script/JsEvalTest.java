package dev.reach.core.script;

import dev.reach.core.Reach;
import dev.reach.core.run.Cancellation;
import dev.reach.core.run.EvalResult;
import dev.reach.core.run.RunEvent;
import dev.reach.core.run.RunOptions;
import dev.reach.core.run.StepResult;
import dev.reach.spi.Status;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/** Reach.eval: a JavaScript snippet in the playbooks' sandbox, probing real loopback sockets. */
class JsEvalTest {
    static final Reach REACH = Reach.builder().probe(new LoopbackConnectProbe()).build();

    @AfterAll
    static void close() {
        REACH.close();
    }

    static EvalResult eval(String source, Map<String, ?> names) {
        return REACH.eval(source, names, RunOptions.defaults());
    }

    @Test
    void probeRunsAsAStepAndItsResultIsTheValue() throws Exception {
        List<RunEvent> events = new CopyOnWriteArrayList<>();
        try (ServerSocket server = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
            EvalResult r = REACH.eval("probe('tcp.connect', {host: '127.0.0.1', port}).status", Map.of("port", server.getLocalPort()),
                    RunOptions.defaults().withListener(events::add));
            assertThat(r.error()).isNull();
            assertThat(r.value()).isEqualTo("ok");
            assertThat(r.steps()).singleElement().satisfies(s -> {
                assertThat(s.id()).isEqualTo("probe-1");
                assertThat(s.probe()).isEqualTo("tcp.connect");
                assertThat(s.status()).isEqualTo(Status.OK);
                assertThat(s.params()).containsEntry("port", server.getLocalPort());
            });
            assertThat(events).hasAtLeastOneElementOfType(RunEvent.StepStarted.class).hasAtLeastOneElementOfType(RunEvent.StepFinished.class);
        }
    }

    @Test
    void closedLoopbackPortGivesRefusedAndTheLastExpressionIsTheValue() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        EvalResult r = eval("const c = probe('tcp.connect', {host: '127.0.0.1', port: " + port + "}, {id: 'connect'});\n"
                + "({cause: c.cause, id: c.id, ms: c.duration_ms >= 0})", Map.of());
        assertThat(r.value()).isEqualTo(Map.of("cause", "tcp.refused", "id", "connect", "ms", true));
        assertThat(r.steps()).extracting(StepResult::id).containsExactly("connect");
    }

    @Test
    void namesAreGlobalsAsPlainData() {
        EvalResult r = eval("history.filter(h => h.status != 'ok').length + last.facts.n", Map.of(
                "last", Map.of("facts", Map.of("n", 40)), "history", List.of(Map.of("status", "ok"), Map.of("status", "fail"), Map.of("status", "error"))));
        assertThat(r.error()).isNull();
        assertThat(r.value()).isEqualTo(42L);
        assertThat(r.steps()).isEmpty();
    }

    @Test
    void aListReadPastEitherEndIsUndefinedAsAreMissingKeys() {
        EvalResult r = eval("[typeof empty[0], list[5] ?? 'none', list[-1] ?? 'none', list.length, typeof obj.missing, "
                + "obj.missing ?? 'none', list.at(-1), (list.push(3), list.length)].join(' ')",
                Map.of("empty", List.of(), "list", List.of(1, 2), "obj", Map.of("k", 1)));
        assertThat(r.error()).isNull();
        assertThat(r.value()).isEqualTo("undefined none none 2 undefined none 2 3");
    }

    @Test
    void wrongParametersAndErrorsSayWhereOnOneLine() {
        EvalResult bad = eval("1 + probe('tcp.connect', {host: '127.0.0.1', port: 99999})", Map.of());
        assertThat(bad.error()).matches("js:1:\\d+: TypeError: .*port.*").doesNotContain("\n");
        assertThat(bad.steps()).as("nothing ran").isEmpty();
        assertThat(eval("nope + 1", Map.of()).error()).isEqualTo("js:1:1: ReferenceError: nope is not defined");
        assertThat(eval("1 +", Map.of()).error()).startsWith("js:1:").contains("SyntaxError");
        assertThat(eval("java.lang.System.exit(1)", Map.of()).error()).as("no host access").startsWith("js:1:1: ").contains("not a function");
        assertThat(eval("probe('tcp.conect', {})", Map.of()).error()).contains("did you mean 'tcp.connect'?");
    }

    @Test
    void cancellationAndTheDeadlineStopASleepingSnippetAndTheStatementLimitARunawayOne() {
        Cancellation cancel = new Cancellation();
        Thread.ofVirtual().start(() -> {
            try {
                Thread.sleep(300);
            } catch (InterruptedException e) {
                return;
            }
            cancel.cancel();
        });
        EvalResult slept = REACH.eval("sleep('20s'); 1", Map.of(), RunOptions.defaults().withCancellation(cancel));
        assertThat(slept.cancelled()).isTrue();
        assertThat(slept.error()).contains("cancelled");
        assertThat(slept.duration()).isLessThan(Duration.ofSeconds(10));

        EvalResult late = REACH.eval("sleep('20s'); 1", Map.of(), RunOptions.defaults().withTimeout(Duration.ofMillis(300)));
        assertThat(late.cancelled()).isTrue();
        assertThat(late.error()).contains("deadline");
        assertThat(late.duration()).isLessThan(Duration.ofSeconds(10));

        EvalResult spun = REACH.eval("for (;;) {}", Map.of(), RunOptions.defaults().withTimeout(Duration.ofSeconds(20)));
        assertThat(spun.error()).as("the statement limit").startsWith("js:").contains("stopped");
        assertThat(spun.duration()).isLessThan(Duration.ofSeconds(20));
    }
}
