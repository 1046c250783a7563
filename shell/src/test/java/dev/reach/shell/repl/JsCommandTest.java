package dev.reach.shell.repl;

import dev.reach.core.Reach;
import dev.reach.shell.command.Request;
import dev.reach.spi.Observation;
import dev.reach.spi.Param;
import dev.reach.spi.Params;
import dev.reach.spi.Probe;
import dev.reach.spi.ProbeContext;
import dev.reach.spi.ProbeSpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/** The shell's {@code js} with probe(): real loopback sockets, a real engine and session, no terminal. */
class JsCommandTest {
    /** The Ctrl-C handler the running command registered, if any. */
    private final AtomicReference<Runnable> ctrlC = new AtomicReference<>();
    private final Session session = new Session(CompletableFuture.completedFuture(Reach.builder().probe(new Connect()).build()),
            action -> {
                ctrlC.set(action);
                return () -> ctrlC.set(null);
            }, false, false);
    private final StringWriter text = new StringWriter();
    private final Shell shell = new Shell(session, new PrintWriter(text, true), new PrintWriter(text, true));

    @AfterEach
    void close() {
        session.close();
    }

    private String run(String line) {
        text.getBuffer().setLength(0);
        shell.execute(line, Arrays.asList(line.trim().split("\\s+")));
        return text.toString();
    }

    @Test
    void jsProbeConnectsToALoopbackListenerAndJoinsTheHistory() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
            int port = server.getLocalPort();
            assertThat(run("js probe('tcp.connect', {host: '127.0.0.1', port: " + port + "}).status").strip()).isEqualTo("ok");
            assertThat(session.entries()).singleElement().satisfies(e -> {
                assertThat(e.request()).isInstanceOf(Request.ProbeRequest.class);
                assertThat(e.request()).as("as typed: defaults left out").isEqualTo(new Request.ProbeRequest("tcp.connect",
                        Map.of("host", "127.0.0.1", "port", port)));
                assertThat(e.result().healthy()).isTrue();
            });
            assertThat(run("js last.facts.connect_ms >= 0").strip()).as("last is the js probe's result").isEqualTo("true");
            assertThat(run("history")).contains("tcp.connect");
        }
    }

    @Test
    void statementsComeFirstAndTheLastExpressionPrints() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        String out = run("js const r = probe('tcp.connect', {host: '127.0.0.1', port: " + closed + "}); [r.status, r.cause]");
        assertThat(out.strip()).isEqualTo("[\"fail\",\"tcp.refused\"]");
        assertThat(run("js history.length").strip()).isEqualTo("1");
    }

    @Test
    void anErrorIsOneLineWithItsColumn() {
        assertThat(run("js 1 + nope")).isEqualTo("reach: js:1:5: ReferenceError: nope is not defined\n");
        assertThat(run("js probe('tcp.connect', {host: '127.0.0.1', port: 70000})")).startsWith("reach: js:1:").contains("TypeError")
                .contains("port").hasLineCount(1);
        assertThat(session.entries()).as("nothing ran").isEmpty();
    }

    @Test
    void ctrlCCancelsARunningJs() {
        Thread.ofVirtual().start(() -> {
            for (int i = 0; i < 200 && ctrlC.get() == null; i++) {
                try {
                    Thread.sleep(25);
                } catch (InterruptedException e) {
                    return;
                }
            }
            Runnable action = ctrlC.get();
            if (action != null) action.run();
        });
        long t0 = System.nanoTime();
        assertThat(run("js sleep('30s'); 'slept'")).contains("reach: js:").contains("cancelled").doesNotContain("slept");
        assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(15_000);
        assertThat(run("js 6 * 7").strip()).as("the next js works").isEqualTo("42");
    }

    /** A minimal real TCP connect on loopback, as tcp.connect (the shell does not depend on plugins/net). */
    static final class Connect implements Probe {
        private static final ProbeSpec SPEC = ProbeSpec.builder("tcp.connect", "Opens a TCP connection (test stand-in)")
                .param(Param.host("host", "host").required())
                .param(Param.port("port", "port").required())
                .param(Param.duration("timeout", "timeout").defaultValue("2s"))
                .fact("connect_ms", "integer", "time to connect").build();

        @Override
        public ProbeSpec spec() {
            return SPEC;
        }

        @Override
        public Observation run(ProbeContext ctx, Params p) throws Exception {
            String remote = p.string("host") + ":" + p.port("port");
            long t0 = System.nanoTime();
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(InetAddress.getByName(p.string("host")), p.port("port")), (int) p.duration("timeout").toMillis());
                return Observation.ok(remote + " accepted the connection").fact("connect_ms", (System.nanoTime() - t0) / 1_000_000).build();
            } catch (ConnectException e) {
                return Observation.fail("tcp.refused", remote + " refused the connection").build();
            }
        }
    }
}
