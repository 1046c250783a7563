package dev.reach.plugins.host;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Reads the addresses out of {@code ip -j addr show}: {@code 198.18.0.1/24}, {@code fd00::1/64}. */
final class IpAddr {
    private IpAddr() {
    }

    static List<String> parse(String json) {
        List<String> out = new ArrayList<>();
        for (Map<String, Object> link : Json.objects(json)) {
            for (Object o : Json.list(link.get("addr_info"))) {
                Map<String, Object> a = Json.map(o);
                String local = Json.str(a, "local");
                if (!local.isEmpty()) {
                    out.add(local + "/" + Json.num(a, "prefixlen"));
                }
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
