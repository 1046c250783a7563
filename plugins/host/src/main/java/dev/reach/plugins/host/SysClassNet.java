package dev.reach.plugins.host;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads one interface from {@code /sys/class/net/IF}: flags, operstate, carrier, MTU, speed and duplex
 * (absent on virtual links: the kernel answers EINVAL, read here as unknown) and the error/drop counters.
 */
final class SysClassNet {
    static final List<String> COUNTERS = List.of("rx_errors", "tx_errors", "rx_dropped", "tx_dropped", "rx_crc_errors",
            "rx_missed_errors", "tx_carrier_errors", "rx_packets", "tx_packets");
    private static final int IFF_UP = 0x1;

    private SysClassNet() {
    }

    /**
     * One reading. {@code carrier} null when unknown (the link is administratively down), speed -1 when
     * the driver does not say, counters absent when not readable.
     */
    record Link(String name, boolean adminUp, String operstate, Boolean carrier, long mtu, long speed, String duplex, String mac,
                long carrierChanges, Map<String, Long> counters) {
    }

    static Link read(Path dir) {
        String flags = value(dir.resolve("flags"));
        boolean up;
        try {
            up = !flags.isEmpty() && (Long.decode(flags) & IFF_UP) != 0;
        } catch (NumberFormatException e) {
            up = value(dir.resolve("operstate")).equals("up"); // flags unreadable: an UP operstate implies admin up
        }
        String carrier = value(dir.resolve("carrier"));
        Map<String, Long> counters = new LinkedHashMap<>();
        for (String c : COUNTERS) {
            long v = number(dir.resolve("statistics").resolve(c));
            if (v >= 0) {
                counters.put(c, v);
            }
        }
        return new Link(dir.getFileName().toString(), up, value(dir.resolve("operstate")).toUpperCase(java.util.Locale.ROOT),
                carrier.isEmpty() ? null : carrier.equals("1"), number(dir.resolve("mtu")), number(dir.resolve("speed")),
                value(dir.resolve("duplex")), value(dir.resolve("address")), number(dir.resolve("carrier_changes")), counters);
    }

    /**
     * The file's trimmed text; empty when missing or when the kernel refuses the read (EINVAL). Read in
     * one call: a /proc/sys integer answers only a read at offset 0, so a reader that starts with one byte
     * (as Files.readString does for a file of size 0) gets just the first digit.
     */
    static String value(Path p) {
        try (var in = Files.newInputStream(p)) {
            return new String(in.readNBytes(65_536), java.nio.charset.StandardCharsets.UTF_8).strip();
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    private static long number(Path p) {
        try {
            return Long.parseLong(value(p));
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
