package dev.reach.spi;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/**
 * Addresses as people (and {@code ip}) write them, so every probe's facts and evidence agree: IPv6
 * compressed per RFC 5952, a scope kept, IPv6 endpoints in brackets; and the address of a host in the family
 * a probe's {@code family} parameter asks for.
 *
 * <pre>{@code
 * Addresses.text(InetAddress.ofLiteral("0:0:0:0:0:0:0:1"));   // "::1"
 * Addresses.endpoint(InetAddress.ofLiteral("::1"), 22);       // "[::1]:22"
 * Addresses.endpoint(InetAddress.ofLiteral("127.0.0.1"), 22); // "127.0.0.1:22"
 * Addresses.resolve("db01", params.string("family"));         // db01's first address of that family
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

    /**
     * The first address {@code host} resolves to in the wanted family: {@code any}, {@code 4} (IPv4) or {@code 6}
     * (IPv6), as a probe's {@code family} parameter says it. A literal address resolves to itself.
     *
     * <pre>{@code
     * Addresses.resolve("::1", "6");   // ::1
     * Addresses.resolve("::1", "4");   // UnknownHostException: ::1 has no IPv4 address (it resolves to ::1)
     * }</pre>
     *
     * @throws UnknownHostException     when the name does not resolve (the resolver's message), or has no address of
     *                                  that family (the message says so and lists the addresses it has)
     * @throws IllegalArgumentException when {@code family} is not any, 4 or 6
     */
    public static InetAddress resolve(String host, String family) throws UnknownHostException {
        if (!family.equals("any") && !family.equals("4") && !family.equals("6")) {
            throw new IllegalArgumentException("family '" + family + "' is not an address family (allowed: any, 4, 6)");
        }
        InetAddress[] all = InetAddress.getAllByName(host);
        return Arrays.stream(all)
                .filter(a -> family.equals("any") || family.equals("4") == (a instanceof Inet4Address))
                .findFirst()
                .orElseThrow(() -> new UnknownHostException(host + " has no IPv" + family + " address (it resolves to "
                        + String.join(", ", Arrays.stream(all).map(Addresses::text).toList()) + ")"));
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
