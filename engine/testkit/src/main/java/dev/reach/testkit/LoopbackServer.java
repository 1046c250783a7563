package dev.reach.testkit;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP listener on 127.0.0.1 that answers every connection with fixed bytes: a stand-in for "something
 * listens there, but it is not the protocol you expect" (an HTTP server on the Redis port, a banner that
 * is wrong). Each connection is served on its own virtual thread; {@link #close()} closes the listener
 * and every connection it accepted.
 *
 * <pre>{@code
 * try (LoopbackServer http = LoopbackServer.answering("HTTP/1.1 400 Bad Request\r\n\r\n")) {
 *     Observation o = ProbeHarness.run(new RedisPingProbe(), "host=127.0.0.1", "port=" + http.port());
 *     ObservationAssert.assertThat(o).isFail().hasCause("redis.not-redis");
 *     assertThat(http.receivedText()).startsWith("*1\r\n$4\r\nPING");
 * }
 * }</pre>
 *
 * <p>Modes: {@link #greeting} writes as soon as it accepts (SSH, SMTP, FTP do), {@link #answering} waits
 * for the client's first bytes, {@link #dialogue} holds a command/response conversation line by line,
 * {@link #silent} accepts and never writes, {@link #closing} accepts and closes at once. Everything clients send
 * is kept for {@link #received()}.
 */
public final class LoopbackServer implements AutoCloseable {
    /** How long a connection waits for the client before it gives up on it. */
    public static final Duration READ_TIMEOUT = Duration.ofSeconds(10);
    private static final int MAX_KEPT = 1 << 20;

    private enum Mode { GREET, ANSWER, SILENT, CLOSE, DIALOGUE }

    private final Mode mode;
    private final byte[] reply;
    private final java.util.function.Function<String, String> replies;   // DIALOGUE only
    private final ServerSocket server;
    private final Thread acceptor;
    private final List<Socket> accepted = new ArrayList<>();
    private final ByteArrayOutputStream received = new ByteArrayOutputStream();
    private final AtomicInteger connections = new AtomicInteger();
    private boolean closed; // guarded by accepted

    private LoopbackServer(Mode mode, byte[] reply) {
        this(mode, reply, null);
    }

    private LoopbackServer(Mode mode, byte[] reply, java.util.function.Function<String, String> replies) {
        this.mode = mode;
        this.reply = reply.clone();
        this.replies = replies;
        try {
            this.server = new ServerSocket(0, 50, InetAddress.ofLiteral("127.0.0.1"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on 127.0.0.1", e);
        }
        this.acceptor = Thread.ofVirtual().name("loopback-server-" + server.getLocalPort()).start(this::acceptLoop);
    }

    /** Writes the bytes as soon as a connection is accepted, then reads what the client sends. */
    public static LoopbackServer greeting(byte[] bytes) {
        return new LoopbackServer(Mode.GREET, bytes);
    }

    /** {@link #greeting(byte[])} with UTF-8 text. */
    public static LoopbackServer greeting(String text) {
        return greeting(text.getBytes(StandardCharsets.UTF_8));
    }

    /** Waits for the client's first bytes, then writes the bytes and closes. */
    public static LoopbackServer answering(byte[] bytes) {
        return new LoopbackServer(Mode.ANSWER, bytes);
    }

    /** {@link #answering(byte[])} with UTF-8 text. */
    public static LoopbackServer answering(String text) {
        return answering(text.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * A command/response conversation (SMTP, POP3, Redis inline, a line protocol of your own): writes
     * {@code greeting} (UTF-8; none when empty) as soon as it accepts, then answers each line the client sends
     * (without its CR LF) with what {@code reply} returns, written as it is (include the line ending you want);
     * {@code null} closes the connection.
     *
     * <pre>{@code
     * try (LoopbackServer smtp = LoopbackServer.dialogue("220 mail.test ESMTP\r\n", line -> switch (line.split(" ")[0]) {
     *     case "EHLO" -> "250-mail.test\r\n250 SIZE 1000\r\n";
     *     case "QUIT" -> null;
     *     default -> "500 what?\r\n";
     * })) { ... }
     * }</pre>
     */
    public static LoopbackServer dialogue(String greeting, java.util.function.Function<String, String> reply) {
        return new LoopbackServer(Mode.DIALOGUE, greeting.getBytes(StandardCharsets.UTF_8), java.util.Objects.requireNonNull(reply));
    }

    /** Accepts and never writes: the client waits until its own timeout. */
    public static LoopbackServer silent() {
        return new LoopbackServer(Mode.SILENT, new byte[0]);
    }

    /** Accepts and closes at once, before the client sends anything. */
    public static LoopbackServer closing() {
        return new LoopbackServer(Mode.CLOSE, new byte[0]);
    }

    /** A loopback port that nothing listens on (bound, then released): a connection to it is refused. */
    public static int closedPort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.ofLiteral("127.0.0.1"))) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The address to give a probe: {@code 127.0.0.1}. */
    public String host() {
        return "127.0.0.1";
    }

    public int port() {
        return server.getLocalPort();
    }

    /** How many connections it accepted so far. */
    public int connections() {
        return connections.get();
    }

    /** Everything clients sent so far, all connections in arrival order (at most 1 MiB). */
    public byte[] received() {
        synchronized (received) {
            return received.toByteArray();
        }
    }

    /** {@link #received()} as UTF-8 text. */
    public String receivedText() {
        return new String(received(), StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException e) {
            // closing a listener cannot fail in a way a test could act on
        }
        synchronized (accepted) {
            closed = true;
            accepted.forEach(LoopbackServer::quietlyClose);
            accepted.clear();
        }
        try {
            acceptor.join(Duration.ofSeconds(2));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                connections.incrementAndGet();
                synchronized (accepted) {
                    if (closed) { // accepted just as close() ran: it must not outlive the server
                        quietlyClose(s);
                        return;
                    }
                    accepted.add(s);
                }
                Thread.ofVirtual().name("loopback-conn-" + s.getPort()).start(() -> serve(s));
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void serve(Socket s) {
        try (s) {
            s.setSoTimeout((int) READ_TIMEOUT.toMillis());
            InputStream in = s.getInputStream();
            switch (mode) {
                case CLOSE -> { }
                case GREET -> {
                    s.getOutputStream().write(reply);
                    s.getOutputStream().flush();
                    drain(in);
                }
                case ANSWER -> {
                    if (readSome(in)) {
                        s.getOutputStream().write(reply);
                        s.getOutputStream().flush();
                    }
                }
                case SILENT -> drain(in);
                case DIALOGUE -> converse(s, in);
            }
        } catch (SocketTimeoutException | SocketException e) {
            // the client went away or stayed silent: both are the client's business
        } catch (IOException e) {
            // same: nothing a fixed-answer server should report
        }
    }

    /** The greeting, then a reply to each line, until the reply is null, the client closes or 10 000 lines. */
    private void converse(Socket s, InputStream in) throws IOException {
        var out = s.getOutputStream();
        if (reply.length > 0) {
            out.write(reply);
            out.flush();
        }
        for (int i = 0; i < 10_000; i++) {
            String line = readLine(in);
            if (line == null) return;
            String answer = replies.apply(line);
            if (answer == null) return;
            out.write(answer.getBytes(StandardCharsets.UTF_8));
            out.flush();
        }
    }

    /** One line without its LF (and CR), kept in {@link #received()}; null at the end of the stream. Up to 64 KiB. */
    private String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int i = 0; i < 65_536; i++) {
            int b = in.read();
            if (b < 0) return line.size() == 0 ? null : line.toString(StandardCharsets.UTF_8);
            synchronized (received) {
                if (received.size() < MAX_KEPT) received.write(b);
            }
            if (b == '\n') break;
            line.write(b);
        }
        String text = line.toString(StandardCharsets.UTF_8);
        return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
    }

    /** Reads until the client closes, the read times out or the server is closed. */
    private void drain(InputStream in) throws IOException {
        for (int i = 0; i < 100_000 && readSome(in); i++) {
            // keep reading, bounded: close() ends it sooner
        }
    }

    private boolean readSome(InputStream in) throws IOException {
        byte[] buf = new byte[4096];
        int n = in.read(buf);
        if (n < 0) {
            return false;
        }
        synchronized (received) {
            if (received.size() < MAX_KEPT) {
                received.write(buf, 0, Math.min(n, MAX_KEPT - received.size()));
            }
        }
        return true;
    }

    private static void quietlyClose(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // already gone
        }
    }
}
