package dev.reach.plugins.net;

import dev.reach.spi.Addresses;
import dev.reach.spi.Judgement;
import dev.reach.spi.Needs;
import dev.reach.spi.Observation;
import dev.reach.spi.Param;
import dev.reach.spi.Params;
import dev.reach.spi.Probe;
import dev.reach.spi.ProbeContext;
import dev.reach.spi.ProbeSpec;
import dev.reach.spi.Status;
import org.pf4j.Extension;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static dev.reach.plugins.net.Syscalls.*;

/**
 * Finds the largest packet that reaches the target with Don't Fragment set, and tells a clean path MTU (a
 * router said ICMP frag-needed, with its address and next-hop MTU) from a blackhole (big packets vanish and
 * nobody says why).
 *
 * <pre>
 * $ reach probe path.mtu host=198.18.1.2
 * ok: path MTU to 198.18.1.2 is 1280 (interface v0-rtr 1500): 198.18.0.254 says frag-needed, next-hop mtu 1280
 * $ reach probe path.mtu host=198.18.1.2 timeout=200ms
 * fail [mtu.blackhole]: packets above 1280 bytes to 198.18.1.2 vanish without ICMP frag-needed (interface v0-rtr 1500) ...
 * </pre>
 *
 * <p>Method (no privilege): UDP datagrams of a chosen IP size on a connected socket with
 * {@code IP_MTU_DISCOVER=IP_PMTUDISC_PROBE} (DF set, the kernel's cached path MTU ignored) and
 * {@code IP_RECVERR}; the target's ICMP port-unreachable proves a size arrived, a router's frag-needed or
 * the local EMSGSIZE proves it did not, silence after {@code count} tries counts as lost. Binary search
 * between the smallest size and the egress interface's MTU.
 */
@Extension
public final class PathMtuProbe implements Probe {
    private static final int SMALLEST = 576;
    private static final int MAX_HOPS = 16;

    static final ProbeSpec SPEC = ProbeSpec.builder("path.mtu", "Finds the path MTU with DF set and tells a clean PMTU from an MTU blackhole")
            .param(Param.host("host", "name or address to measure the path to").required())
            .param(Param.port("port", "UDP port the target answers with port-unreachable (an unused one)").defaultValue(33434))
            .param(Param.integer("count", "tries per size before a size counts as lost").defaultValue(2).range(1, 10))
            .param(Param.duration("timeout", "how long to wait for each try").defaultValue("500ms").range("10ms", "10s"))
            .param(Param.choice("family", "address family: any, 4 or 6", "any", "4", "6").defaultValue("any"))
            .fact("outcome", "string", "interface-mtu, clean-pmtu, blackhole, no-answer, unresolved, error")
            .fact("path_mtu", "integer", "the largest IP packet that arrived")
            .fact("interface", "string", "the egress interface").fact("interface_mtu", "integer", "its MTU")
            .fact("route_mtu", "integer", "the kernel's path MTU for the route after the search (IP_MTU)")
            .fact("frag_needed_from", "string", "the hop that sent ICMP frag-needed / packet-too-big")
            .fact("next_hop_mtu", "integer", "the MTU that hop named")
            .fact("sizes", "list", "each size tried and what happened, e.g. '1500 frag-needed', '1280 arrived', '1400 lost'")
            .fact("blackhole_after", "string", "on a blackhole: the last hop a too-big packet still reaches (TTL search), which should say frag-needed")
            .needs(Needs.NOTHING)
            .example("reach probe path.mtu host=198.18.1.2")
            .example("reach probe path.mtu host=198.18.1.2 timeout=200ms count=3")
            .about("Largest packet that passes with DF, against the egress interface MTU: clean path MTU (naming the "
                    + "hop's frag-needed and next-hop MTU) or `mtu.blackhole`.")
            .causes("mtu.blackhole", "route.none")
            .build();

    /**
     * The search's findings: interface, the largest size that arrived (0: none), the smallest that did not
     * (0: none), the frag-needed heard (null: none), whether some size vanished silently.
     */
    record Search(String iface, int ifaceMtu, int largestArrived, int smallestFailed, IcmpError fragNeeded, boolean silentLoss) {
    }

    private enum Fate { ARRIVED, TOO_BIG, LOST }

    @Override
    public ProbeSpec spec() {
        return SPEC;
    }

    @Override
    public void prepare() {
        NativeSocket.prepare();
    }

    @Override
    public Observation run(ProbeContext ctx, Params p) {
        String host = p.string("host");
        InetAddress address;
        try {
            address = Addresses.resolve(host, p.string("family"));
        } catch (UnknownHostException e) {
            return Endpoint.unresolved(host, e);
        }
        int count = (int) p.integer("count");
        Duration timeout = p.duration("timeout");
        List<String> sizes = new ArrayList<>();
        Search search;
        int routeMtu;
        IcmpError hop = null;
        try (NativeSocket s = NativeSocket.open(NativeSocket.familyOf(address), SOCK_DGRAM, IPPROTO_UDP)) {
            boolean v6 = s.v6();
            s.setInt(v6 ? IPPROTO_IPV6 : IPPROTO_IP, v6 ? IPV6_RECVERR : IP_RECVERR, 1);
            s.setInt(v6 ? IPPROTO_IPV6 : IPPROTO_IP, v6 ? IPV6_MTU_DISCOVER : IP_MTU_DISCOVER, IP_PMTUDISC_PROBE);
            int err = s.connect(new InetSocketAddress(address, p.port("port")));
            if (err != 0) {
                return Observation.fail(err == ENETUNREACH ? "route.none" : null, "cannot send to " + Addresses.text(address)
                        + ": " + Syscalls.errnoName(err)).fact("outcome", "error").build();
            }
            NetworkInterface nif = NetworkInterface.getByInetAddress(s.localAddress().getAddress());
            String iface = nif == null ? "?" : nif.getName();
            int ifaceMtu = Math.min(65_535, nif == null ? 1500 : nif.getMTU()); // an IP packet is at most 65535 bytes
            int header = v6 ? 48 : 28;
            IcmpError[] frag = new IcmpError[1];
            boolean silent = false;
            int lo = 0;
            int hi = 0;
            int size = Math.min(SMALLEST, ifaceMtu);
            // first a small size (does the target answer at all?), then the interface MTU, then a binary search
            for (int step = 0; step < 24 && !ctx.cancelled(); step++) {
                ctx.progress("path.mtu: trying " + size + " bytes");
                Fate f = attempt(ctx, s, size - header, count, timeout, frag, sizes, size);
                if (f == Fate.ARRIVED) lo = size;
                else {
                    hi = size;
                    silent |= f == Fate.LOST;
                }
                if (step == 0 && lo == 0) break; // the smallest size got no answer: nothing to measure against
                int next;
                if (step == 0) next = ifaceMtu;
                else if (hi == 0) break; // the interface MTU arrived
                else if (frag[0] != null && frag[0].info() > lo && frag[0].info() < hi && !tried(sizes, (int) frag[0].info())) next = (int) frag[0].info();
                else if (hi - lo <= 1) break;
                else next = (lo + hi) / 2;
                size = next;
            }
            search = new Search(iface, ifaceMtu, lo, hi, frag[0], silent);
            if (classify(search, "").cause() != null && !ctx.cancelled()) {
                hop = lastHopReached(ctx, s, hi - header, timeout, v6);
            }
            try {
                routeMtu = s.getInt(v6 ? IPPROTO_IPV6 : IPPROTO_IP, v6 ? IPV6_MTU : IP_MTU);
            } catch (NativeSocket.Failure f) {
                routeMtu = 0;
            }
        } catch (NativeSocket.Failure | SocketException e) {
            return Observation.error("path.mtu to " + Addresses.text(address) + " failed: " + e.getMessage()).fact("outcome", "error").build();
        }
        Judgement c = classify(search, Addresses.text(address));
        Observation.Builder b = c.observation()
                .fact("interface", search.iface()).fact("interface_mtu", search.ifaceMtu()).fact("sizes", sizes);
        if (search.largestArrived() > 0) b.fact("path_mtu", search.largestArrived());
        if (routeMtu > 0) b.fact("route_mtu", routeMtu);
        if (search.fragNeeded() != null) {
            if (search.fragNeeded().offender() != null) b.fact("frag_needed_from", Addresses.text(search.fragNeeded().offender()));
            b.fact("next_hop_mtu", search.fragNeeded().info());
        }
        b.evidence("path.mtu " + Addresses.text(address) + " (UDP, DF, " + count + " tries per size): " + String.join(", ", sizes));
        if (hop != null && hop.offender() != null) {
            String at = Addresses.text(hop.offender());
            b.fact("blackhole_after", at).summary(c.summary() + "; " + search.smallestFailed() + "-byte packets still reach " + at
                    + " (hop " + hop.info() + ") and go no further: the link after it is smaller, and its frag-needed should come from "
                    + at).evidence(search.smallestFailed() + " bytes with growing TTL: the last hop that answered time-exceeded is " + at);
        }
        return b.build();
    }

    /**
     * Judges a search. Pure. The interface MTU arrived: ok. A smaller size is the largest, and a router said
     * frag-needed: ok, a clean path MTU (with the hop). Sizes above the largest vanished without a word:
     * mtu.blackhole. Nothing arrived at all: error, nothing to measure with.
     */
    static Judgement classify(Search s, String target) {
        String iface = "interface " + s.iface() + " " + s.ifaceMtu();
        if (s.largestArrived() == 0) {
            return new Judgement(Status.ERROR, null, "no-answer", target + " did not answer even small UDP probes (no ICMP "
                    + "port-unreachable): the path MTU cannot be measured this way; try another port, or icmp.ping size=... df=true");
        }
        if (s.largestArrived() >= s.ifaceMtu()) {
            return new Judgement(Status.OK, null, "interface-mtu", "path MTU to " + target + " is the " + iface + ": full-size packets arrive");
        }
        IcmpError f = s.fragNeeded();
        if (f != null && f.fromNetwork()) {
            return new Judgement(Status.OK, null, "clean-pmtu", "path MTU to " + target + " is " + s.largestArrived() + " (" + iface + "): "
                    + (f.offender() == null ? "a hop" : Addresses.text(f.offender())) + " says frag-needed, next-hop mtu " + f.info()
                    + "; path MTU discovery works");
        }
        if (s.silentLoss()) {
            return new Judgement(Status.FAIL, "mtu.blackhole", "blackhole", "packets above " + s.largestArrived() + " bytes to " + target
                    + " vanish without ICMP frag-needed (" + iface + "): a link on the path has a smaller MTU and its ICMP is dropped;"
                    + " lower the MTU or clamp TCP MSS to " + (s.largestArrived() - 40) + ", and allow ICMP type 3 code 4");
        }
        return new Judgement(Status.OK, null, "clean-pmtu", "path MTU to " + target + " is " + s.largestArrived() + " (" + iface
                + "): larger packets are refused locally (EMSGSIZE)");
    }

    /**
     * Where big packets die: the size that vanished, sent with TTL 1, 2, ... until a hop stays silent. The last hop
     * that still answers time-exceeded for it received it and could not forward it: the router that should have said
     * frag-needed. Returns that hop's time-exceeded (its {@code info()} set to the TTL), or null.
     */
    private static IcmpError lastHopReached(ProbeContext ctx, NativeSocket s, int payload, Duration timeout, boolean v6)
            throws NativeSocket.Failure {
        IcmpError last = null;
        for (int ttl = 1; ttl <= MAX_HOPS && !ctx.cancelled(); ttl++) {
            s.setInt(v6 ? IPPROTO_IPV6 : IPPROTO_IP, v6 ? IPV6_UNICAST_HOPS : IP_TTL, ttl);
            drain(s);
            try {
                s.send(new byte[Math.max(0, payload)], null);
            } catch (NativeSocket.Failure f) {
                break;
            }
            IcmpError heard = null;
            long until = System.nanoTime() + ctx.bound(timeout).toNanos();
            while (heard == null && System.nanoTime() < until) {
                short ev = s.poll(POLLERR, Duration.ofNanos(until - System.nanoTime()));
                if ((ev & POLLERR) == 0) break;
                try {
                    heard = s.receive(65_535, MSG_ERRQUEUE).error();
                } catch (NativeSocket.Failure empty) {
                    break;
                }
            }
            if (heard == null || !heard.kind().equals("time-exceeded")) break;
            last = new IcmpError(heard.origin(), heard.errno(), heard.type(), heard.code(), ttl, heard.offender());
        }
        s.setInt(v6 ? IPPROTO_IPV6 : IPPROTO_IP, v6 ? IPV6_UNICAST_HOPS : IP_TTL, -1);
        return last;
    }

    private static void drain(NativeSocket s) {
        for (int i = 0; i < 64; i++) {
            try {
                s.receive(64, MSG_ERRQUEUE);
            } catch (NativeSocket.Failure empty) {
                return;
            }
        }
    }

    private static boolean tried(List<String> sizes, int size) {
        return sizes.stream().anyMatch(x -> x.startsWith(size + " "));
    }

    private static Fate attempt(ProbeContext ctx, NativeSocket s, int payload, int count, Duration timeout, IcmpError[] frag,
                                List<String> sizes, int size) throws NativeSocket.Failure {
        for (int i = 0; i < count && !ctx.cancelled(); i++) {
            drain(s); // an error about an earlier size must not be read as this one's
            try {
                s.send(new byte[Math.max(0, payload)], null);
            } catch (NativeSocket.Failure f) {
                if (f.errno() == EMSGSIZE) {
                    sizes.add(size + " too-big-locally");
                    return Fate.TOO_BIG;
                }
                continue; // an error left from an earlier probe surfaced on send; it is in the queue too
            }
            long until = System.nanoTime() + ctx.bound(timeout).toNanos();
            while (System.nanoTime() < until) {
                short ev = s.poll((short) (POLLIN | POLLERR), Duration.ofNanos(until - System.nanoTime()));
                if ((ev & POLLIN) != 0) {
                    try {
                        s.receive(65_535, 0);
                        sizes.add(size + " arrived");
                        return Fate.ARRIVED;
                    } catch (NativeSocket.Failure ignored) {
                        // a pending error: read below
                    }
                }
                if ((ev & POLLERR) != 0) {
                    NativeSocket.Received r;
                    try {
                        r = s.receive(65_535, MSG_ERRQUEUE);
                    } catch (NativeSocket.Failure empty) {
                        continue;
                    }
                    IcmpError e = r.error();
                    if (e == null) continue;
                    if (e.kind().equals("frag-needed") || e.errno() == EMSGSIZE) {
                        if (e.fromNetwork()) frag[0] = e;
                        sizes.add(size + " frag-needed" + (e.offender() == null ? "" : " from " + Addresses.text(e.offender())));
                        return Fate.TOO_BIG;
                    }
                    sizes.add(size + " arrived (" + e.kind() + ")");
                    return Fate.ARRIVED; // port-unreachable (or any ICMP from beyond) means the packet got there
                }
                if ((ev & (POLLIN | POLLERR)) == 0) break;
            }
        }
        sizes.add(size + " lost");
        return Fate.LOST;
    }
}
