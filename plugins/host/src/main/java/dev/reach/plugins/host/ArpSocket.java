package dev.reach.plugins.host;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.Inet4Address;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * Asks who has an IPv4 address on one interface, as arping does, over a packet socket (AF_PACKET, SOCK_DGRAM,
 * ETH_P_ARP; needs CAP_NET_RAW): broadcasts a request, resends it until the first reply, then listens a short
 * window more, since a second host that holds the address answers the same broadcast within milliseconds.
 * Stops at the second distinct MAC. Linux on x86-64 and aarch64 (libc calls bound through FFM, as in
 * {@link RouteNetlink}).
 */
final class ArpSocket {
    private static final int AF_PACKET = 17, SOCK_DGRAM = 2, SOCK_CLOEXEC = 0x80000, ETH_P_ARP = 0x0806, POLLIN = 1;
    private static final int SOCKADDR_LL = 20, ARP_LEN = 28, REQUEST = 1, REPLY = 2;

    /** One reply: who answered, and how long after the first request. */
    record Reply(String mac, long micros) {
    }

    /** The distinct MACs that answered, in order, and how many requests went out. */
    record Answer(List<Reply> replies, int sent) {
        List<String> macs() {
            return replies.stream().map(Reply::mac).toList();
        }
    }

    private ArpSocket() {
    }

    /** Whether the calls can be made: native access is on for this plugin and libc has them. */
    static boolean available() {
        return LibC.ready();
    }

    /**
     * Asks for {@code target} on {@code dev} from {@code source} (0.0.0.0 for none, as a duplicate-address probe
     * does): up to {@code count} requests spread over {@code timeout} until one is answered, then {@code window}
     * more for a second MAC.
     *
     * @throws SocketException when the socket cannot be made (no CAP_NET_RAW) or the interface is not there
     */
    static Answer ask(String dev, Inet4Address source, Inet4Address target, int count, Duration timeout, Duration window)
            throws SocketException {
        Path sys = Path.of("/sys/class/net", dev);
        String index = SysClassNet.value(sys.resolve("ifindex"));
        String mac = SysClassNet.value(sys.resolve("address"));
        if (dev.contains("/") || !index.matches("\\d+") || !mac.matches("[0-9a-f]{2}(:[0-9a-f]{2}){5}")) {
            throw new SocketException("no Ethernet interface " + dev + " in this network namespace");
        }
        byte[] request = request(HexFormat.ofDelimiter(":").parseHex(mac), source.getAddress(), target.getAddress());
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment st = arena.allocate(LibC.CAPTURE);
            int fd = LibC.socket(st, AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC, Short.reverseBytes((short) ETH_P_ARP));
            if (fd < 0) {
                throw new SocketException("packet socket: " + RouteNetlink.strerror(LibC.errno(st)));
            }
            try {
                MemorySegment to = linkAddress(arena, Integer.parseInt(index), true);
                if (LibC.bind(st, fd, linkAddress(arena, Integer.parseInt(index), false)) < 0) {
                    throw new SocketException("bind to " + dev + ": " + RouteNetlink.strerror(LibC.errno(st)));
                }
                MemorySegment out = arena.allocate(ARP_LEN);
                MemorySegment.copy(request, 0, out, JAVA_BYTE, 0, ARP_LEN);
                MemorySegment in = arena.allocate(1500);
                MemorySegment pfd = arena.allocate(8, 8);   // struct pollfd { int fd; short events; short revents; }
                List<Reply> replies = new ArrayList<>();
                long start = System.nanoTime();
                long end = start + timeout.toNanos();
                long gap = timeout.toNanos() / Math.max(1, count);
                long next = start;
                int sent = 0;
                for (int loops = 0; loops < 100_000; loops++) {
                    long now = System.nanoTime();
                    if (replies.isEmpty() && sent < count && now >= next) {
                        if (LibC.sendto(st, fd, out, 0, to) < 0) {
                            throw new SocketException("send on " + dev + ": " + RouteNetlink.strerror(LibC.errno(st)));
                        }
                        sent++;
                        next = now + gap;
                    }
                    if (Thread.currentThread().isInterrupted()) {
                        break;   // cut short or cancelled: what was heard so far is the answer
                    }
                    long until = replies.isEmpty() ? Math.min(end, sent < count ? next : end)
                            : Math.min(end, start + replies.getFirst().micros() * 1000 + window.toNanos());
                    if (now >= until && (!replies.isEmpty() || sent >= count)) {
                        break;
                    }
                    pfd.set(JAVA_INT, 0, fd);
                    pfd.set(JAVA_SHORT, 4, (short) POLLIN);
                    pfd.set(JAVA_SHORT, 6, (short) 0);
                    // at most 20 ms in native code at a time: a thread there holds up the JVM's exit (up to 300 ms)
                    int ready = LibC.poll(st, pfd, (int) Math.clamp((until - now + 999_999) / 1_000_000, 1, 20));
                    if (ready <= 0) {
                        continue;   // the wait ran out (or EINTR): the top of the loop decides what next
                    }
                    long n = LibC.recv(st, fd, in, 0);
                    String from = n < 0 ? null : replyFrom(in.asSlice(0, n).toArray(JAVA_BYTE), target.getAddress());
                    if (from != null && replies.stream().noneMatch(r -> r.mac().equals(from))) {
                        replies.add(new Reply(from, (System.nanoTime() - start) / 1000));
                        if (replies.size() > 1) {
                            break;   // two MACs for one address: that is all it takes
                        }
                    }
                }
                return new Answer(List.copyOf(replies), sent);
            } finally {
                LibC.close(st, fd);
            }
        } catch (SocketException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("packet socket call failed: " + t, t);
        }
    }

    /** An ARP request (RFC 826) for Ethernet and IPv4: who has {@code target}? tell {@code source}. */
    static byte[] request(byte[] mac, byte[] source, byte[] target) {
        return ByteBuffer.allocate(ARP_LEN).order(ByteOrder.BIG_ENDIAN).putShort((short) 1).putShort((short) 0x0800)
                .put((byte) 6).put((byte) 4).putShort((short) REQUEST).put(mac).put(source).put(new byte[6]).put(target).array();
    }

    /** The sender's MAC when {@code packet} is an ARP reply from {@code target}; null for anything else. */
    static String replyFrom(byte[] packet, byte[] target) {
        if (packet.length < ARP_LEN) {
            return null;
        }
        ByteBuffer b = ByteBuffer.wrap(packet).order(ByteOrder.BIG_ENDIAN);
        if (b.getShort(0) != 1 || b.getShort(2) != 0x0800 || b.get(4) != 6 || b.get(5) != 4 || b.getShort(6) != REPLY) {
            return null;
        }
        for (int i = 0; i < 4; i++) {
            if (packet[14 + i] != target[i]) {
                return null;
            }
        }
        return HexFormat.ofDelimiter(":").formatHex(packet, 8, 14);
    }

    /** struct sockaddr_ll: family, protocol (network order), ifindex, and for sending the broadcast address. */
    private static MemorySegment linkAddress(Arena arena, int ifindex, boolean broadcast) {
        MemorySegment a = arena.allocate(SOCKADDR_LL, 8);
        a.set(JAVA_SHORT, 0, (short) AF_PACKET);
        a.set(JAVA_SHORT, 2, Short.reverseBytes((short) ETH_P_ARP));
        a.set(JAVA_INT, 4, ifindex);
        if (broadcast) {
            a.set(JAVA_BYTE, 11, (byte) 6);          // sll_halen
            for (int i = 0; i < 6; i++) {
                a.set(JAVA_BYTE, 12 + i, (byte) 0xff);
            }
        }
        return a;
    }
}
