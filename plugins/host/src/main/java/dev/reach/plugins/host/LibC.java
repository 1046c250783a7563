package dev.reach.plugins.host;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The libc socket calls of {@link RouteNetlink} (netlink), {@link ArpSocket} and {@link FlowCapture} (packet sockets), each leaving
 * the errno it met in the caller's capture segment ({@link #CAPTURE}).
 *
 * <p>Every call is bound with one descriptor, six 64-bit integers in and one out, the same as the net
 * plugin's: the JDK generates a call stub per descriptor (5-11 ms each in a fresh JVM, the first 60-70 ms) and
 * shares it between every call, in every plugin, bound with that descriptor. On x86-64 and aarch64 the first
 * six integer and pointer arguments travel in registers whatever their C type; a callee reads the low 32
 * bits of an int argument and ignores the registers it does not take; the upper half of an int result is
 * undefined, so the int calls cast it away. Pointers are addresses of segments of the caller's confined arena,
 * open across the call.
 */
final class LibC {
    static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final FunctionDescriptor CALL = FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG,
            JAVA_LONG);

    /** Bound when first used. */
    private static final class Calls {
        static final MethodHandle SOCKET = bind("socket");
        static final MethodHandle BIND = bind("bind");
        static final MethodHandle SETSOCKOPT = bind("setsockopt");
        static final MethodHandle SEND = bind("send");
        static final MethodHandle SENDTO = bind("sendto");
        static final MethodHandle RECV = bind("recv");
        static final MethodHandle RECVFROM = bind("recvfrom");
        static final MethodHandle POLL = bind("poll");
        static final MethodHandle CLOSE = bind("close");

        private static MethodHandle bind(String name) {
            Linker linker = Linker.nativeLinker();
            MemorySegment address = linker.defaultLookup().find(name).orElseThrow(() -> new UnsatisfiedLinkError("libc has no " + name));
            return linker.downcallHandle(address, CALL, Linker.Option.captureCallState("errno"));
        }
    }

    private LibC() {
    }

    /** Whether the calls can be made: native access is on for this plugin and libc has them (binds them, once). */
    static boolean ready() {
        if (!LibC.class.getModule().isNativeAccessEnabled()) {
            return false;
        }
        try {
            MethodHandles.lookup().ensureInitialized(Calls.class);
            return true;
        } catch (Throwable t) {
            return false;
        }
    }

    static int errno(MemorySegment state) {
        return (int) ERRNO.get(state, 0L);
    }

    static int socket(MemorySegment st, int domain, int type, int protocol) throws Throwable {
        return (int) (long) Calls.SOCKET.invokeExact(st, (long) domain, (long) type, (long) protocol, 0L, 0L, 0L);
    }

    static int bind(MemorySegment st, int fd, MemorySegment address) throws Throwable {
        return (int) (long) Calls.BIND.invokeExact(st, (long) fd, address.address(), address.byteSize(), 0L, 0L, 0L);
    }

    static int setsockopt(MemorySegment st, int fd, int level, int name, MemorySegment value) throws Throwable {
        return (int) (long) Calls.SETSOCKOPT.invokeExact(st, (long) fd, (long) level, (long) name, value.address(), value.byteSize(), 0L);
    }

    static long send(MemorySegment st, int fd, MemorySegment data, int flags) throws Throwable {
        return (long) Calls.SEND.invokeExact(st, (long) fd, data.address(), data.byteSize(), (long) flags, 0L, 0L);
    }

    static long sendto(MemorySegment st, int fd, MemorySegment data, int flags, MemorySegment to) throws Throwable {
        return (long) Calls.SENDTO.invokeExact(st, (long) fd, data.address(), data.byteSize(), (long) flags, to.address(), to.byteSize());
    }

    static long recv(MemorySegment st, int fd, MemorySegment buffer, int flags) throws Throwable {
        return (long) Calls.RECV.invokeExact(st, (long) fd, buffer.address(), buffer.byteSize(), (long) flags, 0L, 0L);
    }

    /** {@code from} receives the sender's address; {@code fromLength} holds its size in (an int) and the length written out. */
    static long recvfrom(MemorySegment st, int fd, MemorySegment buffer, int flags, MemorySegment from, MemorySegment fromLength)
            throws Throwable {
        return (long) Calls.RECVFROM.invokeExact(st, (long) fd, buffer.address(), buffer.byteSize(), (long) flags, from.address(),
                fromLength.address());
    }

    /** {@code pollfds} holds whole {@code struct pollfd}s (8 bytes each). */
    static int poll(MemorySegment st, MemorySegment pollfds, int timeoutMillis) throws Throwable {
        return (int) (long) Calls.POLL.invokeExact(st, pollfds.address(), pollfds.byteSize() / 8, (long) timeoutMillis, 0L, 0L, 0L);
    }

    static int close(MemorySegment st, int fd) throws Throwable {
        return (int) (long) Calls.CLOSE.invokeExact(st, (long) fd, 0L, 0L, 0L, 0L, 0L);
    }
}
