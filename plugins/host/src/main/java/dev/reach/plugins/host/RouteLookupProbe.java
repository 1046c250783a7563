package dev.reach.plugins.host;

import dev.reach.spi.Addresses;
import dev.reach.spi.Judgement;
import dev.reach.spi.Needs;
import dev.reach.spi.Observation;
import dev.reach.spi.Param;
import dev.reach.spi.Params;
import dev.reach.spi.Probe;
import dev.reach.spi.ProbeContext;
import dev.reach.spi.ProbeSpec;
import org.pf4j.Extension;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Asks the kernel which route it would use for a destination (over rtnetlink, as {@code ip route get} does),
 * and when it has none or the route discards, names the entry from the routing tables ({@link Routes}). Without
 * native access it runs {@code ip -j}; without {@code ip}, reads {@code /proc/net/route} (IPv4, main table, no
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
        Routes.Lookup l;
        try {
            l = Routes.lookup(ctx, dst, params.duration("timeout"));
        } catch (IllegalStateException e) {
            return Observation.error(e.getMessage()).fact("outcome", "error").build();
        }
        Judgement c = Routes.classify(l);
        Observation.Builder b = c.observation().fact("destination", Addresses.text(dst)).fact("method", l.method());
        l.route().ifPresent(r -> b.fact("type", r.type()).fact("gateway", blank(r.gateway())).fact("dev", blank(r.dev()))
                .fact("src", blank(r.prefsrc())).fact("table", r.table()).fact("mtu", r.mtu() > 0 ? r.mtu() : null)
                .fact("route", r.text()));
        l.evidence().forEach(b::evidence);
        return b.build();
    }

    private static String blank(String s) {
        return s.isEmpty() ? null : s;
    }
}
