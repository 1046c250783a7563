package dev.reach.plugins.net;

import dev.reach.plugins.net.PathTraceProbe.Hop;
import dev.reach.spi.ProbeContext;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;

import static dev.reach.plugins.net.Syscalls.*;

/**
 * One native way for {@link PathTraceProbe} to send a window of probes with growing TTLs and read who
 * answered: UDP ({@link UdpHops}), ICMP echo ({@link IcmpHops}) or TCP SYN ({@link TcpHops}). Each opens
 * its sockets per window and closes them all before {@link #window} returns, on every path.
 */
sealed interface HopProber permits UdpHops, IcmpHops, TcpHops {
    /** Sends {@code count} probes for each TTL in [first, last] at once and collects the answers. */
    List<Hop> window(ProbeContext ctx, int first, int last, int count, Duration timeout) throws NativeSocket.Failure, Refused;

    /** {@code udp}, {@code icmp} or {@code tcp}: the fact {@code method}. */
    String method();

    /** What goes on the wire, for the evidence: {@code UDP to port 33434}. */
    String describe();

    /** The kernel will not give this process the socket it needs: a policy of this host, not the network's answer. */
    final class Refused extends Exception {
        Refused(String reason) {
            super(reason);
        }
    }

    /** True for the errnos that mean "not allowed here" (seccomp, a locked-down container, ping_group_range). */
    static boolean refusal(int errno) {
        return errno == EPERM || errno == EACCES || errno == EPROTONOSUPPORT || errno == 97 /* EAFNOSUPPORT */;
    }

    /** Runs the socket set-up; a refusal becomes {@link Refused} naming the method, anything else stays a failure. */
    static <T> T setUp(String method, SetUp<T> work) throws NativeSocket.Failure, Refused {
        try {
            return work.run();
        } catch (NativeSocket.Failure f) {
            if (refusal(f.errno())) throw new Refused("the kernel refuses this process a " + method + " socket (" + f.getMessage() + ")");
            throw f;
        }
    }

    /**
     * Runs the send and read paths once on a fresh, unconnected socket with calls the kernel rejects before
     * anything leaves (a send without destination, a connect to the other family, an empty error queue),
     * so the first probes are not timed with the JVM linking those calls on first use.
     */
    static void warmUp(NativeSocket s, boolean stream) {
        try {
            NativeSocket.pollAll(List.of(s), (short) (POLLIN | POLLERR), Duration.ZERO);
            if (stream) {
                int ignored = s.connect(new InetSocketAddress(InetAddress.ofLiteral(s.v6() ? "0.0.0.0" : "::"), 9));
            } else {
                s.send(new byte[8], null); // EDESTADDRREQ
            }
            s.receive(64, MSG_ERRQUEUE);
        } catch (NativeSocket.Failure expected) {
            // EDESTADDRREQ, EAGAIN: as intended
        }
    }

    /**
     * A socket of {@code type}/{@code protocol} toward {@code to}'s family whose packets leave with {@code ttl}
     * (hop limit on IPv6), with the kernel's ICMP errors queued (IP_RECVERR) and receive times stamped.
     */
    static NativeSocket openWithTtl(InetAddress to, int type, int protocol, int ttl) throws NativeSocket.Failure {
        NativeSocket s = NativeSocket.open(NativeSocket.familyOf(to), type, protocol);
        try {
            s.setInt(SOL_SOCKET, SO_TIMESTAMPNS, 1);
            if (s.v6()) {
                s.setInt(IPPROTO_IPV6, IPV6_RECVERR, 1);
                s.setInt(IPPROTO_IPV6, IPV6_UNICAST_HOPS, ttl);
            } else {
                s.setInt(IPPROTO_IP, IP_RECVERR, 1);
                s.setInt(IPPROTO_IP, IP_TTL, ttl);
            }
            return s;
        } catch (NativeSocket.Failure f) {
            s.close();
            throw f;
        }
    }

    /**
     * Polls, for {@code events}, the sockets of a window that have no answer yet, and hands each one that
     * woke to {@code read}: a finished socket is never polled again (a connected one stays writable).
     */
    static void pollPending(TraceWindow w, List<NativeSocket> sockets, short events, Duration wait, Reader read) throws NativeSocket.Failure {
        List<Integer> pending = new java.util.ArrayList<>();
        List<NativeSocket> polled = new java.util.ArrayList<>();
        for (int i = 0; i < sockets.size(); i++) {
            if (!w.answered(i)) {
                pending.add(i);
                polled.add(sockets.get(i));
            }
        }
        short[] ev = NativeSocket.pollAll(polled, events, wait);
        long now = System.nanoTime();
        for (int k = 0; k < pending.size(); k++) {
            int i = pending.get(k);
            if (ev[k] != 0) w.answer(i, read.answer(i, sockets.get(i), ev[k], now));
        }
    }

    /** What one woken socket of a window says. */
    interface Reader {
        PathTraceProbe.Answer answer(int index, NativeSocket s, short events, long now) throws NativeSocket.Failure;
    }

    /** Socket set-up that may fail with the kernel's errno. */
    interface SetUp<T> {
        T run() throws NativeSocket.Failure;
    }
}
