package dev.reach.plugins.host;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Reads the addresses out of {@code ip -j addr show}: {@code 198.18.0.1/24}, {@code fd00::1/64}. */
final class IpAddr {
    private IpAddr() {
    }

    /** One interface as {@code ip -j addr} shows it: its state and its addresses with their prefix lengths. */
    record Iface(String name, boolean adminUp, boolean carrier, String operstate, List<String> addresses) {
        /** Set down, or up without a carrier: the kernel sends nothing through it. */
        boolean down() {
            return !adminUp || !carrier;
        }

        /** {@code administratively down (operstate DOWN)}, {@code up without carrier (operstate LOWERLAYERDOWN)}. */
        String state() {
            return (!adminUp ? "administratively down" : "up without carrier") + " (operstate " + operstate + ")";
        }

        /** The address of this interface whose prefix holds {@code a}, as {@code 198.18.1.1/24}. */
        Optional<String> onSubnet(InetAddress a) {
            return addresses.stream().filter(c -> Cidr.parse(c, c.contains(":")).filter(x -> x.contains(a)).isPresent()).findFirst();
        }
    }

    /** Every interface with its state and addresses, loopback left out. */
    static List<Iface> interfaces(String json) {
        List<Iface> out = new ArrayList<>();
        for (Map<String, Object> link : Json.objects(json)) {
            List<String> flags = Json.list(link.get("flags")).stream().map(String::valueOf).toList();
            if (flags.contains("LOOPBACK")) {
                continue;
            }
            out.add(new Iface(Json.str(link, "ifname"), flags.contains("UP"), !flags.contains("NO-CARRIER") && flags.contains("UP"),
                    Json.str(link, "operstate"), addresses(link)));
        }
        return out;
    }

    static List<String> parse(String json) {
        return Json.objects(json).stream().flatMap(link -> addresses(link).stream()).toList();
    }

    private static List<String> addresses(Map<String, Object> link) {
        List<String> out = new ArrayList<>();
        for (Object o : Json.list(link.get("addr_info"))) {
            Map<String, Object> a = Json.map(o);
            String local = Json.str(a, "local");
            if (!local.isEmpty()) {
                out.add(local + "/" + Json.num(a, "prefixlen"));
            }
        }
        return out;
    }

    /** IPv4 addresses (without prefix) by interface name, from {@code ip -j addr show}. */
    static Map<String, List<String>> ipv4ByInterface(String json) {
        Map<String, List<String>> out = new java.util.LinkedHashMap<>();
        for (Map<String, Object> link : Json.objects(json)) {
            for (Object o : Json.list(link.get("addr_info"))) {
                Map<String, Object> a = Json.map(o);
                if (Json.str(a, "family").equals("inet")) {
                    out.computeIfAbsent(Json.str(link, "ifname"), k -> new ArrayList<>()).add(Json.str(a, "local"));
                }
            }
        }
        return out;
    }
}
