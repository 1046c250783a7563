package dev.reach.plugins.host;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the kernel settings that decide reachability from {@code /proc/sys} (per network namespace for
 * net.*) and judges them: each risky value becomes a {@link Finding} with the value to use instead.
 */
final class Sysctls {
    static final List<String> KEYS = List.of("net.ipv4.ip_forward", "net.ipv6.conf.all.forwarding", "net.core.somaxconn",
            "net.ipv4.tcp_max_syn_backlog", "net.ipv4.tcp_syncookies", "net.ipv4.ip_local_port_range",
            "net.netfilter.nf_conntrack_max", "net.netfilter.nf_conntrack_count", "net.ipv4.icmp_ratelimit",
            "net.ipv6.icmp.ratelimit", "net.ipv4.conf.all.rp_filter", "net.ipv4.conf.default.rp_filter");

    private Sysctls() {
    }

    /** One judgement: the cause code, the setting, its value, what to set, and why. */
    record Finding(String cause, String setting, String value, String suggested, String why) {
        String text() {
            return setting + " = " + value + ": " + why + (suggested.isEmpty() ? "" : "; set " + setting + "=" + suggested);
        }
    }

    /** Reads each key (dots become slashes under root), plus rp_filter of every interface; unreadable keys are left out. */
    static Map<String, String> read(Path procSys) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String k : KEYS) {
            put(out, procSys, k);
        }
        try (DirectoryStream<Path> ifs = Files.newDirectoryStream(procSys.resolve("net/ipv4/conf"))) {
            for (Path p : ifs) {
                String name = p.getFileName().toString();
                if (!name.equals("all") && !name.equals("default") && !name.contains(".")) {
                    put(out, procSys, "net.ipv4.conf." + name + ".rp_filter");
                }
            }
        } catch (IOException e) {
            // no per-interface settings to read
        }
        return out;
    }

    /** The rp_filter that applies on an interface: the larger of all and the interface's own. */
    static int rpFilter(Map<String, String> v, String iface) {
        return Math.max(num(v, "net.ipv4.conf.all.rp_filter", 0), num(v, "net.ipv4.conf." + iface + ".rp_filter", 0));
    }

    /** Settings known to break connectivity; {@code router} says this host is meant to forward. */
    static List<Finding> judge(Map<String, String> v, boolean router) {
        List<Finding> out = new ArrayList<>();
        String risky = "sysctl.risky";
        if (num(v, "net.core.somaxconn", 4096) < 128) {
            out.add(new Finding(risky, "net.core.somaxconn", v.get("net.core.somaxconn"), "4096",
                    "every listen backlog is cut to this, so accept queues overflow under load"));
        }
        if (num(v, "net.ipv4.tcp_max_syn_backlog", 1024) < 128) {
            out.add(new Finding(risky, "net.ipv4.tcp_max_syn_backlog", v.get("net.ipv4.tcp_max_syn_backlog"), "1024",
                    "half-open connections are dropped early"));
        }
        if (num(v, "net.ipv4.tcp_syncookies", 1) == 0) {
            out.add(new Finding(risky, "net.ipv4.tcp_syncookies", "0", "1", "a SYN flood fills the SYN queue and new connections fail"));
        }
        String range = v.getOrDefault("net.ipv4.ip_local_port_range", "");
        String[] r = range.trim().split("\\s+");
        if (r.length == 2 && r[0].matches("\\d+") && r[1].matches("\\d+") && Integer.parseInt(r[1]) - Integer.parseInt(r[0]) < 10_000) {
            out.add(new Finding(risky, "net.ipv4.ip_local_port_range", String.join(" ", r), "32768 60999",
                    "fewer than 10000 ephemeral ports: outgoing connections run out of ports"));
        }
        if (num(v, "net.ipv4.icmp_ratelimit", 1000) > 1000) {
            out.add(new Finding(risky, "net.ipv4.icmp_ratelimit", v.get("net.ipv4.icmp_ratelimit"), "1000",
                    "ICMP errors (unreachable, frag-needed) are rate-limited hard, which hides causes and breaks path MTU discovery"));
        }
        if (router && num(v, "net.ipv4.ip_forward", 1) == 0) {
            out.add(new Finding(risky, "net.ipv4.ip_forward", "0", "1", "this host should route but does not forward packets"));
        }
        long max = num(v, "net.netfilter.nf_conntrack_max", -1);
        long count = num(v, "net.netfilter.nf_conntrack_count", -1);
        if (max > 0 && count >= 0 && count * 10 >= max * 9) {
            out.add(new Finding("conntrack.full", "net.netfilter.nf_conntrack_count", count + " of " + max, String.valueOf(max * 2),
                    "the connection tracking table is (nearly) full: new connections are dropped (\"nf_conntrack: table full\")"));
        }
        return out;
    }

    static int num(Map<String, String> v, String key, int dflt) {
        try {
            return Integer.parseInt(v.getOrDefault(key, "").trim());
        } catch (NumberFormatException e) {
            return dflt;
        }
    }

    private static void put(Map<String, String> out, Path procSys, String key) {
        String value = SysClassNet.value(procSys.resolve(key.replace('.', '/')));
        if (!value.isEmpty()) {
            out.put(key, value.replace('\t', ' '));
        }
    }
}
