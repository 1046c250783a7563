package dev.reach.plugins.host;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.Arrays;

/** Addresses as people and {@code ip} write them: IPv6 compressed per RFC 5952 ({@code ::1}, not {@code 0:0:0:0:0:0:0:1}). */
final class AddressText {
    private AddressText() {
    }

    static String of(InetAddress a) {
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

    /** {@code 127.0.0.1:80} or {@code [::1]:80}. */
    static String endpoint(InetAddress a, int port) {
        return (a instanceof Inet6Address ? "[" + of(a) + "]" : of(a)) + ":" + port;
    }
}
