package dev.reach.spi;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link Tcp} against real loopback sockets: every outcome a plugin meets, and the one budget of connect and reads. */
class TcpTest {
    private final List<AutoCloseable> open = new ArrayList<>();
    private final ProbeContext ctx = new ProbeContext() {
        private final Instant deadline = Instant.now().plusSeconds(20);

        @Override
        public Instant deadline() {
            return deadline;
        }

        @Override
        public boolean cancelled() {
            return false;
        }

        @Override
        public void progress(String message) {
        }

        @Override
        public Privileges privileges() {
            return new Privileges() {
                @Override
                public boolean root() {
                    return false;
                }

                @Override
                public boolean hasCapability(String capability) {
                    return false;
                }

                @Override
                public Optional<java.nio.file.Path> tool(String name) {
                    return Optional.empty();
                }
            };
        }
    };

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
        Tcp.icmpReader(null);
    }

    @Test
    void conversationReadsLinesWithoutTheirEnds() throws Exception {
        int port = server(s -> write(s, "220 acme ready\r\n"), s -> write(s, "250 ok\n"));
        try (Tcp.Outcome o = Tcp.connect(ctx, "127.0.0.1", port, Duration.ofSeconds(5))) {
            assertThat(o).isInstanceOf(Tcp.Connected.class);
            Tcp.Connected c = (Tcp.Connected) o;
            assertThat(c.target()).isEqualTo("127.0.0.1:" + port);
            assertThat(c.judgement().status()).isEqualTo(Status.OK);
            assertThat(c.readLine()).isInstanceOfSatisfying(Tcp.Line.class, l -> assertThat(l.text()).isEqualTo("220 acme ready"));
            assertThat(c.send("EHLO reach\r\n")).isTrue();
            assertThat(c.readLine()).isInstanceOfSatisfying(Tcp.Line.class, l -> assertThat(l.text()).isEqualTo("250 ok"));
            Tcp.Reply end = c.readLine();
            assertThat(end).isInstanceOf(Tcp.Closed.class);
            assertThat(((Tcp.Failure) end).judgement(c.target()).cause()).isEqualTo("tcp.reset");
        }
    }

    @Test
    void closedPortIsRefusedWithTcpConnectsWords() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Tcp.Outcome o = Tcp.connect(ctx, "127.0.0.1", port, Duration.ofSeconds(5));
        assertThat(o).isInstanceOf(Tcp.Refused.class);
        Observation obs = o.observation().build();
        assertThat(obs.cause()).contains("tcp.refused");
        assertThat(obs.facts()).containsEntry("outcome", "refused").containsKey("connect_ms");
        assertThat(obs.evidence()).containsExactly("connect 127.0.0.1:" + port + " -> Connection refused (RST)");
    }

    /** The connect and the reads share one budget: a silent server costs the timeout once, not once per step. */
    @Test
    void silentServerSpendsTheBudgetOnce() throws Exception {
        int port = server(s -> sleep(3000));
        long t0 = System.nanoTime();
        try (Tcp.Outcome o = Tcp.connect(ctx, "127.0.0.1", port, Duration.ofMillis(500))) {
            Tcp.Connected c = (Tcp.Connected) o;
            Tcp.Reply first = c.readLine();
            Tcp.Reply second = c.readLine();
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertThat(first).isInstanceOf(Tcp.Silent.class);
            assertThat(second).isInstanceOf(Tcp.Silent.class);
            assertThat(ms).as("connect and two reads within one 500 ms budget (a budget each would be 1000 ms)").isBetween(490L, 850L);
            Judgement j = ((Tcp.Failure) first).judgement(c.target());
            assertThat(j.cause()).isEqualTo("tcp.no-response");
            assertThat(j.summary()).contains("accepted the connection but sent nothing within");
            assertThat(c.remaining()).isZero();
        }
    }

    @Test
    void lineWithoutItsEndIsSilentWithWhatCame() throws Exception {
        int port = server(s -> {
            write(s, "SSH-2.0");
            sleep(3000);
        });
        try (Tcp.Outcome o = Tcp.connect(ctx, "127.0.0.1", port, Duration.ofMillis(200))) {
            Tcp.Reply r = ((Tcp.Connected) o).readLine();
            assertThat(r).isInstanceOfSatisfying(Tcp.Silent.class, s -> assertThat(s.partial()).isEqualTo("SSH-2.0"));
            assertThat(((Tcp.Failure) r).judgement(o.target()).summary()).contains("no complete line");
        }
    }

    @Test
    void resetWhileReadingIsReset() throws Exception {
        int port = server(s -> {
            try {
                s.getInputStream().read(); // the client's first byte, so the connect has long completed
                s.setSoLinger(true, 0);     // then close with a RST
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        try (Tcp.Outcome o = Tcp.connect(ctx, "127.0.0.1", port, Duration.ofSeconds(5))) {
            assertThat(o).as("connected: the server resets only after the first byte").isInstanceOf(Tcp.Connected.class);
            Tcp.Connected c = (Tcp.Connected) o;
            c.send("x");
            Tcp.Reply r = c.readLine();
            assertThat(r).isInstanceOfAny(Tcp.Reset.class, Tcp.Closed.class);
            assertThat(((Tcp.Failure) r).judgement(c.target()).cause()).isEqualTo("tcp.reset");
        }
    }

    /** The ICMP reader (reach's network plugin lends it) names the router; pure, so no router is needed here. */
    @Test
    void refineNamesTheRouterThatSaidNetUnreachable() throws Exception {
        Judgement none = Tcp.judge(new java.net.SocketException("Network is unreachable"), "198.18.7.7:80", Duration.ofSeconds(1),
                Duration.ofMillis(1));
        assertThat(none.cause()).isEqualTo("route.none");
        InetAddress router = InetAddress.getByName("198.18.0.2");
        Judgement j = Tcp.refine(none, new Tcp.Icmp("net-unreachable", "ICMP 3/0 net-unreachable from 198.18.0.2", router, false, 0),
                "198.18.7.7:80");
        assertThat(j.cause()).isEqualTo("net.unreachable");
        assertThat(j.summary()).isEqualTo("198.18.7.7:80 is unreachable: 198.18.0.2 has no route onwards (ICMP 3/0 net-unreachable)");
        Judgement self = Tcp.refine(Tcp.judge(new java.net.NoRouteToHostException("No route to host"), "198.18.0.99:80",
                Duration.ofSeconds(1), Duration.ofSeconds(3)), new Tcp.Icmp("local", "local EHOSTUNREACH", null, true, Tcp.EHOSTUNREACH),
                "198.18.0.99:80");
        assertThat(self.summary()).contains("nobody on the local link answers ARP/ND");
        assertThat(Tcp.refine(none, null, "x")).isSameAs(none);
    }

    /** A literal address needs no resolver; the reader is asked only for an unreachable outcome. */
    @Test
    void readerIsNotAskedWhenTheHostAnswers() throws IOException {
        List<InetSocketAddress> asked = new ArrayList<>();
        Tcp.icmpReader((to, wait) -> {
            asked.add(to);
            return Optional.empty();
        });
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        assertThat(Tcp.connect(ctx, "127.0.0.1", port, Duration.ofSeconds(1))).isInstanceOf(Tcp.Refused.class);
        assertThat(asked).isEmpty();
    }

    /** A loopback server whose n-th accepted connection runs the n-th step, then closes. */
    @SafeVarargs
    private int server(Consumer<Socket>... steps) throws IOException {
        ServerSocket server = new ServerSocket(0, 8, InetAddress.getLoopbackAddress());
        open.add(server);
        Thread t = Thread.ofPlatform().daemon().start(() -> {
            try (Socket s = server.accept()) {
                for (Consumer<Socket> step : steps) {
                    step.accept(s);
                }
            } catch (IOException ignored) {
                // the test closed the server
            }
        });
        open.add(t::interrupt);
        return server.getLocalPort();
    }

    private static void write(Socket s, String text) {
        try {
            OutputStream out = s.getOutputStream();
            out.write(text.getBytes(StandardCharsets.UTF_8));
            out.flush();
            Thread.sleep(20);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
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
