package dev.reach.plugins.net;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.lang.foreign.ValueLayout;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.List;

import static dev.reach.plugins.net.Syscalls.*;

/**
 * One kernel socket opened through {@link Syscalls}: the calls Java's sockets lack (TTL per packet, DF, the
 * ICMP error queue, raw ICMP), with errors as {@link Failure} carrying the errno. Every native buffer lives
 * in an {@link Arena} closed before the method returns; {@link #close()} closes the descriptor once, and
 * after it every call fails with EBADF instead of touching a descriptor number the process may have reused.
 *
 * <pre>{@code
 * try (NativeSocket s = NativeSocket.open(AF_INET, SOCK_DGRAM, IPPROTO_UDP)) {
 *     s.setInt(IPPROTO_IP, IP_RECVERR, 1);
 *     s.connect(new InetSocketAddress(address, 33434));
 *     s.send(new byte[32]);
 *     if ((s.poll(POLLERR, Duration.ofSeconds(1)) & POLLERR) != 0) s.receive(64, MSG_ERRQUEUE).error();
 * }
 * }</pre>
 */
final class NativeSocket implements AutoCloseable {
    private static final ValueLayout.OfShort NET_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final int SOCKADDR_MAX = 28;
    private static final int CONTROL_SIZE = 512;
    /** The longest a poll stays in native code at a time. */
    private static final long SLICE_MS = 20;

    private final int fd;
    private final int family;
    private volatile boolean closed;

    /** A socket call the kernel refused, with its errno. */
    static final class Failure extends IOException {
        private final int errno;

        Failure(String call, int errno) {
            super(call + ": " + Syscalls.errnoName(errno));
            this.errno = errno;
        }

        int errno() {
            return errno;
        }
    }

    /**
     * What one {@code recvmsg} brought back.
     *
     * @param data  the payload (for the error queue: the original packet's payload)
     * @param from  the sender, null when the kernel gave none
     * @param ttl   TTL / hop limit of the packet (IP_RECVTTL / IPV6_RECVHOPLIMIT), -1 when not asked for
     * @param error the ICMP or local error (error queue reads), null for ordinary data
     * @param stamp when the kernel received it, nanoseconds since the epoch (SO_TIMESTAMPNS); -1 when not asked for
     */
    record Received(byte[] data, InetSocketAddress from, int ttl, IcmpError error, long stamp) {
    }

    private NativeSocket(int fd, int family) {
        this.fd = fd;
        this.family = family;
    }

    /**
     * Binds the native calls now, for {@link dev.reach.spi.Probe#prepare()}: 60-70 ms of the JDK starting its
     * foreign-call runtime and generating the one call stub, which would otherwise land inside the first probe's
     * timings. Does nothing when native access is off: the probes then say so themselves.
     */
    static void prepare() {
        if (NativeSocket.class.getModule().isNativeAccessEnabled()) {
            try {
                Syscalls.bindAll();
            } catch (Throwable t) {
                // the probe that needs the calls meets the same failure and reports it
            }
        }
    }

    /** Opens a close-on-exec socket; {@code family} is {@link Syscalls#AF_INET} or {@link Syscalls#AF_INET6}. */
    static NativeSocket open(int family, int type, int protocol) throws Failure {
        if (family != AF_INET && family != AF_INET6) {
            throw new IllegalArgumentException("family must be AF_INET or AF_INET6, got " + family);
        }
        Syscalls.Result r = Syscalls.socket(family, type | SOCK_CLOEXEC, protocol);
        if (r.failed()) {
            throw new Failure("socket", r.errno());
        }
        return new NativeSocket((int) r.value(), family);
    }

    /** The family that reaches this address. */
    static int familyOf(InetAddress a) {
        return a instanceof Inet6Address ? AF_INET6 : AF_INET;
    }

    boolean v6() {
        return family == AF_INET6;
    }

    int fd() {
        return fd;
    }

    void setInt(int level, int name, int value) throws Failure {
        check("setsockopt");
        try (Arena arena = Arena.ofConfined()) {
            Syscalls.Result r = Syscalls.setsockopt(fd, level, name, arena.allocateFrom(ValueLayout.JAVA_INT, value));
            if (r.failed()) {
                throw new Failure("setsockopt(" + level + "," + name + ")", r.errno());
            }
        }
    }

    int getInt(int level, int name) throws Failure {
        check("getsockopt");
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment value = arena.allocate(ValueLayout.JAVA_INT);
            MemorySegment len = arena.allocateFrom(ValueLayout.JAVA_INT, 4);
            Syscalls.Result r = Syscalls.getsockopt(fd, level, name, value, len);
            if (r.failed()) {
                throw new Failure("getsockopt(" + level + "," + name + ")", r.errno());
            }
            return value.get(ValueLayout.JAVA_INT, 0);
        }
    }

    /** A socket option that is a struct ({@code TCP_INFO}): at most {@code max} bytes, as many as the kernel wrote. */
    byte[] getBytes(int level, int name, int max) throws Failure {
        check("getsockopt");
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment value = arena.allocate(Math.max(1, max));
            MemorySegment len = arena.allocateFrom(ValueLayout.JAVA_INT, (int) value.byteSize());
            Syscalls.Result r = Syscalls.getsockopt(fd, level, name, value, len);
            if (r.failed()) {
                throw new Failure("getsockopt(" + level + "," + name + ")", r.errno());
            }
            return value.asSlice(0, Math.clamp(len.get(ValueLayout.JAVA_INT, 0), 0, value.byteSize())).toArray(ValueLayout.JAVA_BYTE);
        }
    }

    /** Connects; returns 0 or the errno (EINPROGRESS on a non-blocking socket is an answer, not a failure). */
    int connect(InetSocketAddress to) {
        if (closed) {
            return 9;
        }
        try (Arena arena = Arena.ofConfined()) {
            Syscalls.Result r = Syscalls.connect(fd, sockaddr(arena, to));
            return r.failed() ? r.errno() : 0;
        }
    }

    InetSocketAddress localAddress() throws Failure {
        check("getsockname");
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment addr = arena.allocate(SOCKADDR_MAX, 8);
            MemorySegment len = arena.allocateFrom(ValueLayout.JAVA_INT, SOCKADDR_MAX);
            Syscalls.Result r = Syscalls.getsockname(fd, addr, len);
            if (r.failed()) {
                throw new Failure("getsockname", r.errno());
            }
            return address(addr, len.get(ValueLayout.JAVA_INT, 0));
        }
    }

    /** Sends on a connected socket (or to {@code to} when not null); returns the bytes sent. */
    int send(byte[] data, InetSocketAddress to) throws Failure {
        check("send");
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(Math.max(1, data.length));
            MemorySegment.copy(data, 0, buf, ValueLayout.JAVA_BYTE, 0, data.length);
            MemorySegment dest = to == null ? MemorySegment.NULL : sockaddr(arena, to);
            Syscalls.Result r = Syscalls.sendto(fd, buf.asSlice(0, data.length), MSG_DONTWAIT, dest);
            if (r.failed()) {
                throw new Failure("send", r.errno());
            }
            return (int) r.value();
        }
    }

    /** Waits for the events (POLLIN, POLLERR...); returns the events that happened, 0 on timeout. */
    short poll(short events, Duration timeout) throws Failure {
        return pollAll(List.of(this), events, timeout)[0];
    }

    /** Waits on several sockets at once; returns each one's events (0 where nothing happened). */
    static short[] pollAll(List<NativeSocket> sockets, short events, Duration timeout) throws Failure {
        short[] each = new short[sockets.size()];
        java.util.Arrays.fill(each, events);
        return pollAll(sockets, each, timeout);
    }

    /** Waits on several sockets at once, each for its own events; returns each one's events (0 where nothing happened). */
    static short[] pollAll(List<NativeSocket> sockets, short[] events, Duration timeout) throws Failure {
        short[] revents = new short[sockets.size()];
        if (sockets.isEmpty()) {
            return revents;
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment fds = arena.allocate(POLLFD, sockets.size());
            for (int i = 0; i < sockets.size(); i++) {
                NativeSocket s = sockets.get(i);
                s.check("poll");
                MemorySegment one = fds.asSlice(i * POLLFD.byteSize(), POLLFD.byteSize());
                one.set(ValueLayout.JAVA_INT, 0, s.fd);
                one.set(ValueLayout.JAVA_SHORT, 4, events[i]);
            }
            // in slices: a thread inside a native call holds up the JVM's exit (HotSpot waits up to 300 ms for
            // threads in native), and a probe that was cut short or cancelled must get back to Java to notice
            long end = System.nanoTime() + Math.max(0, timeout.toNanos());
            Syscalls.Result r;
            do {
                long left = Math.max(0, (end - System.nanoTime() + 999_999) / 1_000_000);
                r = Syscalls.poll(fds, (int) Math.min(left, SLICE_MS));
                if (r.failed() && r.errno() != EINTR) {
                    throw new Failure("poll", r.errno());
                }
            } while (!r.failed() && r.value() == 0 && System.nanoTime() < end && !Thread.currentThread().isInterrupted());
            for (int i = 0; i < sockets.size(); i++) {
                revents[i] = r.failed() ? 0 : fds.get(ValueLayout.JAVA_SHORT, i * POLLFD.byteSize() + 6);
            }
            return revents;
        }
    }

    /**
     * One non-blocking {@code recvmsg}: ordinary data ({@code flags} 0) or the error queue ({@link Syscalls#MSG_ERRQUEUE}),
     * with the control messages this plugin asks for decoded (IP_RECVERR / IPV6_RECVERR, IP_TTL / IPV6_HOPLIMIT,
     * SO_TIMESTAMPNS).
     *
     * @throws Failure with EAGAIN when nothing is queued, or the error pending on the socket (ECONNREFUSED...)
     */
    Received receive(int max, int flags) throws Failure {
        check("recvmsg");
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(Math.max(1, max));
            MemorySegment name = arena.allocate(SOCKADDR_MAX, 8);
            MemorySegment control = arena.allocate(CONTROL_SIZE, 8);
            MemorySegment iov = arena.allocate(IOVEC);
            iov.set(ValueLayout.ADDRESS, 0, buf);
            iov.set(ValueLayout.JAVA_LONG, 8, buf.byteSize());
            MemorySegment msg = arena.allocate(MSGHDR);
            msg.set(ValueLayout.ADDRESS, 0, name);
            msg.set(ValueLayout.JAVA_INT, 8, SOCKADDR_MAX);
            msg.set(ValueLayout.ADDRESS, 16, iov);
            msg.set(ValueLayout.JAVA_LONG, 24, 1L);
            msg.set(ValueLayout.ADDRESS, 32, control);
            msg.set(ValueLayout.JAVA_LONG, 40, CONTROL_SIZE);
            Syscalls.Result r = Syscalls.recvmsg(fd, msg, flags | MSG_DONTWAIT);
            if (r.failed()) {
                throw new Failure((flags & MSG_ERRQUEUE) != 0 ? "recvmsg(MSG_ERRQUEUE)" : "recvmsg", r.errno());
            }
            byte[] data = buf.asSlice(0, Math.min(r.value(), buf.byteSize())).toArray(ValueLayout.JAVA_BYTE);
            InetSocketAddress from = address(name, msg.get(ValueLayout.JAVA_INT, 8));
            long controlLen = Math.min(msg.get(ValueLayout.JAVA_LONG, 40), CONTROL_SIZE);
            int ttl = -1;
            long stamp = -1;
            IcmpError error = null;
            for (long at = 0; at + CMSG_HEADER <= controlLen; ) {
                long len = control.get(ValueLayout.JAVA_LONG, at);
                if (len < CMSG_HEADER || at + len > controlLen) {
                    break; // a malformed header ends the walk instead of reading past the buffer
                }
                int level = control.get(ValueLayout.JAVA_INT, at + 8);
                int type = control.get(ValueLayout.JAVA_INT, at + 12);
                MemorySegment payload = control.asSlice(at + CMSG_HEADER, len - CMSG_HEADER);
                if (level == IPPROTO_IP && type == IP_RECVERR || level == IPPROTO_IPV6 && type == IPV6_RECVERR) {
                    if (payload.byteSize() >= IcmpError.SIZE) {
                        MemorySegment offender = payload.asSlice(IcmpError.SIZE);
                        InetSocketAddress off = address(offender, (int) offender.byteSize());
                        error = IcmpError.parse(payload.asSlice(0, IcmpError.SIZE).toArray(ValueLayout.JAVA_BYTE),
                                off == null ? null : off.getAddress());
                    }
                } else if ((level == IPPROTO_IP && type == IP_TTL || level == IPPROTO_IPV6 && type == IPV6_HOPLIMIT)
                        && payload.byteSize() >= 4) {
                    ttl = payload.get(ValueLayout.JAVA_INT, 0);
                } else if (level == SOL_SOCKET && type == SO_TIMESTAMPNS && payload.byteSize() >= 16) {
                    stamp = payload.get(ValueLayout.JAVA_LONG, 0) * 1_000_000_000L + payload.get(ValueLayout.JAVA_LONG, 8);
                }
                at += (len + 7) & ~7L;
            }
            return new Received(data, from, ttl, error, stamp);
        }
    }

    /** The pending socket error (SO_ERROR), which reading clears: 0 or an errno. */
    int pendingError() throws Failure {
        return getInt(SOL_SOCKET, SO_ERROR);
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            Syscalls.close(fd);
        }
    }

    private void check(String call) throws Failure {
        if (closed) {
            throw new Failure(call + " on a closed socket", 9);
        }
    }

    /** Encodes {@code struct sockaddr_in} (16 bytes) or {@code struct sockaddr_in6} (28 bytes). */
    static MemorySegment sockaddr(SegmentAllocator arena, InetSocketAddress to) {
        InetAddress a = to.getAddress();
        if (a == null) {
            throw new IllegalArgumentException(to + " is not resolved");
        }
        byte[] raw = a.getAddress();
        if (a instanceof Inet4Address) {
            // sa_family u16 @0 (host order), sin_port u16 @2 (network order), sin_addr @4, zero[8] @8
            MemorySegment s = arena.allocate(16, 8);
            s.set(ValueLayout.JAVA_SHORT, 0, (short) AF_INET);
            s.set(NET_SHORT, 2, (short) to.getPort());
            MemorySegment.copy(raw, 0, s, ValueLayout.JAVA_BYTE, 4, 4);
            return s;
        }
        // sa_family @0, sin6_port @2 (network order), sin6_flowinfo u32 @4, sin6_addr[16] @8, sin6_scope_id u32 @24
        MemorySegment s = arena.allocate(28, 8);
        s.set(ValueLayout.JAVA_SHORT, 0, (short) AF_INET6);
        s.set(NET_SHORT, 2, (short) to.getPort());
        MemorySegment.copy(raw, 0, s, ValueLayout.JAVA_BYTE, 8, 16);
        s.set(ValueLayout.JAVA_INT, 24, ((Inet6Address) a).getScopeId());
        return s;
    }

    /** Decodes a sockaddr the kernel wrote ({@code len} bytes valid); null when it is empty or of another family. */
    static InetSocketAddress address(MemorySegment s, int len) {
        long valid = Math.min(len, s.byteSize());
        if (valid < 2) {
            return null;
        }
        int fam = s.get(ValueLayout.JAVA_SHORT_UNALIGNED, 0);
        try {
            if (fam == AF_INET && valid >= 8) {
                byte[] raw = s.asSlice(4, 4).toArray(ValueLayout.JAVA_BYTE);
                return new InetSocketAddress(InetAddress.getByAddress(raw), s.get(NET_SHORT, 2) & 0xffff);
            }
            if (fam == AF_INET6 && valid >= 24) {
                byte[] raw = s.asSlice(8, 16).toArray(ValueLayout.JAVA_BYTE);
                return new InetSocketAddress(InetAddress.getByAddress(raw), s.get(NET_SHORT, 2) & 0xffff);
            }
        } catch (UnknownHostException e) {
            return null; // cannot happen for 4 or 16 bytes
        }
        return null;
    }
}
