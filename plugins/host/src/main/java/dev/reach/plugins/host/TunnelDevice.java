package dev.reach.plugins.host;

import java.util.List;
import java.util.Map;

/**
 * A network device as {@code ip -d -j link show dev NAME} describes it, with what a tunnel or overlay needs: its kind
 * (vxlan, geneve, gre, gretap, ipip, sit, ip6tnl, ip6gre, wireguard, tun, tap ...), the outer endpoints, the underlay
 * device it is bound to, and the bytes its encapsulation adds to every packet.
 *
 * @param kind   linkinfo's info_kind; empty for a plain device (ethernet, veth, loopback)
 * @param remote the outer destination (vxlan/geneve/gre remote), empty where the kind has none or it is learnt
 * @param link   the underlay device the kind is bound to ({@code dev} of ip link add), empty when not bound
 * @param keyed  a GRE key is configured (4 more bytes of header)
 */
record TunnelDevice(String name, String kind, boolean adminUp, boolean noCarrier, String operstate, long mtu,
                    String remote, String local, String link, boolean keyed) {

    /** Kinds that put each packet inside another: the ones whose MTU must leave room for the outer headers. */
    static final List<String> ENCAPSULATING = List.of("vxlan", "geneve", "gre", "gretap", "ip6gre", "ip6gretap", "ipip", "sit",
            "ip6tnl", "wireguard");

    static TunnelDevice parse(String json) {
        List<Map<String, Object>> all = Json.objects(json);
        if (all.isEmpty()) throw new IllegalArgumentException("ip -d -j link printed no device");
        Map<String, Object> d = all.get(0);
        Map<String, Object> info = Json.map(d.get("linkinfo"));
        String kind = Json.str(info, "info_kind");
        Map<String, Object> data = Json.map(info.get("info_data"));
        List<?> flags = Json.list(d.get("flags"));
        boolean up = flags.contains("UP");
        boolean noCarrier = flags.contains("NO-CARRIER");
        String remote = Json.str(data, "remote");
        String local = Json.str(data, "local");
        String link = Json.str(data, "link");
        if (link.isEmpty()) link = Json.str(d, "link"); // gre/ipip print the bound device at the top level
        boolean keyed = data.containsKey("ikey") || data.containsKey("okey") || data.containsKey("key");
        if (kind.equals("tun") && "tap".equals(Json.str(data, "type"))) kind = "tap";
        return new TunnelDevice(Json.str(d, "ifname"), kind, up, noCarrier, Json.str(d, "operstate"), Json.num(d, "mtu"),
                remote, local, link, keyed);
    }

    /** Device types (ARPHRD_*) of /sys/class/net/NAME/type that are not tunnels themselves: Ethernet, loopback. */
    private static final List<String> PLAIN_TYPES = List.of("1", "772");
    /** Kinds that are Ethernet to the kernel but tunnels: their uevent names them (DEVTYPE=). */
    private static final List<String> ETHERNET_TUNNELS = List.of("vxlan", "geneve", "gretap", "ip6gretap", "wireguard");

    /**
     * The device as /sys describes it, when that is enough: a plain Ethernet or loopback device (no tunnel DEVTYPE, not a
     * tun/tap); empty for anything else, which {@code ip -d link} must describe.
     */
    static java.util.Optional<TunnelDevice> plain(java.nio.file.Path sys) {
        String type = SysClassNet.value(sys.resolve("type")).strip();
        if (!PLAIN_TYPES.contains(type) || java.nio.file.Files.exists(sys.resolve("tun_flags"))) return java.util.Optional.empty();
        String devtype = SysClassNet.value(sys.resolve("uevent")).lines().filter(l -> l.startsWith("DEVTYPE="))
                .map(l -> l.substring(8).strip()).findFirst().orElse("");
        if (ETHERNET_TUNNELS.contains(devtype)) return java.util.Optional.empty();
        long flags;
        long mtu;
        try {
            flags = Long.decode(SysClassNet.value(sys.resolve("flags")).strip());
            mtu = Long.parseLong(SysClassNet.value(sys.resolve("mtu")).strip());
        } catch (NumberFormatException e) {
            return java.util.Optional.empty();
        }
        String oper = SysClassNet.value(sys.resolve("operstate")).strip().toUpperCase(java.util.Locale.ROOT);
        boolean noCarrier = SysClassNet.value(sys.resolve("carrier")).strip().equals("0");
        return java.util.Optional.of(new TunnelDevice(sys.getFileName().toString(), "", (flags & 1) != 0, noCarrier, oper, mtu,
                "", "", "", false));
    }

    /** The same device taken as another kind (a tun device that is WireGuard in user space). */
    TunnelDevice as(String otherKind) {
        return new TunnelDevice(name, otherKind, adminUp, noCarrier, operstate, mtu, remote, local, link, keyed);
    }

    boolean tunnel() {
        return ENCAPSULATING.contains(kind) || kind.equals("tun") || kind.equals("tap");
    }

    /**
     * Bytes of outer headers each packet gets, over an IPv4 or IPv6 underlay; -1 where the kind adds none this
     * probe knows (tun/tap: a program in user space encapsulates, with its own overhead).
     */
    int overhead(boolean v6Underlay) {
        int ip = v6Underlay ? 40 : 20;
        return switch (kind) {
            case "vxlan" -> ip + 8 + 8 + 14;          // outer IP, UDP, VXLAN header, the inner Ethernet header
            case "geneve" -> ip + 8 + 8 + 14;         // the same without options
            case "gre", "ip6gre" -> ip + 4 + (keyed ? 4 : 0);
            case "gretap", "ip6gretap" -> ip + 4 + (keyed ? 4 : 0) + 14;
            case "ipip", "sit", "ip6tnl" -> ip;
            case "wireguard" -> ip + 8 + 32;          // outer IP, UDP, WireGuard's header and authentication tag
            default -> -1;
        };
    }

    /** Down: set down, without carrier (a tun/tap no program holds open), or an operstate of DOWN. */
    boolean down() {
        return !adminUp || noCarrier || operstate.equals("DOWN") || operstate.equals("LOWERLAYERDOWN");
    }
}
