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
}
