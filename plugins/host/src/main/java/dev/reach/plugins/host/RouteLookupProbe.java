package dev.reach.plugins.host;

import dev.reach.spi.Addresses;
import dev.reach.plugins.host.RouteTable.Route;
import dev.reach.spi.Needs;
import dev.reach.spi.Observation;
import dev.reach.spi.Param;
import dev.reach.spi.Params;
import dev.reach.spi.Probe;
import dev.reach.spi.ProbeContext;
import dev.reach.spi.ProbeSpec;
import dev.reach.spi.Status;
import org.pf4j.Extension;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Asks the kernel which route it would use for a destination (over rtnetlink, as {@code ip route get} does),
 * and when it has none or the route discards, names the entry from the routing tables. Without native
 * access it runs {@code ip -j}; without {@code ip}, reads {@code /proc/net/route} (IPv4, main table, no
 * policy rules) and says so.
 *
 * <pre>
 * $ reach probe route.lookup host=198.19.1.1
 * fail [route.reject]: 198.19.1.1 matches blackhole route 198.19.1.0/24 (table main): the kernel discards what is sent there
 *   route get 198.19.1.1 (netlink) -> RTNETLINK answers: Invalid argument
 *   matching entry: blackhole 198.19.1.0/24 table main
 * </pre>
 */
@Extension
public final class RouteLookupProbe implements Probe {

    static final ProbeSpec SPEC = ProbeSpec.builder("route.lookup", "Finds the route the kernel would use for a destination")
            .param(Param.host("host", "destination address or name").required())
            .param(Param.duration("timeout", "how long to wait for the kernel's answer (or the ip command)").defaultValue("3s").range("100ms", "1m"))
            .fact("outcome", "string", "gateway, direct, local, reject or none")
            .fact("destination", "string", "the address looked up")
            .fact("type", "string", "route type: unicast, local, blackhole, unreachable, prohibit, throw")
            .fact("gateway", "string", "next-hop router, when the route has one")
            .fact("dev", "string", "egress interface")
            .fact("src", "string", "source address the kernel would pick")
            .fact("table", "string", "routing table the route is in")
            .fact("mtu", "integer", "route MTU, when the route sets one")
            .fact("route", "string", "the route as ip route prints it")
            .fact("method", "string", "netlink (asked directly, as ip route get does), ip (through ip -j, when native access is off) or proc (/proc/net/route, IPv4 main table only)")
            .needs(Needs.NOTHING)
            .example("reach probe route.lookup host=198.18.0.2")
            .example("reach probe route.lookup host=2001:db8::5")
            .about("The route the kernel uses for a destination (gateway, device, source, table, MTU); no route "
                    + "(`route.none`), blackhole/unreachable/prohibit entry (`route.reject`) named with its table.")
            .causes("route.none", "route.reject", "link.down")
            .build();

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

    record Classified(Status status, String cause, String outcome, String summary) {
    }

    @Override
    public ProbeSpec spec() {
        return SPEC;
    }

    /** Binds the netlink calls the route lookup makes, off the probe's own clock (see {@link Probe#prepare()}). */
    @Override
    public void prepare() {
        RouteNetlink.available();
    }

    @Override
    public Observation run(ProbeContext ctx, Params params) {
        String host = params.string("host");
        InetAddress dst;
        try {
            dst = InetAddress.getByName(host);
        } catch (UnknownHostException e) {
            return Observation.fail(host + " did not resolve; run a DNS check first").fact("outcome", "unresolved")
                    .evidence("resolve " + host + " -> " + e.getMessage()).build();
        }
        ctx.progress("looking up the route to " + Addresses.text(dst));
        Lookup l;
        try {
            l = lookup(ctx, dst, params.duration("timeout"));
        } catch (IllegalStateException e) {
            return Observation.error(e.getMessage()).fact("outcome", "error").build();
        }
        Classified c = classify(l);
        Observation.Builder b = Observation.of(c.status(), c.summary()).cause(c.cause()).fact("outcome", c.outcome())
                .fact("destination", Addresses.text(dst)).fact("method", l.method());
        l.route().ifPresent(r -> b.fact("type", r.type()).fact("gateway", blank(r.gateway())).fact("dev", blank(r.dev()))
                .fact("src", blank(r.prefsrc())).fact("table", r.table()).fact("mtu", r.mtu() > 0 ? r.mtu() : null)
                .fact("route", r.text()));
        l.evidence().forEach(b::evidence);
        return b.build();
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
    static Classified classify(Lookup l) {
        String d = Addresses.text(l.destination());
        String err = l.refusal().toLowerCase(Locale.ROOT);
        if (l.route().isPresent() && (l.route().get().rejects() || !err.isEmpty())) {
            Route r = l.route().get();
            if (r.type().equals("throw") || (!r.rejects() && err.contains("network is unreachable"))) {
                return new Classified(Status.FAIL, "route.none", "none", "no route to " + d + ": lookup in table " + r.table()
                        + " ends at " + r.text() + " and no later table has one; add a route or a default gateway");
            }
            String does = switch (r.type()) {
                case "blackhole" -> "the kernel silently discards what is sent there";
                case "unreachable" -> "the kernel answers 'No route to host' (EHOSTUNREACH)";
                case "prohibit" -> "the kernel answers 'Permission denied' (EACCES)";
                default -> "the kernel refuses it (" + l.refusal() + ")";
            };
            return new Classified(Status.FAIL, "route.reject", "reject", d + " matches " + r.type() + " route " + r.dst()
                    + " (table " + r.table() + "): " + does + "; remove it with ip route del " + r.type() + " " + r.dst()
                    + (r.table().equals("main") ? "" : " table " + r.table()));
        }
        if (l.route().isEmpty()) {
            if (err.contains("network is unreachable") || err.contains("no route")) {
                for (IpAddr.Iface i : l.down()) {
                    Optional<String> own = i.onSubnet(l.destination());
                    if (own.isPresent()) {
                        return new Classified(Status.FAIL, "link.down", "none", "no route to " + d + ": it is on the subnet of "
                                + i.name() + " (" + own.get() + "), which is " + i.state()
                                + ": its routes went with it; bring it up (ip link set " + i.name() + " up) and check its routes");
                    }
                }
                List<String> setDown = l.down().stream().filter(i -> !i.adminUp()).map(i -> i.name() + " (" + String.join(", ", i.addresses()) + ")").toList();
                return new Classified(Status.FAIL, "route.none", "none", "no route to " + d
                        + ": no routing table entry matches and there is no default route; " + (setDown.isEmpty()
                        ? "add a route or a default gateway"
                        : "the likely cause: " + String.join(", ", setDown) + (setDown.size() == 1 ? " is" : " are")
                        + " administratively down, and the routes through an interface go when it is set down; bring it up, then check the routes"));
            }
            return new Classified(Status.ERROR, null, "error", "the kernel refused the route lookup for " + d + " ("
                    + l.refusal() + ") and no routing table entry explains it");
        }
        Route r = l.route().get();
        if (r.type().equals("local")) {
            return new Classified(Status.OK, null, "local", d + " is an address of this host (delivered locally via " + r.dev() + ")");
        }
        String via = r.gateway().isEmpty() ? "directly on " + r.dev() : "via " + r.gateway() + " on " + r.dev();
        return new Classified(Status.OK, null, r.gateway().isEmpty() ? "direct" : "gateway", d + " is reached " + via
                + (r.prefsrc().isEmpty() ? "" : " from " + r.prefsrc()) + " (table " + r.table() + ")");
    }

    private static String blank(String s) {
        return s.isEmpty() ? null : s;
    }
}
