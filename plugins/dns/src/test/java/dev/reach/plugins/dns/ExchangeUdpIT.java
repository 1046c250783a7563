package dev.reach.plugins.dns;

import org.junit.jupiter.api.Test;
import org.xbill.DNS.Name;
import org.xbill.DNS.Type;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The UDP retry against a real socket on 127.0.0.1 that plays a lossy path: it drops the first datagrams it
 * gets and answers the rest (each answer is the query sent back with the QR bit set).
 */
class ExchangeUdpIT {
    private static final Name NAME = Name.fromConstantString("web.lab.test.");

    /**
     * Drops the first {@code drop} queries, answers the others, for at most {@code life}; counts what came. A datagram
     * saying {@code marker} is not counted: it opens {@link #marked}, so a test knows every datagram sent before it
     * was seen (on loopback a datagram is in the receiving socket's queue when send returns).
     */
    private record LossyServer(DatagramSocket socket, Thread thread, AtomicInteger received, CountDownLatch marked) implements AutoCloseable {
        static LossyServer start(int drop, Duration life) throws Exception {
            DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            s.setSoTimeout((int) life.toMillis());
            AtomicInteger received = new AtomicInteger();
            CountDownLatch marked = new CountDownLatch(1);
            Thread t = Thread.ofPlatform().daemon().start(() -> {
                try {
                    for (int i = 0; i < 10; i++) {
                        DatagramPacket p = new DatagramPacket(new byte[512], 512);
                        s.receive(p);
                        if (new String(p.getData(), 0, p.getLength(), java.nio.charset.StandardCharsets.US_ASCII).equals("marker")) {
                            marked.countDown();
                            continue;
                        }
                        if (received.incrementAndGet() <= drop) continue;
                        byte[] reply = Arrays.copyOf(p.getData(), p.getLength());
                        reply[2] |= (byte) 0x80;
                        s.send(new DatagramPacket(reply, reply.length, p.getSocketAddress()));
                    }
                } catch (Exception e) {
                    // closed or timed out: the test is over
                }
            });
            return new LossyServer(s, t, received, marked);
        }

        /** Sends the marker and waits until the server has seen it, and so everything sent before it. */
        void drain() throws Exception {
            try (DatagramSocket d = new DatagramSocket()) {
                byte[] m = "marker".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
                d.send(new DatagramPacket(m, m.length, socket.getLocalSocketAddress()));
            }
            assertThat(marked.await(2, java.util.concurrent.TimeUnit.SECONDS)).as("the server saw the marker").isTrue();
        }

        Nameserver nameserver() {
            return new Nameserver(InetAddress.getLoopbackAddress(), socket.getLocalPort());
        }

        @Override
        public void close() throws Exception {
            socket.close();
            thread.join(2000);
        }
    }

    @Test
    void aLostFirstDatagramIsAskedAgainAndAnswered() throws Exception {
        try (LossyServer server = LossyServer.start(1, Duration.ofSeconds(5))) {
            Exchange x = Exchange.ask(server.nameserver(), NAME, Type.A, false, Duration.ofMillis(800));
            assertThat(x.outcome()).as(x.toString()).isEqualTo("answered");
            assertThat(x.took()).isGreaterThanOrEqualTo(Duration.ofMillis(400)); // the second went at half the wait
            assertThat(server.received()).hasValue(2);
        }
    }

    @Test
    void anAnswerToTheFirstDatagramNeedsNoSecond() throws Exception {
        try (LossyServer server = LossyServer.start(0, Duration.ofSeconds(5))) {
            Exchange x = Exchange.ask(server.nameserver(), NAME, Type.A, false, Duration.ofMillis(800));
            assertThat(x.outcome()).isEqualTo("answered");
            server.drain(); // its channel is closed once it returned: whatever it sent is in the server's queue
            assertThat(server.received()).hasValue(1);
        }
    }

    @Test
    void aServerThatNeverAnswersTimesOutOnceAfterTwoDatagrams() throws Exception {
        try (LossyServer server = LossyServer.start(10, Duration.ofSeconds(5))) {
            Exchange x = Exchange.ask(server.nameserver(), NAME, Type.A, false, Duration.ofMillis(600));
            assertThat(x.outcome()).isEqualTo("timeout");
            assertThat(x.error()).contains("sent twice");
            assertThat(x.took()).isBetween(Duration.ofMillis(550), Duration.ofMillis(1500));
            assertThat(server.received()).hasValue(2);
        }
    }

}
