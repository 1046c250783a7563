package dev.reach.plugins.dns;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Arrays;

/**
 * A nameserver to ask: an IP address and a port, written {@code 127.0.0.1:5353}, {@code [::1]:5353},
 * {@code ::1} or {@code 10.0.0.2} (port 53). Only addresses: a server's own name would have to be resolved
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
        return (address instanceof Inet6Address ? "[" + text(address) + "]" : text(address)) + ":" + port;
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

    /** The address as people write it: IPv6 compressed per RFC 5952 ({@code fd00::6}, not {@code fd00:0:0:0:0:0:0:6}). */
    static String text(InetAddress a) {
        String s = a.getHostAddress();
        if (!(a instanceof Inet6Address)) {
            return s;
        }
        int pct = s.indexOf('%');
        String[] g = (pct < 0 ? s : s.substring(0, pct)).split(":");
        int bestStart = -1;
        int bestLen = 1; // a single zero group stays as it is
        for (int i = 0; i < g.length; i++) {
            int j = i;
            while (j < g.length && g[j].equals("0")) {
                j++;
            }
            if (j - i > bestLen) {
                bestStart = i;
                bestLen = j - i;
            }
            i = Math.max(i, j);
        }
        if (bestStart < 0) {
            return String.join(":", g);
        }
        return String.join(":", Arrays.copyOfRange(g, 0, bestStart)) + "::"
                + String.join(":", Arrays.copyOfRange(g, bestStart + bestLen, g.length));
    }
}
