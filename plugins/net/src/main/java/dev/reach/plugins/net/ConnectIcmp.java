package dev.reach.plugins.net;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Optional;

import static dev.reach.plugins.net.Syscalls.*;

/**
 * What the kernel heard when a TCP connect failed as unreachable: a second, non-blocking connect on a
 * socket with {@code IP_RECVERR} / {@code IPV6_RECVERR} on, then {@code poll}, {@code SO_ERROR} and the error
 * queue, whose {@code sock_extended_err} names the ICMP type/code and the address that sent it. An ICMP sent
 * by this host to itself (its own address as sender, or a local origin) means its own ARP/ND failed.
 */
final class ConnectIcmp {
    private ConnectIcmp() {
    }

    /** The ICMP (or local) error behind a failed connect, or empty when none was queued within the wait. */
    static Optional<IcmpError> read(InetSocketAddress to, Duration wait) {
        try (NativeSocket s = NativeSocket.open(NativeSocket.familyOf(to.getAddress()), SOCK_STREAM | SOCK_NONBLOCK, IPPROTO_TCP)) {
            s.setInt(s.v6() ? IPPROTO_IPV6 : IPPROTO_IP, s.v6() ? IPV6_RECVERR : IP_RECVERR, 1);
            int err = s.connect(to);
            if (err != EINPROGRESS) {
                return Optional.of(new IcmpError(IcmpError.ORIGIN_LOCAL, err, 0, 0, 0, null));
            }
            long until = System.nanoTime() + wait.toNanos();
            for (int i = 0; i < 100 && System.nanoTime() < until; i++) {
                short ev = s.poll((short) (POLLOUT | POLLERR), Duration.ofNanos(until - System.nanoTime()));
                if (ev == 0) return Optional.empty();
                try {
                    IcmpError e = s.receive(256, MSG_ERRQUEUE).error();
                    if (e != null) return Optional.of(e);
                } catch (NativeSocket.Failure nothingQueued) {
                    int pending = s.pendingError();
                    if (pending == 0 && (ev & POLLOUT) != 0) return Optional.empty(); // it connected this time
                    if (pending != 0 && pending != EINPROGRESS) {
                        return Optional.of(new IcmpError(IcmpError.ORIGIN_LOCAL, pending, 0, 0, 0, null));
                    }
                }
            }
            return Optional.empty();
        } catch (NativeSocket.Failure f) {
            return Optional.empty();
        }
    }
}
