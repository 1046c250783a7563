package dev.reach.plugins.host;

import dev.reach.spi.Addresses;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InterfaceAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * This host's interfaces and their addresses ({@code 198.18.0.1/24}, {@code fd00::1/64}): read from the JDK
 * ({@link #local}: getifaddrs, and /sys for the carrier; no process to start) or out of {@code ip -j addr show}.
 */
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

    /** Every interface of this network namespace with its state and addresses, loopback left out (as {@link #interfaces}). */
    static List<Iface> local() {
        List<Iface> out = new ArrayList<>();
        try {
            for (NetworkInterface ni : NetworkInterface.networkInterfaces().toList()) {
                if (ni.isLoopback() || ni.getParent() != null) {
                    continue;
                }
                Path sys = Path.of("/sys/class/net", ni.getName());
                boolean up = adminUp(SysClassNet.value(sys.resolve("flags"))); // isUp() also wants IFF_RUNNING
                out.add(new Iface(ni.getName(), up, up && SysClassNet.value(sys.resolve("carrier")).equals("1"),
                        SysClassNet.value(sys.resolve("operstate")).toUpperCase(java.util.Locale.ROOT), addresses(ni)));
            }
        } catch (SocketException e) {
            return List.of();
        }
        return out;
    }

    /** IFF_UP in /sys/class/net/IF/flags ({@code 0x1003}): set up by its administrator, carrier or not. */
    static boolean adminUp(String flags) {
        try {
            return (Long.decode(flags) & 1) != 0;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /** The addresses of interface {@code name}, IPv4 first; none when there is no such interface. */
    static List<String> addressesOf(String name) {
        try {
            NetworkInterface ni = NetworkInterface.getByName(name);
            return ni == null ? List.of() : addresses(ni);
        } catch (SocketException e) {
            return List.of();
        }
    }

    private static List<String> addresses(NetworkInterface ni) {
        return ni.getInterfaceAddresses().stream()
                .sorted(Comparator.comparing((InterfaceAddress a) -> a.getAddress() instanceof Inet4Address ? 0 : 1))
                .map(a -> Addresses.text(a.getAddress()).replaceFirst("%.*$", "") + "/" + a.getNetworkPrefixLength())
                .toList();
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
