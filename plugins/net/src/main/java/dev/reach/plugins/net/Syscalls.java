package dev.reach.plugins.net;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.util.Objects;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The libc socket calls Java has no API for, bound once through the Foreign Function &amp; Memory API, each
 * returning the kernel's result and the {@code errno} it left (captured at the call, so no other call can
 * overwrite it). The only place in the plugin that touches native memory by raw pointer; {@link NativeSocket}
 * is the safe face over it. Linux on x86-64 and aarch64 (the constants and struct offsets below are the
 * same on both).
 *
 * <p>Nothing here dereferences a pointer the caller made up: every buffer is a {@link MemorySegment} of the
 * caller's {@link Arena}, and lengths passed to the kernel are the segments' own sizes.
 */
final class Syscalls {
    // address families, socket types, protocols
    static final int AF_INET = 2, AF_INET6 = 10;
    static final int SOCK_STREAM = 1, SOCK_DGRAM = 2, SOCK_RAW = 3, SOCK_NONBLOCK = 0x800, SOCK_CLOEXEC = 0x80000;
    static final int IPPROTO_IP = 0, IPPROTO_ICMP = 1, IPPROTO_TCP = 6, IPPROTO_UDP = 17, IPPROTO_IPV6 = 41, IPPROTO_ICMPV6 = 58;
    // socket options (levels SOL_SOCKET, IPPROTO_IP, IPPROTO_IPV6)
    static final int SOL_SOCKET = 1, SO_ERROR = 4, SO_TIMESTAMPNS = 35;
    static final int TCP_INFO = 11;
    static final int IP_TTL = 2, IP_MTU_DISCOVER = 10, IP_RECVERR = 11, IP_RECVTTL = 12, IP_MTU = 14;
    static final int IP_PMTUDISC_DONT = 0, IP_PMTUDISC_DO = 2, IP_PMTUDISC_PROBE = 3;
    static final int IPV6_UNICAST_HOPS = 16, IPV6_MTU_DISCOVER = 23, IPV6_MTU = 24, IPV6_RECVERR = 25,
            IPV6_RECVHOPLIMIT = 51, IPV6_HOPLIMIT = 52;
    // flags
    static final int MSG_DONTWAIT = 0x40, MSG_ERRQUEUE = 0x2000;
    static final short POLLIN = 0x1, POLLOUT = 0x4, POLLERR = 0x8, POLLHUP = 0x10;
    // errno values the probes act on
    static final int EPERM = 1, EINTR = 4, EAGAIN = 11, EACCES = 13, EINVAL = 22, ENFILE = 23, EMFILE = 24, EMSGSIZE = 90,
            EPROTONOSUPPORT = 93, EADDRNOTAVAIL = 99, ENETUNREACH = 101, ECONNRESET = 104, ETIMEDOUT = 110, ECONNREFUSED = 111,
            EHOSTUNREACH = 113, EINPROGRESS = 115;
    // resource limits (RLIMIT_NOFILE is 7 on both architectures) and epoll
    static final int RLIMIT_NOFILE = 7;
    static final int EPOLL_CLOEXEC = 0x80000, EPOLL_CTL_ADD = 1, EPOLLOUT = 0x4, EPOLLERR = 0x8, EPOLLHUP = 0x10;

    /** {@code struct rlimit { rlim_t cur, max; }}: 16 bytes; an unsigned max above Long.MAX_VALUE (RLIM_INFINITY) reads as -1. */
    static final StructLayout RLIMIT = MemoryLayout.structLayout(JAVA_LONG.withName("cur"), JAVA_LONG.withName("max"));

    /**
     * {@code struct epoll_event { uint32_t events; uint64_t data; }}: packed on x86-64 (12 bytes, data @4), naturally
     * aligned elsewhere (16 bytes, data @8). The scanner keeps its slot number in {@code data}.
     */
    static final boolean EPOLL_PACKED = System.getProperty("os.arch", "").matches("amd64|x86_64");
    static final long EPOLL_EVENT_SIZE = EPOLL_PACKED ? 12 : 16;
    static final long EPOLL_DATA_OFFSET = EPOLL_PACKED ? 4 : 8;

    /** {@code struct pollfd { int fd; short events; short revents; }}: 8 bytes. */
    static final StructLayout POLLFD = MemoryLayout.structLayout(
            JAVA_INT.withName("fd"), ValueLayout.JAVA_SHORT.withName("events"), ValueLayout.JAVA_SHORT.withName("revents"));

    /**
     * {@code struct msghdr} (64-bit): name pointer @0, namelen u32 @8 (+4 pad), iov pointer @16, iovlen @24,
     * control pointer @32, controllen @40, flags int @48 (+4 pad): 56 bytes.
     */
    static final StructLayout MSGHDR = MemoryLayout.structLayout(
            ADDRESS.withName("name"), JAVA_INT.withName("namelen"), MemoryLayout.paddingLayout(4),
            ADDRESS.withName("iov"), JAVA_LONG.withName("iovlen"),
            ADDRESS.withName("control"), JAVA_LONG.withName("controllen"),
            JAVA_INT.withName("flags"), MemoryLayout.paddingLayout(4));

    /** {@code struct iovec { void *base; size_t len; }}: 16 bytes. */
    static final StructLayout IOVEC = MemoryLayout.structLayout(ADDRESS.withName("base"), JAVA_LONG.withName("len"));

    /** {@code struct cmsghdr { size_t len; int level; int type; }} then the data, 8-byte aligned: header 16 bytes. */
    static final long CMSG_HEADER = 16;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE.varHandle(MemoryLayout.PathElement.groupElement("errno"));

    // Every call is bound with one descriptor, six 64-bit integers in and one out, so the JDK generates one call
    // stub for all of them: a stub costs 5-11 ms to generate in a fresh JVM (the first one 60-70 ms, the FFM
    // runtime's own start), a call that reuses one 0.1 ms; bound one shape per call, a probe's dozen calls cost
    // 100-150 ms more. On x86-64 and aarch64 the first six integer and pointer arguments travel in registers
    // whatever their C type: a callee reads the low 32 bits of an int argument, ignores the registers it does
    // not take, and leaves the upper half of an int result undefined (the int calls below cast it away).
    // Pointers are the addresses of segments of a confined arena that is open across the call.
    private static final FunctionDescriptor CALL = FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG,
            JAVA_LONG);

    private static final class Calls {
        static final MethodHandle SOCKET = bind("socket");
        static final MethodHandle CONNECT = bind("connect");
        static final MethodHandle GETSOCKOPT = bind("getsockopt");
        static final MethodHandle CLOSE = bind("close");
        static final MethodHandle SETSOCKOPT = bind("setsockopt");
        static final MethodHandle GETSOCKNAME = bind("getsockname");
        static final MethodHandle SENDTO = bind("sendto");
        static final MethodHandle RECVMSG = bind("recvmsg");
        static final MethodHandle POLL = bind("poll");
        static final MethodHandle GETRLIMIT = bind("getrlimit");
        static final MethodHandle SETRLIMIT = bind("setrlimit");
        static final MethodHandle EPOLL_CREATE1 = bind("epoll_create1");
        static final MethodHandle EPOLL_CTL = bind("epoll_ctl");
        static final MethodHandle EPOLL_WAIT = bind("epoll_wait");
    }

    /** Binds every call now, for {@link dev.reach.spi.Probe#prepare()}. */
    static void bindAll() {
        Objects.requireNonNull(Calls.EPOLL_WAIT);
    }

    /** A call's return value ({@code -1} on failure) and the errno it left (meaningful only on failure). */
    record Result(long value, int errno) {
        boolean failed() {
            return value < 0;
        }
    }

    private Syscalls() {
    }

    static Result socket(int domain, int type, int protocol) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment st = arena.allocate(CAPTURE);
            return result((int) (long) Calls.SOCKET.invokeExact(st, (long) domain, (long) type, (long) protocol, 0L, 0L, 0L), st);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static Result setsockopt(int fd, int level, int name, MemorySegment value) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment st = arena.allocate(CAPTURE);
            return result((int) (long) Calls.SETSOCKOPT.invokeExact(st, (long) fd, (long) level, (long) name, value.address(), value.byteSize(), 0L), st);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code len} is a 4-byte socklen_t in and out: the buffer's size in, the bytes written out. */
    static Result getsockopt(int fd, int level, int name, MemorySegment value, MemorySegment len) {
        checkLen(value, len);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment st = arena.allocate(CAPTURE);
            return result((int) (long) Calls.GETSOCKOPT.invokeExact(st, (long) fd, (long) level, (long) name, value.address(), len.address(), 0L), st);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static Result connect(int fd, MemorySegment sockaddr) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment st = arena.allocate(CAPTURE);
            return result((int) (long) Calls.CONNECT.invokeExact(st, (long) fd, sockaddr.address(), sockaddr.byteSize(), 0L, 0L, 0L), st);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static Result getsockname(int fd, MemorySegment sockaddr, MemorySegment len) {
        checkLen(sockaddr, len);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment st = arena.allocate(CAPTURE);
            return result((int) (long) Calls.GETSOCKNAME.invokeExact(st, (long) fd, sockaddr.address(), len.address(), 0L, 0L, 0L), st);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code to} may be {@link MemorySegment#NULL} on a connected socket. */
    static Result sendto(int fd, MemorySegment data, int flags, MemorySegment to) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment st = arena.allocate(CAPTURE);
            return result((long) Calls.SENDTO.invokeExact(st, (long) fd, data.address(), data.byteSize(), (long) flags, to.address(), to.byteSize()), st);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code msghdr} must point only at segments of the caller's arena, sized as it says (see {@link NativeSocket#receive}). */
    static Result recvmsg(int fd, MemorySegment msghdr, int flags) {
        if (msghdr.byteSize() < MSGHDR.byteSize()) {
            throw new IllegalArgumentException("msghdr is " + MSGHDR.byteSize() + " bytes, got " + msghdr.byteSize());
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment st = arena.allocate(CAPTURE);
            return result((long) Calls.RECVMSG.invokeExact(st, (long) fd, msghdr.address(), (long) flags, 0L, 0L, 0L), st);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static Result poll(MemorySegment pollfds, int timeoutMillis) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment st = arena.allocate(CAPTURE);
            return result((int) (long) Calls.POLL.invokeExact(st, pollfds.address(), pollfds.byteSize() / POLLFD.byteSize(), (long) timeoutMillis, 0L, 0L, 0L), st);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static Result close(int fd) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment st = arena.allocate(CAPTURE);
            return result((int) (long) Calls.CLOSE.invokeExact(st, (long) fd, 0L, 0L, 0L, 0L, 0L), st);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code limit} is a {@link #RLIMIT}-sized segment, filled in. */
    static Result getrlimit(int resource, MemorySegment limit) {
        checkSize(limit, RLIMIT.byteSize());
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment st = arena.allocate(CAPTURE);
            return result((int) (long) Calls.GETRLIMIT.invokeExact(st, (long) resource, limit.address(), 0L, 0L, 0L, 0L), st);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static Result setrlimit(int resource, MemorySegment limit) {
        checkSize(limit, RLIMIT.byteSize());
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment st = arena.allocate(CAPTURE);
            return result((int) (long) Calls.SETRLIMIT.invokeExact(st, (long) resource, limit.address(), 0L, 0L, 0L, 0L), st);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // The scanner's hot path: the same calls with the caller's capture segment (from captureState(arena)),
    // so a scan of 65535 ports allocates nothing per call. Each returns -1 and leaves errno(state) on failure.

    static MemorySegment captureState(Arena arena) {
        return arena.allocate(CAPTURE);
    }

    static int errno(MemorySegment state) {
        return (int) ERRNO.get(state, 0L);
    }

    static int socket(MemorySegment state, int domain, int type, int protocol) {
        try {
            return (int) (long) Calls.SOCKET.invokeExact(state, (long) domain, (long) type, (long) protocol, 0L, 0L, 0L);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int connect(MemorySegment state, int fd, MemorySegment sockaddr) {
        try {
            return (int) (long) Calls.CONNECT.invokeExact(state, (long) fd, sockaddr.address(), sockaddr.byteSize(), 0L, 0L, 0L);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** SO_ERROR of a socket whose connect finished: 0 (connected) or the errno; -1 when the call itself failed. */
    static int soError(MemorySegment state, int fd, MemorySegment intBuf, MemorySegment lenBuf) {
        lenBuf.set(JAVA_INT, 0, 4);
        try {
            int r = (int) (long) Calls.GETSOCKOPT.invokeExact(state, (long) fd, (long) SOL_SOCKET, (long) SO_ERROR, intBuf.address(), lenBuf.address(), 0L);
            return r < 0 ? -1 : intBuf.get(JAVA_INT, 0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int epollCreate(MemorySegment state) {
        try {
            return (int) (long) Calls.EPOLL_CREATE1.invokeExact(state, (long) EPOLL_CLOEXEC, 0L, 0L, 0L, 0L, 0L);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Adds {@code fd} for {@code events}, {@code data} to come back with them; {@code event} is one epoll_event of scratch. */
    static int epollAdd(MemorySegment state, int epfd, int fd, int events, long data, MemorySegment event) {
        checkSize(event, EPOLL_EVENT_SIZE);
        event.set(JAVA_INT, 0, events);
        event.set(ValueLayout.JAVA_LONG_UNALIGNED, EPOLL_DATA_OFFSET, data);
        try {
            return (int) (long) Calls.EPOLL_CTL.invokeExact(state, (long) epfd, (long) EPOLL_CTL_ADD, (long) fd, event.address(), 0L, 0L);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Up to {@code events.byteSize() / EPOLL_EVENT_SIZE} ready descriptors; read them with {@link #epollEvents} and {@link #epollData}. */
    static int epollWait(MemorySegment state, int epfd, MemorySegment events, int timeoutMillis) {
        try {
            return (int) (long) Calls.EPOLL_WAIT.invokeExact(state, (long) epfd, events.address(), events.byteSize() / EPOLL_EVENT_SIZE, (long) timeoutMillis, 0L, 0L);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int epollEvents(MemorySegment events, int i) {
        return events.get(ValueLayout.JAVA_INT_UNALIGNED, i * EPOLL_EVENT_SIZE);
    }

    static long epollData(MemorySegment events, int i) {
        return events.get(ValueLayout.JAVA_LONG_UNALIGNED, i * EPOLL_EVENT_SIZE + EPOLL_DATA_OFFSET);
    }

    static void close(MemorySegment state, int fd) {
        try {
            int ignored = (int) (long) Calls.CLOSE.invokeExact(state, (long) fd, 0L, 0L, 0L, 0L, 0L);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** The C library's name for an errno, as people search for it ({@code EHOSTUNREACH}). */
    static String errnoName(int errno) {
        return switch (errno) {
            case EPERM -> "EPERM";
            case EINTR -> "EINTR";
            case EAGAIN -> "EAGAIN";
            case EACCES -> "EACCES";
            case EINVAL -> "EINVAL";
            case EMSGSIZE -> "EMSGSIZE";
            case EPROTONOSUPPORT -> "EPROTONOSUPPORT";
            case ENETUNREACH -> "ENETUNREACH";
            case ECONNRESET -> "ECONNRESET";
            case ETIMEDOUT -> "ETIMEDOUT";
            case ECONNREFUSED -> "ECONNREFUSED";
            case EHOSTUNREACH -> "EHOSTUNREACH";
            case EINPROGRESS -> "EINPROGRESS";
            case 9 -> "EBADF";
            case ENFILE -> "ENFILE";
            case EMFILE -> "EMFILE";
            case 97 -> "EAFNOSUPPORT";
            case EADDRNOTAVAIL -> "EADDRNOTAVAIL";
            case 105 -> "ENOBUFS";
            case 107 -> "ENOTCONN";
            case 92 -> "ENOPROTOOPT";
            default -> "errno " + errno;
        };
    }

    private static MethodHandle bind(String name) {
        MemorySegment address = LINKER.defaultLookup().find(name)
                .orElseThrow(() -> new UnsatisfiedLinkError("libc has no " + name));
        return LINKER.downcallHandle(address, CALL, Linker.Option.captureCallState("errno"));
    }

    private static Result result(long value, MemorySegment state) {
        return new Result(value, value < 0 ? (int) ERRNO.get(state, 0L) : 0);
    }

    /** A socklen_t in/out must be 4 bytes and must not claim more room than the buffer has. */
    private static void checkLen(MemorySegment buffer, MemorySegment len) {
        if (len.byteSize() != 4 || len.get(JAVA_INT, 0) < 0 || len.get(JAVA_INT, 0) > buffer.byteSize()) {
            throw new IllegalArgumentException("socklen_t must be 4 bytes and at most the buffer's size");
        }
    }

    private static void checkSize(MemorySegment segment, long size) {
        if (segment.byteSize() != size) {
            throw new IllegalArgumentException("expected a " + size + "-byte segment, got " + segment.byteSize());
        }
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) return r;
        if (t instanceof Error e) throw e;
        return new IllegalStateException("native call failed: " + t, t);
    }
}
