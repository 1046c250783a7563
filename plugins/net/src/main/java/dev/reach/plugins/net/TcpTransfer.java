package dev.reach.plugins.net;

import dev.reach.spi.ProbeContext;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Arrays;

import static dev.reach.plugins.net.Syscalls.*;

/**
 * Moves a bounded amount of data over one TCP connection on a non-blocking native socket and watches it through
 * TCP_INFO: sends {@code request} (all of it, as fast as the peer takes it) and reads until {@code expect} bytes came
 * back or the peer closed; ends early when nothing moved (no byte acknowledged, none received) for {@code stall}.
 */
final class TcpTransfer {
    /** How it ended. */
    enum End { DONE, CLOSED, RESET, STALLED, TIMEOUT, CONNECT_FAILED, CANCELLED }

    /**
     * @param errno       the connect's error (0: its SYN stayed unanswered) when {@code end} is CONNECT_FAILED
     * @param sent        bytes handed to the kernel; {@code received} bytes read
     * @param stats       TCP_INFO at the end; {@code statsAtStall} when the stall was seen (NONE otherwise)
     * @param idleMs      how long nothing had moved when it ended
     * @param connectMs   the handshake; {@code transferMs} from connected to the end
     */
    record Result(End end, int errno, IcmpError icmp, long sent, long received, TcpStats stats, double idleMs,
                  double connectMs, double transferMs) {
    }

    private static final int CHUNK = 256 * 1024;
    private static final int READ = 64 * 1024;

    private TcpTransfer() {
    }

    static Result run(ProbeContext ctx, InetSocketAddress to, byte[] request, long expect, Duration stall, Duration timeout)
            throws NativeSocket.Failure {
        long t0 = System.nanoTime();
        long deadline = t0 + timeout.toNanos();
        try (TcpConversation c = TcpConversation.start("transfer", to, 0)) {
            NativeSocket s = c.socket();
            while (c.state() == TcpConversation.State.CONNECTING && !ctx.cancelled()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) break;
                c.step(s.poll(c.events(), Duration.ofNanos(Math.min(left, 50_000_000L))));
            }
            if (c.state() != TcpConversation.State.CONNECTED) {
                boolean cancelled = ctx.cancelled() && c.state() == TcpConversation.State.CONNECTING;
                return new Result(cancelled ? End.CANCELLED : End.CONNECT_FAILED, c.errno(), c.icmp(), 0, 0, TcpStats.NONE,
                        0, c.connectMs(), 0);
            }
            long connected = System.nanoTime();
            long sent = 0;
            long received = 0;
            long lastMove = connected;
            long lastAcked = 0;
            End end = null;
            TcpStats stats = TcpStats.NONE;
            for (int round = 0; end == null; round++) {
                long now = System.nanoTime();
                if (ctx.cancelled()) end = End.CANCELLED;
                else if (now >= deadline) end = End.TIMEOUT;
                if (end != null) break;
                short want = (short) (POLLIN | (sent < request.length ? POLLOUT : 0));
                long wait = Math.min(deadline - now, 20_000_000L); // TCP_INFO read at least every 20 ms
                short ev = s.poll(want, Duration.ofNanos(Math.max(1, wait)));
                try {
                    if ((ev & POLLOUT) != 0 && sent < request.length) {
                        sent += send(s, Arrays.copyOfRange(request, (int) sent, (int) Math.min(request.length, sent + CHUNK)));
                    }
                    if ((ev & (POLLIN | POLLERR | POLLHUP)) != 0) {
                        for (int i = 0; i < 64; i++) {
                            int n = receive(s);
                            if (n == 0) {
                                end = received >= expect ? End.DONE : End.CLOSED;
                                break;
                            }
                            if (n < 0) break; // nothing more now
                            received += n;
                            lastMove = System.nanoTime();
                        }
                    }
                } catch (NativeSocket.Failure f) {
                    if (f.errno() == ECONNRESET || f.errno() == 32 /* EPIPE */) end = End.RESET;
                    else throw f;
                }
                stats = stats(s, stats);
                if (stats.bytesAcked() > lastAcked) {
                    lastAcked = stats.bytesAcked();
                    lastMove = System.nanoTime();
                }
                if (end == null && sent >= request.length && received >= expect) end = End.DONE;
                if (end == null && System.nanoTime() - lastMove >= stall.toNanos()) end = End.STALLED;
                if ((round & 15) == 0) ctx.progress(sent + " bytes sent, " + received + " received");
            }
            long finished = System.nanoTime();
            return new Result(end, 0, c.icmp(), sent, received, stats(s, stats), millis(finished - lastMove),
                    c.connectMs(), millis(finished - connected));
        }
    }

    /** Bytes the kernel took, 0 when its buffer is full. */
    private static int send(NativeSocket s, byte[] chunk) throws NativeSocket.Failure {
        try {
            return s.send(chunk, null);
        } catch (NativeSocket.Failure f) {
            if (f.errno() == EAGAIN) return 0;
            throw f;
        }
    }

    /** Bytes read, 0 at the end of the stream, -1 when nothing is there now. */
    private static int receive(NativeSocket s) throws NativeSocket.Failure {
        try {
            return s.receive(READ, 0).data().length;
        } catch (NativeSocket.Failure f) {
            if (f.errno() == EAGAIN) return -1;
            throw f;
        }
    }

    private static TcpStats stats(NativeSocket s, TcpStats last) {
        try {
            return TcpStats.parse(s.getBytes(IPPROTO_TCP, TCP_INFO, TcpStats.SIZE));
        } catch (NativeSocket.Failure f) {
            return last; // a reset socket keeps no info: the last one read stands
        }
    }

    private static double millis(long nanos) {
        return nanos / 1e6;
    }
}
