package dev.reach.plugins.host;

import dev.reach.spi.Addresses;
import dev.reach.plugins.host.NeighTable.Entry;
import dev.reach.plugins.host.RouteTable.Route;
import dev.reach.spi.Judgement;
import dev.reach.spi.Needs;
import dev.reach.spi.Observation;
import dev.reach.spi.Param;
import dev.reach.spi.ParamType;
import dev.reach.spi.Params;
import dev.reach.spi.Probe;
import dev.reach.spi.ProbeContext;
import dev.reach.spi.ProbeSpec;
import dev.reach.spi.Status;
import org.pf4j.Extension;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Finds the next hop toward a destination (the gateway, or the destination itself when it is on-link)
 * and reads its neighbour (ARP/ND) entry. With {@code resolve=true} it asks actively: over its own packet
 * socket (IPv4, root or CAP_NET_RAW; arping when native access is off), which hears every MAC that answers
 * for the address — listening a short window after the first reply, as a second owner answers the same
 * broadcast within milliseconds — or else one UDP datagram that makes the kernel resolve it.
 *
 * <pre>
 * $ reach probe neigh.check host=198.19.5.5 resolve=true
 * fail [arp.conflict]: 2 MACs answer ARP for 198.18.9.253 on e0 (6e:d6:a6:b5:f2:ef, 2a:11:0c:5e:93:01): two hosts use the
 *   same address; the neighbour entry holds 2a:11:0c:5e:93:01, so traffic goes there now; ...
 *   ARP who-has 198.18.9.253 on e0 (1 request): 6e:d6:a6:b5:f2:ef after 0.1 ms, 2a:11:0c:5e:93:01 after 0.2 ms
 * </pre>
 */
@Extension
public final class NeighCheckProbe implements Probe {
    /** How long to listen after the first reply for a second MAC: both owners answer the same broadcast. */
    static final Duration WINDOW = Duration.ofMillis(250);

    /** /sys/class/net/DEV/type of Ethernet-like links (veth, bridges, bonds, VLANs): the ones with ARP/ND. */
    private static final String ARPHRD_ETHER = "1";

    static final ProbeSpec SPEC = ProbeSpec.builder("neigh.check", "Checks the ARP/ND entry of the next hop toward a destination")
            .param(Param.host("host", "destination address or name").required())
            .param(Param.bool("resolve", "ask actively (ARP over a packet socket, or one UDP datagram) instead of only reading the table")
                    .defaultValue(false))
            .param(Param.integer("count", "ARP requests sent, spread over the timeout, until one is answered").defaultValue(3).range(1, 10))
            .param(Param.duration("timeout", "how long to wait for a first answer (a second MAC is awaited 250ms after it)")
                    .defaultValue("1s").range("100ms", "30s"))
            .fact("outcome", "string", "resolved, unresolved, conflict, none (no entry, not asked), local, no-route, or no-arp (a link without ARP/ND)")
            .fact("neighbour", "string", "the next hop checked")
            .fact("role", "string", "gateway (a router on the way) or target (the destination is on-link)")
            .fact("dev", "string", "interface the next hop is on")
            .fact("state", "string", "kernel neighbour state: REACHABLE, STALE, DELAY, PROBE, FAILED, INCOMPLETE, PERMANENT")
            .fact("mac", "string", "link-layer address in the entry (where traffic to the next hop goes now)")
            .fact("macs", "list", "distinct MACs that answered ARP, in the order they answered")
            .fact("conflict_check", "string", "whether duplicate answers could be seen: arp (own socket), arping, or why not")
            .needs(Needs.NOTHING.withNote("asking ARP: root or CAP_NET_RAW"))
            .example("reach probe neigh.check host=198.18.0.2")
            .example("reach probe neigh.check host=198.18.0.2 resolve=true count=1 timeout=1s")
            .about("ARP/ND entry of the next hop; `resolve=true` asks actively (ARP over its own packet socket, stopping"
                    + " at the second MAC; arping when native access is off; else one datagram): `gateway.unreachable`, "
                    + "`host.unreachable`, two MACs for one IP or an entry holding a MAC that no longer answers "
                    + "(`arp.conflict`).")
            .causes("arp.conflict", "gateway.unreachable", "host.unreachable", "route.none", "route.reject")
            .build();

    /** What was found: the route's next hop, its table entry, and the distinct MACs that answered (null when ARP was not asked). */
    record Input(String neighbour, String role, String dev, Optional<Entry> entry, Set<String> arping, int sent) {
    }

    @Override
    public ProbeSpec spec() {
        return SPEC;
    }

    /** Binds the netlink and packet socket calls, off the probe's own clock (see {@link Probe#prepare()}). */
    @Override
    public void prepare() {
        RouteNetlink.available();
        ArpSocket.available();
    }

    @Override
    public Observation run(ProbeContext ctx, Params params) throws InterruptedException {
        String host = params.string("host");
        Duration timeout = params.duration("timeout");
        InetAddress dst;
        try {
            dst = InetAddress.getByName(host);
        } catch (UnknownHostException e) {
            return Observation.fail(host + " did not resolve; run a DNS check first").fact("outcome", "unresolved")
                    .evidence("resolve " + host + " -> " + e.getMessage()).build();
        }
        Routes.Lookup l;
        try {
            l = Routes.lookup(ctx, dst, Duration.ofSeconds(3));
        } catch (IllegalStateException e) {
            return Observation.error(e.getMessage()).build();
        }
        var route = Routes.classify(l);
        List<String> evidence = new ArrayList<>(l.evidence());
        if (route.status() != Status.OK || l.route().isEmpty()) {
            Observation.Builder b = Observation.of(route.status(), "no neighbour to check: " + route.summary())
                    .cause(route.cause()).fact("outcome", "no-route");
            evidence.forEach(b::evidence);
            return b.build();
        }
        Route r = l.route().get();
        if (r.type().equals("local")) {
            return Observation.ok(Addresses.text(dst) + " is this host's own address: there is no neighbour to resolve")
                    .fact("outcome", "local").build();
        }
        String linkType = SysClassNet.value(java.nio.file.Path.of("/sys/class/net", r.dev(), "type"));
        if (!linkType.isEmpty() && !linkType.equals(ARPHRD_ETHER)) { // tun, WireGuard, PPP, GRE: no link-layer address to resolve
            return Observation.ok(r.dev() + " is a link without ARP/ND (link type " + linkType + "): there is no neighbour to resolve")
                    .fact("outcome", "no-arp").fact("dev", r.dev()).build();
        }
        boolean viaGateway = !r.gateway().isEmpty();
        String hop = viaGateway ? r.gateway() : Addresses.text(dst);
        InetAddress hopAddress = InetAddress.ofLiteral(hop);
        Set<String> macs = null;
        String conflictCheck = "not asked (resolve=false)";
        int count = (int) params.integer("count");
        boolean raw = ctx.privileges().root() || ctx.privileges().hasCapability("CAP_NET_RAW");
        boolean v4 = hopAddress instanceof Inet4Address;
        Optional<Entry> entry = Optional.empty();
        if (params.bool("resolve") && v4 && raw && ArpSocket.available()) {
            entry = entry(ctx, hop, r.dev(), evidence); // before asking: the entry traffic uses now (the answers may change it)
            ctx.progress("ARP who-has " + hop + " on " + r.dev());
            try {
                InetAddress src = r.prefsrc().isEmpty() ? InetAddress.ofLiteral("0.0.0.0") : InetAddress.ofLiteral(r.prefsrc());
                ArpSocket.Answer a = ArpSocket.ask(r.dev(), (Inet4Address) src, (Inet4Address) hopAddress, count, ctx.bound(timeout), WINDOW);
                macs = new LinkedHashSet<>(a.macs());
                count = a.sent();
                evidence.add("ARP who-has " + hop + " on " + r.dev() + " from " + src.getHostAddress() + " (" + a.sent()
                        + (a.sent() == 1 ? " request): " : " requests): ") + (a.replies().isEmpty() ? "no reply within " + ParamType.format(timeout)
                        : String.join(", ", a.replies().stream().map(x -> x.mac() + " after " + x.micros() / 100 / 10.0 + " ms").toList())));
                conflictCheck = "arp";
            } catch (java.net.SocketException | IllegalStateException e) {
                evidence.add("ARP over a packet socket failed: " + e.getMessage());
            }
        } else if (params.bool("resolve") && v4 && raw && ctx.privileges().tool("arping").isPresent()) {
            ctx.progress("arping " + hop + " on " + r.dev());
            Exec a = arping(ctx, hop, r.dev(), count, timeout);
            if (a.out().contains("ARPING") || a.out().contains("bytes from")) { // it ran: its silence means something
                macs = NeighTable.replies(a.out(), hop);
                evidence.add(a.line() + " -> " + (macs.isEmpty() ? "no reply (" + a.why() + ")" : "replies from " + String.join(", ", macs)));
                conflictCheck = "arping";
            }
        }
        if (params.bool("resolve") && macs == null) {
            conflictCheck = !v4 ? "IPv6: duplicate answers are not checked"
                    : !raw ? "ARP could not be asked (it needs root or CAP_NET_RAW): two MACs answering for one address cannot be seen"
                    : "ARP could not be asked (native access is off and arping is not installed): two MACs answering for one address cannot be seen";
            ctx.progress("resolving " + hop + " on " + r.dev());
            nudge(hopAddress);
            evidence.add("sent one UDP datagram to " + hop + ":9 so the kernel resolves it");
            waitSettled(ctx, hop, r.dev(), timeout);
        }
        if (entry.isEmpty()) {
            entry = entry(ctx, hop, r.dev(), evidence);
        }
        Judgement c = classify(new Input(hop, viaGateway ? "gateway" : "target", r.dev(), entry, macs, count));
        evidence.add("neighbour: " + entry.map(Entry::text).orElse("no entry for " + hop + " on " + r.dev()));
        Observation.Builder b = c.observation()
                .fact("neighbour", hop).fact("role", viaGateway ? "gateway" : "target").fact("dev", r.dev())
                .fact("conflict_check", conflictCheck).fact("macs", macs == null ? null : List.copyOf(macs));
        entry.ifPresent(e -> b.fact("state", e.state()).fact("mac", e.mac().isEmpty() ? null : e.mac()));
        evidence.forEach(b::evidence);
        return b.build();
    }

    /** From the table entry and the ARP answers to status and cause. Pure. */
    static Judgement classify(Input in) {
        String who = (in.role().equals("gateway") ? "gateway " : "") + in.neighbour() + " on " + in.dev();
        String unreachable = in.role().equals("gateway") ? "gateway.unreachable" : "host.unreachable";
        String meaning = in.role().equals("gateway") ? "the gateway is down or the gateway address is wrong"
                : "the host is down, or not on this link";
        if (in.arping() != null) {
            Optional<String> held = in.entry().map(Entry::mac).filter(m -> !m.isEmpty());
            if (in.arping().size() > 1) {
                return new Judgement(Status.FAIL, "arp.conflict", "conflict", in.arping().size() + " MACs answer ARP for "
                        + in.neighbour() + " on " + in.dev() + " (" + String.join(", ", in.arping()) + "): two hosts use the same address"
                        + held.map(m -> in.arping().contains(m) ? "; the neighbour entry holds " + m + ", so traffic goes there now"
                                : "; the neighbour entry holds " + m + ", which did not answer").orElse("")
                        + "; find them by MAC (the switch's address table) and give one another address");
            }
            if (in.arping().size() == 1 && held.isPresent() && !in.arping().contains(held.get())) {
                String answered = in.arping().iterator().next();
                boolean lasting = Set.of("PERMANENT", "REACHABLE", "NOARP").contains(in.entry().get().state());
                return new Judgement(lasting ? Status.FAIL : Status.WARN, "arp.conflict", "conflict", "the neighbour entry for "
                        + in.neighbour() + " on " + in.dev() + " holds " + held.get() + " (" + in.entry().get().state() + "), but "
                        + answered + " answers ARP for it: traffic goes to a host that " + (lasting ? "does not answer for that address"
                        : "no longer answers, until the kernel re-resolves the stale entry") + "; find " + held.get()
                        + " by MAC, and flush the entry (ip neigh del " + in.neighbour() + " dev " + in.dev() + ")");
            }
            if (in.arping().isEmpty()) {
                return new Judgement(Status.FAIL, unreachable, "unresolved", who + " did not answer " + in.sent()
                        + (in.sent() == 1 ? " ARP request: " : " ARP requests: ") + meaning);
            }
            return new Judgement(Status.OK, null, "resolved", who + " answers ARP from " + in.arping().iterator().next());
        }
        if (in.entry().isEmpty()) {
            return new Judgement(Status.WARN, null, "none", "no neighbour entry for " + who
                    + ": nothing was sent there lately; run with resolve=true to ask");
        }
        Entry e = in.entry().get();
        if (e.unresolved()) {
            return new Judgement(Status.FAIL, unreachable, "unresolved", who + " did not answer "
                    + (e.dst().contains(":") ? "neighbour solicitation" : "ARP") + " (entry " + e.state() + "): " + meaning);
        }
        return new Judgement(Status.OK, null, "resolved", who + " is at " + (e.mac().isEmpty() ? "(no link-layer address)" : e.mac())
                + " (entry " + e.state() + ")");
    }

    private Exec arping(ProbeContext ctx, String hop, String dev, int count, Duration timeout) {
        String seconds = String.valueOf(Math.max(1, (timeout.toMillis() + 999) / 1000));
        Duration wait = timeout.plusSeconds(2);
        String n = String.valueOf(count);
        String more = String.valueOf(count + 1);
        // the fallback when native access is off. Habets': -C stops at that many replies, one more than the requests so
        // that a second host answering the last one is heard (a single owner waits out -w); iputils': -c with -w stops
        // at that many replies, and -b keeps broadcasting, so a second host answering is heard after the first replied
        return habets(ctx) ? Exec.run(ctx, wait, "arping", "-C", more, "-c", n, "-w", seconds, "-i", dev, hop)
                : Exec.run(ctx, wait, "arping", "-b", "-c", more, "-w", seconds, "-I", dev, hop);
    }

    /** Which arping is on PATH, Habets' or iputils': asked once for this probe instance (null: not yet). */
    private volatile Boolean habets;

    private boolean habets(ProbeContext ctx) {
        Boolean known = habets;
        if (known == null) {
            Exec help = Exec.run(ctx, Duration.ofSeconds(2), "arping", "--help");
            habets = known = (help.out() + help.err()).contains("Habets");
        }
        return known;
    }

    /** One datagram to the discard port: the kernel must resolve the next hop before it can send it. */
    private static void nudge(InetAddress hop) {
        try (DatagramSocket s = new DatagramSocket()) {
            s.send(new DatagramPacket(new byte[] {0}, 1, new InetSocketAddress(hop, 9)));
        } catch (IOException e) {
            // EHOSTUNREACH from a failed earlier resolution still leaves the entry to read
        }
    }

    /** Polls the entry until the kernel stops resolving (FAILED or an answer) or the wait runs out. */
    private static void waitSettled(ProbeContext ctx, String hop, String dev, Duration timeout) throws InterruptedException {
        long end = System.nanoTime() + ctx.bound(timeout.plusMillis(500)).toNanos();
        for (int i = 0; i < 200 && System.nanoTime() < end; i++) {
            Thread.sleep(100);
            Optional<Entry> e = entry(ctx, hop, dev, new ArrayList<>());
            if (e.isPresent() && !Set.of("INCOMPLETE", "PROBE", "DELAY").contains(e.get().state())) {
                return;
            }
        }
    }

    private static Optional<Entry> entry(ProbeContext ctx, String hop, String dev, List<String> evidence) {
        if (ctx.privileges().tool("ip").isPresent()) {
            Exec n = Exec.run(ctx, Duration.ofSeconds(3), "ip", "-j", "neigh", "show", "to", hop, "dev", dev);
            if (n.ok()) {
                try {
                    return NeighTable.parseJson(n.out()).stream().filter(e -> e.dst().equals(hop)).findFirst()
                            // "ip neigh show dev X" leaves the device out of each entry
                            .map(e -> e.dev().isEmpty() ? new Entry(e.dst(), dev, e.mac(), e.state(), e.router()) : e);
                } catch (IllegalArgumentException e) {
                    evidence.add("ip -j neigh printed what does not parse: " + e.getMessage());
                }
            }
        }
        try {
            List<String> bad = new ArrayList<>();
            return NeighTable.parseProcArp(Files.readString(Path.of("/proc/net/arp")), bad).stream()
                    .filter(e -> e.dst().equals(hop) && e.dev().equals(dev)).findFirst();
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
