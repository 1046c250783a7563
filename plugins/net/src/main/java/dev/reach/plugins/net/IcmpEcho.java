package dev.reach.plugins.net;

import java.net.InetAddress;

/**
 * The ICMP echo wire format (RFC 792, RFC 4443): builds requests and reads what comes back, so that
 * {@link IcmpPingProbe} only moves bytes. Pure; every read is bounds-checked, so a short or hostile packet
 * reads as {@link Ignored}, never as an exception.
 *
 * <p>Echo: {@code u8 type (8 / 128); u8 code; u16 checksum; u16 id; u16 seq; payload}. An ICMP error quotes
 * the packet it is about after its own 8 bytes: the IP header (IPv4: IHL words; IPv6: 40 bytes) and at
 * least 8 bytes of our echo request, which carry our id and seq.
 */
final class IcmpEcho {
    static final int HEADER = 8;

    private IcmpEcho() {
    }

    /** What a received packet is, for the pinger with this id. */
    sealed interface Packet permits Reply, Error, Ignored {
    }

    /** An echo reply to our request {@code seq}. */
    record Reply(int seq, int ttl) implements Packet {
    }

    /** An ICMP error about our request {@code seq}. */
    record Error(int seq, IcmpError error) implements Packet {
    }

    /** Somebody else's packet, or one too short to read. */
    record Ignored(String why) implements Packet {
    }

    /** An echo request; the checksum is filled in for IPv4 (the kernel computes it for ICMPv6 and ping sockets). */
    static byte[] request(boolean v6, int id, int seq, int size) {
        byte[] p = new byte[HEADER + size];
        p[0] = (byte) (v6 ? 128 : 8);
        put16(p, 4, id);
        put16(p, 6, seq);
        for (int i = 0; i < size; i++) {
            p[HEADER + i] = (byte) (0x10 + i % 0x30); // recognisable in a capture, like ping's pattern
        }
        if (!v6) {
            put16(p, 2, checksum(p));
        }
        return p;
    }

    /**
     * Reads a packet from an ICMP socket.
     *
     * @param withIpHeader true for an IPv4 raw socket, which hands over the IP header too
     * @param id           our echo id; -1 on a ping socket, where the kernel already matched it
     * @param ttl          TTL from a control message, or -1 (then read from the IPv4 header where there is one)
     */
    static Packet parse(byte[] d, boolean v6, boolean withIpHeader, int id, InetAddress from, int ttl) {
        int at = 0;
        if (withIpHeader) {
            if (d.length < 20) return new Ignored("short IP header");
            at = (d[0] & 0x0f) * 4;
            ttl = d[8] & 0xff;
        }
        if (d.length < at + HEADER) return new Ignored("short ICMP header");
        int type = d[at] & 0xff;
        int code = d[at + 1] & 0xff;
        if (type == (v6 ? 129 : 0)) {
            if (id >= 0 && get16(d, at + 4) != id) return new Ignored("echo reply for another pinger");
            return new Reply(get16(d, at + 6), ttl);
        }
        boolean error = v6 ? type >= 1 && type <= 4 : type == 3 || type == 11 || type == 12 || type == 4 || type == 5;
        if (!error) return new Ignored("ICMP type " + type);
        int inner = at + HEADER;
        int innerIcmp;
        if (v6) {
            if (d.length < inner + 40 || (d[inner + 6] & 0xff) != 58) return new Ignored("quote is not ICMPv6");
            innerIcmp = inner + 40;
        } else {
            if (d.length < inner + 20 || (d[inner + 9] & 0xff) != 1) return new Ignored("quote is not ICMP");
            innerIcmp = inner + (d[inner] & 0x0f) * 4;
        }
        if (d.length < innerIcmp + HEADER || (d[innerIcmp] & 0xff) != (v6 ? 128 : 8)) return new Ignored("quote is not an echo request");
        if (id >= 0 && get16(d, innerIcmp + 4) != id) return new Ignored("error about another pinger");
        long info = v6 ? get32(d, at + 4) : type == 3 && code == 4 ? get16(d, at + 6) : 0;
        return new Error(get16(d, innerIcmp + 6), IcmpError.icmp(v6, type, code, info, from));
    }

    /** The Internet checksum (RFC 1071) over the whole array, checksum field included as it stands. */
    static int checksum(byte[] p) {
        long sum = 0;
        for (int i = 0; i + 1 < p.length; i += 2) {
            sum += get16(p, i);
        }
        if (p.length % 2 == 1) {
            sum += (p[p.length - 1] & 0xff) << 8;
        }
        while ((sum >> 16) != 0) {
            sum = (sum & 0xffff) + (sum >> 16);
        }
        return (int) (~sum & 0xffff);
    }

    static int get16(byte[] p, int at) {
        return (p[at] & 0xff) << 8 | p[at + 1] & 0xff;
    }

    private static long get32(byte[] p, int at) {
        return (long) get16(p, at) << 16 | get16(p, at + 2);
    }

    private static void put16(byte[] p, int at, int v) {
        p[at] = (byte) (v >> 8);
        p[at + 1] = (byte) v;
    }
}
