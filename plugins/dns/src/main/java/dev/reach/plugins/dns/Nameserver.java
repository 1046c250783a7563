package dev.reach.plugins.dns;

import dev.reach.spi.Addresses;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * A nameserver to ask: an IP address and a port, written {@code 127.0.0.1:5353}, {@code [::1]:5353},
 * {@code ::1} or {@code 198.18.0.2} (port 53). Only addresses: a server's own name would have to be resolved
 * by the very resolver being checked.
 */
record Nameserver(InetAddress address, int port) {
    static final int DNS_PORT = 53;

    /** Parses {@code ip}, {@code ip:port}, {@code [ipv6]:port} or a bare IPv6 address; no port means {@code defaultPort}. */
    static Nameserver parse(String text, int defaultPort) {
        String s = text.trim();
        String host = s;
        int port = defaultPort;
        if (s.startsWith("[")) {
            int close = s.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("'" + text + "' has no closing ']'; write [::1]:5353");
            }
            host = s.substring(1, close);
            String rest = s.substring(close + 1);
            if (!rest.isEmpty()) {
                if (!rest.startsWith(":")) {
                    throw new IllegalArgumentException("'" + text + "': expected :port after ']'");
                }
                port = port(rest.substring(1), text);
            }
        } else if (s.indexOf(':') >= 0 && s.indexOf(':') == s.lastIndexOf(':')) { // one colon: ipv4:port
            host = s.substring(0, s.indexOf(':'));
            port = port(s.substring(s.indexOf(':') + 1), text);
        }
        try {
            return new Nameserver(InetAddress.ofLiteral(host), port);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + text + "' is not a nameserver address; write an IP with an optional port, "
                    + "like 127.0.0.1:5353 or [::1]:53");
        }
    }

    /** An IP literal, v4 or v6. */
    static boolean isAddress(String s) {
        try {
            InetAddress.ofLiteral(s);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    InetSocketAddress socketAddress() {
        return new InetSocketAddress(address, port);
    }

    /** {@code 127.0.0.1:53}, {@code [::1]:5353}. */
    @Override
    public String toString() {
        return Addresses.endpoint(address, port);
    }

    private static int port(String digits, String whole) {
        try {
            int p = Integer.parseInt(digits);
            if (p >= 1 && p <= 65535) {
                return p;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("'" + whole + "' has a bad port '" + digits + "' (allowed: 1..65535)");
    }

}
