package dev.reach.plugins.dns;

import org.xbill.DNS.Name;
import org.xbill.DNS.Type;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Arrays;

/**
 * Runs dnsjava's UDP and TCP paths once against an echo inside this process (on loopback) before the real
 * questions, so their times measure the servers and not dnsjava starting up in a cold JVM (about 200 ms on
 * the first query, against a few ms after). Best effort: a failure here only leaves the first times high.
 */
final class WarmUp {
    private static final Duration WAIT = Duration.ofSeconds(1);
    private final java.util.concurrent.atomic.AtomicBoolean udpDone = new java.util.concurrent.atomic.AtomicBoolean();
    private final java.util.concurrent.atomic.AtomicBoolean tcpDone = new java.util.concurrent.atomic.AtomicBoolean();

    /**
     * Warms what this probe instance has not warmed yet: once per process for the probe (a shell or a resident
     * reach keeps its probes; a warm-up on every run cost those 10-20 ms a run).
     */
    void once(boolean udp, boolean tcp) {
        boolean u = udp && udpDone.compareAndSet(false, true);
        boolean t = tcp && tcpDone.compareAndSet(false, true);
        if (u || t) {
            run(u, t);
        }
    }

    /** Warms the UDP path, the TCP path, or both. */
    static void run(boolean udp, boolean tcp) {
        InetAddress loopback = InetAddress.getLoopbackAddress();
        try (DatagramSocket datagrams = new DatagramSocket(new InetSocketAddress(loopback, 0));
             ServerSocket stream = new ServerSocket(0, 1, loopback)) {
            datagrams.setSoTimeout((int) WAIT.toMillis());
            stream.setSoTimeout((int) WAIT.toMillis());
            Name name = Name.fromConstantString("warm-up.invalid.");
            if (udp) {
                Thread echo = echoThread().start(() -> echoUdp(datagrams));
                Exchange.ask(new Nameserver(loopback, datagrams.getLocalPort()), name, Type.A, false, WAIT);
                echo.join(WAIT);
            }
            if (tcp) {
                Thread echo = echoThread().start(() -> echoTcp(stream));
                Exchange.ask(new Nameserver(loopback, stream.getLocalPort()), name, Type.A, true, WAIT);
                echo.join(WAIT);
            }
        } catch (IOException e) {
            // nothing to warm: the real questions pay for the start-up instead
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * A platform thread, not a virtual one: a virtual thread blocking in a socket call starts the JDK's poller
     * thread, which then sits in epoll_wait, and HotSpot waits up to 300 ms for threads in native code when
     * the process exits — a third of a second added to every run that asked DNS.
     */
    private static Thread.Builder echoThread() {
        return Thread.ofPlatform().daemon().name("reach-dns-warm-up");
    }

    /** Sends each query back as its own reply: the same bytes with the QR (response) bit set. */
    private static void echoUdp(DatagramSocket socket) {
        try {
            DatagramPacket p = new DatagramPacket(new byte[512], 512);
            socket.receive(p);
            byte[] reply = Arrays.copyOf(p.getData(), p.getLength());
            reply[2] |= (byte) 0x80;
            socket.send(new DatagramPacket(reply, reply.length, p.getSocketAddress()));
        } catch (IOException e) {
            // the asking side times out and moves on
        }
    }

    private static void echoTcp(ServerSocket server) {
        try (Socket s = server.accept()) {
            s.setSoTimeout((int) WAIT.toMillis());
            var in = new DataInputStream(s.getInputStream());
            byte[] query = new byte[in.readUnsignedShort()];
            in.readFully(query);
            query[2] |= (byte) 0x80;
            var out = new DataOutputStream(s.getOutputStream());
            out.writeShort(query.length);
            out.write(query);
            out.flush();
        } catch (IOException e) {
            // the asking side times out and moves on
        }
    }
}
