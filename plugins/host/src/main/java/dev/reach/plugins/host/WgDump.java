package dev.reach.plugins.host;

import java.util.ArrayList;
import java.util.List;

/**
 * The peers of a WireGuard interface from {@code wg show NAME dump} (tab-separated: the interface line, then one line
 * per peer). The interface line holds the private key: it is skipped, never kept.
 *
 * @param key            the peer's public key, shortened as {@code wg} prints it in lists (first 8 characters...)
 * @param latestHandshake seconds since the epoch of the last completed handshake, 0 when there never was one
 */
record WgDump(List<Peer> peers) {
    /** After this long without a new handshake WireGuard refuses the session's keys (REJECT_AFTER_TIME): the tunnel is dead. */
    static final long REJECT_AFTER_SECONDS = 180;

    record Peer(String key, String endpoint, List<String> allowedIps, long latestHandshake, long rxBytes, long txBytes) {
        /** Seconds since its last handshake at {@code nowEpoch}, or -1 when there never was one. */
        long handshakeAge(long nowEpoch) {
            return latestHandshake == 0 ? -1 : Math.max(0, nowEpoch - latestHandshake);
        }
    }

    static WgDump parse(String dump) {
        List<Peer> peers = new ArrayList<>();
        List<String> lines = dump.lines().filter(l -> !l.isBlank()).toList();
        for (int i = 1; i < lines.size(); i++) { // line 0: private key, public key, port, fwmark of the interface
            String[] f = lines.get(i).split("\t");
            if (f.length < 7) continue;
            String key = f[0].length() > 8 ? f[0].substring(0, 8) + "..." : f[0];
            List<String> allowed = f[3].equals("(none)") ? List.of() : List.of(f[3].split(","));
            peers.add(new Peer(key, f[2].equals("(none)") ? "" : f[2], allowed, number(f[4]), number(f[5]), number(f[6])));
        }
        return new WgDump(List.copyOf(peers));
    }

    private static long number(String s) {
        try {
            return Long.parseLong(s.strip());
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
