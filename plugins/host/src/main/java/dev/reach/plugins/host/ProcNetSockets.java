package dev.reach.plugins.host;

import dev.reach.spi.Addresses;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads {@code /proc/net/tcp}, {@code tcp6}, {@code udp} and {@code udp6}: one socket a line, addresses as
 * hex in the kernel's byte order (each 32-bit word little-endian), state as a hex TCP state number.
 * For a listening TCP socket the rx_queue field is the accept queue: connections the kernel completed
 * that the application has not accepted yet.
 */
final class ProcNetSockets {
    static final int TCP_ESTABLISHED = 0x01;
    static final int TCP_SYN_SENT = 0x02;
    static final int TCP_TIME_WAIT = 0x06;
    /** An unconnected UDP socket shows as CLOSE (7): that is a UDP "listener". */
    static final int UDP_UNCONNECTED = 0x07;
    static final int TCP_LISTEN = 0x0A;
    private static final String[] STATES = {"", "ESTABLISHED", "SYN_SENT", "SYN_RECV", "FIN_WAIT1", "FIN_WAIT2",
            "TIME_WAIT", "CLOSE", "CLOSE_WAIT", "LAST_ACK", "LISTEN", "CLOSING", "NEW_SYN_RECV"};

    private ProcNetSockets() {
    }

    /** One socket line. */
    record Sock(String proto, InetAddress local, int localPort, InetAddress remote, int remotePort, int state,
                long txQueue, long rxQueue, long uid, long inode) {
        String stateName() {
            return state > 0 && state < STATES.length ? STATES[state] : "0x" + Integer.toHexString(state);
        }

        boolean listening() {
            return proto.startsWith("tcp") ? state == TCP_LISTEN : state == UDP_UNCONNECTED && remotePort == 0;
        }

        /** Like ss: {@code tcp LISTEN 127.0.0.1:8080 recv-q 0}. */
        String text() {
            return proto + " " + stateName() + " " + Addresses.endpoint(local, localPort)
                    + (remotePort == 0 ? "" : " -> " + Addresses.endpoint(remote, remotePort))
                    + " recv-q " + rxQueue + " send-q " + txQueue + " uid " + uid + " inode " + inode;
        }
    }

    /** Parses one file's text; {@code proto} is tcp, tcp6, udp or udp6. Lines that do not parse go to {@code bad}. */
    static List<Sock> parse(String text, String proto, List<String> bad) {
        List<Sock> out = new ArrayList<>();
        for (String line : text.lines().skip(1).toList()) {
            if (line.isBlank()) {
                continue;
            }
            String[] f = line.trim().split("\\s+");
            try {
                if (f.length < 10 || !f[0].endsWith(":")) {
                    throw new IllegalArgumentException("too few fields");
                }
                String[] local = f[1].split(":");
                String[] remote = f[2].split(":");
                String[] queues = f[4].split(":");
                if (local.length != 2 || remote.length != 2 || queues.length != 2) {
                    throw new IllegalArgumentException("bad address or queue field");
                }
                out.add(new Sock(proto, address(local[0]), Integer.parseInt(local[1], 16), address(remote[0]),
                        Integer.parseInt(remote[1], 16), Integer.parseInt(f[3], 16), Long.parseLong(queues[0], 16),
                        Long.parseLong(queues[1], 16), Long.parseLong(f[7]), Long.parseLong(f[9])));
            } catch (IllegalArgumentException e) {
                bad.add(line.strip());
            }
        }
        return out;
    }

    /** 8 hex digits (IPv4) or 32 (IPv6), each 32-bit word in little-endian order. */
    static InetAddress address(String hex) {
        if (hex.length() != 8 && hex.length() != 32) {
            throw new IllegalArgumentException("address is not 8 or 32 hex digits: " + hex);
        }
        byte[] b = new byte[hex.length() / 2];
        for (int w = 0; w < b.length / 4; w++) {
            long v = Long.parseLong(hex.substring(w * 8, w * 8 + 8), 16);
            for (int i = 0; i < 4; i++) {
                b[w * 4 + i] = (byte) (v >>> (8 * i));
            }
        }
        try {
            return InetAddress.getByAddress(b);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
