package dev.reach.plugins.host;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Reads routes from {@code ip -j route get|show} and from {@code /proc/net/route}, and finds the entry an address matches. */
final class RouteTable {
    /** Route types that discard the packet instead of forwarding it. */
    static final Set<String> REJECTING = Set.of("blackhole", "unreachable", "prohibit", "throw");
    private static final int RTF_GATEWAY = 0x2;
    private static final int RTF_REJECT = 0x200;

    private RouteTable() {
    }

    /**
     * One route. Empty strings where {@code ip} says nothing; {@code table} is {@code main} when it is
     * left out (ip omits it for main), {@code mtu} -1 when not set.
     */
    record Route(String type, String dst, String gateway, String dev, String prefsrc, String table, String protocol, long mtu) {
        /** Written the way {@code ip route} prints it. */
        String text() {
            StringBuilder sb = new StringBuilder();
            if (!type.equals("unicast")) {
                sb.append(type).append(' ');
            }
            sb.append(dst);
            if (!gateway.isEmpty()) sb.append(" via ").append(gateway);
            if (!dev.isEmpty()) sb.append(" dev ").append(dev);
            sb.append(" table ").append(table);
            if (!prefsrc.isEmpty()) sb.append(" src ").append(prefsrc);
            if (mtu > 0) sb.append(" mtu ").append(mtu);
            return sb.toString();
        }

        boolean rejects() {
            return REJECTING.contains(type);
        }
    }

    /** Routes from {@code ip -j route get ADDR} or {@code ip -j route show table all}. */
    static List<Route> parseJson(String json) {
        List<Route> routes = new ArrayList<>();
        for (Map<String, Object> m : Json.objects(json)) {
            String dst = Json.str(m, "dst");
            if (dst.isEmpty()) {
                continue;
            }
            String type = Json.str(m, "type");
            String table = Json.str(m, "table");
            long mtu = Json.list(m.get("metrics")).stream().map(Json::map).filter(x -> x.containsKey("mtu"))
                    .mapToLong(x -> Json.num(x, "mtu")).findFirst().orElse(-1);
            routes.add(new Route(type.isEmpty() ? "unicast" : type, dst, Json.str(m, "gateway"), Json.str(m, "dev"),
                    Json.str(m, "prefsrc"), table.isEmpty() ? "main" : table, Json.str(m, "protocol"), mtu));
        }
        return routes;
    }

    /**
     * Routes from {@code /proc/net/route} (IPv4, main table only): hex addresses in host (little-endian)
     * byte order. Lines that do not parse are skipped and counted in {@code bad}.
     */
    static List<Route> parseProc(String text, List<String> bad) {
        List<Route> routes = new ArrayList<>();
        for (String line : text.lines().skip(1).toList()) {
            String[] f = line.trim().split("\\s+");
            if (line.isBlank()) {
                continue;
            }
            try {
                if (f.length < 8) {
                    throw new IllegalArgumentException("too few fields");
                }
                InetAddress dst = hexV4(f[1]);
                InetAddress gw = hexV4(f[2]);
                int flags = Integer.parseInt(f[3], 16);
                int bits = Integer.bitCount(Integer.parseUnsignedInt(f[7], 16));
                String type = (flags & RTF_REJECT) != 0 ? "unreachable" : "unicast";
                String dstText = bits == 0 ? "default" : dst.getHostAddress() + (bits == 32 ? "" : "/" + bits);
                long mtu = f.length > 8 && !f[8].equals("0") ? Long.parseLong(f[8]) : -1;
                routes.add(new Route(type, dstText, (flags & RTF_GATEWAY) != 0 ? gw.getHostAddress() : "",
                        f[0].equals("*") ? "" : f[0], "", "main", "", mtu));
            } catch (IllegalArgumentException e) {
                bad.add(line.strip());
            }
        }
        return routes;
    }

    /** The most specific route whose destination holds the address, among non-local tables (ties: lowest order). */
    static Optional<Route> longestMatch(List<Route> routes, InetAddress a) {
        boolean v6 = !(a instanceof Inet4Address);
        return routes.stream()
                .filter(r -> !r.table().equals("local") && !Set.of("local", "broadcast", "multicast", "anycast").contains(r.type()))
                .filter(r -> Cidr.parse(r.dst(), v6).map(c -> c.contains(a)).orElse(false))
                .max(Comparator.comparingInt(r -> Cidr.parse(r.dst(), v6).map(Cidr::bits).orElse(-1)));
    }

    /** The non-local routes of the address's family: what the kernel considered. */
    static List<Route> considered(List<Route> routes, InetAddress a) {
        boolean v6 = !(a instanceof Inet4Address);
        return routes.stream().filter(r -> !r.table().equals("local"))
                .filter(r -> Cidr.parse(r.dst(), v6).map(c -> c.network() instanceof Inet4Address != v6).orElse(false))
                .filter(r -> !r.dst().startsWith("fe80:") && !r.dst().startsWith("ff00:"))
                .toList();
    }

    private static InetAddress hexV4(String hex) {
        if (hex.length() != 8) {
            throw new IllegalArgumentException("not 8 hex digits: " + hex);
        }
        int v = Integer.parseUnsignedInt(hex, 16);
        byte[] b = {(byte) v, (byte) (v >>> 8), (byte) (v >>> 16), (byte) (v >>> 24)};
        try {
            return InetAddress.getByAddress(b);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
