package dev.reach.plugins.host;

import dev.reach.spi.Addresses;
import dev.reach.plugins.host.ProcNetSockets.Sock;
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

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Summarises TCP connections: their states toward a destination (SYN_SENT stuck, TIME_WAIT piling up), the clients
 * of a local port by state (a listener's, which are never taken for outgoing connections),
 * how much of the ephemeral port range one destination uses (each connection to the same address and
 * port needs its own local port), and the conntrack table against its maximum.
 *
 * <pre>
 * $ reach probe sockets.summary host=198.18.0.2 port=8080
 * fail [ports.exhausted]: connections to 198.18.0.2:8080 use 10 of the 10 ephemeral ports (40000-40009): new connects fail ...
 * </pre>
 */
@Extension
public final class SocketsSummaryProbe implements Probe {

    static final ProbeSpec SPEC = ProbeSpec.builder("sockets.summary", "Counts connections by state, ephemeral port use and conntrack entries")
            .param(Param.host("host", "destination to count connections toward (default: the busiest one)"))
            .param(Param.port("port", "destination port (with host)"))
            .param(Param.port("local_port", "a port of this host whose clients to count by state (reach listen's port)"))
            .fact("states", "map", "TCP connections toward the destination by state")
            .fact("destination", "string", "the destination counted (given, or the one using most local ports)")
            .fact("ports_used", "integer", "ephemeral ports in use toward the destination")
            .fact("port_range", "string", "net.ipv4.ip_local_port_range")
            .fact("time_wait", "integer", "TIME_WAIT sockets on the host")
            .fact("conntrack_count", "integer", "nf_conntrack_count (absent without conntrack)")
            .fact("conntrack_max", "integer", "nf_conntrack_max")
            .fact("clients", "map", "connections to local_port by state (with local_port)")
            .needs(Needs.NOTHING)
            .example("reach probe sockets.summary host=198.18.0.2 port=5432")
            .example("reach probe sockets.summary")
            .example("reach probe sockets.summary local_port=5432")
            .about("Connection states toward a destination, a local port's clients, ephemeral port use, conntrack use "
                    + "(`ports.exhausted`, `conntrack.full`).")
            .causes("conntrack.full", "ports.exhausted")
            .build();

    /**
     * What the judgement reads: the destination counted and its connections' states, the ephemeral ports they use
     * of the range, conntrack's count and maximum (-1 unknown), and the clients of {@code localPort} by state
     * ({@code localPort} 0 and {@code clients} empty when none was asked for).
     */
    record Input(String destination, Map<String, Long> states, long portsUsed, int rangeFrom, int rangeTo, long conntrackCount,
                 long conntrackMax, int localPort, Map<String, Long> clients) {
        Input(String destination, Map<String, Long> states, long portsUsed, int rangeFrom, int rangeTo, long conntrackCount, long conntrackMax) {
            this(destination, states, portsUsed, rangeFrom, rangeTo, conntrackCount, conntrackMax, 0, Map.of());
        }

        long rangeSize() {
            return rangeTo - rangeFrom + 1L;
        }
    }

    @Override
    public ProbeSpec spec() {
        return SPEC;
    }

    @Override
    public Observation run(ProbeContext ctx, Params params) {
        List<Sock> socks = new ArrayList<>();
        List<String> evidence = new ArrayList<>();
        for (String f : List.of("tcp", "tcp6")) {
            try {
                List<String> bad = new ArrayList<>();
                socks.addAll(ProcNetSockets.parse(Files.readString(Path.of("/proc/net", f)), f, bad));
                bad.stream().limit(3).forEach(b -> evidence.add("/proc/net/" + f + ": skipped a line that does not parse: " + b));
            } catch (IOException e) {
                evidence.add("/proc/net/" + f + " cannot be read: " + e.getMessage());
            }
        }
        String[] range = SysClassNet.value(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).split("\\s+");
        boolean known = range.length == 2 && range[0].matches("\\d{1,5}") && range[1].matches("\\d{1,5}");
        int from = known ? Integer.parseInt(range[0]) : 32768; // the kernel's default when unreadable
        int to = known ? Integer.parseInt(range[1]) : 60999;
        // a connection on the local port of a listener is a client's, whatever the range says: not outgoing
        Set<Integer> listening = socks.stream().filter(Sock::listening).map(Sock::localPort).collect(Collectors.toSet());
        List<Sock> outgoing = socks.stream().filter(s -> !s.listening() && s.remotePort() != 0 && s.localPort() >= from
                && s.localPort() <= to && !listening.contains(s.localPort())).toList();
        int localPort = params.has("local_port") ? params.port("local_port") : 0;
        Map<String, Long> clients = new TreeMap<>(socks.stream().filter(s -> localPort > 0 && !s.listening() && s.remotePort() != 0
                && s.localPort() == localPort).collect(Collectors.groupingBy(Sock::stateName, Collectors.counting())));
        String dest;
        List<Sock> toward;
        if (params.has("host")) {
            InetAddress h;
            try {
                h = InetAddress.getByName(params.string("host"));
            } catch (IOException e) {
                return Observation.fail(params.string("host") + " did not resolve; run a DNS check first").build();
            }
            Integer port = params.has("port") ? params.port("port") : null;
            toward = socks.stream().filter(s -> s.remote().equals(h) && (port == null || s.remotePort() == port)).toList();
            dest = port == null ? Addresses.text(h) : Addresses.endpoint(h, port);
        } else {
            Map<String, List<Sock>> byDest = outgoing.stream().collect(Collectors.groupingBy(s -> Addresses.endpoint(s.remote(), s.remotePort())));
            var busiest = byDest.entrySet().stream().max(Comparator.comparingInt(e -> e.getValue().size()));
            dest = busiest.map(Map.Entry::getKey).orElse("");
            toward = busiest.map(Map.Entry::getValue).orElse(List.of());
        }
        Map<String, Long> states = new TreeMap<>(toward.stream().collect(Collectors.groupingBy(Sock::stateName, Collectors.counting())));
        long used = toward.stream().filter(s -> s.localPort() >= from && s.localPort() <= to).map(Sock::localPort).distinct().count();
        long ctCount = parse(SysClassNet.value(Path.of("/proc/sys/net/netfilter/nf_conntrack_count")));
        long ctMax = parse(SysClassNet.value(Path.of("/proc/sys/net/netfilter/nf_conntrack_max")));
        long timeWait = socks.stream().filter(s -> s.state() == ProcNetSockets.TCP_TIME_WAIT).count();
        Judgement c = classify(new Input(dest, states, used, from, to, ctCount, ctMax, localPort, clients));
        if (localPort > 0) evidence.add("clients of port " + localPort + ": " + text(clients));
        evidence.add("toward " + (dest.isEmpty() ? "(no outgoing connection)" : dest) + ": " + text(states) + ", " + used
                + " local ports of " + from + "-" + to);
        evidence.add("TIME_WAIT on this host: " + timeWait + "; sockets read: " + socks.size());
        if (ctMax > 0) {
            evidence.add("conntrack " + ctCount + " of " + ctMax);
        }
        toward.stream().filter(s -> s.state() == ProcNetSockets.TCP_SYN_SENT).limit(3).forEach(s -> evidence.add(s.text()));
        Observation.Builder b = c.observation().fact("states", states)
                .fact("destination", dest.isEmpty() ? null : dest).fact("ports_used", used).fact("port_range", from + "-" + to)
                .fact("time_wait", timeWait).fact("conntrack_count", ctMax > 0 ? ctCount : null).fact("conntrack_max", ctMax > 0 ? ctMax : null)
                .fact("clients", localPort > 0 ? clients : null);
        evidence.forEach(b::evidence);
        return b.build();
    }

    /** Conntrack or ephemeral ports at 90% fail; connections stuck in SYN_SENT warn. Pure. */
    static Judgement classify(Input in) {
        if (in.conntrackMax() > 0 && in.conntrackCount() * 10 >= in.conntrackMax() * 9) {
            return new Judgement(Status.FAIL, "conntrack.full", "the conntrack table holds " + in.conntrackCount() + " of "
                    + in.conntrackMax() + " entries: new connections are dropped; raise net.netfilter.nf_conntrack_max and find the flood");
        }
        if (in.portsUsed() * 10 >= in.rangeSize() * 9) {
            return new Judgement(Status.FAIL, "ports.exhausted", "connections to " + in.destination() + " use " + in.portsUsed() + " of the "
                    + in.rangeSize() + " ephemeral ports (" + in.rangeFrom() + "-" + in.rangeTo() + ")" + (in.states().containsKey("TIME_WAIT")
                    ? ", " + in.states().get("TIME_WAIT") + " of them in TIME_WAIT" : "")
                    + ": new connects fail with EADDRNOTAVAIL; reuse connections (pooling, keep-alive) or widen net.ipv4.ip_local_port_range");
        }
        long syn = in.states().getOrDefault("SYN_SENT", 0L);
        if (syn > 0) {
            return new Judgement(Status.WARN, null, syn + " connection(s) to " + in.destination() + " wait in SYN_SENT: "
                    + "the destination does not answer the SYN (filtered or down); run tcp.connect to it");
        }
        String clients = in.localPort() > 0 ? "clients of port " + in.localPort() + ": " + text(in.clients()) + "; " : "";
        if (in.destination().isEmpty()) {
            return new Judgement(Status.OK, null, clients + "no outgoing TCP connection uses an ephemeral port");
        }
        return new Judgement(Status.OK, null, clients + "outgoing connections to " + in.destination() + ": " + text(in.states())
                + "; " + in.portsUsed() + " of " + in.rangeSize() + " ephemeral ports in use");
    }

    /** Connection counts by state as people read them: {@code ESTABLISHED 3, TIME_WAIT 1}, or {@code none}. */
    static String text(Map<String, Long> states) {
        return states.isEmpty() ? "none" : states.entrySet().stream().map(e -> e.getKey() + " " + e.getValue())
                .collect(Collectors.joining(", "));
    }

    private static long parse(String s) {
        try {
            return Long.parseLong(s.strip());
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
