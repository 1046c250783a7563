package dev.reach.plugins.host;

import dev.reach.spi.Addresses;
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

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;

/**
 * Whether the tunnel or overlay packets to a host go through works: the egress device (or one named) as
 * {@code ip -d link} shows it — down, or a tun/tap no program holds open ({@code tunnel.down}); an encapsulating kind
 * (VXLAN, GENEVE, GRE, IPIP, WireGuard) whose MTU plus its outer headers is more than the underlay device carries
 * ({@code overlay.mtu}); a WireGuard peer without a recent handshake ({@code tunnel.no-handshake}) — and the IPsec
 * policy that covers the flow, if any, with or without the SA it needs ({@code ipsec.no-sa}).
 *
 * <pre>
 * $ reach probe tunnel.status interface=vx0
 * fail [overlay.mtu]: vx0 (vxlan) passes packets up to 1500 bytes; with VXLAN's 50 bytes of outer headers they leave v1 as 1550, more than its MTU 1400 ...
 * </pre>
 */
@Extension
public final class TunnelStatusProbe implements Probe {

    static final ProbeSpec SPEC = ProbeSpec.builder("tunnel.status", "Checks the tunnel or overlay toward a host: device state, overlay MTU, WireGuard handshakes, the IPsec policy and its SA")
            .param(Param.host("host", "the destination: its egress device is checked, and the IPsec policy for the flow to it"))
            .param(Param.port("port", "the destination port, for an IPsec policy that names one"))
            .param(Param.string("interface", "a device to check by name instead (wg0, vx0, tun0)"))
            .param(Param.duration("interval", "time between two readings of an SA's counters; 0ms reads once").defaultValue("500ms").range("0ms", "10s"))
            .fact("interface", "string", "the device checked")
            .fact("kind", "string", "its kind: vxlan, geneve, gre, gretap, ipip, sit, ip6tnl, wireguard, tun, tap; plain for any other device")
            .fact("mtu", "integer", "the device's MTU")
            .fact("overhead", "integer", "bytes of outer headers the kind adds to each packet")
            .fact("underlay", "string", "the device the encapsulated packets leave by")
            .fact("underlay_mtu", "integer", "its MTU")
            .fact("remote", "string", "the outer destination of the tunnel")
            .fact("peers", "list", "WireGuard peers: key, endpoint, allowed IPs, handshake age")
            .fact("handshake_age_s", "integer", "seconds since the peer for the host last completed a handshake (-1: never)")
            .fact("ipsec_policy", "string", "the outbound IPsec policy covering the flow: selector and template")
            .fact("ipsec_sa", "string", "the SA serving it: protocol, endpoints, SPI")
            .fact("sa_bytes", "integer", "bytes through the SA so far")
            .fact("sa_moving", "boolean", "its counters grew between the two readings")
            .needs(Needs.NOTHING.withNote("IPsec policies and WireGuard handshakes: root or CAP_NET_ADMIN; wg from wireguard-tools"))
            .example("reach probe tunnel.status host=198.18.10.5")
            .example("reach probe tunnel.status interface=wg0")
            .about("The egress device toward a host (or one named) as a tunnel: `tunnel.down` (set down, or a tun/tap no "
                    + "program holds open), `overlay.mtu` (VXLAN/GENEVE/GRE/IPIP/WireGuard MTU plus outer headers beyond the "
                    + "underlay's), `tunnel.no-handshake` (the WireGuard peer for the host, kernel or user space, with its age; one "
                    + "datagram to the host's discard port asks for a handshake first), and the IPsec policy for the flow "
                    + "without its SA (`ipsec.no-sa`).")
            .causes("tunnel.down", "overlay.mtu", "tunnel.no-handshake", "ipsec.no-sa", "route.none", "route.reject")
            .build();

    @Override
    public ProbeSpec spec() {
        return SPEC;
    }

    @Override
    public Observation run(ProbeContext ctx, Params p) throws InterruptedException {
        List<String> evidence = new ArrayList<>();
        InetAddress host = null;
        String source = "";
        String name;
        try {
            if (p.has("host")) host = InetAddress.getByName(p.string("host"));
        } catch (UnknownHostException e) {
            return Observation.fail(p.string("host") + " did not resolve (" + e.getMessage() + ")").fact("outcome", "unresolved").build();
        }
        if (p.has("interface")) {
            name = p.string("interface");
        } else if (host != null) {
            Routes.Egress e;
            try {
                e = Routes.egress(ctx, host);
            } catch (IllegalStateException ex) {
                return Observation.error("cannot find the egress device: " + ex.getMessage()).build();
            }
            evidence.addAll(e.evidence());
            if (e.device().isEmpty()) {
                Observation.Builder b = Observation.fail("no egress device: " + e.failure().summary()).cause(e.failure().cause());
                evidence.forEach(b::evidence);
                return b.build();
            }
            name = e.device();
            source = e.source();
        } else {
            return Observation.error("give host=ADDRESS or interface=NAME").build();
        }
        // the IPsec policies are read beside the device: two tools at once, not one after the other
        FutureTask<Exec> policies = new FutureTask<>(() -> Exec.run(ctx, Duration.ofSeconds(3), "ip", "xfrm", "policy", "list"));
        if (host != null) Thread.ofVirtual().name("tunnel.status ip xfrm").start(policies);
        TunnelDevice dev = TunnelDevice.plain(Path.of("/sys/class/net", name)).orElse(null);
        if (dev == null) { // a tunnel or overlay, or a device /sys does not describe: ip says what it is
            Exec link = Exec.run(ctx, Duration.ofSeconds(3), "ip", "-d", "-j", "link", "show", "dev", name);
            if (!link.ok()) {
                return Observation.error(link.exit() == -1 ? "ip is missing (iproute2): " + link.why() : "cannot read " + name + ": " + link.why())
                        .fact("interface", name).build();
            }
            try {
                dev = TunnelDevice.parse(link.out());
            } catch (IllegalArgumentException e) {
                return Observation.error(link.line() + " printed what this probe cannot read: " + e.getMessage()).build();
            }
        }
        // WireGuard in user space (wireguard-go, boringtun) is a tun device with a control socket of its name
        if (dev.kind().equals("tun") && Files.exists(Path.of("/var/run/wireguard", dev.name() + ".sock"))) {
            dev = dev.as("wireguard");
        }
        Observation.Builder b = Observation.of(Status.OK, dev.name()).fact("interface", dev.name()).fact("kind", dev.kind().isEmpty() ? "plain" : dev.kind()).fact("mtu", dev.mtu());
        evidence.add(dev.name() + ": kind " + (dev.kind().isEmpty() ? "plain" : dev.kind()) + ", " + (dev.adminUp() ? "up" : "down")
                + (dev.noCarrier() ? " (NO-CARRIER)" : "") + ", operstate " + dev.operstate() + ", mtu " + dev.mtu()
                + (dev.remote().isEmpty() ? "" : ", remote " + dev.remote()) + (dev.link().isEmpty() ? "" : ", dev " + dev.link()));
        List<Judgement> found = new ArrayList<>();
        List<String> unchecked = new ArrayList<>();
        if (dev.tunnel() && dev.down()) found.add(down(dev));
        String remote = dev.remote();
        if (dev.kind().equals("wireguard")) {
            Optional<WgDump.Peer> peer = wireguard(ctx, dev, host, b, evidence, unchecked, found);
            remote = peer.map(pr -> pr.endpoint().replaceAll(":\\d+$", "").replaceAll("^\\[(.*)]$", "$1")).orElse("");
        }
        Overlay room = overlay(ctx, dev, remote, b, evidence);
        if (room.fault() != null) found.add(room.fault());
        if (host != null) {
            ipsec(ctx, result(policies), source, host, p.has("port") ? p.port("port") : 0, p.duration("interval"), b, evidence, unchecked)
                    .ifPresent(found::add);
        }
        Judgement j = judge(dev, host, room.compared(), found, unchecked);
        b.status(j.status()).summary(j.summary()).cause(j.cause());
        evidence.forEach(b::evidence);
        return b.build();
    }

    private static Exec result(FutureTask<Exec> task) throws InterruptedException {
        try {
            return task.get();
        } catch (ExecutionException e) {
            return new Exec(List.of("ip", "xfrm", "policy", "list"), -1, "", String.valueOf(e.getCause()));
        }
    }

    /** The first fault found; else ok when every check that applies ran; else what could not be checked. Pure. */
    static Judgement judge(TunnelDevice dev, InetAddress host, boolean roomCompared, List<Judgement> found, List<String> unchecked) {
        if (!found.isEmpty()) return found.get(0);
        String what = dev.tunnel() ? dev.name() + " (" + dev.kind() + ") is up" + (roomCompared ? " and leaves room for its outer headers" : "")
                : dev.name() + " is not a tunnel or overlay device";
        String ipsec = host == null ? "" : "; no IPsec policy without its SA for the flow to " + Addresses.text(host);
        if (unchecked.isEmpty()) return new Judgement(Status.OK, null, what + ipsec);
        String not = "not checked: " + String.join("; ", unchecked);
        return dev.tunnel() ? new Judgement(Status.WARN, null, what + "; " + not)
                : new Judgement(Status.SKIPPED, null, what + "; " + not);
    }

    static Judgement down(TunnelDevice dev) {
        String why = !dev.adminUp() ? "is set down (ip link set " + dev.name() + " up)"
                : (dev.kind().equals("tun") || dev.kind().equals("tap")) && dev.noCarrier()
                ? "has no carrier: no program holds the " + dev.kind() + " device open (the VPN client behind it is not running)"
                : "is " + dev.operstate() + (dev.noCarrier() ? " without carrier" : "");
        return new Judgement(Status.FAIL, "tunnel.down", dev.name() + " (" + dev.kind() + ") " + why + ": nothing sent into the tunnel leaves");
    }

    /** Whether the overlay's MTU was compared with its underlay's, and the fault found there (null: none). */
    private record Overlay(boolean compared, Judgement fault) {
    }

    /** VXLAN, GRE, WireGuard...: the device MTU plus the outer headers against the MTU of the device they leave by. */
    private static Overlay overlay(ProbeContext ctx, TunnelDevice dev, String remote, Observation.Builder b,
                                               List<String> evidence) {
        String underlay = dev.link();
        long routeMtu = 0;
        boolean v6 = remote.contains(":");
        if (underlay.isEmpty() && !remote.isEmpty() && !remote.equals("any")) {
            try {
                Routes.Lookup l = Routes.lookup(ctx, InetAddress.ofLiteral(remote), Duration.ofSeconds(2));
                underlay = l.route().map(RouteTable.Route::dev).orElse("");
                routeMtu = l.route().map(RouteTable.Route::mtu).orElse(0L);
            } catch (IllegalArgumentException | IllegalStateException e) {
                evidence.add("the route to " + remote + " could not be read: " + e.getMessage());
            }
        }
        int overhead = dev.overhead(v6);
        if (overhead < 0 || underlay.isEmpty()) return new Overlay(false, null);
        long underMtu = mtuOf(underlay);
        if (routeMtu > 0 && (underMtu <= 0 || routeMtu < underMtu)) underMtu = routeMtu;
        b.fact("overhead", overhead).fact("underlay", underlay).fact("underlay_mtu", underMtu > 0 ? underMtu : null)
                .fact("remote", remote.isEmpty() ? null : remote);
        if (underMtu <= 0) return new Overlay(false, null);
        evidence.add(dev.name() + " mtu " + dev.mtu() + " + " + overhead + " bytes of " + dev.kind() + " headers = " + (dev.mtu() + overhead)
                + " on " + underlay + " (mtu " + underMtu + ")");
        return new Overlay(true, overlayMtu(dev, overhead, underlay, underMtu));
    }

    /** overlay.mtu when the inner MTU plus the outer headers is more than the underlay carries; else null. Pure. */
    static Judgement overlayMtu(TunnelDevice dev, int overhead, String underlay, long underMtu) {
        long outer = dev.mtu() + overhead;
        if (outer <= underMtu) return null;
        return new Judgement(Status.FAIL, "overlay.mtu", dev.name() + " (" + dev.kind() + ") passes packets up to " + dev.mtu()
                + " bytes; with " + overhead + " bytes of " + dev.kind() + " headers they leave " + underlay + " as " + outer
                + ", more than its MTU " + underMtu + ": full-size packets are fragmented or dropped on the way (small ones pass); "
                + "set " + dev.name() + "'s MTU to " + (underMtu - overhead) + " or less");
    }

    private static long mtuOf(String device) {
        String v = SysClassNet.value(Path.of("/sys/class/net", device, "mtu"));
        try {
            return Long.parseLong(v.strip());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** Reads the peers; adds what is wrong with the one for the host to {@code found}; returns that peer. */
    private static Optional<WgDump.Peer> wireguard(ProbeContext ctx, TunnelDevice dev, InetAddress host, Observation.Builder b,
                                                   List<String> evidence, List<String> unchecked, List<Judgement> found) {
        Exec wg = Exec.run(ctx, Duration.ofSeconds(3), "wg", "show", dev.name(), "dump");
        if (!wg.ok()) {
            unchecked.add("WireGuard handshakes (" + (wg.exit() == -1 ? "wg is missing: apt-get install wireguard-tools" : "wg show: " + wg.why()
                    + "; needs root or CAP_NET_ADMIN") + ")");
            return Optional.empty();
        }
        WgDump dump = WgDump.parse(wg.out()); // the private key on its first line is never kept
        if (host != null && dump.peers().stream().noneMatch(pr -> holds(pr, host) && fresh(pr))) {
            dump = afterAsking(ctx, dev.name(), host, dump);
        }
        long now = System.currentTimeMillis() / 1000;
        b.fact("peers", dump.peers().stream().map(pr -> pr.key() + " " + (pr.endpoint().isEmpty() ? "(no endpoint)" : pr.endpoint())
                + " allowed " + String.join(",", pr.allowedIps()) + " handshake " + age(pr.handshakeAge(now))).toList());
        Optional<WgDump.Peer> peer = dump.peers().stream().filter(pr -> host == null || holds(pr, host)).findFirst();
        if (peer.isEmpty()) {
            found.add(new Judgement(Status.FAIL, "route.none", "no peer of " + dev.name() + " has "
                    + (host == null ? "any address" : Addresses.text(host)) + " in its allowed IPs: WireGuard drops what it cannot send to a peer"));
            return peer;
        }
        long ageS = peer.get().handshakeAge(now);
        b.fact("handshake_age_s", ageS);
        evidence.add("peer " + peer.get().key() + " endpoint " + peer.get().endpoint() + ": last handshake " + age(ageS)
                + ", " + peer.get().rxBytes() + " bytes in, " + peer.get().txBytes() + " out");
        Judgement j = handshake(dev.name(), peer.get(), ageS);
        if (j != null) found.add(j);
        return peer;
    }

    private static boolean holds(WgDump.Peer peer, InetAddress host) {
        return peer.allowedIps().stream().anyMatch(a -> Cidr.parse(a, a.contains(":")).map(c -> c.contains(host)).orElse(false));
    }

    private static boolean fresh(WgDump.Peer peer) {
        long age = peer.handshakeAge(System.currentTimeMillis() / 1000);
        return age >= 0 && age <= WgDump.REJECT_AFTER_SECONDS;
    }

    /**
     * WireGuard shakes hands only when there is something to send: one datagram to the host's discard port goes into
     * the tunnel, and the peers are read again every 100 ms until the handshake is there or 1.5 s have passed.
     */
    private static WgDump afterAsking(ProbeContext ctx, String device, InetAddress host, WgDump before) {
        try (java.net.DatagramSocket s = new java.net.DatagramSocket()) {
            s.send(new java.net.DatagramPacket(new byte[1], 1, host, 9));
        } catch (java.io.IOException e) {
            return before;
        }
        WgDump now = before;
        for (int i = 0; i < 15 && !ctx.cancelled(); i++) {
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return now;
            }
            Exec wg = Exec.run(ctx, Duration.ofSeconds(2), "wg", "show", device, "dump");
            if (!wg.ok()) return now;
            now = WgDump.parse(wg.out());
            if (now.peers().stream().anyMatch(pr -> holds(pr, host) && fresh(pr))) return now;
        }
        return now;
    }

    /** tunnel.no-handshake when the peer never completed one, or not within REJECT_AFTER_TIME (180 s); else null. Pure. */
    static Judgement handshake(String device, WgDump.Peer peer, long ageS) {
        if (ageS >= 0 && ageS <= WgDump.REJECT_AFTER_SECONDS) return null;
        return new Judgement(Status.FAIL, "tunnel.no-handshake", device + " peer " + peer.key() + " at "
                + (peer.endpoint().isEmpty() ? "no known endpoint" : peer.endpoint()) + " has " + (ageS < 0 ? "never completed a handshake"
                : "not completed a handshake for " + ParamType.format(Duration.ofSeconds(ageS)) + " (keys expire after 180 s)") + ": the peer does not answer on its UDP port, "
                + "or the keys or endpoint do not match");
    }

    private static Optional<Judgement> ipsec(ProbeContext ctx, Exec pol, String source, InetAddress host, int port, Duration interval,
                                             Observation.Builder b, List<String> evidence, List<String> unchecked) throws InterruptedException {
        if (!pol.ok()) {
            unchecked.add("IPsec policies (ip xfrm policy: " + pol.why() + "; needs root or CAP_NET_ADMIN)");
            return Optional.empty();
        }
        InetAddress from = source.isEmpty() ? null : InetAddress.ofLiteral(source);
        Optional<Xfrm.Policy> policy = Xfrm.covering(Xfrm.policies(pol.out()), from, host, port);
        if (policy.isEmpty() || policy.get().templates().isEmpty()) {
            policy.ifPresent(pl -> evidence.add("IPsec policy " + pl.selector() + " action " + pl.action() + ", no template"));
            return Optional.empty();
        }
        Xfrm.Template t = policy.get().templates().get(0);
        b.fact("ipsec_policy", policy.get().selector() + " via " + t.text());
        evidence.add("IPsec policy " + policy.get().selector() + " sends the flow through " + t.text());
        Optional<Xfrm.State> sa = saFor(ctx, t);
        if (sa.isEmpty()) return Optional.of(noSa(policy.get(), t));
        b.fact("ipsec_sa", sa.get().proto() + " " + sa.get().src() + " -> " + sa.get().dst() + " spi " + sa.get().spi())
                .fact("sa_bytes", sa.get().bytes());
        if (!interval.isZero()) {
            Thread.sleep(ctx.bound(interval));
            Optional<Xfrm.State> again = saFor(ctx, t);
            again.ifPresent(a -> b.fact("sa_moving", a.bytes() > sa.get().bytes()));
        }
        evidence.add("SA " + sa.get().proto() + " spi " + sa.get().spi() + ": " + sa.get().bytes() + " bytes, " + sa.get().packets() + " packets");
        return Optional.empty();
    }

    private static Optional<Xfrm.State> saFor(ProbeContext ctx, Xfrm.Template t) {
        Exec st = Exec.run(ctx, Duration.ofSeconds(3), "ip", "-s", "xfrm", "state", "list", "nokeys");
        return st.ok() ? Xfrm.states(st.out()).stream().filter(s -> s.serves(t)).findFirst() : Optional.empty();
    }

    /** ipsec.no-sa: the flow matches a policy that requires a transform no state provides. Pure. */
    static Judgement noSa(Xfrm.Policy policy, Xfrm.Template t) {
        return new Judgement(Status.FAIL, "ipsec.no-sa", "the IPsec policy " + policy.selector() + " sends this flow through "
                + t.text() + ", but no SA exists for it: the kernel holds the packets back while the key exchange (IKE) "
                + "has not brought the tunnel up");
    }

    private static String age(long s) {
        return s < 0 ? "never" : s == 0 ? "just now" : ParamType.format(Duration.ofSeconds(s)) + " ago";
    }
}
