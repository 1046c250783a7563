package dev.reach.plugins.net;

import dev.reach.spi.Millis;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import static dev.reach.plugins.net.Syscalls.*;

/**
 * One TCP conversation on a non-blocking native socket, driven step by step by its owner's poll loop: connect
 * (with the MSS clamped when asked, which bounds the segments both ends send), send one request, read what comes
 * back, and the kernel's own view of it from TCP_INFO: whether what was sent has been acknowledged, and how often
 * it was sent again. Java's sockets offer neither the clamp nor that view.
 */
final class TcpConversation implements AutoCloseable {
    static final int TCP_MAXSEG = 2;
    private static final int MAX_BYTES = 4096;

    /** Where the conversation is; the last four are final. */
    enum State { CONNECTING, CONNECTED, ANSWERED, CLOSED, RESET, FAILED }

    /**
     * The kernel's view (struct tcp_info): {@code unacked} segments in flight, {@code retransmits} of the one at
     * the head now, {@code totalRetrans} in the connection's life, the send MSS, the path MTU it assumes, the
     * smoothed RTT in microseconds.
     */
    record Info(int unacked, int retransmits, int totalRetrans, int sndMss, int pmtu, long rttMicros) {
        static final Info NONE = new Info(0, 0, 0, 0, 0, 0);

        static Info parse(byte[] raw) {
            if (raw.length < 104) return NONE;
            ByteBuffer b = ByteBuffer.wrap(raw).order(ByteOrder.nativeOrder());
            return new Info(b.getInt(24), raw[2] & 0xff, b.getInt(100), b.getInt(16), b.getInt(60), b.getInt(68) & 0xffffffffL);
        }
    }

    final String role;
    final InetSocketAddress to;
    final int mss;
    private final NativeSocket socket;
    private final ByteArrayOutputStream got = new ByteArrayOutputStream();
    private State state = State.CONNECTING;
    private int errno;
    private final long started = System.nanoTime();
    private long connectedAt;
    private long endedAt;
    private long sentAt;
    private long ackedAt;
    private long firstByteAt;
    private int sent;
    private Info lastInfo = Info.NONE;
    private int synRetransmits;
    private IcmpError icmp;

    private TcpConversation(String role, InetSocketAddress to, int mss, NativeSocket socket) {
        this.role = role;
        this.to = to;
        this.mss = mss;
        this.socket = socket;
    }

    /**
     * Opens the socket and starts connecting.
     *
     * @param mss the MSS to clamp to (TCP_MAXSEG before connect), or 0 for the kernel's own
     */
    static TcpConversation start(String role, InetSocketAddress to, int mss) throws NativeSocket.Failure {
        NativeSocket s = NativeSocket.open(NativeSocket.familyOf(to.getAddress()), SOCK_STREAM | SOCK_NONBLOCK, IPPROTO_TCP);
        try {
            if (mss > 0) s.setInt(IPPROTO_TCP, TCP_MAXSEG, mss);
            // an ICMP error about the SYN lands on the error queue at once, with its sender, even when the kernel
            // counts it as a soft error (it came while connect() still held the socket) and would only act on the next
            s.setInt(s.v6() ? IPPROTO_IPV6 : IPPROTO_IP, s.v6() ? IPV6_RECVERR : IP_RECVERR, 1);
            TcpConversation c = new TcpConversation(role, to, mss, s);
            int err = s.connect(to);
            if (err == 0) c.connected();
            else if (err != EINPROGRESS) c.fail(err);
            return c;
        } catch (NativeSocket.Failure | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    NativeSocket socket() {
        return socket;
    }

    State state() {
        return state;
    }

    boolean done() {
        return state.ordinal() >= State.ANSWERED.ordinal();
    }

    /** The poll events worth waiting for now. */
    short events() {
        return state == State.CONNECTING ? (short) (POLLOUT | POLLERR) : (short) (POLLIN | POLLERR);
    }

    /** Takes what poll reported: a finished connect, bytes, the end of the stream or a reset. */
    void step(short revents) {
        if (done() || revents == 0) return;
        try {
            if ((revents & POLLERR) != 0) readErrorQueue(); // drained in every state: a queued error keeps POLLERR up
            if (state == State.CONNECTING) {
                int err = socket.pendingError();
                if (err != 0) fail(err);
                else if (refusesTheSyn(icmp)) fail(icmp.errno() != 0 ? icmp.errno() : EHOSTUNREACH);
                else if ((revents & POLLOUT) != 0) connected();
                return;
            }
            for (int i = 0; i < 64 && got.size() < MAX_BYTES; i++) {
                NativeSocket.Received r = socket.receive(MAX_BYTES - got.size(), 0);
                if (r.data().length == 0) {
                    state = State.CLOSED;
                    return;
                }
                if (got.size() == 0) firstByteAt = System.nanoTime();
                got.writeBytes(r.data());
            }
        } catch (NativeSocket.Failure f) {
            if (f.errno() == EAGAIN) return;
            if (f.errno() == ECONNRESET) state = State.RESET;
            else fail(f.errno());
        }
    }

    /** The ICMP error queued about this connection (IP_RECVERR), kept for who sent it. */
    private void readErrorQueue() {
        for (int i = 0; i < 8; i++) {
            try {
                IcmpError e = socket.receive(256, MSG_ERRQUEUE).error();
                if (e != null && icmp == null) icmp = e;
            } catch (NativeSocket.Failure empty) {
                return;
            }
        }
    }

    /** An ICMP error from the network that ends a handshake: an unreachable or a prohibition (not frag-needed). */
    private static boolean refusesTheSyn(IcmpError e) {
        return e != null && e.fromNetwork() && switch (e.kind()) {
            case "net-unreachable", "host-unreachable", "admin-prohibited", "port-unreachable", "protocol-unreachable" -> true;
            default -> false;
        };
    }

    /** The ICMP (or local) error the kernel queued about the connect, or null. */
    IcmpError icmp() {
        return icmp;
    }

    /** Marks the answer complete (the owner judges when enough has come). */
    void answered() {
        if (!done()) state = State.ANSWERED;
    }

    /** Sends the request whole (it fits the socket's buffer: a few KiB at most). */
    void send(byte[] request) {
        if (request.length == 0 || state != State.CONNECTED) return;
        try {
            sent = socket.send(request, null);
            sentAt = System.nanoTime();
        } catch (NativeSocket.Failure f) {
            if (f.errno() == ECONNRESET || f.errno() == 32 /* EPIPE */) state = State.RESET;
            else fail(f.errno());
        }
    }

    /** Reads TCP_INFO now; notes when everything sent was first seen acknowledged. */
    Info info() {
        try {
            lastInfo = Info.parse(socket.getBytes(IPPROTO_TCP, TCP_INFO, 104));
            if (sent > 0 && ackedAt == 0 && lastInfo.unacked() == 0) ackedAt = System.nanoTime();
        } catch (NativeSocket.Failure f) {
            // a closed or reset socket has no info left: the last one read stands
        }
        return lastInfo;
    }

    byte[] received() {
        return got.toByteArray();
    }

    int sent() {
        return sent;
    }

    boolean acked() {
        return ackedAt != 0;
    }

    int errno() {
        return errno;
    }

    /** Milliseconds from start to the handshake's end, from sending to the first ack or byte back; -1 where none. */
    double connectMs() {
        return connectedAt == 0 ? -1 : Millis.of(connectedAt - started);
    }

    double ackMs() {
        return ackedAt == 0 || sentAt == 0 ? -1 : Millis.of(ackedAt - sentAt);
    }

    double firstByteMs() {
        return firstByteAt == 0 ? -1 : Millis.of(firstByteAt - (sentAt != 0 ? sentAt : connectedAt));
    }

    /** Milliseconds since the request went out (or since connecting, when nothing was sent). */
    double waitedMs(long now) {
        long from = sentAt != 0 ? sentAt : connectedAt != 0 ? connectedAt : started;
        return Millis.of(now - from);
    }

    private void connected() {
        state = State.CONNECTED;
        connectedAt = System.nanoTime();
        try {   // retransmissions so far are of the SYN: the kernel's count, not a guess from the time it took
            synRetransmits = Info.parse(socket.getBytes(IPPROTO_TCP, TCP_INFO, 104)).totalRetrans();
        } catch (NativeSocket.Failure f) {
            // gone again already: none known
        }
    }

    /** Times the kernel sent the SYN again before the handshake completed (0 before it did, or where unknown). */
    int synRetransmits() {
        return synRetransmits;
    }

    private void fail(int err) {
        errno = err;
        state = err == ECONNRESET ? State.RESET : State.FAILED;
        endedAt = System.nanoTime();
    }

    /** Milliseconds from start to the handshake's answer: the SYN-ACK, or the RST or ICMP error that refused it; -1 before. */
    double answerMs() {
        long at = connectedAt != 0 ? connectedAt : endedAt;
        return at == 0 ? -1 : Millis.of(at - started);
    }

    @Override
    public void close() {
        socket.close();
    }
}
