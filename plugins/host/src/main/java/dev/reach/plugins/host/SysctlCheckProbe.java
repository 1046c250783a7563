package dev.reach.plugins.host;

import dev.reach.spi.Addresses;
import dev.reach.plugins.host.Sysctls.Finding;
import dev.reach.spi.Needs;
import dev.reach.spi.Observation;
import dev.reach.spi.Param;
import dev.reach.spi.Params;
import dev.reach.spi.Probe;
import dev.reach.spi.ProbeContext;
import dev.reach.spi.ProbeSpec;
import dev.reach.spi.Status;
import org.pf4j.Extension;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the kernel settings that break connectivity (somaxconn, SYN backlog and cookies, ephemeral port
 * range, conntrack table, ICMP rate limit, forwarding, rp_filter per interface) of the network namespace
 * it runs in, and says which are risky. With {@code host} (the peer whose packets arrive here) it checks
 * strict reverse-path filtering against the route back, and with {@code interface} asks the kernel itself
 * ({@code ip route get LOCAL from HOST iif IF}).
 *
 * <pre>
 * $ reach probe sysctl.check host=198.18.0.1 interface=v0-cli
 * fail [rpfilter.drop]: packets from 198.18.0.1 arriving on v0-cli are dropped by strict rp_filter: the route back leaves by v1-rtr ...
 * </pre>
 */
@Extension
public final class SysctlCheckProbe implements Probe {

    static final ProbeSpec SPEC = ProbeSpec.builder("sysctl.check", "Finds kernel settings that break connectivity")
            .param(Param.host("host", "a peer whose packets arrive here: checks reverse-path filtering for it (IPv4)"))
            .param(Param.string("interface", "the interface the peer's packets arrive on (with host)"))
            .param(Param.bool("router", "this host is meant to forward packets (judges ip_forward)").defaultValue(false))
            .fact("settings", "map", "the values read, by sysctl name")
            .fact("rp_filter", "map", "effective rp_filter per interface: 0 off, 1 strict, 2 loose")
            .fact("multi_homed", "boolean", "two or more interfaces have IPv4 addresses")
            .fact("findings", "list", "each risky setting, its value and what to set")
            .fact("return_dev", "string", "interface the route back to host leaves by")
            .needs(Needs.NOTHING)
            .example("reach probe sysctl.check")
            .example("reach probe sysctl.check host=198.18.0.1 interface=eth1")
            .build();

    record Classified(Status status, String cause, String summary) {
    }

    @Override
    public ProbeSpec spec() {
        return SPEC;
    }

    @Override
    public Observation run(ProbeContext ctx, Params params) {
        Map<String, String> v = Sysctls.read(Path.of("/proc/sys"));
        if (v.isEmpty()) {
            return Observation.error("/proc/sys cannot be read: no kernel settings to check").build();
        }
        List<Finding> findings = new ArrayList<>(Sysctls.judge(v, params.bool("router")));
        List<String> evidence = new ArrayList<>();
        Map<String, List<String>> v4 = ctx.privileges().tool("ip").isPresent()
                ? IpAddr.ipv4ByInterface(Exec.run(ctx, Duration.ofSeconds(3), "ip", "-j", "addr", "show").out()) : Map.of();
        v4.remove("lo");
        Map<String, Integer> rp = new LinkedHashMap<>();
        v.keySet().stream().filter(k -> k.startsWith("net.ipv4.conf.") && k.endsWith(".rp_filter"))
                .map(k -> k.substring("net.ipv4.conf.".length(), k.length() - ".rp_filter".length()))
                .filter(i -> !i.equals("all") && !i.equals("default") && !i.equals("lo"))
                .forEach(i -> rp.put(i, Sysctls.rpFilter(v, i)));
        boolean multiHomed = v4.size() >= 2;
        List<String> strict = rp.entrySet().stream().filter(e -> e.getValue() == 1 && v4.containsKey(e.getKey())).map(Map.Entry::getKey).toList();
        String returnDev = null;
        boolean certain = false;
        if (multiHomed && !strict.isEmpty()) {
            if (params.has("host")) {
                try {
                    InetAddress peer = InetAddress.getByName(params.string("host"));
                    if (peer instanceof Inet4Address) {
                        var back = RouteLookupProbe.lookup(ctx, peer, Duration.ofSeconds(3));
                        evidence.addAll(back.evidence());
                        returnDev = back.route().map(RouteTable.Route::dev).orElse("");
                        String p = Addresses.text(peer);
                        for (String arrival : params.has("interface") ? List.of(params.string("interface")) : strict) {
                            if (arrival.equals(returnDev) || !strict.contains(arrival)) {
                                continue;
                            }
                            String why = "packets from " + p + " arriving on " + arrival + " are dropped by strict rp_filter: the route back "
                                    + (returnDev.isEmpty() ? "does not exist" : "leaves by " + returnDev) + " (asymmetric path)";
                            if (params.has("interface") && !v4.get(arrival).isEmpty()) {
                                Exec check = Exec.run(ctx, Duration.ofSeconds(3), "ip", "route", "get", v4.get(arrival).getFirst(),
                                        "from", p, "iif", arrival);
                                evidence.add(check.line() + " -> " + (check.ok() ? check.out().lines().findFirst().orElse("ok") : check.why()));
                                certain = !check.ok() && check.err().contains("Invalid argument");
                                if (check.ok()) {
                                    continue; // the kernel accepts it: a route via this interface exists after all
                                }
                            }
                            findings.addFirst(new Finding("rpfilter.drop", "net.ipv4.conf." + arrival + ".rp_filter", "1", "2", why
                                    + "; make the return route symmetric, or use loose mode"));
                        }
                    }
                } catch (UnknownHostException e) {
                    evidence.add("host " + params.string("host") + " did not resolve: rp_filter not checked against it");
                }
            } else {
                findings.add(new Finding("sysctl.risky", "rp_filter", "strict on " + String.join(", ", strict), "2",
                        "strict reverse-path filtering on a multi-homed host drops packets whose route back leaves by another interface"));
            }
        }
        Classified c = classify(findings, certain);
        Observation.Builder b = Observation.of(c.status(), c.summary()).cause(c.cause()).fact("settings", v).fact("rp_filter", rp)
                .fact("multi_homed", multiHomed).fact("findings", findings.stream().map(Finding::text).toList()).fact("return_dev", returnDev);
        findings.forEach(f -> b.evidence(f.text()));
        evidence.forEach(b::evidence);
        rp.forEach((i, x) -> b.evidence("rp_filter " + i + " = " + x + " (all " + v.getOrDefault("net.ipv4.conf.all.rp_filter", "?") + ")"
                + (v4.containsKey(i) ? " " + v4.get(i) : "")));
        return b.build();
    }

    /** The findings in order of weight; {@code certain} when the kernel itself refused the reverse path. Pure. */
    static Classified classify(List<Finding> findings, boolean certain) {
        if (findings.isEmpty()) {
            return new Classified(Status.OK, null, "no kernel setting known to break connectivity is set");
        }
        Finding top = findings.stream().filter(f -> f.cause().equals("rpfilter.drop")).findFirst()
                .or(() -> findings.stream().filter(f -> f.cause().equals("conntrack.full")).findFirst()).orElse(findings.getFirst());
        String more = findings.size() > 1 ? " (and " + (findings.size() - 1) + " more finding(s))" : "";
        Status s = top.cause().equals("conntrack.full") || top.cause().equals("rpfilter.drop") && certain ? Status.FAIL : Status.WARN;
        return new Classified(s, top.cause(), top.text() + more);
    }
}
