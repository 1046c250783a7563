package dev.reach.plugins.host;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Parsers for the files and commands resources.check reads: loadavg, meminfo, vmstat, file-nr, limits, df. */
final class ProcResources {
    private ProcResources() {
    }

    /** One mount from {@code df -P}: percent used, -1 when df prints '-' (no inode accounting). */
    record Mount(String mount, String fs, int usedPct) {
    }

    /** The 1-minute load from {@code /proc/loadavg}; -1 when unreadable. */
    static double load1(String loadavg) {
        try {
            return Double.parseDouble(loadavg.trim().split("\\s+")[0]);
        } catch (RuntimeException e) {
            return -1;
        }
    }

    /** {@code Key: value kB} lines (meminfo) or {@code key value} lines (vmstat) into numbers; malformed lines are skipped. */
    static Map<String, Long> keyValues(String text) {
        Map<String, Long> out = new LinkedHashMap<>();
        for (String line : text.lines().toList()) {
            String[] f = line.replace(":", " ").trim().split("\\s+");
            if (f.length >= 2) {
                try {
                    out.put(f[0], Long.parseLong(f[1]));
                } catch (NumberFormatException e) {
                    // not a counter line
                }
            }
        }
        return out;
    }

    /** {@code /proc/sys/fs/file-nr}: allocated, free, max; empty when malformed. */
    static long[] fileNr(String text) {
        String[] f = text.trim().split("\\s+");
        try {
            return f.length == 3 ? new long[] {Long.parseLong(f[0]), Long.parseLong(f[1]), Long.parseLong(f[2])} : new long[0];
        } catch (NumberFormatException e) {
            return new long[0];
        }
    }

    /** The soft "Max open files" of {@code /proc/PID/limits}; -1 when absent or unlimited. */
    static long maxOpenFiles(String limits) {
        for (String line : limits.lines().toList()) {
            if (line.startsWith("Max open files")) {
                String[] f = line.substring("Max open files".length()).trim().split("\\s+");
                try {
                    return Long.parseLong(f[0]);
                } catch (NumberFormatException e) {
                    return -1;
                }
            }
        }
        return -1;
    }

    /** {@code df -P} (blocks or -i inodes): mount point and Use%/IUse%; the header and malformed lines are skipped. */
    static List<Mount> df(String text) {
        List<Mount> out = new ArrayList<>();
        for (String line : text.lines().skip(1).toList()) {
            String[] f = line.trim().split("\\s+");
            if (f.length < 6) {
                continue;
            }
            String pct = f[4];
            int used = pct.equals("-") ? -1 : pct.endsWith("%") && pct.length() > 1 && pct.substring(0, pct.length() - 1).matches("\\d+")
                    ? Integer.parseInt(pct.substring(0, pct.length() - 1)) : -2;
            if (used >= -1) {
                out.add(new Mount(String.join(" ", java.util.Arrays.copyOfRange(f, 5, f.length)), f[0], used));
            }
        }
        return out;
    }
}
