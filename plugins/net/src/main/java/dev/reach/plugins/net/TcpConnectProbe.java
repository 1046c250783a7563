package dev.reach.plugins.net;

import dev.reach.spi.Addresses;
import dev.reach.spi.Failures;
import dev.reach.spi.Judgement;
import dev.reach.spi.Millis;
import dev.reach.spi.Needs;
import dev.reach.spi.Observation;
import dev.reach.spi.Param;
import dev.reach.spi.ParamType;
import dev.reach.spi.Params;
import dev.reach.spi.Probe;
import dev.reach.spi.ProbeContext;
import dev.reach.spi.ProbeSpec;
import dev.reach.spi.Status;
import dev.reach.spi.Tcp;
import org.pf4j.Extension;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Opens a TCP connection to {@code host:port} and says how the kernel answered: accepted, refused (RST),
 * no answer (filtered), or which kind of unreachable.
 *
 * <pre>
 * $ reach probe tcp.connect host=127.0.0.1 port=5
 * fail [tcp.refused]: 127.0.0.1:5 refused the connection: nothing listens there, or a firewall rejects it with a TCP reset
 *   connect 127.0.0.1:5 -> Connection refused (RST)
 * $ reach probe tcp.connect host=198.18.0.2 port=83 timeout=500ms
 * fail [tcp.filtered]: 198.18.0.2:83 gave no answer within 500ms: a firewall drops it, or the host is down
 *   connect 198.18.0.2:83 -> no answer within 500ms (SYN unanswered)
 * </pre>
 *
 * <p>The kernel reports ICMP rejections as errno values, which lose detail: IPv4 host-prohibited and
 * admin-prohibited both arrive as EHOSTUNREACH, ICMP net-unreachable as ENETUNREACH (like a missing local
 * route), and IPv6 admin-prohibited as EACCES. So on those errnos the probe connects once more on a socket
 * with IP_RECVERR ({@link ConnectIcmp}) and reads the ICMP type/code and its sender from the error queue.
 */
@Extension
public final class TcpConnectProbe implements Probe {

    static final ProbeSpec SPEC = ProbeSpec.builder("tcp.connect", "Opens a TCP connection and says how the kernel answered")
            .param(Param.host("host", "name or address to connect to").required())
            .param(Param.port("port", "TCP port").required())
            .param(Param.duration("timeout", "how long to wait for the handshake").defaultValue("3s").range("1ms", "5m"))
            .param(Param.choice("family", "address family: any, 4 (IPv4 only) or 6 (IPv6 only)", "any", "4", "6")
                    .defaultValue("any"))
            .param(Param.choice("wait", "adaptive: beside the SYN ask the host otherwise (ICMP echo, other_ports); once it answers, a SYN "
                    + "unanswered for max(250ms, 20 round trips) is dropped; with no answer at all wait 1.5s; full: wait the whole timeout",
                    "adaptive", "full").defaultValue("adaptive"))
            .param(Param.ports("other_ports", "other ports asked beside the SYN (adaptive), to see the host is up and measure its round trip"))
            .fact("outcome", "string", "ok, refused, timeout, host-unreachable, network-unreachable, prohibited, local-firewall, unresolved or error")
            .fact("address", "string", "the IP address tried (the first of the wanted family)")
            .fact("addresses", "list", "every address the host resolved to")
            .fact("local", "string", "local address:port of the connection, on success")
            .fact("remote", "string", "the address:port tried")
            .fact("connect_ms", "number", "time from the first SYN to the kernel's answer")
            .fact("syns_lost", "integer", "on success: SYNs that went unanswered before one connected (the kernel's"
                    + " retransmissions, and a first SYN a second one from another port overtook)")
            .fact("resolve_ms", "number", "time to resolve the name (names only)")
            .fact("icmp", "string", "on unreachable: the ICMP error the kernel queued, e.g. 'ICMP 3/13 admin-prohibited from 198.18.0.254'")
            .fact("icmp_from", "string", "on unreachable: the address that sent that ICMP error")
            .fact("alive", "boolean", "adaptive: something else on the host answered (ICMP echo or another port)")
            .fact("alive_by", "string", "what answered: 'ICMP echo reply', 'port 22 refused (RST)'")
            .fact("alive_rtt_ms", "number", "that answer's round trip, which the SYN's wait is measured against")
            .fact("other_ports", "list", "what each other port said: '22 refused', '80 open in 0.3ms', '443 silent'")
            .fact("waited_ms", "integer", "how long the unanswered SYN was waited for")
            .needs(Needs.NOTHING)
            .example("reach probe tcp.connect host=db01 port=5432 timeout=2s")
            .example("reach probe tcp.connect host=::1 port=22 family=6")
            .about("Opens a TCP connection and says how the kernel answered: ok, refused (`tcp.refused`), no answer "
                    + "(`tcp.filtered`), host unreachable (`host.unreachable`), no route (`route.none`), prohibited "
                    + "(`admin.prohibited`), stopped by this host's own firewall (`firewall.local`: EPERM, or ICMP port-"
                    + "unreachable from itself), name not resolved. A refusal by ICMP port-unreachable instead of a reset "
                    + "is named as a REJECT rule and its sender. It reads the ICMP error queued on its own socket "
                    + "(IP_RECVERR) to name the sender and tell `admin.prohibited`, a router's `net.unreachable` / "
                    + "`host.unreachable` and this host's own ARP failure apart. With `wait=adaptive` (the default) it asks"
                    + " the host otherwise beside the SYN (an ICMP echo, `other_ports`), and once anything answers a SYN "
                    + "silent for max(250 ms, 20 round trips), resent once halfway, is dropped; `wait=full` waits the whole"
                    + " timeout. Once connected, `syns_lost` counts the SYNs that went unanswered first (the kernel's"
                    + " retransmissions, and a first SYN the second overtook). IPv4 and IPv6.")
            .causes("admin.prohibited", "firewall.local", "host.unreachable", "net.unreachable", "route.none",
                    "tcp.filtered", "tcp.refused")
            .build();

    /** Lends other plugins what this probe hears on an unreachable connect, through the SPI's {@link Tcp#connect}. */
    public TcpConnectProbe() {
        Tcp.icmpReader((to, wait) -> ConnectIcmp.read(to, wait).map(e -> e.spi(isLocal(e))));
    }

    @Override
    public ProbeSpec spec() {
        return SPEC;
    }

    @Override
    public void prepare() {
        NativeSocket.prepare();
    }

    @Override
    public Observation run(ProbeContext ctx, Params params) {
        String host = params.string("host");
        int port = params.port("port");
        String family = params.string("family");
        boolean literal = isLiteral(host);

        ctx.progress("resolving " + host);
        long t0 = System.nanoTime();
        InetAddress[] all;
        try {
            all = InetAddress.getAllByName(host);
        } catch (UnknownHostException e) {
            Duration took = since(t0);
            return classify(e, host, params.duration("timeout"), took).observation().fact("resolve_ms", Millis.of(took)).build();
        }
        Duration resolveTime = since(t0);
        List<String> addresses = Arrays.stream(all).map(Addresses::text).toList();
        List<InetAddress> wanted = Arrays.stream(all)
                .filter(a -> family.equals("any") || family.equals("4") == (a instanceof Inet4Address)).toList();
        if (wanted.isEmpty()) {
            return noAddressOfFamily(host, family, literal, addresses);
        }

        InetSocketAddress remote = new InetSocketAddress(wanted.getFirst(), port);
        String target = Addresses.endpoint(remote.getAddress(), port);
        Duration wait = ctx.bound(params.duration("timeout"));
        boolean adaptive = params.string("wait").equals("adaptive");
        List<Integer> others = params.has("other_ports")
                ? params.ports("other_ports").stream().filter(x -> x != port).distinct().limit(8).toList() : List.of();
        ctx.progress("connecting to " + target);
        SynRace.Result race;
        try {
            race = new SynRace(ctx, remote, others, adaptive, wait).run();
        } catch (NativeSocket.Failure | RuntimeException e) {
            return Observation.error("cannot connect to " + target + ": " + e.getMessage()
                    + (e instanceof IllegalCallerException ? " (native access is off: run reach with --enable-native-access)" : ""))
                    .fact("outcome", "error").build();
        }
        Throwable failure = failure(race.errno());
        String local = race.local();
        Duration took = Duration.ofNanos(Math.round(race.connectMs() * 1e6));
        if (Thread.currentThread().isInterrupted() || ctx.cancelled() && race.errno() < 0) {
            return Observation.error("cancelled while connecting to " + target).fact("outcome", "error").build();
        }

        Judgement c = classify(failure, target, race.errno() < 0 && adaptive ? took : wait, took);
        if (race.errno() < 0 && adaptive) {
            c = new Judgement(c.status(), c.cause(), c.outcome(), waited(race, target, others), c.evidence());
        }
        IcmpError heard = null;
        if ("tcp.refused".equals(c.cause()) && race.icmp() != null && "port-unreachable".equals(race.icmp().kind())) {
            heard = race.icmp(); // not a listening stack's reset: a REJECT rule's ICMP
            c = rejected(c, heard, target, isLocal(heard));
        } else if (Tcp.refinable(c.cause()) && !ctx.cancelled()) {
            ctx.progress("reading the ICMP error from " + target);
            heard = race.icmp() != null ? race.icmp() : ConnectIcmp.read(remote, ctx.bound(params.duration("timeout"))).orElse(null);
            c = refine(c, heard, target, isLocal(heard));
            if (race.icmpVia() != null && heard == race.icmp()) {
                c = new Judgement(c.status(), c.cause(), c.outcome(), c.summary() + ", heard for " + race.icmpVia()
                        + " (none came about the SYN itself: a router rate-limits its errors, or drops the SYN silently)",
                        "connect " + target + " -> no answer to the SYN within " + Millis.human(took) + "; the router's word on the host decides");
            }
        }
        Observation.Builder b = Observation.of(c.status(), c.summary()).cause(c.cause()).fact("outcome", c.outcome());
        if (heard != null) {
            String on = race.icmpVia() != null && heard == race.icmp() ? "for " + race.icmpVia()
                    : heard == race.icmp() ? "on the connect" : "on a second connect";
            b.evidence("IP_RECVERR " + on + " -> " + heard.describe())
                    .fact("icmp", heard.describe());
            if (heard.offender() != null) b.fact("icmp_from", Addresses.text(heard.offender()));
        }
        if (!literal) {
            b.evidence("resolve " + host + " -> " + String.join(", ", addresses) + " in " + Millis.human(resolveTime))
                    .fact("resolve_ms", Millis.of(resolveTime));
        }
        if (adaptive) {
            b.fact("alive", race.alive()).fact("alive_by", race.aliveBy()).fact("alive_rtt_ms", race.alive() ? race.aliveMs() : null)
                    .fact("other_ports", race.ports().isEmpty() ? null : race.ports().stream().map(SynRace.Port::text).toList());
            if (race.errno() < 0) b.fact("waited_ms", Math.round(race.connectMs()));
            if (!race.ports().isEmpty()) b.evidence("other ports: " + String.join(", ", race.ports().stream().map(SynRace.Port::text).toList()));
            if (race.echo() != null) b.evidence(race.echo());
            if (race.retried() && race.errno() < 0) b.evidence("a second SYN, from another port, got no answer either");
        }
        if (race.errno() == 0) {
            b.fact("syns_lost", race.synsLost());
            if (race.synsLost() > 0) {
                b.evidence("connected after " + race.synsLost() + (race.synsLost() == 1 ? " SYN" : " SYNs") + " went unanswered ("
                        + Millis.human(took) + " to connect)");
            }
        }
        c.evidence().forEach(b::evidence); // last, after the lines above (Judgement.observation() would put it first)
        return b.fact("address", Addresses.text(remote.getAddress())).fact("addresses", addresses)
                .fact("local", local).fact("remote", target).fact("connect_ms", Millis.of(took)).build();
    }

    /**
     * A silent SYN, told with what the wait was measured against. Pure. The host answered otherwise: the SYN was
     * waited for max(250 ms, 20 round trips) and is dropped; nothing answered: it waited the silent limit.
     */
    static String waited(SynRace.Result r, String target, List<Integer> others) {
        String within = Endpoint.human(r.connectMs());
        if (r.alive()) {
            double measured = Math.max(SynRace.FLOOR_MS, SynRace.RTTS * r.aliveMs());
            String why = r.connectMs() < measured - 5 ? "the timeout"
                    : measured > SynRace.FLOOR_MS ? SynRace.RTTS + " such round trips"
                    : "the floor, above " + SynRace.RTTS + " such round trips";
            return target + " gave no answer to " + (r.retried() ? "two SYNs" : "a SYN") + " within " + within + ", while the host answered ("
                    + r.aliveBy() + " in " + Endpoint.human(r.aliveMs()) + "; " + within + " is " + why
                    + "): a firewall drops the port, or its accept queue is full";
        }
        List<String> asked = new ArrayList<>();
        if (r.echo() == null) asked.add("ICMP echo");
        if (!others.isEmpty()) asked.add("ports " + String.join(", ", others.stream().map(String::valueOf).toList()));
        return target + " gave no answer within " + within + (asked.isEmpty() ? "" : ", and nothing else on the host answered ("
                + String.join("; ", asked) + ")") + ": the host is down or isolated, or a firewall drops everything from here";
    }

    /** The JDK's exception for a connect's errno, so {@link #classify} reads native connects as it reads Java's. */
    static Throwable failure(int errno) {
        return switch (errno) {
            case 0 -> null;
            case -1 -> new SocketTimeoutException("Connect timed out");
            case Syscalls.ECONNREFUSED -> new java.net.ConnectException("Connection refused");
            case Syscalls.EHOSTUNREACH -> new NoRouteToHostException("No route to host");
            case Syscalls.ENETUNREACH -> new java.net.SocketException("Network is unreachable");
            case Syscalls.EACCES -> new java.net.SocketException("Permission denied");
            case Syscalls.EPERM -> new java.net.SocketException("Operation not permitted");
            case Syscalls.ETIMEDOUT -> new java.net.SocketException("Connection timed out");
            default -> new java.net.SocketException(Syscalls.errnoName(errno));
        };
    }

    /** What the raw outcome of resolving and connecting says: the SPI's {@link Tcp#judge}, which plugins share. Pure. */
    static Judgement classify(Throwable error, String target, Duration timeout, Duration elapsed) {
        return Tcp.judge(error, target, timeout, elapsed);
    }

    /** Sharpens an unreachable verdict with the ICMP error the kernel queued (IP_RECVERR): {@link Tcp#refine}. Pure. */
    static Judgement refine(Judgement c, IcmpError e, String target, boolean local) {
        return Tcp.refine(c, e == null ? null : e.spi(local), target);
    }

    /**
     * A refusal that came as ICMP port-unreachable, not as a reset: TCP stacks answer a closed port with a
     * reset, so this is a firewall's REJECT rule (iptables' default). Sent by this host: its own OUTPUT chain
     * ({@code firewall.local}); else the sender is named. Pure.
     */
    static Judgement rejected(Judgement c, IcmpError e, String target, boolean local) {
        if (!e.fromNetwork() || local) {
            return new Judgement(c.status(), "firewall.local", "local-firewall", target + " was refused by this host itself: "
                    + "its own firewall rejects the flow (an OUTPUT REJECT rule answered ICMP port-unreachable)", icmpNotRst(c));
        }
        String from = e.offender() == null ? "a firewall" : Addresses.text(e.offender());
        return new Judgement(c.status(), c.cause(), c.outcome(), target + " was refused by a firewall: " + from
                + " answered ICMP port-unreachable (a REJECT rule; a closed port answers with a reset)", icmpNotRst(c));
    }

    private static List<String> icmpNotRst(Judgement c) {
        return c.evidence().stream().map(line -> line.replace(" (RST)", " (ICMP port-unreachable, not a reset)")).toList();
    }

    private static boolean isLocal(IcmpError e) {
        try {
            return e != null && e.offender() != null
                    && (e.offender().isLoopbackAddress() || java.net.NetworkInterface.getByInetAddress(e.offender()) != null);
        } catch (java.net.SocketException ex) {
            return false;
        }
    }

    private static Observation noAddressOfFamily(String host, String family, boolean literal, List<String> addresses) {
        String wanted = "IPv" + family;
        if (literal) {
            return Observation.error("host=" + host + " is not an " + wanted + " address but family=" + family
                    + " asks for one; drop family or give an " + wanted + " address").fact("outcome", "error").build();
        }
        return Observation.fail(host + " has no " + wanted + " address (it resolves to " + String.join(", ", addresses)
                        + "); run a DNS check, or use family=any")
                .fact("outcome", "unresolved").fact("addresses", addresses)
                .evidence("resolve " + host + " -> " + String.join(", ", addresses) + "; none is " + wanted).build();
    }

    private static boolean isLiteral(String host) {
        try {
            InetAddress.ofLiteral(host);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static Duration since(long startNanos) {
        return Duration.ofNanos(System.nanoTime() - startNanos);
    }
}
