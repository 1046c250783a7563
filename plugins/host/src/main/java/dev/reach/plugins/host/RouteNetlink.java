package dev.reach.plugins.host;

import dev.reach.plugins.host.RouteTable.Route;
import dev.reach.spi.Addresses;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Asks the kernel for routes over rtnetlink, as {@code ip route get} and {@code ip route show table all} do,
 * without starting {@code ip}: a lookup takes well under a millisecond where starting {@code ip} from the JVM
 * took 15-20 ms on a small VM (twice for a missing route). Linux on x86-64 and aarch64 (the same struct
 * layouts on both).
 *
 * <p>Five libc calls are bound through the Foreign Function &amp; Memory API; every buffer is a segment of a
 * confined arena and every length the kernel gets is a segment's own size. When native access is off the
 * caller falls back to {@code ip} (see {@link #available()}).
 */
final class RouteNetlink {
    // netlink and rtnetlink constants (linux/netlink.h, linux/rtnetlink.h)
    private static final int AF_NETLINK = 16, NETLINK_ROUTE = 0, SOCK_RAW = 3, SOCK_CLOEXEC = 0x80000;
    private static final int SOL_SOCKET = 1, SO_RCVTIMEO = 20;
    private static final int NLMSG_ERROR = 2, NLMSG_DONE = 3, RTM_NEWROUTE = 24, RTM_GETROUTE = 26;
    private static final int NLM_F_REQUEST = 0x1, NLM_F_DUMP = 0x300;
    private static final int RTA_DST = 1, RTA_OIF = 4, RTA_GATEWAY = 5, RTA_PREFSRC = 7, RTA_METRICS = 8, RTA_TABLE = 15;
    private static final int RTAX_MTU = 2;
    private static final int RTM_F_CLONED = 0x200, RTM_F_LOOKUP_TABLE = 0x1000;
    private static final int NLMSG_HDR = 16, RTMSG = 12, RECV_BUFFER = 65536;
    private static final int AF_INET = 2, AF_INET6 = 10;

    /** What the kernel said: the routes, or its refusal (an errno's text, as ip prints it after "RTNETLINK answers:"). */
    record Answer(List<Route> routes, String refusal) {
        boolean refused() {
            return !refusal.isEmpty();
        }
    }

    private RouteNetlink() {
    }

    /** Whether the calls can be made: native access is on for this plugin and libc has them. */
    static boolean available() {
        return LibC.ready();
    }

    /** {@code ip route get ADDR}: the route the kernel would use, with its table; or the kernel's refusal. */
    static Answer get(InetAddress dst, Duration timeout) throws SocketException {
        byte[] addr = dst.getAddress();
        ByteBuffer req = request(RTM_GETROUTE, NLM_F_REQUEST, 4 + addr.length);
        req.put(family(dst)).put((byte) (addr.length * 8)).put((byte) 0).put((byte) 0)   // family, dst_len, src_len, tos
                .put((byte) 0).put((byte) 0).put((byte) 0).put((byte) 0)                 // table, protocol, scope, type
                .putInt(RTM_F_LOOKUP_TABLE);
        req.putShort((short) (4 + addr.length)).putShort((short) RTA_DST).put(addr);
        return exchange(req, timeout, true);
    }

    /** {@code ip route show table all} for one address family: every route of every table, cached clones left out. */
    static Answer dump(boolean v6, Duration timeout) throws SocketException {
        ByteBuffer req = request(RTM_GETROUTE, NLM_F_REQUEST | NLM_F_DUMP, 0);
        req.put((byte) (v6 ? AF_INET6 : AF_INET)).put(new byte[7]).putInt(0);
        return exchange(req, timeout, false);
    }

    /** A request buffer holding the netlink header; the caller appends the rtmsg and {@code attrs} bytes of attributes. */
    private static ByteBuffer request(int type, int flags, int attrs) {
        int len = NLMSG_HDR + RTMSG + attrs;
        ByteBuffer b = ByteBuffer.allocate(len).order(ByteOrder.nativeOrder());
        return b.putInt(len).putShort((short) type).putShort((short) flags).putInt(1).putInt(0);
    }

    private static byte family(InetAddress a) {
        return (byte) (a instanceof Inet4Address ? AF_INET : AF_INET6);
    }

    /** Sends the request and reads answers until the kernel's error or ack, or (for a dump) NLMSG_DONE. */
    private static Answer exchange(ByteBuffer req, Duration timeout, boolean single) throws SocketException {
        List<Route> routes = new ArrayList<>();
        Map<Integer, String> names = new HashMap<>();   // interface index to name: the JDK enumerates every interface per call
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment st = arena.allocate(LibC.CAPTURE);
            int fd = LibC.socket(st, AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
            if (fd < 0) {
                throw new SocketException("netlink socket: " + strerror(LibC.errno(st)));
            }
            try {
                long millis = Math.max(1, timeout.toMillis());
                MemorySegment tv = arena.allocate(JAVA_LONG, 2);    // struct timeval { time_t sec; suseconds_t usec; }
                tv.setAtIndex(JAVA_LONG, 0, millis / 1000);
                tv.setAtIndex(JAVA_LONG, 1, (millis % 1000) * 1000);
                if (LibC.setsockopt(st, fd, SOL_SOCKET, SO_RCVTIMEO, tv) < 0) {
                    throw new SocketException("netlink SO_RCVTIMEO: " + strerror(LibC.errno(st)));
                }
                MemorySegment out = arena.allocate(req.capacity());
                MemorySegment.copy(req.array(), 0, out, JAVA_BYTE, 0, req.capacity());
                if (LibC.send(st, fd, out, 0) < 0) {
                    throw new SocketException("netlink send: " + strerror(LibC.errno(st)));
                }
                MemorySegment in = arena.allocate(RECV_BUFFER);
                for (int reads = 0; reads < 10_000; reads++) {      // a dump of a full table is a few dozen reads
                    long n = LibC.recv(st, fd, in, 0);
                    if (n < 0) {
                        int errno = LibC.errno(st);
                        throw new SocketException("netlink receive: " + (errno == 11 ? "no answer within " + millis + "ms" : strerror(errno)));
                    }
                    ByteBuffer b = ByteBuffer.wrap(in.asSlice(0, n).toArray(JAVA_BYTE)).order(ByteOrder.nativeOrder());
                    String end = parse(b, routes, !single, names);
                    if (end != null) {
                        return new Answer(routes, end);
                    }
                    if (single && !routes.isEmpty()) {
                        return new Answer(routes, "");
                    }
                }
                throw new SocketException("netlink: the kernel's answer did not end");
            } finally {
                LibC.close(st, fd);
            }
        } catch (SocketException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("netlink call failed: " + t, t);
        }
    }

    /**
     * Reads the netlink messages in one datagram, adding the routes to {@code routes} (without the cached
     * clones when {@code skipClones}: a dump lists them, and a lookup's answer is one). Returns null to read
     * on, "" when the answer ended well (done, or an ack), or the refusal's text.
     */
    static String parse(ByteBuffer b, List<Route> routes, boolean skipClones) {
        return parse(b, routes, skipClones, new HashMap<>());
    }

    private static String parse(ByteBuffer b, List<Route> routes, boolean skipClones, Map<Integer, String> names) {
        while (b.remaining() >= NLMSG_HDR) {
            int start = b.position();
            int len = b.getInt();
            int type = Short.toUnsignedInt(b.getShort());
            b.getShort();   // flags
            b.getInt();     // sequence
            b.getInt();     // port id
            if (len < NLMSG_HDR || start + len > b.limit()) {
                throw new IllegalStateException("netlink: a message of " + len + " bytes in a datagram of " + b.limit());
            }
            if (type == NLMSG_DONE) {
                return "";
            }
            if (type == NLMSG_ERROR) {
                int error = b.getInt();
                return error == 0 ? "" : strerror(-error);
            }
            if (type == RTM_NEWROUTE && len >= NLMSG_HDR + RTMSG) {
                Route r = route(b.slice(start + NLMSG_HDR, len - NLMSG_HDR).order(b.order()), skipClones, names);
                if (r != null) {
                    routes.add(r);
                }
            }
            b.position(Math.min(b.limit(), start + align(len)));
        }
        return null;
    }

    /** One rtmsg and its attributes as a route, the way ip -j prints it; null for a cached clone when skipped. */
    private static Route route(ByteBuffer m, boolean skipClones, Map<Integer, String> names) {
        int family = Byte.toUnsignedInt(m.get());
        int dstLen = Byte.toUnsignedInt(m.get());
        m.get();   // src_len
        m.get();   // tos
        int table = Byte.toUnsignedInt(m.get());
        int protocol = Byte.toUnsignedInt(m.get());
        m.get();   // scope
        int type = Byte.toUnsignedInt(m.get());
        int flags = m.getInt();
        if (skipClones && (flags & RTM_F_CLONED) != 0) {
            return null;
        }
        byte[] dst = null;
        byte[] gateway = null;
        byte[] prefsrc = null;
        int oif = 0;
        long mtu = -1;
        while (m.remaining() >= 4) {
            int start = m.position();
            int len = Short.toUnsignedInt(m.getShort());
            int kind = Short.toUnsignedInt(m.getShort()) & 0x3fff;   // without NLA_F_NESTED / NLA_F_NET_BYTEORDER
            if (len < 4 || start + len > m.limit()) {
                break;
            }
            byte[] v = new byte[len - 4];
            m.get(v);
            switch (kind) {
                case RTA_DST -> dst = v;
                case RTA_GATEWAY -> gateway = v;
                case RTA_PREFSRC -> prefsrc = v;
                case RTA_OIF -> oif = v.length >= 4 ? ByteBuffer.wrap(v).order(m.order()).getInt() : 0;
                case RTA_TABLE -> table = v.length >= 4 ? ByteBuffer.wrap(v).order(m.order()).getInt() : table;
                case RTA_METRICS -> mtu = metric(ByteBuffer.wrap(v).order(m.order()), RTAX_MTU);
                default -> { }
            }
            m.position(Math.min(m.limit(), start + align(len)));
        }
        int bits = family == AF_INET ? 32 : 128;
        String dstText = dst == null || dstLen == 0 ? "default" : address(dst) + (dstLen == bits ? "" : "/" + dstLen);
        return new Route(typeName(type), dstText, gateway == null ? "" : address(gateway), oif == 0 ? "" : names.computeIfAbsent(oif, RouteNetlink::ifname),
                prefsrc == null ? "" : address(prefsrc), tableName(table), protocolName(protocol), mtu);
    }

    private static long metric(ByteBuffer nested, int wanted) {
        while (nested.remaining() >= 8) {
            int start = nested.position();
            int len = Short.toUnsignedInt(nested.getShort());
            int kind = Short.toUnsignedInt(nested.getShort()) & 0x3fff;
            if (len < 4 || start + len > nested.limit()) {
                break;
            }
            if (kind == wanted && len >= 8) {
                return Integer.toUnsignedLong(nested.getInt());
            }
            nested.position(Math.min(nested.limit(), start + align(len)));
        }
        return -1;
    }

    private static int align(int len) {
        return (len + 3) & ~3;
    }

    private static String address(byte[] raw) {
        try {
            return Addresses.text(InetAddress.getByAddress(raw));
        } catch (UnknownHostException e) {
            return "?";
        }
    }

    /**
     * The device's name: the JDK knows only devices with an address, so a device without one (a tun no program holds,
     * a bridge port) is looked up in /sys/class/net.
     */
    private static String ifname(int index) {
        try {
            NetworkInterface i = NetworkInterface.getByIndex(index);
            if (i != null) return i.getName();
        } catch (SocketException e) {
            // fall through to /sys
        }
        try (var devices = java.nio.file.Files.list(java.nio.file.Path.of("/sys/class/net"))) {
            return devices.filter(d -> SysClassNet.value(d.resolve("ifindex")).strip().equals(Integer.toString(index)))
                    .map(d -> d.getFileName().toString()).findFirst().orElse("if" + index);
        } catch (java.io.IOException | RuntimeException e) {
            return "if" + index;
        }
    }

    static String typeName(int type) {
        return switch (type) {
            case 1 -> "unicast";
            case 2 -> "local";
            case 3 -> "broadcast";
            case 4 -> "anycast";
            case 5 -> "multicast";
            case 6 -> "blackhole";
            case 7 -> "unreachable";
            case 8 -> "prohibit";
            case 9 -> "throw";
            case 10 -> "nat";
            default -> "type" + type;
        };
    }

    static String tableName(int table) {
        return switch (table) {
            case 253 -> "default";
            case 254 -> "main";
            case 255 -> "local";
            default -> Integer.toUnsignedString(table);
        };
    }

    private static String protocolName(int protocol) {
        return switch (protocol) {
            case 0 -> "";
            case 1 -> "redirect";
            case 2 -> "kernel";
            case 3 -> "boot";
            case 4 -> "static";
            case 16 -> "dhcp";
            default -> String.valueOf(protocol);
        };
    }

    /** The text glibc's strerror gives for the errno values a route lookup meets. */
    static String strerror(int errno) {
        return switch (errno) {
            case 1 -> "Operation not permitted";
            case 13 -> "Permission denied";
            case 22 -> "Invalid argument";
            case 97 -> "Address family not supported by protocol";
            case 101 -> "Network is unreachable";
            case 113 -> "No route to host";
            case 11 -> "Resource temporarily unavailable";
            default -> "errno " + errno;
        };
    }
}
