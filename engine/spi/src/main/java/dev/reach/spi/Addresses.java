package dev.reach.spi;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.Arrays;

/**
 * Addresses as people (and {@code ip}) write them, so every probe's facts and evidence agree: IPv6
 * compressed per RFC 5952, a scope kept, IPv6 endpoints in brackets.
 *
 * <pre>{@code
 * Addresses.text(InetAddress.ofLiteral("0:0:0:0:0:0:0:1"));   // "::1"
 * Addresses.endpoint(InetAddress.ofLiteral("::1"), 22);       // "[::1]:22"
 * Addresses.endpoint(InetAddress.ofLiteral("127.0.0.1"), 22); // "127.0.0.1:22"
 * }</pre>
 */
public final class Addresses {
    private Addresses() {
    }

    /** The address, IPv6 compressed ({@code fd00::6}, not {@code fd00:0:0:0:0:0:0:6}). */
    public static String text(InetAddress a) {
        String s = a.getHostAddress();
        if (!(a instanceof Inet6Address)) {
            return s;
        }
        int pct = s.indexOf('%');
        String scope = pct < 0 ? "" : s.substring(pct);
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
            return String.join(":", g) + scope;
        }
        return String.join(":", Arrays.copyOfRange(g, 0, bestStart)) + "::"
                + String.join(":", Arrays.copyOfRange(g, bestStart + bestLen, g.length)) + scope;
    }

    /** {@code 127.0.0.1:80} or {@code [::1]:80}. */
    public static String endpoint(InetAddress a, int port) {
        return (a instanceof Inet6Address ? "[" + text(a) + "]" : text(a)) + ":" + port;
    }

    /** A server as the vocabulary writes it, {@code host[:port]}, split: the host (a name or an address) and the port. */
    public record HostPort(String host, int port) {
    }

    /**
     * Splits {@code host[:port]} as people write a server: {@code 127.0.0.1:5353}, {@code [::1]:53}, {@code ntp.lab.test:123},
     * {@code ntp.lab.test} or {@code ::1} (an IPv6 address without brackets has no port); {@code defaultPort} when none
     * is written.
     *
     * @throws IllegalArgumentException saying what to write, for an unclosed bracket or a port outside 1..65535
     */
    public static HostPort hostPort(String text, int defaultPort) {
        String s = text.strip();
        if (s.startsWith("[")) {
            int close = s.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("'" + text + "' has no closing ']'; write [::1]:5353");
            }
            String rest = s.substring(close + 1);
            if (!rest.isEmpty() && !rest.startsWith(":")) {
                throw new IllegalArgumentException("'" + text + "': expected :port after ']'");
            }
            return new HostPort(s.substring(1, close), rest.isEmpty() ? defaultPort : port(rest.substring(1), text));
        }
        int colon = s.indexOf(':');
        if (colon >= 0 && colon == s.lastIndexOf(':')) {   // one colon: host:port (more are an IPv6 address)
            return new HostPort(s.substring(0, colon), port(s.substring(colon + 1), text));
        }
        return new HostPort(s, defaultPort);
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
