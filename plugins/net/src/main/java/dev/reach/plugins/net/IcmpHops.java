package dev.reach.plugins.net;

import dev.reach.plugins.net.PathTraceProbe.Answer;
import dev.reach.plugins.net.PathTraceProbe.Hop;
import dev.reach.spi.Addresses;
import dev.reach.spi.ProbeContext;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

import static dev.reach.plugins.net.Syscalls.*;

/**
 * path.trace by ICMP echo, for paths whose firewalls drop UDP to high ports but let ping through: one ICMP
 * socket per window, the TTL set before each request, the request's sequence number naming the probe. An
 * ICMP datagram socket where {@code net.ipv4.ping_group_range} allows it (its errors come through
 * {@code IP_RECVERR}); else, for root or CAP_NET_RAW, a raw socket that reads the time-exceeded messages
 * quoting our requests. The target's echo reply ends it.
 *
 * @param target the address traced to
 * @param raw    true to use a raw socket (root or CAP_NET_RAW)
 */
record IcmpHops(InetAddress target, boolean raw) implements HopProber {
    private static final int PAYLOAD = 24;

    /** The datagram socket, or the raw one when the kernel refuses that and {@code privileged}; Refused says why neither. */
    static IcmpHops choose(InetAddress target, boolean privileged) throws Refused {
        String dgram;
        try (NativeSocket s = open(target, false)) {
            return new IcmpHops(target, false);
        } catch (NativeSocket.Failure f) {
            if (!HopProber.refusal(f.errno())) return new IcmpHops(target, false); // fails again in window(), as a result
            dgram = "datagram socket: " + f.getMessage() + " (net.ipv4.ping_group_range is " + pingGroupRange() + ")";
        }
        if (!privileged) {
            throw new Refused("the kernel refuses this process an ICMP socket: " + dgram
                    + "; widen net.ipv4.ping_group_range, run as root (raw socket), or use method=udp or tcp");
        }
        try (NativeSocket s = open(target, true)) {
            return new IcmpHops(target, true);
        } catch (NativeSocket.Failure f) {
            throw new Refused("the kernel refuses this process an ICMP socket: " + dgram + "; raw socket: " + f.getMessage());
        }
    }

    @Override
    public String method() {
        return "icmp";
    }

    @Override
    public String describe() {
        return "ICMP echo on a " + (raw ? "raw socket" : "datagram socket");
    }

    @Override
    public List<Hop> window(ProbeContext ctx, int first, int last, int count, Duration timeout) throws NativeSocket.Failure, Refused {
        TraceWindow w = new TraceWindow(first, last, count);
        int id = raw ? ThreadLocalRandom.current().nextInt(1, 0xffff) : -1; // a ping socket's id is the kernel's
        InetSocketAddress to = new InetSocketAddress(target, 0);
        try (NativeSocket s = HopProber.setUp("ICMP", () -> configure(open(target, raw)))) {
            HopProber.warmUp(s, false);
            TraceWindow.Reader reader = wait -> read(w, s, id, wait); // made before sending: no lambda linking in the timing
            for (int i = 0; i < w.size(); i++) {
                s.setInt(s.v6() ? IPPROTO_IPV6 : IPPROTO_IP, s.v6() ? IPV6_UNICAST_HOPS : IP_TTL, w.ttl(i));
                w.sending(i);
                try {
                    s.send(IcmpEcho.request(s.v6(), Math.max(id, 0), i, PAYLOAD), to);
                } catch (NativeSocket.Failure f) {
                    if (f.errno() == ENETUNREACH) throw f;
                }
                w.sent(i);
            }
            w.await(ctx, timeout, reader);
        }
        return w.hops();
    }

    private static NativeSocket open(InetAddress target, boolean raw) throws NativeSocket.Failure {
        int family = NativeSocket.familyOf(target);
        return NativeSocket.open(family, raw ? SOCK_RAW : SOCK_DGRAM, family == AF_INET6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP);
    }

    private NativeSocket configure(NativeSocket s) throws NativeSocket.Failure {
        try {
            s.setInt(SOL_SOCKET, SO_TIMESTAMPNS, 1);
            if (!raw) s.setInt(s.v6() ? IPPROTO_IPV6 : IPPROTO_IP, s.v6() ? IPV6_RECVERR : IP_RECVERR, 1);
            return s;
        } catch (NativeSocket.Failure f) {
            s.close();
            throw f;
        }
    }

    /** Drains what the socket has (bounded), matching replies and errors to probes by sequence number. */
    private void read(TraceWindow w, NativeSocket s, int id, Duration wait) throws NativeSocket.Failure {
        short ev = s.poll((short) (POLLIN | POLLERR), wait);
        long now = System.nanoTime();
        for (int queue : new int[] {MSG_ERRQUEUE, 0}) {
            if ((ev & (queue == 0 ? POLLIN : POLLERR)) == 0) continue;
            for (int n = 0; n < 256; n++) {
                NativeSocket.Received r;
                try {
                    r = s.receive(2048, queue);
                } catch (NativeSocket.Failure f) {
                    break; // drained
                }
                take(w, r, s.v6(), id, now);
            }
        }
    }

    private void take(TraceWindow w, NativeSocket.Received r, boolean v6, int id, long now) {
        if (r.error() != null) { // ping socket: the error queue hands back our request, its seq at bytes 6-7
            if (r.data().length >= IcmpEcho.HEADER) {
                int seq = IcmpEcho.get16(r.data(), 6);
                if (seq < w.size()) w.answer(seq, Answer.of(r.error(), w.rtt(seq, now, r.stamp())));
            }
            return;
        }
        InetAddress from = r.from() == null ? null : r.from().getAddress();
        switch (IcmpEcho.parse(r.data(), v6, raw && !v6, id, from, r.ttl())) {
            case IcmpEcho.Reply(int seq, int ttl) when seq < w.size() && target.equals(from) ->
                    w.answer(seq, new Answer(Addresses.text(target), w.rtt(seq, now, r.stamp()), "echo-reply", "echo reply from " + Addresses.text(target)));
            case IcmpEcho.Error(int seq, IcmpError e) when seq < w.size() -> w.answer(seq, Answer.of(e, w.rtt(seq, now, r.stamp())));
            default -> { }
        }
    }

    private static String pingGroupRange() {
        try {
            return Files.readString(Path.of("/proc/sys/net/ipv4/ping_group_range")).strip().replace('\t', ' ');
        } catch (IOException | RuntimeException e) {
            return "unreadable";
        }
    }
}
