package dev.reach.plugins.host;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.Map;
import java.util.function.LongPredicate;
import java.util.function.Predicate;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * Sees the packets of one port as they arrive on and leave this host's interfaces, the way tcpdump does: a packet
 * socket (AF_PACKET, SOCK_DGRAM, every protocol; needs CAP_NET_RAW) with a classic BPF filter, so the kernel copies
 * only the first 128 bytes of TCP or UDP packets to or from the port. A packet socket sees an arriving packet before
 * the firewall, reverse-path filtering and the socket lookup do, and a leaving one as it goes to the device: so "it
 * arrived" and "an answer left" are facts of the wire, whatever the kernel then did with them.
 */
final class FlowCapture {
    private static final int AF_PACKET = 17, SOCK_DGRAM = 2, SOCK_CLOEXEC = 0x80000, ETH_P_ALL = 3, POLLIN = 1;
    private static final int SOL_SOCKET = 1, SO_ATTACH_FILTER = 26, MSG_DONTWAIT = 0x40, PACKET_OUTGOING = 4;
    private static final int SNAP = 128;

    /** One packet: when (µs after the capture began), which way, on which interface, and its TCP/UDP header. */
    record Packet(long micros, boolean in, String iface, InetAddress src, InetAddress dst, int sport, int dport, int flags) {
        static final int FIN = 1, SYN = 2, RST = 4, ACK = 16;

        boolean syn() {
            return (flags & SYN) != 0 && (flags & ACK) == 0;
        }

        boolean synAck() {
            return (flags & SYN) != 0 && (flags & ACK) != 0;
        }

        boolean rst() {
            return (flags & RST) != 0;
        }
    }

    private FlowCapture() {
    }

    static boolean available() {
        return LibC.ready();
    }

    /**
     * Captures packets of {@code proto} (6 TCP, 17 UDP) to or from {@code port} and hands each to {@code packet}
     * until it returns true, {@code nanos} have passed, {@code stop} holds for the µs since the start (asked every 20 ms at most), or the thread is
     * interrupted; {@code armed} runs once the filter is in place, before the first packet is read.
     *
     * @throws SocketException when the socket cannot be made (no CAP_NET_RAW) or the filter not attached
     */
    static void capture(int proto, int port, long nanos, Runnable armed, Predicate<Packet> packet, LongPredicate stop)
            throws SocketException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment st = arena.allocate(LibC.CAPTURE);
            int fd = LibC.socket(st, AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC, Short.reverseBytes((short) ETH_P_ALL));
            if (fd < 0) {
                throw new SocketException("packet socket: " + RouteNetlink.strerror(LibC.errno(st)));
            }
            try {
                long[] program = filter(proto, port);
                MemorySegment code = arena.allocate(8L * program.length, 8);
                for (int i = 0; i < program.length; i++) {
                    code.set(JAVA_LONG, 8L * i, program[i]);
                }
                MemorySegment fprog = arena.allocate(16, 8);   // struct sock_fprog { unsigned short len; struct sock_filter *filter; }
                fprog.set(JAVA_SHORT, 0, (short) program.length);
                fprog.set(JAVA_LONG, 8, code.address());
                if (LibC.setsockopt(st, fd, SOL_SOCKET, SO_ATTACH_FILTER, fprog) < 0) {
                    throw new SocketException("attaching the packet filter: " + RouteNetlink.strerror(LibC.errno(st)));
                }
                MemorySegment in = arena.allocate(SNAP);
                MemorySegment from = arena.allocate(20, 8);      // struct sockaddr_ll
                MemorySegment fromLength = arena.allocate(JAVA_INT);
                for (int i = 0; i < 10_000; i++) {               // what queued before the filter held: not the flow's
                    fromLength.set(JAVA_INT, 0, 20);
                    if (LibC.recvfrom(st, fd, in, MSG_DONTWAIT, from, fromLength) < 0) break;
                }
                armed.run();
                MemorySegment pfd = arena.allocate(8, 8);
                Map<Integer, String> names = new HashMap<>();
                long start = System.nanoTime();
                for (int loops = 0; loops < 1_000_000; loops++) {
                    long left = start + nanos - System.nanoTime();
                    if (left <= 0 || stop.test((System.nanoTime() - start) / 1000) || Thread.currentThread().isInterrupted()) return;
                    pfd.set(JAVA_INT, 0, fd);
                    pfd.set(JAVA_SHORT, 4, (short) POLLIN);
                    pfd.set(JAVA_SHORT, 6, (short) 0);
                    // at most 20 ms in native code at a time: a thread there holds up the JVM's exit
                    if (LibC.poll(st, pfd, (int) Math.clamp((left + 999_999) / 1_000_000, 1, 20)) <= 0) continue;
                    for (int burst = 0; burst < 256; burst++) {
                        fromLength.set(JAVA_INT, 0, 20);
                        long n = LibC.recvfrom(st, fd, in, MSG_DONTWAIT, from, fromLength);
                        if (n <= 0) break;
                        long micros = (System.nanoTime() - start) / 1000;
                        boolean incoming = from.get(JAVA_BYTE, 10) != PACKET_OUTGOING;
                        String iface = names.computeIfAbsent(from.get(JAVA_INT, 4), FlowCapture::name);
                        Packet p = parse(in.asSlice(0, Math.min(n, SNAP)).toArray(JAVA_BYTE), micros, incoming, iface);
                        if (p != null && packet.test(p)) return;
                    }
                }
            } finally {
                LibC.close(st, fd);
            }
        } catch (SocketException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("packet socket call failed: " + t, t);
        }
    }

    /**
     * The classic BPF program (struct sock_filter, packed as code | jt | jf | k in one little-endian long each): IPv4
     * (not a later fragment) or IPv6 (no extension header) carrying {@code proto}, from or to {@code port}; keeps
     * {@value #SNAP} bytes. A SOCK_DGRAM packet socket runs it on the network header.
     */
    static long[] filter(int proto, int port) {
        final int drop = 18;
        final int ports = 13;
        final int accept = 17;
        int[][] p = {
                {0x30, 0, 0, 0},            // 0: ldb [0]
                {0x74, 0, 0, 4},            // 1: rsh #4              the IP version
                {0x15, 0, 6, 4},            // 2: jeq #4 ? 3 : 9
                {0x30, 0, 0, 9},            // 3: ldb [9]             IPv4 protocol
                {0x15, 0, drop - 5, proto}, // 4: jeq proto ? 5 : drop
                {0x28, 0, 0, 6},            // 5: ldh [6]             flags and fragment offset
                {0x45, drop - 7, 0, 0x1fff},// 6: jset #0x1fff ? drop : 7
                {0xb1, 0, 0, 0},            // 7: ldxb 4*([0]&0xf)    header length
                {0x05, 0, 0, ports - 9},    // 8: ja ports
                {0x15, 0, drop - 10, 6},    // 9: jeq #6 ? 10 : drop  IPv6
                {0x30, 0, 0, 6},            // 10: ldb [6]            next header
                {0x15, 0, drop - 12, proto},// 11: jeq proto ? 12 : drop
                {0x01, 0, 0, 40},           // 12: ldx #40
                {0x48, 0, 0, 0},            // 13 ports: ldh [x+0]    source port
                {0x15, accept - 15, 0, port},//14: jeq port ? accept : 15
                {0x48, 0, 0, 2},            // 15: ldh [x+2]          destination port
                {0x15, accept - 17, drop - 17, port}, // 16: jeq port ? accept : drop
                {0x06, 0, 0, SNAP},         // 17 accept: ret #SNAP
                {0x06, 0, 0, 0},            // 18 drop: ret #0
        };
        long[] out = new long[p.length];
        for (int i = 0; i < p.length; i++) {
            out[i] = (p[i][0] & 0xffffL) | (long) (p[i][1] & 0xff) << 16 | (long) (p[i][2] & 0xff) << 24 | (p[i][3] & 0xffffffffL) << 32;
        }
        return out;
    }

    /** The packet's addresses and ports (and TCP flags), from its network header on; null when it is not IPv4/IPv6 TCP/UDP. */
    static Packet parse(byte[] b, long micros, boolean in, String iface) {
        if (b.length < 1) return null;
        ByteBuffer buf = ByteBuffer.wrap(b).order(ByteOrder.BIG_ENDIAN);
        int version = (b[0] & 0xff) >> 4;
        int l4;
        int proto;
        byte[] src;
        byte[] dst;
        if (version == 4 && b.length >= 20) {
            l4 = (b[0] & 0x0f) * 4;
            proto = b[9] & 0xff;
            src = java.util.Arrays.copyOfRange(b, 12, 16);
            dst = java.util.Arrays.copyOfRange(b, 16, 20);
        } else if (version == 6 && b.length >= 40) {
            l4 = 40;
            proto = b[6] & 0xff;
            src = java.util.Arrays.copyOfRange(b, 8, 24);
            dst = java.util.Arrays.copyOfRange(b, 24, 40);
        } else {
            return null;
        }
        if ((proto != 6 && proto != 17) || b.length < l4 + 4 || (proto == 6 && b.length < l4 + 14)) return null;
        int flags = proto == 6 ? b[l4 + 13] & 0xff : 0;
        try {
            return new Packet(micros, in, iface, InetAddress.getByAddress(src), InetAddress.getByAddress(dst),
                    buf.getShort(l4) & 0xffff, buf.getShort(l4 + 2) & 0xffff, flags);
        } catch (UnknownHostException e) {
            return null;   // cannot happen for 4 or 16 bytes
        }
    }

    private static String name(int index) {
        try {
            NetworkInterface n = NetworkInterface.getByIndex(index);
            return n == null ? "if" + index : n.getName();
        } catch (SocketException e) {
            return "if" + index;
        }
    }
}
