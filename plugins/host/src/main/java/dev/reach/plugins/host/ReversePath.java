package dev.reach.plugins.host;

import dev.reach.plugins.host.RouteTable.Route;
import dev.reach.plugins.host.Sysctls.Finding;
import dev.reach.spi.Addresses;
import dev.reach.spi.ParamType;
import dev.reach.spi.Params;
import dev.reach.spi.ProbeContext;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Strict reverse-path filtering (rp_filter 1) drops a packet that arrives on an interface the route back to its
 * source does not leave by: on a multi-homed host with an asymmetric path, clients' SYNs vanish and only one
 * counter tells. Judged from the strongest evidence there is: the kernel's own answer for a given peer
 * ({@code ip route get LOCAL from PEER iif DEV}), the TcpExt IPReversePathFilter counter read twice, and the
 * routing table (the default route leaves by another interface than the strict one).
 */
final class ReversePath {
    private ReversePath() {
    }

    /** What a peer's check found: no peer, its path is symmetric, or the kernel refuses it on a known or on a guessed arrival interface. */
    enum Peer { NONE, SYMMETRIC, REFUSED, INFERRED }

    /**
     * What was seen. {@code setting}: the sysctl that makes the arrival interface strict; {@code peerAddress},
     * {@code arrival}, {@code returnDev}: the peer, the interface its packets arrive on and the one the route back
     * leaves by (empty without a peer); {@code kernelAsked}: the kernel was asked about that reverse path;
     * {@code drops}: IPReversePathFilter growth over {@code interval} (-1 when not sampled), {@code total}: its
     * value (-1 when unreadable); {@code path}: the asymmetric route in words.
     */
    record Seen(Peer peer, String setting, String peerAddress, String arrival, String returnDev, boolean kernelAsked, long drops,
                long total, Duration interval, String path) {
        String why(String verb) {
            return "packets from " + peerAddress + " arriving on " + arrival + " " + verb + " by strict rp_filter: the route back "
                    + (returnDev.isEmpty() ? "does not exist" : "leaves by " + returnDev) + " (asymmetric path)"
                    + (kernelAsked ? "; the kernel refuses that reverse path" : "");
        }
    }

    /** The finding, the {@code outcome} fact (rpfilter-confirmed, -dropping, -dropped, -asymmetric, or risky), and what it rests on. */
    record Judged(String outcome, Finding finding, Seen seen) {
    }

    /**
     * From what was seen to the finding, strongest first: the kernel refusing the peer's path where its packets
     * are known to arrive; drops counted while sampling; a guessed arrival or drops counted before. With the
     * counter at 0 nothing was ever dropped, so strictness is only a risk. Pure.
     */
    static Judged judge(Seen s) {
        String loose = "; make the route back leave by the interface the packets arrive on, or use loose mode";
        String counted = s.total() < 0 ? "" : s.drops() > 0
                ? "; the kernel dropped " + s.drops() + " packets by reverse-path filtering in " + ParamType.format(s.interval())
                + " (TcpExt IPReversePathFilter " + s.total() + ")"
                : "; TcpExt IPReversePathFilter " + s.total() + (s.drops() == 0 ? ", none in the last " + ParamType.format(s.interval()) : "");
        String path = s.path().isEmpty() ? "" : "; " + s.path();
        if (s.peer() == Peer.REFUSED) {
            return new Judged("rpfilter-confirmed", drop(s, s.why("are dropped") + counted + loose), s);
        }
        if (s.drops() > 0 && s.peer() != Peer.SYMMETRIC) {
            return new Judged("rpfilter-dropping", drop(s, (s.peer() == Peer.INFERRED ? s.why("are dropped")
                    : "strict reverse-path filtering drops packets" + path) + counted + loose), s);
        }
        if (s.peer() == Peer.INFERRED && s.total() != 0) {
            return new Judged("rpfilter-asymmetric", drop(s, s.why("are dropped") + counted + loose), s);
        }
        if (s.total() > 0) {
            return new Judged("rpfilter-dropped", drop(s, "strict reverse-path filtering has dropped packets" + path + counted
                    + (s.peer() == Peer.SYMMETRIC ? " (not the given peer's: its route back is symmetric)" : "") + loose), s);
        }
        String none = s.total() == 0 ? "; no packet was dropped by it so far (TcpExt IPReversePathFilter 0)" : "";
        return new Judged("risky", new Finding("sysctl.risky", s.setting(), "1", "2", (s.peer() == Peer.INFERRED ? s.why("would be dropped")
                : "strict reverse-path filtering on a multi-homed host drops packets whose route back leaves by another interface" + path)
                + none), s);
    }

    private static Finding drop(Seen s, String why) {
        return new Finding("rpfilter.drop", s.setting(), "1", "2", why);
    }

    /**
     * Reads what {@link #judge} needs; empty when rp_filter is not strict on an interface of a multi-homed host.
     * {@code cidrs}: IPv4 addresses with prefix by interface (loopback left out); {@code rp}: effective rp_filter by interface.
     */
    static Optional<Judged> check(ProbeContext ctx, Params params, Map<String, String> sysctls, Map<String, List<String>> cidrs,
                                  Map<String, Integer> rp, List<String> evidence) throws InterruptedException {
        List<String> strict = cidrs.keySet().stream().filter(i -> rp.getOrDefault(i, 0) == 1).toList();
        if (cidrs.size() < 2 || strict.isEmpty()) {
            return Optional.empty();
        }
        long before = rpDrops(evidence);
        Duration interval = params.duration("interval").isZero() || before < 0 ? Duration.ZERO : ctx.bound(params.duration("interval"));
        if (!interval.isZero()) {
            ctx.progress("sampling IPReversePathFilter for " + ParamType.format(interval));
            Thread.sleep(interval);
        }
        long total = interval.isZero() ? before : rpDrops(evidence);
        long drops = interval.isZero() || total < 0 ? -1 : total - before;
        if (total >= 0) {
            evidence.add("TcpExt IPReversePathFilter " + (interval.isZero() ? total + " (sampled once)" : before + " -> " + total
                    + " over " + ParamType.format(interval)) + ": packets dropped by reverse-path filtering in this network namespace");
        }
        // where the peer's packets arrive: given, or the interface holding the address the port listens on
        List<String> arrivals = params.has("interface") ? List.of(params.string("interface")) : listenedOn(params, cidrs, evidence);
        boolean known = !arrivals.isEmpty();
        List<Route> routes = routes(ctx);
        String subject = arrivals.stream().filter(strict::contains).findFirst()
                .orElse(strict.stream().filter(i -> asymmetric(routes, i)).findFirst().orElse(strict.getFirst()));
        Peer peer = Peer.NONE;
        String arrivalSeen = "";
        boolean asked = false;
        String returnDev = "";
        InetAddress p = params.has("host") ? peer(params.string("host"), evidence) : null;
        if (p != null) {
            var back = Routes.lookup(ctx, p, Duration.ofSeconds(3));
            evidence.addAll(back.evidence());
            returnDev = back.route().map(Route::dev).orElse("");
            peer = Peer.SYMMETRIC;
            for (String arrival : known ? arrivals : strict) {
                if (arrival.equals(returnDev) || !strict.contains(arrival)) {
                    continue;
                }
                Optional<Boolean> refused = kernelRefuses(ctx, p, arrival, cidrs, evidence);
                if (refused.isPresent() && !refused.get()) {
                    continue; // the kernel accepts it: a route back via this interface exists after all (a policy rule)
                }
                peer = known && refused.isPresent() ? Peer.REFUSED : Peer.INFERRED;
                subject = arrival;
                arrivalSeen = arrival;
                asked = refused.isPresent();
                break;
            }
            if (peer == Peer.SYMMETRIC) {
                evidence.add("the route back to " + Addresses.text(p) + " leaves by " + (returnDev.isEmpty() ? "no interface" : returnDev)
                        + (known ? ", and its packets arrive on " + String.join(", ", arrivals) : "") + ": rp_filter lets its packets through");
            }
        }
        String setting = "net.ipv4.conf." + (Sysctls.num(sysctls, "net.ipv4.conf.all.rp_filter", 0) == 1 ? "all" : subject) + ".rp_filter";
        return Optional.of(judge(new Seen(peer, setting, p == null ? "" : Addresses.text(p), arrivalSeen, returnDev, asked, drops, total,
                interval, path(routes, subject, cidrs))));
    }

    /** TcpExt.IPReversePathFilter of this network namespace; -1 when it cannot be read. */
    private static long rpDrops(List<String> evidence) {
        try {
            List<String> bad = new ArrayList<>();
            return NetstatCounters.parse(Files.readString(Path.of("/proc/net/netstat")), bad).getOrDefault("TcpExt.IPReversePathFilter", -1L);
        } catch (IOException e) {
            evidence.add("/proc/net/netstat cannot be read (" + e.getMessage() + "): rp_filter drops not counted");
            return -1;
        }
    }

    private static InetAddress peer(String host, List<String> evidence) {
        try {
            InetAddress p = InetAddress.getByName(host);
            if (p instanceof Inet4Address) {
                return p;
            }
            evidence.add("host " + host + " is IPv6: reverse-path filtering (rp_filter) is IPv4 only");
        } catch (UnknownHostException e) {
            evidence.add("host " + host + " did not resolve: rp_filter not checked against it");
        }
        return null;
    }

    /** The interfaces holding the IPv4 addresses the port listens on (none for a wildcard or loopback bind). */
    private static List<String> listenedOn(Params params, Map<String, List<String>> cidrs, List<String> evidence) {
        if (!params.has("port")) {
            return List.of();
        }
        Set<String> out = new LinkedHashSet<>();
        for (String file : List.of("tcp", "udp")) {
            try {
                ProcNetSockets.parse(Files.readString(Path.of("/proc/net", file)), file, new ArrayList<>()).stream()
                        .filter(s -> s.listening() && s.localPort() == params.port("port") && !s.local().isAnyLocalAddress())
                        .forEach(s -> cidrs.forEach((i, cs) -> {
                            if (cs.stream().anyMatch(c -> c.startsWith(Addresses.text(s.local()) + "/"))) {
                                out.add(i);
                                evidence.add("port " + params.port("port") + " listens on " + Addresses.text(s.local()) + " of " + i
                                        + ": clients' packets arrive there");
                            }
                        }));
            } catch (IOException e) {
                evidence.add("/proc/net/" + file + " cannot be read: " + e.getMessage());
            }
        }
        return List.copyOf(out);
    }

    /** {@code ip route get LOCAL from PEER iif DEV}: empty when it cannot be asked, true when the kernel refuses the path. */
    private static Optional<Boolean> kernelRefuses(ProbeContext ctx, InetAddress peer, String arrival, Map<String, List<String>> cidrs,
                                                   List<String> evidence) {
        List<String> own = cidrs.getOrDefault(arrival, List.of());
        if (own.isEmpty() || ctx.privileges().tool("ip").isEmpty()) {
            return Optional.empty();
        }
        String local = own.getFirst().substring(0, own.getFirst().indexOf('/'));
        Exec check = Exec.run(ctx, Duration.ofSeconds(3), "ip", "route", "get", local, "from", Addresses.text(peer), "iif", arrival);
        evidence.add(check.line() + " -> " + (check.ok() ? check.out().lines().findFirst().orElse("ok").strip() : check.why()));
        return check.ok() ? Optional.of(false) : check.err().contains("Invalid argument") ? Optional.of(true) : Optional.empty();
    }

    /** The IPv4 routes of the main table, over netlink or from ip; none when neither can be read. */
    private static List<Route> routes(ProbeContext ctx) {
        try {
            if (RouteNetlink.available()) {
                var all = RouteNetlink.dump(false, Duration.ofSeconds(3));
                return all.routes().stream().filter(r -> r.table().equals("main")).toList();
            }
        } catch (java.net.SocketException | RuntimeException e) {
            // ask ip instead
        }
        if (ctx.privileges().tool("ip").isPresent()) {
            Exec ip = Exec.run(ctx, Duration.ofSeconds(3), "ip", "-j", "-4", "route", "show", "table", "main");
            if (ip.ok()) {
                return RouteTable.parseJson(ip.out());
            }
        }
        return List.of();
    }

    /** Routes through a gateway that leave by another interface, the default route first: the way back to clients elsewhere. */
    private static List<Route> elsewhere(List<Route> routes, String iface) {
        return routes.stream().filter(r -> r.type().equals("unicast") && !r.gateway().isEmpty() && !r.dev().equals(iface))
                .sorted(java.util.Comparator.comparing(r -> !r.dst().equals("default"))).toList();
    }

    /** Another interface routes through a gateway: what arrives on this one from there has no route back through it. */
    private static boolean asymmetric(List<Route> routes, String iface) {
        return !elsewhere(routes, iface).isEmpty();
    }

    /** The asymmetric route in words: what the interface routes back to, and where the routes to other networks leave instead. */
    static String path(List<Route> routes, String iface, Map<String, List<String>> cidrs) {
        List<Route> away = elsewhere(routes, iface);
        if (away.isEmpty() || routes.stream().anyMatch(r -> r.dst().equals("default") && r.dev().equals(iface))) {
            return "";
        }
        List<String> back = routes.stream().filter(r -> r.dev().equals(iface) && r.type().equals("unicast"))
                .map(r -> r.dst() + (r.gateway().isEmpty() ? "" : " via " + r.gateway())).limit(5).toList();
        String own = String.join(", ", cidrs.getOrDefault(iface, List.of()));
        return iface + " (" + own + ") routes back only to " + (back.isEmpty() ? "nothing" : String.join(", ", back))
                + "; the routes to other networks leave by " + away.getFirst().dev() + " ("
                + String.join(", ", away.stream().limit(3).map(r -> r.text().replace(" table main", "")).toList())
                + "): a client there that connects to " + iface + "'s address gets no answer";
    }
}
