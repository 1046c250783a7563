package dev.reach.plugins.net;

import dev.reach.spi.Addresses;
import dev.reach.spi.Tcp;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * What the network said about a packet: an ICMP (or ICMPv6) error, or the local kernel's own error, as the
 * kernel's error queue reports it ({@code struct sock_extended_err}) or as a raw socket reads it.
 *
 * <p>{@code struct sock_extended_err} (16 bytes, host order): {@code u32 ee_errno; u8 ee_origin; u8 ee_type;
 * u8 ee_code; u8 ee_pad; u32 ee_info; u32 ee_data;}, followed in the same control message by the offender's
 * {@code sockaddr} (the address that sent the ICMP; {@code SO_EE_OFFENDER}).
 *
 * @param origin   {@link #ORIGIN_LOCAL}, {@link #ORIGIN_ICMP} or {@link #ORIGIN_ICMP6}
 * @param errno    the errno the kernel maps it to (EHOSTUNREACH, ECONNREFUSED, EMSGSIZE, ...)
 * @param type     ICMP type (0 for a local error)
 * @param code     ICMP code
 * @param info     next-hop MTU for frag-needed / packet-too-big and local EMSGSIZE; 0 otherwise
 * @param offender the address that sent it; null when the kernel gave none
 */
record IcmpError(int origin, int errno, int type, int code, long info, InetAddress offender) {
    static final int ORIGIN_LOCAL = 1, ORIGIN_ICMP = 2, ORIGIN_ICMP6 = 3;
    static final int SIZE = 16;

    /** An ICMP message read off a raw socket (no errno: the probe never went through a socket's error path). */
    static IcmpError icmp(boolean v6, int type, int code, long info, InetAddress from) {
        return new IcmpError(v6 ? ORIGIN_ICMP6 : ORIGIN_ICMP, 0, type, code, info, from);
    }

    /** Reads {@code struct sock_extended_err} from the first 16 bytes of a control message's data. */
    static IcmpError parse(byte[] data, InetAddress offender) {
        if (data.length < SIZE) {
            throw new IllegalArgumentException("sock_extended_err is 16 bytes, got " + data.length);
        }
        ByteBuffer b = ByteBuffer.wrap(data).order(ByteOrder.nativeOrder());
        int errno = b.getInt(0);
        return new IcmpError(b.get(4) & 0xff, errno, b.get(5) & 0xff, b.get(6) & 0xff, b.getInt(8) & 0xffffffffL, offender);
    }

    boolean fromNetwork() {
        return origin == ORIGIN_ICMP || origin == ORIGIN_ICMP6;
    }

    /**
     * A stable name for what it says: time-exceeded, port-unreachable, net-unreachable, host-unreachable,
     * admin-prohibited, frag-needed, protocol-unreachable, local (the kernel's own error) or icmp-T/C.
     */
    String kind() {
        if (origin == ORIGIN_ICMP) {
            return switch (type) {
                case 11 -> "time-exceeded";
                case 0 -> "echo-reply";
                case 3 -> switch (code) {
                    case 0, 6, 11 -> "net-unreachable";
                    case 1, 7, 12 -> "host-unreachable";
                    case 2 -> "protocol-unreachable";
                    case 3 -> "port-unreachable";
                    case 4 -> "frag-needed";
                    case 9, 10, 13 -> "admin-prohibited";
                    default -> "icmp-3/" + code;
                };
                default -> "icmp-" + type + "/" + code;
            };
        }
        if (origin == ORIGIN_ICMP6) {
            return switch (type) {
                case 3 -> "time-exceeded";
                case 2 -> "frag-needed";
                case 129 -> "echo-reply";
                case 1 -> switch (code) {
                    case 0 -> "net-unreachable";
                    case 1, 5, 6 -> "admin-prohibited";
                    case 3 -> "host-unreachable";
                    case 4 -> "port-unreachable";
                    default -> "icmp6-1/" + code;
                };
                default -> "icmp6-" + type + "/" + code;
            };
        }
        return "local";
    }

    /** The fault catalogue's code for this message when it ends a path; null for time-exceeded and the like. */
    String cause() {
        return switch (kind()) {
            case "net-unreachable" -> "net.unreachable";
            case "host-unreachable" -> "host.unreachable";
            case "admin-prohibited" -> "admin.prohibited";
            case "port-unreachable" -> "udp.closed";
            case "frag-needed" -> "mtu.blackhole";
            default -> null;
        };
    }

    /** As the SPI's {@link Tcp} hands it to other plugins; {@code local}: one of this host's own addresses sent it. */
    Tcp.Icmp spi(boolean local) {
        return new Tcp.Icmp(kind(), describe(), offender, !fromNetwork() || local, errno);
    }

    /** {@code ICMP 3/13 admin-prohibited from 198.18.1.1}, {@code local EMSGSIZE (mtu 1500)}. */
    String describe() {
        String from = offender == null ? "" : " from " + Addresses.text(offender);
        if (!fromNetwork()) {
            return "local " + Syscalls.errnoName(errno) + (info > 0 ? " (mtu " + info + ")" : "") + from;
        }
        String mtu = kind().equals("frag-needed") ? " (next-hop mtu " + info + ")" : "";
        return (origin == ORIGIN_ICMP6 || offender instanceof Inet6Address ? "ICMPv6 " : "ICMP ") + type + "/" + code + " "
                + kind() + mtu + from;
    }
}
