package dev.reach.plugins.net;

import dev.reach.plugins.net.PathTraceProbe.Answer;
import dev.reach.plugins.net.PathTraceProbe.Hop;
import dev.reach.spi.Addresses;
import dev.reach.spi.ProbeContext;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static dev.reach.plugins.net.Syscalls.*;

/**
 * path.trace by TCP SYN to the service's own port, for paths that let only that port through (no
 * privilege needed, like traceroute's tcpconn): one non-blocking {@code connect()} per probe with
 * {@code IP_TTL} set and {@code IP_RECVERR} on. A router's time-exceeded aborts the connect and lands on
 * that socket's error queue, naming the router; at the target a SYN-ACK (the connect completes: open) or
 * an RST (ECONNREFUSED: refused) ends the trace. Probes that reach an open port are real connections,
 * closed at once.
 */
record TcpHops(InetSocketAddress to) implements HopProber {
    static final int DEFAULT_PORT = 80;

    @Override
    public String method() {
        return "tcp";
    }

    @Override
    public String describe() {
        return "TCP SYN to port " + to.getPort();
    }

    @Override
    public List<Hop> window(ProbeContext ctx, int first, int last, int count, Duration timeout) throws NativeSocket.Failure, Refused {
        TraceWindow w = new TraceWindow(first, last, count);
        List<NativeSocket> sockets = new ArrayList<>(w.size());
        try {
            for (int i = 0; i < w.size(); i++) {
                int ttl = w.ttl(i);
                sockets.add(HopProber.setUp("TCP", () -> open(ttl)));
            }
            HopProber.warmUp(sockets.getFirst(), true);
            TraceWindow.Reader reader = wait -> read(w, sockets, wait); // made before sending: no lambda linking in the timing
            for (int i = 0; i < w.size(); i++) {
                w.sending(i);
                int err = sockets.get(i).connect(to);
                w.sent(i);
                long now = System.nanoTime();
                switch (err) {
                    case 0 -> w.answer(i, open(w.rtt(i, now)));
                    case EINPROGRESS -> { }
                    case ECONNREFUSED -> w.answer(i, refused(w.rtt(i, now)));
                    case ENETUNREACH -> throw new NativeSocket.Failure("connect", err);
                    default -> w.answer(i, local(err, w.rtt(i, now)));
                }
            }
            w.await(ctx, timeout, reader);
        } finally {
            sockets.forEach(NativeSocket::close);
        }
        return w.hops();
    }

    private NativeSocket open(int ttl) throws NativeSocket.Failure {
        return HopProber.openWithTtl(to.getAddress(), SOCK_STREAM | SOCK_NONBLOCK, IPPROTO_TCP, ttl);
    }

    /** Polls the connects still pending (a finished connect stays writable: polling it again would spin). */
    private void read(TraceWindow w, List<NativeSocket> sockets, Duration wait) throws NativeSocket.Failure {
        HopProber.pollPending(w, sockets, (short) (POLLOUT | POLLERR), wait, (i, s, ev, now) -> answer(w, i, s, ev, now));
    }

    /** What a finished connect says: the ICMP on the error queue, else the socket's error (0: open). */
    private Answer answer(TraceWindow w, int i, NativeSocket s, short ev, long now) {
        double rtt = w.rtt(i, now);
        try {
            if ((ev & (POLLERR | POLLHUP)) != 0) {
                try {
                    NativeSocket.Received r = s.receive(64, MSG_ERRQUEUE);
                    Answer icmp = Answer.of(r.error(), w.rtt(i, now, r.stamp()));
                    if (icmp != null) return icmp;
                } catch (NativeSocket.Failure empty) {
                    // no ICMP queued: the peer itself answered (RST) or the kernel gave up; SO_ERROR says which
                }
            }
            int err = s.pendingError();
            return switch (err) {
                case 0 -> (ev & POLLOUT) != 0 ? open(synRtt(s, rtt)) : null;
                case ECONNREFUSED -> refused(rtt);
                case ETIMEDOUT -> Answer.SILENCE;
                default -> local(err, rtt);
            };
        } catch (NativeSocket.Failure f) {
            return null;
        }
    }

    /**
     * The kernel's own measure of the handshake (TCP_INFO's tcpi_rtt, microseconds at byte 68: right after
     * the connect it is the SYN to SYN-ACK time); {@code fallback} where it gives none.
     */
    private static double synRtt(NativeSocket s, double fallback) {
        try {
            byte[] info = s.getBytes(IPPROTO_TCP, TCP_INFO, 104);
            if (info.length < 72) return fallback;
            long us = java.nio.ByteBuffer.wrap(info).order(java.nio.ByteOrder.nativeOrder()).getInt(68) & 0xffffffffL;
            return us > 0 ? us / 1000.0 : fallback;
        } catch (NativeSocket.Failure f) {
            return fallback;
        }
    }

    private Answer open(double rtt) {
        return new Answer(Addresses.text(to.getAddress()), rtt, "open", "SYN-ACK from " + Addresses.endpoint(to.getAddress(), to.getPort()) + ", port open");
    }

    private Answer refused(double rtt) {
        return new Answer(Addresses.text(to.getAddress()), rtt, "refused", "RST from " + Addresses.endpoint(to.getAddress(), to.getPort()) + ", port closed");
    }

    private static Answer local(int errno, double rtt) {
        return new Answer(null, rtt, "local-" + Syscalls.errnoName(errno), "local " + Syscalls.errnoName(errno));
    }
}
