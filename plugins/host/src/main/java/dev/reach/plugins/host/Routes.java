package dev.reach.plugins.host;

import dev.reach.plugins.host.RouteTable.Route;
import dev.reach.spi.Addresses;
import dev.reach.spi.Judgement;
import dev.reach.spi.ProbeContext;
import dev.reach.spi.Status;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The route the kernel would use for a destination, and what it means: the service behind route.lookup, and behind
 * neigh.check (the next hop), iface.status (the egress interface) and sysctl.check (the route back to a peer). Asked
 * over rtnetlink as {@code ip route get} does; without native access through {@code ip -j}; without {@code ip}, from
 * {@code /proc/net/route} (IPv4, main table, no policy rules).
 *
 * <pre>{@code
 * Routes.Lookup l = Routes.lookup(ctx, InetAddress.ofLiteral("198.19.1.1"), Duration.ofSeconds(3));
 * Judgement j = Routes.classify(l);   // FAIL, route.reject, "198.19.1.1 matches blackhole route 198.19.1.0/24 (table main): ..."
 * }</pre>
 */
final class Routes {
    private Routes() {
    }

    /**
     * What the lookup found: the route used or matched (empty when none), the kernel's refusal when it refused,
     * and when there is no route, the interfaces that are down (their routes may have gone with them).
     */
    record Lookup(InetAddress destination, Optional<Route> route, String refusal, String method, List<String> evidence,
                  List<IpAddr.Iface> down) {
        Lookup(InetAddress destination, Optional<Route> route, String refusal, String method, List<String> evidence) {
            this(destination, route, refusal, method, evidence, List.of());
        }
    }

    /**
     * The interface packets to {@code dst} leave by, and the source address they get: the route's device, or, when
     * there is no route because the interface whose subnet holds {@code dst} was set down (its routes went with it),
     * that interface. Without either, {@code device} is empty and {@code failure} says why.
     */
    record Egress(String device, String source, Judgement failure, List<String> evidence) {
    }

    static Egress egress(ProbeContext ctx, InetAddress dst) {
        Lookup l = lookup(ctx, dst, Duration.ofSeconds(3));
        List<String> evidence = new ArrayList<>(l.evidence());
        Judgement route = classify(l);
        Optional<String> downEgress = l.route().isPresent() ? Optional.empty()
                : l.down().stream().filter(i -> i.onSubnet(l.destination()).isPresent()).map(IpAddr.Iface::name).findFirst();
        if (downEgress.isPresent()) {
            evidence.add(route.summary());
            return new Egress(downEgress.get(), "", route, evidence);
        }
        if (l.route().isEmpty() || l.route().get().dev().isEmpty()) {
            return new Egress("", "", route, evidence);
        }
        return new Egress(l.route().get().dev(), l.route().get().prefsrc(), route, evidence);
    }

    /**
     * Looks the route up: over rtnetlink as {@code ip route get} does, then on refusal the matching entry of
     * every table (as {@code ip route show table all}); through {@code ip -j} when netlink cannot be used
     * (native access off); without ip, /proc/net/route.
     *
     * @throws IllegalStateException when neither netlink, ip nor /proc/net/route can be read
     */
    static Lookup lookup(ProbeContext ctx, InetAddress dst, Duration timeout) {
        String addr = Addresses.text(dst);
        List<String> evidence = new ArrayList<>();
        if (RouteNetlink.available()) {
            try {
                RouteNetlink.Answer get = RouteNetlink.get(dst, ctx.bound(timeout));
                if (!get.refused()) {
                    Optional<Route> r = get.routes().stream().findFirst();
                    evidence.add("route get " + addr + " (netlink) -> " + r.map(Route::text).orElse("(no route in the answer)"));
                    return new Lookup(dst, r, r.isPresent() ? "" : "empty answer", "netlink", evidence);
                }
                evidence.add("route get " + addr + " (netlink) -> RTNETLINK answers: " + get.refusal());
                RouteNetlink.Answer all = RouteNetlink.dump(!(dst instanceof Inet4Address), ctx.bound(timeout));
                return refused(ctx, dst, get.refusal(), all.refused() ? List.of() : all.routes(), "netlink", evidence);
            } catch (java.net.SocketException | RuntimeException e) {
                evidence.clear();
                evidence.add("route lookup over netlink failed: " + e.getMessage() + "; asking ip instead");
            }
        }
        if (ctx.privileges().tool("ip").isPresent()) {
            Exec get = Exec.run(ctx, timeout, "ip", "-d", "-j", "route", "get", addr);
            if (get.ok()) {
                Optional<Route> r = RouteTable.parseJson(get.out()).stream().findFirst();
                evidence.add("ip route get " + addr + " -> " + r.map(Route::text).orElse("(no route in the answer)"));
                return new Lookup(dst, r, r.isPresent() ? "" : "empty answer", "ip", evidence);
            }
            if (get.exit() >= 0 && get.err().contains("RTNETLINK")) {
                evidence.add("ip route get " + addr + " -> " + get.why());
                Exec all = Exec.run(ctx, timeout, "ip", "-d", "-j", dst instanceof Inet4Address ? "-4" : "-6", "route", "show", "table", "all");
                return refused(ctx, dst, get.why(), all.ok() ? RouteTable.parseJson(all.out()) : List.of(), "ip", evidence);
            }
            evidence.add("ip route get " + addr + " failed: " + get.why() + "; reading /proc/net/route instead");
        }
        if (!(dst instanceof Inet4Address)) {
            throw new IllegalStateException("cannot look up an IPv6 route without the ip command (install iproute2)");
        }
        String text;
        try {
            text = Files.readString(Path.of("/proc/net/route"));
        } catch (IOException e) {
            throw new IllegalStateException("neither ip nor /proc/net/route is available: " + e.getMessage());
        }
        List<String> bad = new ArrayList<>();
        List<Route> routes = RouteTable.parseProc(text, bad);
        bad.forEach(b -> evidence.add("/proc/net/route: skipped a line that does not parse: " + b));
        Optional<Route> match = RouteTable.longestMatch(routes, dst);
        evidence.add("/proc/net/route for " + addr + " -> " + match.map(Route::text).orElse("no matching entry among "
                + routes.size() + " routes"));
        String refusal = match.isEmpty() ? "Network is unreachable" : match.get().rejects() ? "No route to host" : "";
        return new Lookup(dst, match, refusal, "proc", evidence, match.isEmpty() ? down(evidence) : List.of());
    }

    /** The kernel refused the lookup: the entry of {@code routes} that explains it, or the routes it considered. */
    private static Lookup refused(ProbeContext ctx, InetAddress dst, String refusal, List<Route> routes, String method,
                                  List<String> evidence) {
        Optional<Route> match = RouteTable.longestMatch(routes, dst);
        match.ifPresentOrElse(m -> evidence.add("matching entry: " + m.text()), () -> {
            List<Route> seen = RouteTable.considered(routes, dst);
            evidence.add(seen.isEmpty() ? "routes considered: none (no route of this family at all)"
                    : "routes considered (" + seen.size() + "), none matches and no default route:");
            seen.stream().limit(10).forEach(s -> evidence.add("  " + s.text()));
        });
        return new Lookup(dst, match, refusal, method, evidence, match.isEmpty() ? down(evidence) : List.of());
    }

    /** The interfaces that are down and hold an address: setting one down removes every route through it. */
    private static List<IpAddr.Iface> down(List<String> evidence) {
        List<IpAddr.Iface> down = IpAddr.local().stream().filter(i -> i.down() && !i.addresses().isEmpty()).toList();
        down.forEach(i -> evidence.add("down: " + i.name() + " is " + i.state() + ", holds " + String.join(", ", i.addresses())));
        return down;
    }

    /** From what the lookup found to status and cause. Pure. */
    static Judgement classify(Lookup l) {
        String d = Addresses.text(l.destination());
        String err = l.refusal().toLowerCase(Locale.ROOT);
        if (l.route().isPresent() && (l.route().get().rejects() || !err.isEmpty())) {
            Route r = l.route().get();
            if (r.type().equals("throw") || (!r.rejects() && err.contains("network is unreachable"))) {
                return new Judgement(Status.FAIL, "route.none", "none", "no route to " + d + ": lookup in table " + r.table()
                        + " ends at " + r.text() + " and no later table has one; add a route or a default gateway");
            }
            String does = switch (r.type()) {
                case "blackhole" -> "the kernel silently discards what is sent there";
                case "unreachable" -> "the kernel answers 'No route to host' (EHOSTUNREACH)";
                case "prohibit" -> "the kernel answers 'Permission denied' (EACCES)";
                default -> "the kernel refuses it (" + l.refusal() + ")";
            };
            return new Judgement(Status.FAIL, "route.reject", "reject", d + " matches " + r.type() + " route " + r.dst()
                    + " (table " + r.table() + "): " + does + "; remove it with ip route del " + r.type() + " " + r.dst()
                    + (r.table().equals("main") ? "" : " table " + r.table()));
        }
        if (l.route().isEmpty()) {
            if (err.contains("network is unreachable") || err.contains("no route")) {
                for (IpAddr.Iface i : l.down()) {
                    Optional<String> own = i.onSubnet(l.destination());
                    if (own.isPresent()) {
                        return new Judgement(Status.FAIL, "link.down", "none", "no route to " + d + ": it is on the subnet of "
                                + i.name() + " (" + own.get() + "), which is " + i.state()
                                + ": its routes went with it; bring it up (ip link set " + i.name() + " up) and check its routes");
                    }
                }
                List<String> setDown = l.down().stream().filter(i -> !i.adminUp()).map(i -> i.name() + " (" + String.join(", ", i.addresses()) + ")").toList();
                return new Judgement(Status.FAIL, "route.none", "none", "no route to " + d
                        + ": no routing table entry matches and there is no default route; " + (setDown.isEmpty()
                        ? "add a route or a default gateway"
                        : "the likely cause: " + String.join(", ", setDown) + (setDown.size() == 1 ? " is" : " are")
                        + " administratively down, and the routes through an interface go when it is set down; bring it up, then check the routes"));
            }
            return new Judgement(Status.ERROR, null, "error", "the kernel refused the route lookup for " + d + " ("
                    + l.refusal() + ") and no routing table entry explains it");
        }
        Route r = l.route().get();
        if (r.type().equals("local")) {
            return new Judgement(Status.OK, null, "local", d + " is an address of this host (delivered locally via " + r.dev() + ")");
        }
        String via = r.gateway().isEmpty() ? "directly on " + r.dev() : "via " + r.gateway() + " on " + r.dev();
        return new Judgement(Status.OK, null, r.gateway().isEmpty() ? "direct" : "gateway", d + " is reached " + via
                + (r.prefsrc().isEmpty() ? "" : " from " + r.prefsrc()) + " (table " + r.table() + ")");
    }
}
