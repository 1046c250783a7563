package dev.reach.plugins.host;

import dev.reach.plugins.host.SysClassNet.Link;
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

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Checks an interface — given by name, or the one the route to a host leaves by — from /sys/class/net:
 * admin and operational state, carrier, MTU, speed and duplex, its addresses, and the
 * error and drop counters read twice to show whether they are rising. A link that is down is reported at
 * once, without waiting for the second sample. When there is no route to the host because the interface
 * whose subnet holds it was set down (its routes went with it), that interface is the one checked.
 *
 * <pre>
 * $ reach probe iface.status host=198.18.0.2
 * fail [link.down]: v0-srv has no carrier (operstate LOWERLAYERDOWN): the cable, the peer or the switch port is down
 *   v0-srv: admin up, operstate LOWERLAYERDOWN, carrier 0, mtu 1500, speed 10000Mb/s full
 * </pre>
 */
@Extension
public final class IfaceStatusProbe implements Probe {

    static final ProbeSpec SPEC = ProbeSpec.builder("iface.status", "Checks the state, carrier, addresses and error counters of an interface")
            .param(Param.string("interface", "interface name, e.g. eth0 (or give host)"))
            .param(Param.host("host", "check the interface the route to this destination leaves by"))
            .param(Param.duration("interval", "time between the two counter samples; 0ms samples once").defaultValue("1s").range("0ms", "10s"))
            .fact("interface", "string", "the interface checked")
            .fact("admin_up", "boolean", "IFF_UP: set up by ip link set up")
            .fact("operstate", "string", "UP, DOWN, LOWERLAYERDOWN, DORMANT, UNKNOWN (loopback, tunnels)")
            .fact("carrier", "boolean", "link detected (absent when the interface is down)")
            .fact("mtu", "integer", "interface MTU")
            .fact("speed_mbps", "integer", "link speed where the driver reports it")
            .fact("duplex", "string", "full or half where the driver reports it")
            .fact("addresses", "list", "addresses with prefix length")
            .fact("counters", "map", "error and drop counters at the second sample")
            .fact("rising", "map", "counters that grew between the samples, by how much")
            .needs(Needs.NOTHING)
            .example("reach probe iface.status interface=eth0")
            .example("reach probe iface.status host=198.18.0.2 interval=2s")
            .about("Admin/oper state, carrier, MTU, speed, addresses and error counters sampled twice of an interface or"
                    + " the egress one toward a host (`link.down`).")
            .causes("link.down", "route.none", "route.reject")
            .build();

    @Override
    public ProbeSpec spec() {
        return SPEC;
    }

    @Override
    public Observation run(ProbeContext ctx, Params params) throws InterruptedException {
        List<String> evidence = new ArrayList<>();
        String name;
        if (params.has("interface")) {
            name = params.string("interface");
        } else if (params.has("host")) {
            try {
                Routes.Egress e = Routes.egress(ctx, InetAddress.getByName(params.string("host")));
                evidence.addAll(e.evidence());
                if (e.device().isEmpty()) {
                    Observation.Builder b = Observation.fail("no egress interface: " + e.failure().summary()).cause(e.failure().cause());
                    evidence.forEach(b::evidence);
                    return b.build();
                }
                name = e.device();
            } catch (UnknownHostException | IllegalStateException e) {
                return Observation.error("cannot find the egress interface: " + e.getMessage()).build();
            }
        } else {
            return Observation.error("give interface=NAME or host=ADDRESS").build();
        }
        Path dir = Path.of("/sys/class/net", name);
        if (name.contains("/") || !Files.isDirectory(dir)) {
            return Observation.fail("there is no interface " + name + " in this network namespace").fact("interface", name).build();
        }
        Link first = SysClassNet.read(dir);
        Duration asked = params.duration("interval");
        // a link that is down is decisive at once: its counters are not worth the wait
        Duration interval = asked.isZero() || down(first) ? Duration.ZERO : ctx.bound(asked);
        if (!interval.isZero()) {
            ctx.progress("sampling " + name + " counters for " + ParamType.format(interval));
            Thread.sleep(interval);
        }
        Link link = SysClassNet.read(dir);
        Map<String, Long> rising = rising(first, link);
        List<String> addresses = IpAddr.addressesOf(name);
        Judgement c = classify(link, rising, addresses, interval);
        evidence.add(describe(link));
        evidence.add(name + " addresses: " + (addresses.isEmpty() ? "none" : String.join(", ", addresses)));
        if (!rising.isEmpty()) {
            evidence.add(name + " counters rising over " + ParamType.format(interval) + ": " + rising);
        }
        Observation.Builder b = c.observation().fact("interface", name)
                .fact("admin_up", link.adminUp()).fact("operstate", link.operstate()).fact("carrier", link.carrier())
                .fact("mtu", link.mtu()).fact("speed_mbps", link.speed() > 0 ? link.speed() : null)
                .fact("duplex", link.duplex().isEmpty() || link.duplex().equals("unknown") ? null : link.duplex())
                .fact("addresses", addresses).fact("counters", link.counters()).fact("rising", rising);
        evidence.forEach(b::evidence);
        return b.build();
    }

    /** Set down, or without carrier: nothing is sent through it. */
    static boolean down(Link l) {
        return !l.adminUp() || Boolean.FALSE.equals(l.carrier()) || l.operstate().equals("DOWN") || l.operstate().equals("LOWERLAYERDOWN");
    }

    /** From a reading and the counters' growth to status and cause. Pure. */
    static Judgement classify(Link l, Map<String, Long> rising, List<String> addresses, Duration interval) {
        if (!l.adminUp()) {
            return new Judgement(Status.FAIL, "link.down", l.name() + " is administratively down: bring it up with ip link set "
                    + l.name() + " up (and find what took it down)");
        }
        if (down(l)) {
            return new Judgement(Status.FAIL, "link.down", l.name() + " has no carrier (operstate " + l.operstate()
                    + "): the cable, the peer or the switch port is down");
        }
        Map<String, Long> errors = new LinkedHashMap<>(rising);
        errors.remove("rx_packets");
        errors.remove("tx_packets");
        if (!errors.isEmpty()) {
            return new Judgement(Status.WARN, "link.down", l.name() + " is up but its error/drop counters are rising "
                    + errors + " in " + ParamType.format(interval) + ": a bad cable, duplex mismatch or full queues");
        }
        if (addresses.isEmpty()) {
            return new Judgement(Status.WARN, null, l.name() + " is up but has no address: nothing can be sent from it");
        }
        return new Judgement(Status.OK, null, l.name() + " is up" + (l.carrier() == null ? "" : " with carrier") + ", mtu " + l.mtu()
                + (l.speed() > 0 ? ", " + l.speed() + "Mb/s " + l.duplex() : "") + ", " + String.join(", ", addresses));
    }

    static Map<String, Long> rising(Link before, Link after) {
        Map<String, Long> out = new LinkedHashMap<>();
        after.counters().forEach((k, v) -> {
            Long b = before.counters().get(k);
            if (b != null && v > b) {
                out.put(k, v - b);
            }
        });
        return out;
    }

    private static String describe(Link l) {
        return l.name() + ": admin " + (l.adminUp() ? "up" : "down") + ", operstate " + l.operstate() + ", carrier "
                + (l.carrier() == null ? "unknown" : l.carrier() ? "1" : "0") + ", mtu " + l.mtu()
                + (l.speed() > 0 ? ", speed " + l.speed() + "Mb/s " + l.duplex() : "") + (l.mac().isEmpty() ? "" : ", mac " + l.mac())
                + (l.carrierChanges() >= 0 ? ", carrier changes " + l.carrierChanges() : "");
    }

}
