package dev.reach.plugins.dns;

import org.junit.jupiter.api.Test;
import org.xbill.DNS.Name;
import org.xbill.DNS.Type;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * TCP questions against a real listener on 127.0.0.1 whose first connection is accepted and never answered,
 * and whose later ones are: each question has a connection of its own, so a silent one cannot hold the next
 * (dnsjava's TCP client shared one per server across the process, which held a resident reach's next run).
 */
class ExchangeTcpIT {
    private static final Name NAME = Name.fromConstantString("web.lab.test.");

    @Test
    void aSilentConnectionTimesOutAndTheNextQuestionGetsItsOwn() throws Exception {
        List<Socket> held = new ArrayList<>();
        try (ServerSocket server = new ServerSocket(0, 8, InetAddress.getLoopbackAddress())) {
            server.setSoTimeout(5000);
            Thread t = Thread.ofPlatform().daemon().start(() -> {
                try {
                    held.add(server.accept());                  // the first: accepted, never answered
                    for (int i = 0; i < 3; i++) {
                        try (Socket c = server.accept()) {      // the others: the query back, with QR set
                            DataInputStream in = new DataInputStream(c.getInputStream());
                            byte[] q = new byte[in.readUnsignedShort()];
                            in.readFully(q);
                            q[2] |= (byte) 0x80;
                            DataOutputStream out = new DataOutputStream(c.getOutputStream());
                            out.writeShort(q.length);
                            out.write(q);
                            out.flush();
                        }
                    }
                } catch (Exception e) {
                    // closed or timed out: the test is over
                }
            });
            Nameserver ns = new Nameserver(InetAddress.getLoopbackAddress(), server.getLocalPort());
            Exchange silent = Exchange.ask(ns, NAME, Type.A, true, Duration.ofMillis(300));
            assertThat(silent.outcome()).as(silent.toString()).isEqualTo("timeout");
            assertThat(silent.error()).contains("Timed out while trying to resolve web.lab.test./A over TCP");
            assertThat(silent.took()).isBetween(Duration.ofMillis(250), Duration.ofMillis(1500));

            Exchange next = Exchange.ask(ns, NAME, Type.A, true, Duration.ofSeconds(3));
            assertThat(next.outcome()).as(next.toString()).isEqualTo("answered");
            assertThat(next.took()).isLessThan(Duration.ofSeconds(1));
            server.close();
            t.join(2000);
        } finally {
            for (Socket s : held) s.close();
        }
    }

    @Test
    void allTypesGoOverOneConnectionAndAnswersAreMatchedById() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 8, InetAddress.getLoopbackAddress())) {
            server.setSoTimeout(5000);
            List<Integer> connections = new ArrayList<>();
            Thread t = Thread.ofPlatform().daemon().start(() -> {
                try (Socket c = server.accept()) {
                    connections.add(1);
                    DataInputStream in = new DataInputStream(c.getInputStream());
                    List<byte[]> qs = new ArrayList<>();
                    for (int i = 0; i < 2; i++) {
                        byte[] q = new byte[in.readUnsignedShort()];
                        in.readFully(q);
                        q[2] |= (byte) 0x80;
                        qs.add(q);
                    }
                    DataOutputStream out = new DataOutputStream(c.getOutputStream());
                    for (byte[] q : qs.reversed()) {   // the second question answered first
                        out.writeShort(q.length);
                        out.write(q);
                    }
                    out.flush();
                    server.setSoTimeout(300);
                    server.accept().close();           // a second connection would be counted
                    connections.add(1);
                } catch (Exception e) {
                    // timed out waiting for a second connection: there was none
                }
            });
            Nameserver ns = new Nameserver(InetAddress.getLoopbackAddress(), server.getLocalPort());
            List<Exchange> xs = Exchange.askTcp(ns, NAME, List.of(Type.A, Type.AAAA), Duration.ofSeconds(3), () -> { }, c -> { });
            t.join(3000);
            assertThat(xs).extracting(Exchange::outcome).containsExactly("answered", "answered");
            assertThat(xs).extracting(Exchange::qtype).containsExactly(Type.A, Type.AAAA);
            assertThat(xs).allSatisfy(x -> assertThat(x.reply().getQuestion().getType()).isEqualTo(x.qtype()));
            assertThat(connections).hasSize(1);
        }
    }

    @Test
    void aClosedPortIsRefused() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Exchange x = Exchange.ask(new Nameserver(InetAddress.getLoopbackAddress(), port), NAME, Type.A, true, Duration.ofSeconds(2));
        assertThat(x.outcome()).as(x.toString()).isEqualTo("refused");
    }
}
