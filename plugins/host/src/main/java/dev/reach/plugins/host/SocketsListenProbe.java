package dev.reach.plugins.host;

import dev.reach.spi.Addresses;
import dev.reach.plugins.host.ProcNetSockets.Sock;
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
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Says who listens on a port and how: bound addresses, owning process, accept queue against the
 * backlog, and whether the kernel is dropping connections because the queue is full (ListenOverflows and
 * ListenDrops from /proc/net/netstat, sampled twice). Reads /proc/net/{tcp,tcp6,udp,udp6} of the
 * network namespace it runs in; the backlog comes from {@code ss} when it is installed.
 *
 * <pre>
 * $ reach probe sockets.listen port=8080
 * fail [listen.localhost-only]: tcp port 8080 listens on 127.0.0.1:8080 only: other machines cannot connect; ...
 *   tcp LISTEN 127.0.0.1:8080 recv-q 0 send-q 0 uid 0 inode 90817 owner python3 (pid 4242)
 * </pre>
 */
@Extension
public final class SocketsListenProbe implements Probe {

    static final ProbeSpec SPEC = ProbeSpec.builder("sockets.listen", "Finds who listens on a port, on which addresses, and whether its accept queue overflows")
            .param(Param.port("port", "the port the service should listen on").required())
            .param(Param.choice("proto", "tcp or udp", "tcp", "udp").defaultValue("tcp"))
            .param(Param.host("host", "the address clients connect to (judges a bind to one address); default: any"))
            .param(Param.duration("interval", "time between the two samples of the overflow counters; 0ms samples once")
                    .defaultValue("1s").range("0ms", "10s"))
            .fact("outcome", "string", "listening, none, localhost-only, elsewhere or overflow")
            .fact("addresses", "list", "local address:port of each listening socket")
            .fact("owners", "list", "process (pid) holding each listening socket, where visible")
            .fact("accept_queue", "integer", "connections waiting to be accepted (Recv-Q of the listener), the largest")
            .fact("backlog", "integer", "the listener's accept queue limit (Send-Q in ss), when ss is installed")
            .fact("listen_overflows", "integer", "TcpExt ListenOverflows of this network namespace")
            .fact("listen_drops", "integer", "TcpExt ListenDrops of this network namespace")
            .fact("overflows_delta", "integer", "ListenOverflows growth between the two samples")
            .fact("drops_delta", "integer", "ListenDrops growth between the two samples")
            .needs(Needs.NOTHING.withNote("owners of other users' processes: root"))
            .example("reach probe sockets.listen port=5432")
            .example("reach probe sockets.listen port=53 proto=udp")
            .about("Who listens on a port: addresses, owner process, accept queue vs backlog, ListenOverflows sampled "
                    + "twice (`listen.none`, `listen.localhost-only`, `listen.overflow`).")
            .causes("listen.localhost-only", "listen.none", "listen.overflow")
            .build();

    /** One listening socket as classify needs it; backlog -1 when unknown. */
    record Listener(String endpoint, boolean loopback, boolean wildcard, InetAddress address, long acceptQueue, long backlog) {
    }

    record Input(int port, String proto, InetAddress host, List<Listener> listeners, long overflowsDelta, long dropsDelta,
                 long intervalMs) {
    }

    @Override
    public ProbeSpec spec() {
        return SPEC;
    }

    @Override
    public Observation run(ProbeContext ctx, Params params) throws InterruptedException {
        int port = params.port("port");
        String proto = params.string("proto");
        InetAddress host = null;
        if (params.has("host")) {
            try {
                host = InetAddress.getByName(params.string("host"));
            } catch (IOException e) {
                return Observation.fail(params.string("host") + " did not resolve; run a DNS check first").fact("outcome", "error").build();
            }
        }
        List<String> evidence = new ArrayList<>();
        Duration asked = params.duration("interval");
        Duration interval = asked.isZero() ? Duration.ZERO : ctx.bound(asked);
        Map<String, Long> before = counters(evidence);
        List<Sock> first = listeners(proto, port, evidence);
        boolean sampled = proto.equals("tcp") && !interval.isZero() && !first.isEmpty();
        if (sampled) {
            ctx.progress("sampling ListenOverflows for " + ParamType.format(interval));
            Thread.sleep(interval);
        }
        Map<String, Long> after = counters(new ArrayList<>());
        List<Sock> socks = first.isEmpty() ? first : listeners(proto, port, new ArrayList<>());
        Map<String, Long> backlogs = proto.equals("tcp") ? backlogs(ctx, port) : Map.of();
        var owners = SocketOwners.find(Path.of("/proc"), socks.stream().map(Sock::inode).collect(Collectors.toSet()));

        List<Listener> listeners = new ArrayList<>();
        List<String> ownerTexts = new ArrayList<>();
        for (Sock s : socks) {
            String endpoint = Addresses.endpoint(s.local(), s.localPort());
            var owner = owners.owners().get(s.inode());
            ownerTexts.add(owner == null ? "unknown" : owner.text());
            listeners.add(new Listener(endpoint, s.local().isLoopbackAddress(), s.local().isAnyLocalAddress(), s.local(),
                    s.rxQueue(), backlogs.getOrDefault(endpoint, -1L)));
            evidence.add(s.text() + (backlogs.containsKey(endpoint) ? " backlog " + backlogs.get(endpoint) : "")
                    + " owner " + (owner == null ? "unknown" : owner.text()));
        }
        if (owners.owners().size() < socks.size() && owners.denied() > 0) {
            evidence.add("owner not found for every socket: " + owners.denied() + " processes could not be read"
                    + (ctx.privileges().root() ? "" : " (run as root to see other users' processes)"));
        }
        long overflows = after.getOrDefault("TcpExt.ListenOverflows", -1L);
        long drops = after.getOrDefault("TcpExt.ListenDrops", -1L);
        long dOver = overflows - before.getOrDefault("TcpExt.ListenOverflows", overflows);
        long dDrops = drops - before.getOrDefault("TcpExt.ListenDrops", drops);
        if (proto.equals("tcp") && overflows >= 0 && !socks.isEmpty()) {
            evidence.add(sampled ? "TcpExt ListenOverflows " + (overflows - dOver) + " -> " + overflows + ", ListenDrops "
                    + (drops - dDrops) + " -> " + drops + " over " + ParamType.format(interval)
                    : "TcpExt ListenOverflows " + overflows + ", ListenDrops " + drops + " (sampled once)");
        }
        Judgement c = classify(new Input(port, proto, host, listeners, dOver, dDrops, interval.toMillis()));
        Observation.Builder b = c.observation()
                .fact("addresses", listeners.stream().map(Listener::endpoint).toList()).fact("owners", ownerTexts);
        if (proto.equals("tcp") && !listeners.isEmpty()) {
            b.fact("accept_queue", listeners.stream().mapToLong(Listener::acceptQueue).max().orElse(0));
            listeners.stream().mapToLong(Listener::backlog).filter(x -> x >= 0).max().ifPresent(x -> b.fact("backlog", x));
        }
        if (proto.equals("tcp") && overflows >= 0 && !socks.isEmpty()) {
            b.fact("listen_overflows", overflows).fact("listen_drops", drops).fact("overflows_delta", dOver).fact("drops_delta", dDrops);
        }
        evidence.forEach(b::evidence);
        return b.build();
    }

    /** From the listening sockets and the counter growth to status and cause. Pure. */
    static Judgement classify(Input in) {
        String what = in.proto() + " port " + in.port();
        if (in.listeners().isEmpty()) {
            return new Judgement(Status.FAIL, "listen.none", "none", "nothing listens on " + what
                    + ": the service is stopped, failed, or listens on another port; check its unit (service.status) and its config");
        }
        String bound = in.listeners().stream().map(Listener::endpoint).distinct().collect(Collectors.joining(", "));
        boolean hostIsLoopback = in.host() != null && in.host().isLoopbackAddress();
        if (in.listeners().stream().allMatch(Listener::loopback) && !hostIsLoopback) {
            return new Judgement(Status.FAIL, "listen.localhost-only", "localhost-only", what + " listens on " + bound
                    + " only: other machines cannot connect; set the service's bind address to 0.0.0.0 (or the host's address)");
        }
        if (in.host() != null && in.listeners().stream().noneMatch(l -> l.wildcard() || l.address().equals(in.host()))) {
            return new Judgement(Status.FAIL, null, "elsewhere", what + " listens on " + bound + " but not on "
                    + Addresses.text(in.host()) + ": connections to that address are refused; fix the service's bind address");
        }
        Listener fullest = in.listeners().stream().max(java.util.Comparator.comparingLong(Listener::acceptQueue)).orElseThrow();
        boolean full = fullest.backlog() >= 0 && fullest.acceptQueue() > 0 && fullest.acceptQueue() >= fullest.backlog();
        boolean rising = in.overflowsDelta() > 0 || in.dropsDelta() > 0;
        String queue = "accept queue " + fullest.acceptQueue() + (fullest.backlog() >= 0 ? " of backlog " + fullest.backlog() : "");
        String counters = "ListenOverflows +" + in.overflowsDelta() + ", ListenDrops +" + in.dropsDelta() + " in " + in.intervalMs() + "ms";
        String fix = ": the application does not accept connections fast enough; raise its listen backlog and "
                + "net.core.somaxconn, and find why it stalls";
        if (full || rising && fullest.backlog() < 0 && fullest.acceptQueue() > 0) {
            return new Judgement(Status.FAIL, "listen.overflow", "overflow", what + " on " + fullest.endpoint() + " is full ("
                    + queue + "; " + counters + (rising ? "" : ", no new connection arrived while sampling") + ")" + fix);
        }
        if (rising) {
            return new Judgement(Status.WARN, null, "listening", what + " listens on " + bound + " (" + queue + "), but "
                    + counters + ": another listener in this network namespace overflows");
        }
        return new Judgement(Status.OK, null, "listening", what + " listens on " + bound
                + (in.proto().equals("tcp") ? " (" + queue + ")" : ""));
    }

    private static List<Sock> listeners(String proto, int port, List<String> evidence) {
        List<Sock> out = new ArrayList<>();
        for (String file : List.of(proto, proto + "6")) {
            Path p = Path.of("/proc/net", file);
            try {
                List<String> bad = new ArrayList<>();
                ProcNetSockets.parse(Files.readString(p), file, bad).stream()
                        .filter(s -> s.listening() && s.localPort() == port).forEach(out::add);
                bad.stream().limit(3).forEach(b -> evidence.add(p + ": skipped a line that does not parse: " + b));
            } catch (IOException e) {
                evidence.add(p + " cannot be read (" + e.getMessage() + "); IPv" + (file.endsWith("6") ? "6" : "4") + " not checked");
            }
        }
        return out;
    }

    private static Map<String, Long> counters(List<String> evidence) {
        try {
            List<String> bad = new ArrayList<>();
            Map<String, Long> m = NetstatCounters.parse(Files.readString(Path.of("/proc/net/netstat")), bad);
            bad.stream().limit(3).forEach(b -> evidence.add("/proc/net/netstat: skipped what does not parse: " + b));
            return m;
        } catch (IOException e) {
            evidence.add("/proc/net/netstat cannot be read: " + e.getMessage());
            return Map.of();
        }
    }

    /**
     * The endpoint of an ss "Local Address:Port" as this probe writes it for /proc's sockets: {@code *:80} is
     * {@code [::]:80}, a scope ({@code %lo}) goes, and an IPv4-mapped address ({@code [::ffff:127.0.0.1]:8080}, a dual-stack
     * socket bound to an IPv4 address: how the JDK binds one) is the IPv4 one, as /proc's tcp6 entry reads. Pure.
     */
    static String endpoint(String ssLocal) {
        if (ssLocal.startsWith("*:")) return "[::]" + ssLocal.substring(1);
        return ssLocal.replaceAll("%[^\\]:]+", "").replaceFirst("^\\[::ffff:(\\d+\\.\\d+\\.\\d+\\.\\d+)]", "$1");
    }

    /** Backlog (Send-Q of a listener in ss) by endpoint; empty when ss is missing. */
    private static Map<String, Long> backlogs(ProbeContext ctx, int port) {
        Map<String, Long> out = new HashMap<>();
        if (ctx.privileges().tool("ss").isEmpty()) {
            return out;
        }
        Exec ss = Exec.run(ctx, Duration.ofSeconds(3), "ss", "-Hltn", "sport = :" + port);
        for (String line : ss.out().lines().toList()) {
            String[] f = line.trim().split("\\s+");
            if (f.length >= 4 && f[0].equals("LISTEN") && f[2].matches("\\d+")) {
                out.put(endpoint(f[3]), Long.parseLong(f[2]));
                if (f[3].startsWith("*:")) {
                    out.put("0.0.0.0" + f[3].substring(1), Long.parseLong(f[2]));
                }
            }
        }
        return out;
    }
}
