package dev.reach.plugins.host;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads neighbour (ARP/ND) entries from {@code ip -j neigh} and {@code /proc/net/arp}, and replies from arping. */
final class NeighTable {
    private static final Pattern MAC = Pattern.compile("(?i)\\b([0-9a-f]{2}(?::[0-9a-f]{2}){5})\\b");
    /** Thomas Habets' arping: {@code 42 bytes from 6e:d6:a6:b5:f2:ef (198.18.9.5): index=0 time=18.6 usec}. */
    private static final Pattern HABETS = Pattern.compile("bytes from ([0-9a-fA-F:]{17}) \\(([^)]+)\\)");
    /** iputils arping: {@code Unicast reply from 198.18.9.5 [6E:D6:A6:B5:F2:EF]  0.612ms}. */
    private static final Pattern IPUTILS = Pattern.compile("reply from (\\S+) \\[([0-9a-fA-F:]{17})]");
    private static final int ATF_COM = 0x2;
    private static final int ATF_PERM = 0x4;

    private NeighTable() {
    }

    /** One neighbour entry; {@code mac} is empty while unresolved, {@code state} as ip prints it (REACHABLE, FAILED...). */
    record Entry(String dst, String dev, String mac, String state, boolean router) {
        String text() {
            return dst + " dev " + dev + (mac.isEmpty() ? "" : " lladdr " + mac) + (router ? " router" : "") + " " + state;
        }

        /** The kernel gave up resolving it, or is still trying. */
        boolean unresolved() {
            return state.equals("FAILED") || state.equals("INCOMPLETE");
        }
    }

    /** Entries from {@code ip -j neigh show}; several states are joined with '|' ({@code STALE|PROBE} is rare). */
    static List<Entry> parseJson(String json) {
        List<Entry> out = new ArrayList<>();
        for (Map<String, Object> m : Json.objects(json)) {
            String dst = Json.str(m, "dst");
            if (dst.isEmpty()) {
                continue;
            }
            List<String> states = Json.list(m.get("state")).stream().map(String::valueOf).toList();
            out.add(new Entry(dst, Json.str(m, "dev"), Json.str(m, "lladdr").toLowerCase(Locale.ROOT),
                    states.isEmpty() ? "NONE" : String.join("|", states), m.containsKey("router")));
        }
        return out;
    }

    /** Entries from {@code /proc/net/arp}: flags 0x2 complete, 0x4 permanent, 0 unresolved; bad lines go to {@code bad}. */
    static List<Entry> parseProcArp(String text, List<String> bad) {
        List<Entry> out = new ArrayList<>();
        for (String line : text.lines().skip(1).toList()) {
            if (line.isBlank()) {
                continue;
            }
            String[] f = line.trim().split("\\s+");
            try {
                if (f.length < 6 || !MAC.matcher(f[3]).matches()) {
                    throw new IllegalArgumentException("not an ARP line");
                }
                int flags = Integer.decode(f[2]);
                String state = (flags & ATF_PERM) != 0 ? "PERMANENT" : (flags & ATF_COM) != 0 ? "REACHABLE" : "INCOMPLETE";
                out.add(new Entry(f[0], f[5], (flags & ATF_COM) != 0 ? f[3].toLowerCase(Locale.ROOT) : "", state, false));
            } catch (IllegalArgumentException e) {
                bad.add(line.strip());
            }
        }
        return out;
    }

    /** The distinct MAC addresses that answered for {@code ip} in arping's output (either arping), in order of first reply. */
    static Set<String> replies(String output, String ip) {
        Set<String> macs = new LinkedHashSet<>();
        for (String line : output.lines().toList()) {
            Matcher h = HABETS.matcher(line);
            Matcher i = IPUTILS.matcher(line);
            if (h.find() && h.group(2).equals(ip)) {
                macs.add(h.group(1).toLowerCase(Locale.ROOT));
            } else if (i.find() && i.group(1).equals(ip)) {
                macs.add(i.group(2).toLowerCase(Locale.ROOT));
            }
        }
        return macs;
    }
}
