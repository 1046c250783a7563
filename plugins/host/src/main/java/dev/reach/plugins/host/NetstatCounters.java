package dev.reach.plugins.host;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads {@code /proc/net/netstat} and {@code /proc/net/snmp}: pairs of lines, a header
 * ({@code TcpExt: SyncookiesSent ... ListenOverflows ListenDrops ...}) and its values
 * ({@code TcpExt: 0 ... 12 12 ...}). Keys come out as {@code TcpExt.ListenOverflows}. A pair whose
 * prefixes or field counts differ is skipped and reported in {@code bad}.
 */
final class NetstatCounters {
    private NetstatCounters() {
    }

    static Map<String, Long> parse(String text, List<String> bad) {
        Map<String, Long> out = new LinkedHashMap<>();
        List<String> lines = text.lines().filter(l -> !l.isBlank()).toList();
        for (int i = 0; i + 1 < lines.size(); i += 2) {
            String[] names = lines.get(i).trim().split("\\s+");
            String[] values = lines.get(i + 1).trim().split("\\s+");
            if (names.length != values.length || !names[0].endsWith(":") || !names[0].equals(values[0])) {
                bad.add(lines.get(i).strip() + " / " + lines.get(i + 1).strip());
                continue;
            }
            String prefix = names[0].substring(0, names[0].length() - 1);
            for (int k = 1; k < names.length; k++) {
                try {
                    out.put(prefix + "." + names[k], Long.parseLong(values[k]));
                } catch (NumberFormatException e) {
                    bad.add(prefix + "." + names[k] + "=" + values[k]);
                }
            }
        }
        if (lines.size() % 2 != 0) {
            bad.add(lines.getLast().strip());
        }
        return out;
    }
}
