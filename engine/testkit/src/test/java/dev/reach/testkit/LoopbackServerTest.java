package dev.reach.testkit;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The fixed-answer listeners plugin tests point their probes at, checked with plain sockets. */
class LoopbackServerTest {

    @Test
    void greetingWritesAsSoonAsItAccepts() throws IOException {
        try (LoopbackServer server = LoopbackServer.greeting("220 ready\r\n"); Socket s = connect(server)) {
            assertThat(readLine(s.getInputStream())).isEqualTo("220 ready");
            assertThat(server.connections()).isEqualTo(1);
        }
    }

    @Test
    void dialogueGreetsThenAnswersEachLineUntilTheReplyIsNull() throws Exception {
        try (LoopbackServer server = LoopbackServer.dialogue("220 mail.test ESMTP\r\n", line -> switch (line.split(" ")[0]) {
            case "EHLO" -> "250-mail.test\r\n250 SIZE 1000\r\n";
            case "QUIT" -> null;
            default -> "500 what is '" + line + "'?\r\n";
        }); Socket s = connect(server)) {
            s.setSoTimeout(5000);
            InputStream in = s.getInputStream();
            assertThat(readLine(in)).isEqualTo("220 mail.test ESMTP");
            s.getOutputStream().write("EHLO me\r\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(readLine(in)).isEqualTo("250-mail.test");
            assertThat(readLine(in)).isEqualTo("250 SIZE 1000");
            s.getOutputStream().write("NOOP\n".getBytes(StandardCharsets.US_ASCII));   // a bare LF ends a line too
            assertThat(readLine(in)).isEqualTo("500 what is 'NOOP'?");
            s.getOutputStream().write("QUIT\r\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(in.read()).as("closed on a null reply").isEqualTo(-1);
            assertThat(server.receivedText()).isEqualTo("EHLO me\r\nNOOP\nQUIT\r\n");
        }
    }

    @Test
    void answeringWaitsForTheClientThenKeepsWhatItSent() throws Exception {
        try (LoopbackServer server = LoopbackServer.answering("+PONG\r\n"); Socket s = connect(server)) {
            s.setSoTimeout(300);
            assertThatThrownBy(() -> s.getInputStream().read()).as("nothing before the client speaks")
                    .isInstanceOf(SocketTimeoutException.class);
            s.getOutputStream().write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            s.setSoTimeout(5000);
            assertThat(readLine(s.getInputStream())).isEqualTo("+PONG");
            assertThat(s.getInputStream().read()).as("closed after answering").isEqualTo(-1);
            assertThat(server.receivedText()).isEqualTo("PING\r\n");
        }
    }

    @Test
    void closingHangsUpAtOnce() throws IOException {
        try (LoopbackServer server = LoopbackServer.closing(); Socket s = connect(server)) {
            s.setSoTimeout(5000);
            assertThat(s.getInputStream().read()).isEqualTo(-1);
        }
    }

    @Test
    void silentNeverWritesAndCloseEndsTheConnection() throws IOException {
        LoopbackServer server = LoopbackServer.silent();
        try (Socket s = connect(server)) {
            s.setSoTimeout(300);
            assertThatThrownBy(() -> s.getInputStream().read()).isInstanceOf(SocketTimeoutException.class);
            server.close();
            s.setSoTimeout(5000);
            assertThat(s.getInputStream().read()).as("the server's close reaches the client").isEqualTo(-1);
        }
    }

    @Test
    void closedPortRefusesAndAClosedServerStopsListening() {
        int port;
        try (LoopbackServer server = LoopbackServer.silent()) {
            port = server.port();
        }
        int closed = port;
        assertThatThrownBy(() -> new Socket().connect(new InetSocketAddress("127.0.0.1", closed), 2000))
                .isInstanceOf(ConnectException.class);
        int free = LoopbackServer.closedPort();
        assertThatThrownBy(() -> new Socket().connect(new InetSocketAddress("127.0.0.1", free), 2000))
                .isInstanceOf(ConnectException.class);
    }

    private static Socket connect(LoopbackServer server) throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress(server.host(), server.port()), 2000);
        s.setSoTimeout(5000);
        return s;
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 200; i++) {
            int b = in.read();
            if (b < 0 || b == '\n') {
                break;
            }
            sb.append((char) b);
        }
        return sb.toString().strip();
    }
}
