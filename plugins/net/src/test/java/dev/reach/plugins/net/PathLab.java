package dev.reach.plugins.net;

import dev.reach.testkit.Netns;
import dev.reach.testkit.Root;
import dev.reach.testkit.RunProbeMain;
import dev.reach.spi.Probe;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The namespace lab the path probes' ITs share: client — router — server, wired only to each other.
 * <pre>
 *  cli 198.18.0.1/24 ── 198.18.0.254 rtr 198.18.1.254 ── 198.18.1.2/24 srv (also .3 and .4)
 * </pre>
 * The client routes 198.18.1.0/24 and 198.19.0.0/16 via the router, which forwards (ip_forward=1 in its
 * namespace) to 198.18.1.0/24 only, so 198.19.x gets the router's ICMP net-unreachable. On the router,
 * traffic to .3 is DROPped and traffic to .4 REJECTed with icmp-admin-prohibited. The router–server link
 * has MTU {@value #FAR_MTU}.
 */
final class PathLab implements AutoCloseable {
    static final String CLIENT = "198.18.0.1";
    static final String ROUTER = "198.18.0.254";
    static final String SERVER = "198.18.1.2";
    static final String DROPPED_HOST = "198.18.1.3";
    static final String PROHIBITED_HOST = "198.18.1.4";
    static final String NO_NET = "198.19.7.7";
    static final int FAR_MTU = 1280;

    final Netns lab;
    final String client;
    final String router;
    final String server;

    private PathLab(Netns lab, String client, String router, String server) {
        this.lab = lab;
        this.client = client;
        this.router = router;
        this.server = server;
    }

    /** Builds it, or skips the calling test (with the reason) without root or the tools. */
    static PathLab build() {
        Root.assumeRootWith("ip", "iptables", "sysctl");
        Netns lab = Netns.create();
        try {
            String cli = lab.namespace("cli");
            String rtr = lab.namespace("rtr");
            String srv = lab.namespace("srv");
            lab.link(cli, CLIENT + "/24", rtr, ROUTER + "/24");
            Netns.Link far = lab.link(rtr, "198.18.1.254/24", srv, SERVER + "/24");
            lab.address(srv, far.devB(), DROPPED_HOST + "/24");
            lab.address(srv, far.devB(), PROHIBITED_HOST + "/24");
            lab.ip(rtr, "link", "set", far.devA(), "mtu", String.valueOf(FAR_MTU));
            lab.ip(srv, "link", "set", far.devB(), "mtu", String.valueOf(FAR_MTU));
            lab.route(cli, "198.18.1.0/24", ROUTER);
            lab.route(cli, "198.19.0.0/16", ROUTER);
            lab.route(srv, "198.18.0.0/24", "198.18.1.254");
            lab.exec(rtr, "sysctl", "-q", "-w", "net.ipv4.ip_forward=1").orThrow();
            // no ICMP rate limit in the lab: a trace or a scan asks for many errors at once
            for (String ns : new String[] {rtr, srv}) {
                lab.exec(ns, "sysctl", "-q", "-w", "net.ipv4.icmp_ratelimit=0").orThrow();
            }
            lab.exec(rtr, "iptables", "-A", "FORWARD", "-d", DROPPED_HOST, "-j", "DROP").orThrow();
            lab.exec(rtr, "iptables", "-A", "FORWARD", "-d", PROHIBITED_HOST, "-j", "REJECT", "--reject-with", "icmp-admin-prohibited").orThrow();
            return new PathLab(lab, cli, rtr, srv);
        } catch (RuntimeException e) {
            lab.close();
            throw e;
        }
    }

    RunProbeMain.Line probe(Class<? extends Probe> probe, String... keyValues) {
        return RunProbeMain.runIn(lab, client, probe, keyValues);
    }

    /**
     * Like {@link #probe}, in a JVM started through {@code env} with the given variables ({@code PATH=...})
     * and JVM options ({@code --illegal-native-access=deny}): how a test takes tools or native access away.
     */
    RunProbeMain.Line probe(List<String> env, List<String> jvmOptions, Class<? extends Probe> probe, String... keyValues) {
        List<String> c = new ArrayList<>(List.of("env"));
        c.addAll(env);
        c.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        c.addAll(jvmOptions);
        c.addAll(List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
                RunProbeMain.class.getName(), probe.getName()));
        c.addAll(List.of(keyValues));
        Netns.Result r = lab.exec(Duration.ofSeconds(60), client, c.toArray(String[]::new)).orThrow();
        return RunProbeMain.Line.parse(r.out(), r.err());
    }

    @Override
    public void close() {
        lab.close();
    }
}
