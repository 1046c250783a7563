package dev.reach.plugins.net;

import dev.reach.spi.Observation;
import dev.reach.spi.Status;
import dev.reach.testkit.ProbeHarness;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;

class TcpBannerProbeTest {
    private static final Duration T = Duration.ofSeconds(1);

    // classify

    @Test
    void matchingBannerIsOk() {
        var c = TcpBannerProbe.classify(new TcpBannerProbe.Exchange("SSH-2.0-x\r\n".getBytes(), "matched", 0.1, 0.4), "h:22", "^SSH-", T);
        assertThat(c.status()).isEqualTo(Status.OK);
        assertThat(c.summary()).isEqualTo("h:22 said \"SSH-2.0-x\" (matches ^SSH-) 0.40ms after connecting");
    }

    @Test
    void resetAfterAcceptIsTcpReset() {
        var c = TcpBannerProbe.classify(new TcpBannerProbe.Exchange(new byte[0], "reset", 0.1, 0), "h:22", "", T);
        assertThat(c.cause()).isEqualTo("tcp.reset");
        assertThat(c.summary()).contains("before saying anything");
    }

    @Test
    void silenceUntilTheDeadlineIsNoResponse() {
        var c = TcpBannerProbe.classify(new TcpBannerProbe.Exchange(new byte[0], "deadline", 0.1, 0), "h:5432", "", T);
        assertThat(c.cause()).isEqualTo("tcp.no-response");
        assertThat(c.summary()).contains("said nothing within 1s");
    }

    @Test
    void wrongAnswerIsAMismatchWithoutACause() {
        var c = TcpBannerProbe.classify(new TcpBannerProbe.Exchange("220 smtp\r\n".getBytes(), "deadline", 0.1, 0.2), "h:22", "^SSH-", T);
        assertThat(c.status()).isEqualTo(Status.FAIL);
        assertThat(c.cause()).isNull();
        assertThat(c.outcome()).isEqualTo("mismatch");
    }

    @Test
    void closeWithoutAWordIsReportedAsClosed() {
        var c = TcpBannerProbe.classify(new TcpBannerProbe.Exchange(new byte[0], "eof", 0.1, 0), "h:22", "", T);
        assertThat(c.cause()).isEqualTo("tcp.reset");
        assertThat(c.outcome()).isEqualTo("closed");
    }

    // real loopback servers

    @Test
    void bannerIsReadAndMatched() throws Exception {
        try (var server = serve(s -> write(s, "SSH-2.0-reach_test\r\n"))) {
            Observation o = ProbeHarness.run(new TcpBannerProbe(), "host=127.0.0.1", "port=" + server.port(), "expect=^SSH-2\\.0");
            assertThat(o.status()).as(o.toString()).isEqualTo(Status.OK);
            assertThat(o.facts()).containsEntry("banner", "SSH-2.0-reach_test\r\n").containsKey("first_byte_ms");
        }
    }

    @Test
    void requestIsSentAndTheAnswerMatched() throws Exception {
        try (var server = serve(s -> {
            try {
                byte[] req = new byte[18];
                s.getInputStream().readNBytes(req, 0, 18);
                write(s, new String(req).startsWith("HEAD / HTTP/1.0") ? "HTTP/1.0 200 OK\r\n\r\n" : "HTTP/1.0 400 Bad\r\n\r\n");
            } catch (IOException e) {
                // the probe sees the close
            }
        })) {
            Observation o = ProbeHarness.run(new TcpBannerProbe(), "host=127.0.0.1", "port=" + server.port(),
                    "send=HEAD / HTTP/1.0\\r\\n\\r\\n", "expect=^HTTP/1\\.0 200");
            assertThat(o.status()).as(o.toString()).isEqualTo(Status.OK);
        }
    }

    @Test
    void serviceThatNeverSpeaksIsNoResponse() throws Exception {
        try (var server = serve(s -> sleep(3000))) {
            Observation o = ProbeHarness.run(new TcpBannerProbe(), "host=127.0.0.1", "port=" + server.port(), "timeout=300ms");
            assertThat(o.cause()).as(o.toString()).contains("tcp.no-response");
            assertThat(o.duration()).isLessThan(Duration.ofSeconds(2));
        }
    }

    @Test
    void resetRightAfterAcceptIsTcpReset() throws Exception {
        try (var server = serve(s -> {
            try {
                s.setSoLinger(true, 0); // close sends RST
                sleep(100);
                s.close();
            } catch (IOException e) {
                // nothing to do
            }
        })) {
            Observation o = ProbeHarness.run(new TcpBannerProbe(), "host=127.0.0.1", "port=" + server.port(), "timeout=2s");
            assertThat(o.cause()).as(o.toString()).contains("tcp.reset");
            assertThat(o.facts()).containsEntry("outcome", "reset");
        }
    }

    @Test
    void closedPortIsRefusedAsTcpConnectSaysIt() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.ofLiteral("127.0.0.1"))) {
            port = s.getLocalPort();
        }
        Observation o = ProbeHarness.run(new TcpBannerProbe(), "host=127.0.0.1", "port=" + port);
        assertThat(o.cause()).as(o.toString()).contains("tcp.refused");
    }

    @Test
    void badRegexIsAnErrorResult() {
        Observation o = ProbeHarness.run(new TcpBannerProbe(), "host=127.0.0.1", "port=9", "expect=(");
        assertThat(o.status()).isEqualTo(Status.ERROR);
        assertThat(o.summary()).contains("not a regex");
    }

    /** One-connection loopback server running {@code handler} on the accepted socket. */
    private record Server(ServerSocket socket, Thread thread) implements AutoCloseable {
        int port() {
            return socket.getLocalPort();
        }

        @Override
        public void close() throws Exception {
            socket.close();
            thread.interrupt();
            thread.join(5000);
        }
    }

    private static Server serve(Consumer<Socket> handler) throws IOException {
        ServerSocket ss = new ServerSocket(0, 5, InetAddress.ofLiteral("127.0.0.1"));
        Thread t = Thread.ofVirtual().start(() -> {
            try (Socket s = ss.accept()) {
                handler.accept(s);
            } catch (IOException e) {
                // closed by the test
            }
        });
        return new Server(ss, t);
    }

    private static void write(Socket s, String text) {
        try {
            s.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
            s.getOutputStream().flush();
            sleep(200);
        } catch (IOException e) {
            // the probe sees the close
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
