package dev.reach.plugins.host;

import dev.reach.plugins.host.Firewall.Cond;
import dev.reach.plugins.host.Firewall.Flow;
import dev.reach.plugins.host.Firewall.Match;

import java.net.InetAddress;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** The conditions both rule formats share, tested against a flow: addresses, protocol, ports, conntrack state, interfaces. */
final class FlowConds {
    private static final Map<String, String> PROTO_NUMBERS = Map.of("6", "tcp", "17", "udp", "1", "icmp", "58", "ipv6-icmp",
            "icmpv6", "ipv6-icmp", "132", "sctp");

    private FlowConds() {
    }

    /** A port or an inclusive range. */
    record PortRange(int from, int to) {
        boolean has(int p) {
            return p >= from && p <= to;
        }
    }

    /** Source ({@code src=true}) or destination address inside any of the prefixes. */
    static Cond address(String text, boolean src, List<String> prefixes, boolean negate) {
        return new Cond(text, f -> {
            InetAddress a = src ? f.src() : f.dst();
            if (a == null) {
                return Match.MAYBE;
            }
            boolean in = prefixes.stream().map(p -> Cidr.parse(p, f.v6())).flatMap(Optional::stream).anyMatch(c -> c.contains(a));
            return negate ? Match.of(!in) : Match.of(in);
        });
    }

    /** The layer-4 protocol by name or number ({@code tcp}, {@code 6}); {@code all} matches anything. */
    static Cond proto(String text, List<String> names, boolean negate) {
        return new Cond(text, f -> {
            boolean in = names.stream().map(FlowConds::protoName).anyMatch(n -> n.equals("all") || n.equals(f.proto()));
            return negate ? Match.of(!in) : Match.of(in);
        });
    }

    /** A destination ({@code dport}) or source port in any of the ranges; the flow's source port is never known. */
    static Cond port(String text, String proto, boolean destination, List<PortRange> ranges, boolean negate) {
        return new Cond(text, f -> {
            if (!proto.equals("th") && !proto.equals(f.proto())) {
                return Match.NO; // a port match carries its protocol: tcp dport never matches UDP
            }
            if (!destination || f.port() == 0) {
                return Match.MAYBE;
            }
            boolean in = ranges.stream().anyMatch(r -> r.has(f.port()));
            return negate ? Match.of(!in) : Match.of(in);
        });
    }

    /** Conntrack state: the flow asked about is a new connection. */
    static Cond ctState(String text, List<String> states, boolean negate) {
        return new Cond(text, f -> {
            boolean in = states.stream().anyMatch(s -> s.trim().equalsIgnoreCase("new"));
            return negate ? Match.of(!in) : Match.of(in);
        });
    }

    /**
     * Input or output interface: only "lo" can be decided (loopback addresses travel on it); other names
     * depend on routing this model does not follow.
     */
    static Cond iface(String text, boolean input, String name, boolean negate) {
        return new Cond(text, f -> {
            InetAddress a = input ? f.src() : f.dst();
            if (!name.equals("lo") || a == null) {
                return Match.MAYBE;
            }
            boolean in = a.isLoopbackAddress();
            return negate ? Match.of(!in) : Match.of(in);
        });
    }

    /** A test the model cannot decide. */
    static Cond unknown(String text) {
        return new Cond(text, f -> Match.MAYBE);
    }

    /** Ports written {@code 80}, {@code 8000:8100} (iptables) or {@code 8000-8100} (nft). */
    static PortRange range(String text) {
        String[] p = text.trim().split("[:-]");
        int from = Integer.parseInt(p[0]);
        int to = p.length > 1 && !p[1].isEmpty() ? Integer.parseInt(p[1]) : p.length > 1 ? 65535 : from;
        return new PortRange(from, to);
    }

    static String protoName(String p) {
        String l = p.toLowerCase(Locale.ROOT);
        return PROTO_NUMBERS.getOrDefault(l, l);
    }
}
