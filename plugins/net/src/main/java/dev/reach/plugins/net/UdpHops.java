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
 * path.trace's default method, like tracepath (no privilege needed): one UDP socket per probe with
 * {@code IP_TTL} set and {@code IP_RECVERR} on, so the kernel queues the ICMP time-exceeded or unreachable
 * that comes back, with the sender's address. The target's port-unreachable (or a UDP answer) ends it.
 */
record UdpHops(InetSocketAddress to) implements HopProber {
    static final int DEFAULT_PORT = 33434;
    private static final int PAYLOAD = 32;

    @Override
    public String method() {
        return "udp";
    }

    @Override
    public String describe() {
        return "UDP to port " + to.getPort();
    }

    @Override
    public List<Hop> window(ProbeContext ctx, int first, int last, int count, Duration timeout) throws NativeSocket.Failure, Refused {
        TraceWindow w = new TraceWindow(first, last, count);
        List<NativeSocket> sockets = new ArrayList<>(w.size());
        try {
            for (int i = 0; i < w.size(); i++) {
                int ttl = w.ttl(i);
                sockets.add(HopProber.setUp("UDP", () -> open(ttl)));
            }
            HopProber.warmUp(sockets.getFirst(), false);
            TraceWindow.Reader reader = wait -> read(w, sockets, wait); // made before sending: no lambda linking in the timing
            for (NativeSocket s : sockets) {
                int err = s.connect(to);
                if (err != 0) throw new NativeSocket.Failure("connect", err);
            }
            for (int i = 0; i < w.size(); i++) {
                w.sending(i);
                try {
                    sockets.get(i).send(new byte[PAYLOAD], null);
                } catch (NativeSocket.Failure f) {
                    if (f.errno() == ENETUNREACH) throw f;
                    // anything else arrives as a queued error too, and is read below
                }
                w.sent(i);
            }
            w.await(ctx, timeout, reader);
        } finally {
            sockets.forEach(NativeSocket::close);
        }
        return w.hops();
    }

    private NativeSocket open(int ttl) throws NativeSocket.Failure {
        return HopProber.openWithTtl(to.getAddress(), SOCK_DGRAM, IPPROTO_UDP, ttl);
    }

    /** Polls the sockets still waiting and reads what they got. */
    private void read(TraceWindow w, List<NativeSocket> sockets, Duration wait) throws NativeSocket.Failure {
        HopProber.pollPending(w, sockets, (short) (POLLIN | POLLERR), wait, (i, s, ev, now) -> answer(w, i, s, ev, now));
    }

    private Answer answer(TraceWindow w, int i, NativeSocket s, short ev, long now) {
        try {
            if ((ev & POLLERR) != 0) {
                NativeSocket.Received r = s.receive(PAYLOAD, MSG_ERRQUEUE);
                return Answer.of(r.error(), w.rtt(i, now, r.stamp()));
            }
            NativeSocket.Received r = s.receive(2048, 0);
            return new Answer(Addresses.text(to.getAddress()), w.rtt(i, now, r.stamp()), "answer", "a UDP answer");
        } catch (NativeSocket.Failure f) {
            return null; // nothing queued after all: still waiting
        }
    }
}
