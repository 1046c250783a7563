package dev.reach.plugins.net;

import dev.reach.plugins.net.HelloDialogue.Leg;
import dev.reach.plugins.net.HelloDialogue.Transcript;
import dev.reach.plugins.net.TcpConversation.Info;
import dev.reach.plugins.net.TcpConversation.State;
import dev.reach.spi.Observation;
import dev.reach.spi.Status;
import dev.reach.testkit.LoopbackServer;
import dev.reach.testkit.ProbeHarness;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class TcpHelloProbeTest {
    private static final Duration T = Duration.ofSeconds(1);
    private static final byte[] HEAD = Greeting.HTTP.first("web", "/");
    private static final Info ACKED = new Info(0, 0, 0, 1448, 1500, 120);

    // classify: pure

    @Test
    void answerWithAFullSegmentThatPassesIsOk() {
        var c = TcpHelloProbe.classify(t(Greeting.HTTP, HEAD, answered("HTTP/1.0 200 OK\r\n"), null, acked("full", 0), null, null), "h:80", T);
        assertThat(c.status()).isEqualTo(Status.OK);
        assertThat(c.protocol()).isEqualTo("http");
        assertThat(c.summary()).startsWith("h:80 answered \"HTTP/1.0 200 OK\" 1.00ms after HEAD / HTTP/1.1 (http)")
                .endsWith("a full-size segment (1448 bytes) passes");
    }

    @Test
    void fullSegmentLostWhereTheClampedOnePassesIsMtuBlackhole() {
        Leg lost = leg("full", 0, State.CONNECTED, new byte[0], 1448, false, new Info(1, 2, 2, 1448, 1500, 120));
        var c = TcpHelloProbe.classify(t(Greeting.HTTP, HEAD, answered("HTTP/1.0 200 OK\r\n"), null, lost, acked("full-clamped", 536), null), "h:80", T);
        assertThat(c.cause()).isEqualTo("mtu.blackhole");
        assertThat(c.summary()).contains("1448 bytes, MSS 1448) was sent 3 times and never acknowledged", "536-byte segments were");
    }

    @Test
    void oneLostFullSegmentIsNoBlackholeYet() {   // random loss takes one now and then; a black hole takes them all
        Leg once = leg("full", 0, State.CONNECTED, new byte[0], 1448, false, new Info(1, 1, 1, 1448, 1500, 120));
        var c = TcpHelloProbe.classify(t(Greeting.HTTP, HEAD, answered("HTTP/1.0 200 OK\r\n"), null, once, acked("full-clamped", 536), null), "h:80", T);
        assertThat(c.cause()).isNull();
        assertThat(c.status()).isEqualTo(Status.WARN);
    }

    @Test
    void fullSegmentLostEverywhereIsOnlyAWarning() {
        Leg lost = leg("full", 0, State.CONNECTED, new byte[0], 1448, false, new Info(1, 2, 2, 1448, 1500, 120));
        Leg lostToo = leg("full-clamped", 536, State.CONNECTED, new byte[0], 1448, false, new Info(3, 1, 1, 536, 1500, 120));
        var c = TcpHelloProbe.classify(t(Greeting.HTTP, HEAD, answered("HTTP/1.0 200 OK\r\n"), null, lost, lostToo, null), "h:80", T);
        assertThat(c.status()).isEqualTo(Status.WARN);
        assertThat(c.cause()).isNull();
    }

    @Test
    void silenceAfterTheKernelAcknowledgedIsNoResponse() {
        Leg silent = leg("first", 0, State.CONNECTED, new byte[0], HEAD.length, true, ACKED);
        var c = TcpHelloProbe.classify(t(Greeting.HTTP, HEAD, silent, leg("first-clamped", 536, State.CONNECTED, new byte[0], HEAD.length, true, ACKED),
                acked("full", 0), null, null), "h:80", T);
        assertThat(c.cause()).isEqualTo("tcp.no-response");
        assertThat(c.summary()).contains("its kernel acknowledged HEAD / HTTP/1.1", "sent nothing back within 1s");
    }

    @Test
    void silenceThatTheClampedRepeatBreaksIsMtuBlackholeOnTheWayBack() {
        Leg silent = leg("first", 0, State.CONNECTED, new byte[0], 300, true, ACKED);
        byte[] tls = {0x16, 3, 3, 0, 0x7a, 2, 0};
        var c = TcpHelloProbe.classify(t(Greeting.TLS, TlsClientHello.build("web", 0), silent,
                leg("first-clamped", 536, State.ANSWERED, tls, 300, true, ACKED), null, null, null), "h:443", T);
        assertThat(c.cause()).isEqualTo("mtu.blackhole");
        assertThat(c.protocol()).isEqualTo("tls");
        assertThat(c.summary()).contains("answered a TLS ServerHello at once with the MSS clamped to 536");
    }

    @Test
    void resetAtTheFirstDataIsTcpReset() {
        Leg reset = leg("first", 0, State.RESET, new byte[0], HEAD.length, false, ACKED);
        var c = TcpHelloProbe.classify(t(Greeting.HTTP, HEAD, reset, null, null, null, null), "h:80", T);
        assertThat(c.cause()).isEqualTo("tcp.reset");
        assertThat(c.outcome()).isEqualTo("reset");
        assertThat(c.summary()).contains("then reset it at the first data (HEAD / HTTP/1.1)");
    }

    @Test
    void plainServiceThatClosesOnTlsButAnswersLinesIsOk() {
        Leg closed = leg("first", 0, State.CLOSED, new byte[0], 300, true, ACKED);
        Leg plain = leg("plain", 0, State.ANSWERED, "ERR unknown command\n".getBytes(StandardCharsets.US_ASCII), 4, true, ACKED);
        var c = TcpHelloProbe.classify(t(Greeting.AUTO, TlsClientHello.build(null, 0), closed, null, null, null, plain), "h:7000", T);
        assertThat(c.status()).isEqualTo(Status.OK);
        assertThat(c.summary()).contains("does not speak TLS", "\"ERR unknown command\"");
    }

    @Test
    void plainServiceSilentToTlsThatAnswersHttpIsOk() {
        Leg silent = leg("first", 0, State.CONNECTED, new byte[0], 300, true, ACKED);
        Leg clamped = leg("first-clamped", 536, State.CONNECTED, new byte[0], 300, true, ACKED);
        Leg http = leg("http", 0, State.ANSWERED, "HTTP/1.1 200 OK\r\n\r\n".getBytes(StandardCharsets.US_ASCII), 80, true, ACKED);
        var c = TcpHelloProbe.classify(new Transcript(Greeting.AUTO, TlsClientHello.build(null, 0), silent, clamped, null, null, null,
                http, 5), "h:7000", T);
        assertThat(c.status()).isEqualTo(Status.OK);
        assertThat(c.protocol()).isEqualTo("http");
        assertThat(c.summary()).contains("said nothing to a TLS ClientHello", "answered an HTTP request with \"HTTP/1.1 200 OK\"");
    }

    @Test
    void httpStatusIsReadFromAnHttpAnswerOnly() {
        assertThat(Greeting.httpStatus("HTTP/1.1 503 Service Unavailable\r\n".getBytes(StandardCharsets.US_ASCII))).isEqualTo(503);
        assertThat(Greeting.httpStatus("HTTP/2 200\r\n".getBytes(StandardCharsets.US_ASCII))).isEqualTo(200);
        assertThat(Greeting.httpStatus("SSH-2.0-OpenSSH\r\n".getBytes(StandardCharsets.US_ASCII))).isNull();
        Leg answered = leg("first", 0, State.ANSWERED, "HTTP/1.0 502 Bad Gateway\r\n".getBytes(StandardCharsets.US_ASCII), 80, true, ACKED);
        assertThat(TcpHelloProbe.httpStatus(new Transcript(Greeting.HTTP, HEAD, answered, null, null, null, null, null, 5))).isEqualTo(502);
        // a 400 to a TLS ClientHello says nothing of the service's health
        assertThat(TcpHelloProbe.httpStatus(new Transcript(Greeting.AUTO, TlsClientHello.build(null, 0), answered, null, null, null, null,
                null, 5))).isNull();
    }

    @Test
    void anotherKnownProtocolOnAPortIsAnotherService() {
        assertThat(TcpHelloProbe.otherProtocol(Greeting.REDIS, "http")).isTrue();
        assertThat(TcpHelloProbe.otherProtocol(Greeting.REDIS, "redis")).isFalse();
        assertThat(TcpHelloProbe.otherProtocol(Greeting.HTTP, "tls")).as("TLS wraps anything").isFalse();
        assertThat(TcpHelloProbe.otherProtocol(Greeting.POSTGRES, "unknown")).as("proves nothing").isFalse();
        assertThat(TcpHelloProbe.otherProtocol(Greeting.SMTP, "ftp")).as("a 220 greeting naming FTP").isFalse();
        assertThat(TcpHelloProbe.otherProtocol(Greeting.SSH, "http")).isTrue();
        assertThat(TcpHelloProbe.otherProtocol(Greeting.AUTO, "http")).isNull();
    }

    @Test
    void unknownProtocolSilenceSaysItMayWaitForItsOwnWords() {
        Leg silent = leg("first", 0, State.CONNECTED, new byte[0], 300, true, ACKED);
        var c = TcpHelloProbe.classify(t(Greeting.AUTO, TlsClientHello.build(null, 0), silent, null, null, null, null), "h:7000", T);
        assertThat(c.cause()).isEqualTo("tcp.no-response");
        assertThat(c.summary()).contains("give protocol=...");
    }

    // what is said and heard

    @Test
    void portsPickTheirProtocolAndUnknownPortsGetTls() {
        assertThat(Greeting.of("auto", 22)).isEqualTo(Greeting.SSH);
        assertThat(Greeting.of("auto", 8080)).isEqualTo(Greeting.HTTP);
        assertThat(Greeting.of("auto", 5432)).isEqualTo(Greeting.POSTGRES);
        assertThat(Greeting.of("auto", 18443)).isEqualTo(Greeting.AUTO);
        assertThat(Greeting.of("http", 18443)).isEqualTo(Greeting.HTTP);
    }

    @Test
    void answersAreRecognisedByTheirFirstBytes() {
        assertThat(Greeting.recognise("SSH-2.0-OpenSSH_9.2\r\n".getBytes())).isEqualTo("ssh");
        assertThat(Greeting.recognise("220 mail ESMTP\r\n".getBytes())).isEqualTo("smtp");
        assertThat(Greeting.recognise("220 ProFTPD Server\r\n".getBytes())).isEqualTo("ftp");
        assertThat(Greeting.recognise("+PONG\r\n".getBytes())).isEqualTo("redis");
        assertThat(Greeting.recognise(new byte[] {'N'})).isEqualTo("postgres");
        assertThat(Greeting.recognise(new byte[] {0x15, 3, 3, 0, 2, 2, 40})).isEqualTo("tls");
        assertThat(Greeting.recognise(new byte[] {5, 0, 0, 0, 10, '8', '.', 0, 0})).isEqualTo("mysql");
        assertThat(Greeting.recognise("hello\n".getBytes())).isEqualTo("unknown");
    }

    @Test
    void clientHelloIsOneWellFormedRecordGrownToTheSizeAsked() {
        byte[] bare = TlsClientHello.build("web.lab.test", 0);
        byte[] full = TlsClientHello.build("web.lab.test", 1448);
        assertThat(full).hasSize(1448);
        for (byte[] hello : new byte[][] {bare, full}) {
            ByteBuffer b = ByteBuffer.wrap(hello);
            assertThat(b.get()).isEqualTo((byte) 0x16);
            assertThat(b.getShort()).isEqualTo((short) 0x0301);
            assertThat(b.getShort() & 0xffff).isEqualTo(hello.length - 5);
            assertThat(b.get()).isEqualTo((byte) 1);
            assertThat(b.get() << 16 | b.getShort() & 0xffff).isEqualTo(hello.length - 9);
        }
        assertThat(new String(bare, StandardCharsets.US_ASCII)).contains("web.lab.test");
        assertThat(new String(TlsClientHello.build("198.18.1.2", 0), StandardCharsets.US_ASCII)).doesNotContain("198.18.1.2");
    }

    @Test
    void paddedHttpRequestIsExactlyTheSizeAskedAndStillOneRequest() {
        byte[] padded = Greeting.HTTP.padded("web", "/x?y=1", 1448);
        String text = new String(padded, StandardCharsets.US_ASCII);
        assertThat(padded).hasSize(1448);
        assertThat(text).startsWith("HEAD /x?y=1 HTTP/1.1\r\nHost: web\r\n").endsWith("\r\n\r\n").containsOnlyOnce("\r\n\r\n");
    }

    // real loopback services

    @Test
    void httpServiceAnswersAndAFullSegmentPasses() {
        try (var http = LoopbackServer.answering("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n")) {
            Observation o = run("port=" + http.port(), "protocol=http");
            assertThat(o.status()).as(o.toString()).isEqualTo(Status.OK);
            assertThat(o.facts()).containsEntry("protocol", "http").containsEntry("full_size", "passed").containsEntry("acked", true);
            assertThat(http.receivedText()).startsWith("HEAD / HTTP/1.1\r\nHost: 127.0.0.1\r\n");
        }
    }

    @Test
    void serviceThatReadsAndNeverAnswersIsNoResponse() {
        try (var silent = LoopbackServer.silent()) {
            Observation o = run("port=" + silent.port(), "protocol=http", "timeout=800ms");
            assertThat(o.cause()).as(o.toString()).contains("tcp.no-response");
            assertThat(o.facts()).containsEntry("acked", true).containsEntry("outcome", "no-response");
            assertThat(o.evidence()).anyMatch(l -> l.startsWith("first-clamped (MSS clamped to 536)"));
        }
    }

    @Test
    void listenerThatNeverAcceptsIsNoResponse() throws IOException {
        try (ServerSocket frozen = new ServerSocket(0, 8, InetAddress.ofLiteral("127.0.0.1"))) { // the kernel completes handshakes
            Observation o = run("port=" + frozen.getLocalPort(), "protocol=http", "timeout=300ms");
            assertThat(o.cause()).as(o.toString()).contains("tcp.no-response");
            assertThat(o.summary()).contains("its kernel acknowledged");
        }
    }

    @Test
    void serviceThatClosesAtOnceIsTcpReset() {
        try (var closing = LoopbackServer.closing()) {
            Observation o = run("port=" + closing.port(), "protocol=http");
            assertThat(o.cause()).as(o.toString()).contains("tcp.reset");
        }
    }

    @Test
    void resetAtTheFirstDataSegmentIsTcpReset() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 8, InetAddress.ofLiteral("127.0.0.1"))) {
            Thread t = Thread.ofVirtual().start(() -> resetOnData(server));
            Observation o = run("port=" + server.getLocalPort(), "protocol=redis", "full_size=false");
            assertThat(o.cause()).as(o.toString()).contains("tcp.reset");
            assertThat(o.facts()).containsEntry("outcome", "reset");
            server.close();
            t.join(Duration.ofSeconds(2));
        }
    }

    @Test
    void serverThatSpeaksFirstIsHeardWithoutASend() {
        try (var ssh = LoopbackServer.greeting("SSH-2.0-lab\r\n")) {
            Observation o = run("port=" + ssh.port(), "protocol=ssh");
            assertThat(o.status()).as(o.toString()).isEqualTo(Status.OK);
            assertThat(o.facts()).containsEntry("protocol", "ssh").containsEntry("answer", "\"SSH-2.0-lab\"").containsEntry("full_size", "passed");
        }
    }

    /** The JDK's own HTTP server says nothing to TLS bytes or blank lines, and answers a request line at once. */
    @Test
    void httpServerSilentToTlsOnAnUnknownPortIsAskedInHttpAndAnswers() throws Exception {
        com.sun.net.httpserver.HttpServer http = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress(InetAddress.ofLiteral("127.0.0.1"), 0), 8);
        http.createContext("/", x -> {
            x.sendResponseHeaders(200, -1);
            x.close();
        });
        http.start();
        try {
            long t0 = System.nanoTime();
            Observation o = run("port=" + http.getAddress().getPort(), "full_size=false", "timeout=3s");
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertThat(o.status()).as(o.toString()).isEqualTo(Status.OK);
            assertThat(o.facts()).containsEntry("protocol", "http");
            assertThat(o.summary()).contains("said nothing to a TLS ClientHello", "HTTP/1.1 200 OK");
            assertThat(ms).as("decided once the HTTP answer came, not at the 3 s timeout").isLessThan(2000);
        } finally {
            http.stop(0);
        }
    }

    @Test
    void plainServiceOnAnUnknownPortThatClosesOnTlsIsAskedAgainInPlainWords() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 8, InetAddress.ofLiteral("127.0.0.1"))) {
            Thread t = Thread.ofVirtual().start(() -> closeOnTls(server));
            Observation o = run("port=" + server.getLocalPort(), "full_size=false");
            assertThat(o.status()).as(o.toString()).isEqualTo(Status.OK);
            assertThat(o.summary()).contains("does not speak TLS", "\"what?\"");
            server.close();
            t.join(Duration.ofSeconds(2));
        }
    }

    private static Observation run(String... kv) {
        String[] all = new String[kv.length + 1];
        all[0] = "host=127.0.0.1";
        System.arraycopy(kv, 0, all, 1, kv.length);
        return ProbeHarness.run(new TcpHelloProbe(), all);
    }

    /** Accepts; at the first byte read, closes with SO_LINGER 0: an RST, as a rule that resets data would. */
    private static void resetOnData(ServerSocket server) {
        for (int i = 0; i < 20 && !server.isClosed(); i++) {
            try {
                Socket s = server.accept();
                s.getInputStream().read();
                s.setSoLinger(true, 0);
                s.close();
            } catch (IOException e) {
                return;
            }
        }
    }

    /** A plain line service: closes on a TLS record, answers "what?" to anything else. */
    private static void closeOnTls(ServerSocket server) {
        for (int i = 0; i < 20 && !server.isClosed(); i++) {
            try (Socket s = server.accept()) {
                InputStream in = s.getInputStream();
                int first = in.read();
                if (first != 0x16) s.getOutputStream().write("what?\n".getBytes(StandardCharsets.US_ASCII));
            } catch (IOException e) {
                return;
            }
        }
    }

    private static Transcript t(Greeting g, byte[] request, Leg first, Leg firstClamped, Leg full, Leg fullClamped, Leg plain) {
        return new Transcript(g, request, first, firstClamped, full, fullClamped, plain, null, 5);
    }

    private static Leg answered(String text) {
        return leg("first", 0, State.ANSWERED, text.getBytes(StandardCharsets.US_ASCII), HEAD.length, true, ACKED);
    }

    private static Leg acked(String role, int mss) {
        return leg(role, mss, State.ANSWERED, new byte[0], 1448, true, ACKED);
    }

    private static Leg leg(String role, int mss, State end, byte[] answer, int sent, boolean acked, Info info) {
        boolean reacted = sent > 0 && (end == State.RESET || end == State.CLOSED);
        return new Leg(role, mss, end, answer, sent, acked, reacted, 0.3, acked ? 0.2 : -1, answer.length > 0 ? 1.0 : -1, 900, info, 0);
    }
}
