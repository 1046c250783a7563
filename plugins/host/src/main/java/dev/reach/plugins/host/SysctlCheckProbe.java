package dev.reach.plugins.host;

import dev.reach.plugins.host.Sysctls.Finding;
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

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads the kernel settings that break connectivity (somaxconn, SYN backlog and cookies, ephemeral port
 * range, conntrack table, ICMP rate limit, forwarding, rp_filter per interface) of the network namespace
 * it runs in, and says which are risky. On a multi-homed host with strict rp_filter it tells a drop from a
 * risk (see {@link ReversePath}): the IPReversePathFilter counter read over {@code interval}, and with
 * {@code host} (the peer whose packets arrive here) the route back to it, checked by the kernel itself
 * ({@code ip route get LOCAL from HOST iif IF}) on the interface its packets arrive on: {@code interface},
 * or the one holding the address {@code port} listens on.
 *
 * <pre>
 * $ reach probe sysctl.check host=198.18.0.1 interface=v0-cli
 * fail [rpfilter.drop]: net.ipv4.conf.all.rp_filter = 1: packets from 198.18.0.1 arriving on v0-cli are dropped by strict rp_filter: the route back leaves by v1-rtr ...
 * </pre>
 */
@Extension
public final class SysctlCheckProbe implements Probe {

    static final ProbeSpec SPEC = ProbeSpec.builder("sysctl.check", "Finds kernel settings that break connectivity")
            .param(Param.host("host", "a peer whose packets arrive here: checks reverse-path filtering for it (IPv4)"))
            .param(Param.string("interface", "the interface the peer's packets arrive on (with host)"))
            .param(Param.port("port", "a port clients connect to: its packets arrive on the interface holding the address it listens on"))
            .param(Param.duration("interval", "time between the two samples of the rp_filter drop counter (only on a multi-homed host"
                    + " with strict rp_filter); 0ms samples once").defaultValue("1s").range("0ms", "10s"))
            .param(Param.bool("router", "this host is meant to forward packets (judges ip_forward)").defaultValue(false))
            .fact("outcome", "string", "ok, risky, conntrack-full, or for strict rp_filter: rpfilter-confirmed (the kernel refuses the"
                    + " peer's reverse path), rpfilter-dropping (drops counted while sampling), rpfilter-dropped (counted before),"
                    + " rpfilter-asymmetric (the route back to the peer leaves by another interface)")
            .fact("settings", "map", "the values read, by sysctl name")
            .fact("rp_filter", "map", "effective rp_filter per interface: 0 off, 1 strict, 2 loose")
            .fact("multi_homed", "boolean", "two or more interfaces have IPv4 addresses")
            .fact("strict", "list", "interfaces with an IPv4 address and strict rp_filter")
            .fact("findings", "list", "each risky setting, its value and what to set")
            .fact("return_dev", "string", "interface the route back to host leaves by")
            .fact("rpfilter_drops", "integer", "TcpExt IPReversePathFilter growth over the interval (packets dropped by rp_filter)")
            .fact("rpfilter_drops_total", "integer", "TcpExt IPReversePathFilter of this network namespace")
            .needs(Needs.NOTHING)
            .example("reach probe sysctl.check")
            .example("reach probe sysctl.check host=198.18.0.1 interface=eth1")
            .example("reach probe sysctl.check port=80 interval=2s")
            .about("Kernel settings that break connectivity (`sysctl.risky`); strict rp_filter against the route back to"
                    + " a client, and the kernel's own count of what rp_filter dropped (`rpfilter.drop`).")
            .causes("sysctl.risky", "rpfilter.drop", "conntrack.full")
            .build();

    @Override
    public ProbeSpec spec() {
        return SPEC;
    }

    @Override
    public Observation run(ProbeContext ctx, Params params) throws InterruptedException {
        Map<String, String> v = Sysctls.read(Path.of("/proc/sys"));
        if (v.isEmpty()) {
            return Observation.error("/proc/sys cannot be read: no kernel settings to check").build();
        }
        List<Finding> findings = new ArrayList<>(Sysctls.judge(v, params.bool("router")));
        List<String> evidence = new ArrayList<>();
        Map<String, List<String>> cidrs = new LinkedHashMap<>();
        if (ctx.privileges().tool("ip").isPresent()) {
            IpAddr.interfaces(Exec.run(ctx, Duration.ofSeconds(3), "ip", "-j", "-4", "addr", "show").out()).stream()
                    .filter(i -> !i.addresses().isEmpty()).forEach(i -> cidrs.put(i.name(), i.addresses()));
        }
        Map<String, Integer> rp = new LinkedHashMap<>();
        v.keySet().stream().filter(k -> k.startsWith("net.ipv4.conf.") && k.endsWith(".rp_filter"))
                .map(k -> k.substring("net.ipv4.conf.".length(), k.length() - ".rp_filter".length()))
                .filter(i -> !i.equals("all") && !i.equals("default") && !i.equals("lo"))
                .forEach(i -> rp.put(i, Sysctls.rpFilter(v, i)));
        for (String i : cidrs.keySet()) { // a name with a dot (VLAN eth0.100) cannot be read as a dotted key
            String own = SysClassNet.value(Path.of("/proc/sys/net/ipv4/conf", i, "rp_filter"));
            if (!rp.containsKey(i) && !i.contains("/") && own.matches("\\d")) {
                rp.put(i, Math.max(Sysctls.num(v, "net.ipv4.conf.all.rp_filter", 0), Integer.parseInt(own)));
            }
        }
        Optional<ReversePath.Judged> reverse = ReversePath.check(ctx, params, v, cidrs, rp, evidence);
        reverse.ifPresent(j -> {
            if (j.finding().cause().equals("rpfilter.drop")) {
                findings.addFirst(j.finding());
            } else {
                findings.add(j.finding());
            }
        });
        Judgement c = classify(findings, reverse.map(ReversePath.Judged::outcome).orElse(""));
        String outcome = c.cause() == null ? "ok" : c.cause().equals("conntrack.full") ? "conntrack-full"
                : c.cause().equals("rpfilter.drop") ? reverse.orElseThrow().outcome() : "risky";
        Optional<ReversePath.Seen> seen = reverse.map(ReversePath.Judged::seen);
        Observation.Builder b = c.observation().fact("outcome", outcome).fact("settings", v)
                .fact("rp_filter", rp).fact("multi_homed", cidrs.size() >= 2)
                .fact("strict", cidrs.keySet().stream().filter(i -> rp.getOrDefault(i, 0) == 1).toList())
                .fact("findings", findings.stream().map(Finding::text).toList())
                .fact("return_dev", seen.map(ReversePath.Seen::returnDev).filter(d -> !d.isEmpty()).orElse(null))
                .fact("rpfilter_drops", seen.map(ReversePath.Seen::drops).filter(n -> n >= 0).orElse(null))
                .fact("rpfilter_drops_total", seen.map(ReversePath.Seen::total).filter(n -> n >= 0).orElse(null));
        findings.forEach(f -> b.evidence(f.text()));
        evidence.forEach(b::evidence);
        rp.forEach((i, x) -> b.evidence("rp_filter " + i + " = " + x + " (all " + v.getOrDefault("net.ipv4.conf.all.rp_filter", "?") + ")"
                + (cidrs.containsKey(i) ? " " + cidrs.get(i) : "")));
        return b.build();
    }

    /**
     * The findings in order of weight; an rp_filter drop fails when the kernel refused the peer's reverse path
     * ({@code rpfilter-confirmed}) or counted drops while sampling ({@code rpfilter-dropping}), else warns. Pure.
     */
    static Judgement classify(List<Finding> findings, String rpOutcome) {
        if (findings.isEmpty()) {
            return new Judgement(Status.OK, null, "no kernel setting known to break connectivity is set");
        }
        Finding top = findings.stream().filter(f -> f.cause().equals("rpfilter.drop")).findFirst()
                .or(() -> findings.stream().filter(f -> f.cause().equals("conntrack.full")).findFirst()).orElse(findings.getFirst());
        String more = findings.size() > 1 ? " (and " + (findings.size() - 1) + " more finding(s))" : "";
        boolean proven = rpOutcome.equals("rpfilter-confirmed") || rpOutcome.equals("rpfilter-dropping");
        Status s = top.cause().equals("conntrack.full") || top.cause().equals("rpfilter.drop") && proven ? Status.FAIL : Status.WARN;
        return new Judgement(s, top.cause(), top.text() + more);
    }
}
