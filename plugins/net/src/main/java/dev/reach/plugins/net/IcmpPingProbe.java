package dev.reach.plugins.net;

import dev.reach.spi.Addresses;
import dev.reach.spi.Judgement;
import dev.reach.spi.Millis;
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
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

import static dev.reach.plugins.net.Syscalls.*;

/**
 * Sends ICMP echo requests and reports loss, round-trip times, the TTL of replies, and any ICMP error that
 * came back instead, with the address that sent it.
 *
 * <pre>
 * $ reach probe icmp.ping host=198.18.0.2 count=3
 * ok: 198.18.0.2 answered 3 of 3 echo requests (raw socket), rtt min/avg/max/mdev = 0.041/0.052/0.066/0.010 ms, ttl 64
 * $ reach probe icmp.ping host=198.18.1.2 count=2
 * fail [admin.prohibited]: no echo reply from 198.18.1.2: ICMP 3/13 admin-prohibited from 198.18.0.254 (2 of 2 requests)
 * </pre>
 *
 * <p>Method, in order: an ICMP datagram socket ({@code SOCK_DGRAM}/{@code IPPROTO_ICMP}, allowed to groups in
 * {@code net.ipv4.ping_group_range}); a raw socket (root or CAP_NET_RAW); the system {@code ping}. The fact
 * {@code method} says which one ran.
 */
@Extension
public final class IcmpPingProbe implements Probe {

    static final ProbeSpec SPEC = ProbeSpec.builder("icmp.ping", "Sends ICMP echo requests and reports loss, RTT and any ICMP error")
            .param(Param.host("host", "name or address to ping").required())
            .param(Param.integer("count", "echo requests to send").defaultValue(3).range(1, 1000))
            .param(Param.duration("interval", "time between requests").defaultValue("200ms").range("1ms", "1m"))
            .param(Param.integer("size", "payload bytes after the 8-byte ICMP header").defaultValue(56).range(0, 65000))
            .param(Param.bool("df", "set Don't Fragment (IPv4), never fragment locally (IPv6)").defaultValue(false))
            .param(Param.duration("timeout", "how long to wait for each reply").defaultValue("1s").range("1ms", "1m"))
            .param(Param.choice("family", "address family: any, 4 or 6", "any", "4", "6").defaultValue("any"))
            .param(Param.choice("method", "auto (ping socket, raw socket, system ping, in that order) or one of them",
                    "auto", "dgram", "raw", "system").defaultValue("auto"))
            .fact("outcome", "string", "ok, partial-loss, rate-limited (the first requests answered in a burst, then"
                    + " silence: a rate limit's shape, not random loss), no-reply, an ICMP kind (admin-prohibited,"
                    + " host-unreachable, ...), unresolved, error")
            .fact("replies", "string", "each request in order, ! answered and . not, as routers print a ping")
            .fact("method", "string", "dgram (ICMP datagram socket), raw (raw socket) or system (ping parsed)")
            .fact("address", "string", "the address pinged")
            .fact("sent", "integer", "echo requests sent")
            .fact("received", "integer", "echo replies received in time")
            .fact("loss_pct", "number", "percentage of requests without a reply")
            .fact("rtt_min_ms", "number", "fastest round trip").fact("rtt_avg_ms", "number", "mean round trip")
            .fact("rtt_max_ms", "number", "slowest round trip").fact("rtt_mdev_ms", "number", "mean deviation of round trips")
            .fact("ttl", "integer", "TTL (hop limit) of the last reply")
            .fact("failed_methods", "list", "the methods tried before the one that ran, with why each could not, e.g. 'dgram: socket: EACCES'")
            .fact("icmp_errors", "list", "ICMP errors received instead of replies, e.g. 'ICMP 3/13 admin-prohibited from 198.18.0.254'")
            .fact("error_from", "string", "the address that sent the first ICMP error")
            .needs(Needs.NOTHING.withNote("raw socket: root/CAP_NET_RAW, or ping_group_range; else `ping`"))
            .example("reach probe icmp.ping host=198.18.0.2 count=5 interval=100ms")
            .example("reach probe icmp.ping host=198.18.0.2 size=1472 df=true")
            .about("Sends ICMP echo: loss %, min/avg/max/mdev RTT, TTL, and any ICMP error received instead with its "
                    + "sender (`admin.prohibited`, `net.unreachable`, `host.unreachable`); `path.loss` on partial loss, but no cause when the"
                    + " first requests were answered in a burst and then none (`rate-limited`: an ICMP rate limit's shape);"
                    + " the replies in order as `!!!!....`. Ping socket, raw socket or system `ping`, saying which. IPv4 and IPv6.")
            .causes("path.loss", "admin.prohibited", "host.unreachable", "net.unreachable", "route.none", "udp.closed",
                    "mtu.blackhole")
            .build();

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
        InetAddress target;
        try {
            target = Addresses.resolve(host, p.string("family"));
        } catch (UnknownHostException e) {
            return Endpoint.unresolved(host, e);
        }
        int count = (int) p.integer("count");
        Duration interval = p.duration("interval");
        Duration timeout = p.duration("timeout");
        int size = (int) p.integer("size");
        boolean df = p.bool("df");
        String method = p.string("method");
        List<String> tried = new ArrayList<>();
        ctx.progress("pinging " + Addresses.text(target));

        EchoStats stats = null;
        try {
            for (String m : method.equals("auto") ? List.of("dgram", "raw", "system") : List.of(method)) {
                if (m.equals("system")) {
                    Optional<Path> ping = ctx.privileges().tool("ping");
                    if (ping.isEmpty()) {
                        tried.add("system: no ping on PATH");
                        continue;
                    }
                    Duration limit = ctx.bound(interval.multipliedBy(count).plus(timeout).plusSeconds(2));
                    stats = PingCommand.run(PingCommand.command(ping.get(), target, count, interval, size, df, timeout), count, limit);
                    if (stats == null) tried.add("system: " + ping.get() + " may not open an ICMP socket either");
                    break;
                }
                NativeSocket socket;
                try {
                    socket = open(target, m.equals("raw"));
                } catch (NativeSocket.Failure f) {
                    tried.add(m + ": " + f.getMessage());
                    continue;
                }
                try (socket) {
                    configure(socket, m.equals("raw"), df);
                    stats = echo(ctx, socket, m, target, count, interval, size, timeout);
                }
                break;
            }
        } catch (IOException e) {
            return Observation.error("pinging " + Addresses.text(target) + " failed: " + e.getMessage())
                    .fact("outcome", "error").evidence(String.join("; ", tried)).build();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Observation.error("cancelled while pinging " + Addresses.text(target)).fact("outcome", "error").build();
        }
        if (stats == null) {
            return Observation.skipped("cannot send ICMP echo here: " + String.join("; ", tried)
                    + "; run as root, give CAP_NET_RAW, widen net.ipv4.ping_group_range, or install ping").build();
        }
        Judgement c = classify(stats, Addresses.text(target), size, df);
        Observation.Builder b = c.observation()
                .fact("method", stats.method()).fact("address", Addresses.text(target))
                .fact("sent", stats.sent()).fact("received", stats.received()).fact("loss_pct", stats.lossPercent());
        if (stats.received() > 0) {
            b.fact("rtt_min_ms", EchoStats.round3(stats.min())).fact("rtt_avg_ms", EchoStats.round3(stats.avg()))
                    .fact("rtt_max_ms", EchoStats.round3(stats.max())).fact("rtt_mdev_ms", EchoStats.round3(stats.mdev()));
            if (stats.ttls().getLast() >= 0) b.fact("ttl", stats.ttls().getLast());
            b.evidence(stats.rttLine());
            String pattern = stats.pattern();
            if (pattern != null) {
                b.fact("replies", pattern);
                if (stats.received() < stats.sent()) b.evidence("replies in order (! answered, . not): " + pattern);
            }
        }
        if (!stats.errors().isEmpty()) {
            b.fact("icmp_errors", stats.errors().stream().map(IcmpError::describe).toList());
            IcmpError first = stats.errors().getFirst();
            if (first.offender() != null) b.fact("error_from", Addresses.text(first.offender()));
        }
        // how it got here is no evidence about the host: the text report shows facts with --verbose
        if (!tried.isEmpty()) b.fact("failed_methods", tried);
        return b.evidence("ping " + Addresses.text(target) + " by " + stats.method() + ": " + stats.sent() + " sent, "
                + stats.received() + " received, " + stats.lossPercent() + "% loss").build();
    }

    /**
     * Maps an echo round to status, cause and words. Pure. All answered: ok; some: warn with path.loss; none
     * but ICMP errors: fail with the error's cause (admin.prohibited, host.unreachable, net.unreachable);
     * none and silence: fail without a cause, since ping alone cannot tell a host that is down from a
     * firewall that drops echo.
     */
    static Judgement classify(EchoStats s, String target, int size, boolean df) {
        String how = " (" + switch (s.method()) {
            case "dgram" -> "ICMP datagram socket";
            case "raw" -> "raw socket";
            default -> "system ping";
        } + ")";
        String ttl = s.ttls().isEmpty() || s.ttls().getLast() < 0 ? "" : ", ttl " + s.ttls().getLast();
        if (s.received() > 0 && s.received() == s.sent()) {
            return new Judgement(Status.OK, null, "ok", target + " answered " + s.received() + " of " + s.sent()
                    + " echo requests" + how + ", " + s.rttLine() + ttl);
        }
        if (s.burstThenSilence() && s.errors().isEmpty()) {
            int lead = s.leadingAnswers();
            int later = s.received() - lead;
            return new Judgement(Status.WARN, null, "rate-limited", target + " answered the first " + lead + " of " + s.sent()
                    + " echo requests" + (later == 0 ? " and none after" : " and " + later + " of the " + (s.sent() - lead) + " after")
                    + how + ": a burst, then silence, the shape of an ICMP rate limit at the host or on the path, not of"
                    + " random loss (" + s.lossPercent() + "% unanswered; slower pings, interval=1s, measure the path past it), "
                    + s.rttLine() + ttl);
        }
        if (s.received() > 0) {
            String errs = s.errors().isEmpty() ? "" : "; also " + s.errors().getFirst().describe();
            return new Judgement(Status.WARN, "path.loss", "partial-loss", target + " answered " + s.received() + " of "
                    + s.sent() + " echo requests (" + s.lossPercent() + "% loss)" + how + ", " + s.rttLine() + errs);
        }
        if (!s.errors().isEmpty()) {
            IcmpError e = mostCommon(s.errors());
            String kind = e.fromNetwork() ? e.kind() : "local-" + Syscalls.errnoName(e.errno()).toLowerCase(java.util.Locale.ROOT);
            String cause = e.fromNetwork() ? e.cause() : switch (e.errno()) {
                case ENETUNREACH -> "route.none";
                case EHOSTUNREACH -> "host.unreachable";
                default -> null;
            };
            if ("frag-needed".equals(kind) || e.errno() == EMSGSIZE) {
                cause = null; // the path said how big a packet may be: not a blackhole, a size to lower
                kind = "frag-needed";
            }
            if ("udp.closed".equals(cause)) cause = null;
            long n = s.errors().stream().filter(x -> x.kind().equals(e.kind())).count();
            String hint = switch (kind) {
                case "admin-prohibited" -> ": a firewall REJECT rule answered at that address";
                case "net-unreachable" -> ": that router has no route onwards";
                case "host-unreachable" -> ": that router cannot reach the host (ARP/ND unanswered on its last link)";
                case "frag-needed" -> ": " + (size + 28) + "-byte packets" + (df ? " with DF set" : "") + " do not fit the path; lower size or MTU";
                default -> "";
            };
            return new Judgement(Status.FAIL, cause, kind, "no echo reply from " + target + ": " + e.describe() + " (" + n
                    + " of " + s.sent() + " requests)" + hint);
        }
        return new Judgement(Status.FAIL, null, "no-reply", "no echo reply from " + target + " to " + s.sent()
                + " requests and no ICMP error" + how + ": the host is down, or a firewall drops ICMP echo"
                + " (if TCP to it works, that is icmp.blocked)");
    }

    /**
     * An echo round for another probe (tcp.connect asks whether the host answers anything while its SYN waits):
     * a ping socket, else a raw one; null when this host allows neither (no system ping: it cannot be stopped early).
     */
    static EchoStats echoQuietly(ProbeContext ctx, InetAddress target, int count, Duration interval, Duration timeout) {
        for (boolean raw : new boolean[] {false, true}) {
            try (NativeSocket s = open(target, raw)) {
                configure(s, raw, false);
                return echo(ctx, s, raw ? "raw" : "dgram", target, count, interval, 56, timeout);
            } catch (NativeSocket.Failure f) {
                // this way is not allowed here: try the next
            } catch (RuntimeException e) {
                return null; // native access off
            }
        }
        return null;
    }

    private static IcmpError mostCommon(List<IcmpError> errors) {
        Map<String, Integer> n = new LinkedHashMap<>();
        errors.forEach(e -> n.merge(e.kind(), 1, Integer::sum));
        String top = n.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
        return errors.stream().filter(e -> e.kind().equals(top)).findFirst().orElseThrow();
    }

    private static NativeSocket open(InetAddress target, boolean raw) throws NativeSocket.Failure {
        int family = NativeSocket.familyOf(target);
        return NativeSocket.open(family, raw ? SOCK_RAW : SOCK_DGRAM, family == AF_INET6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP);
    }

    private static void configure(NativeSocket s, boolean raw, boolean df) throws NativeSocket.Failure {
        if (s.v6()) {
            s.setInt(IPPROTO_IPV6, IPV6_RECVHOPLIMIT, 1);
            s.setInt(IPPROTO_IPV6, IPV6_MTU_DISCOVER, df ? IP_PMTUDISC_DO : IP_PMTUDISC_DONT);
            if (!raw) s.setInt(IPPROTO_IPV6, IPV6_RECVERR, 1);
        } else {
            s.setInt(IPPROTO_IP, IP_MTU_DISCOVER, df ? IP_PMTUDISC_DO : IP_PMTUDISC_DONT);
            if (!raw) {
                s.setInt(IPPROTO_IP, IP_RECVTTL, 1);
                s.setInt(IPPROTO_IP, IP_RECVERR, 1);
            }
        }
    }

    /** The longest one poll waits before the loop looks at its interrupt flag again. */
    private static final long SLICE_NS = 10_000_000;

    /** Sends {@code count} requests {@code interval} apart, collecting answers until each has one or timed out. */
    private static EchoStats echo(ProbeContext ctx, NativeSocket s, String method, InetAddress target, int count,
                                  Duration interval, int size, Duration timeout) throws NativeSocket.Failure {
        boolean raw = method.equals("raw");
        int id = raw ? ThreadLocalRandom.current().nextInt(1, 0xffff) : -1;
        InetSocketAddress to = new InetSocketAddress(target, 0);
        Map<Integer, Long> sentAt = new HashMap<>();
        List<Double> rtts = new ArrayList<>();
        List<Integer> ttls = new ArrayList<>();
        Map<Integer, IcmpError> errors = new LinkedHashMap<>();
        List<Integer> answeredSeqs = new ArrayList<>();
        long timeoutNs = timeout.toNanos();
        long next = System.nanoTime();
        long last = next;
        int seq = 0;
        int answered = 0;
        while (!ctx.cancelled() && !Thread.currentThread().isInterrupted()) {
            long now = System.nanoTime();
            if (seq < count && now >= next) {
                int thisSeq = seq++;
                sentAt.put(thisSeq, now);
                last = now;
                next = now + interval.toNanos();
                try {
                    s.send(IcmpEcho.request(s.v6(), Math.max(id, 0), thisSeq, size), to);
                    sentAt.put(thisSeq, System.nanoTime()); // after the call: its first-use linking is not network time
                } catch (NativeSocket.Failure f) {
                    errors.put(thisSeq, new IcmpError(IcmpError.ORIGIN_LOCAL, f.errno(), 0, 0, 0, null));
                    answered++;
                }
            }
            long until = seq < count ? next : last + timeoutNs;
            until = Math.min(until, System.nanoTime() + ctx.remaining().toNanos());
            if (seq == count && (answered >= count || System.nanoTime() >= until)) {
                break;
            }
            // in slices, so an interrupt (tcp.connect's race ends before its echo) is seen within one
            long slice = Math.min(Math.max(0, until - System.nanoTime()), SLICE_NS);
            short ev = s.poll((short) (POLLIN | POLLERR), Duration.ofNanos(slice));
            long arrived = System.nanoTime();
            for (int i = 0; i < 256 && (ev & (POLLIN | POLLERR)) != 0; i++) { // drain what is queued, bounded
                NativeSocket.Received r;
                try {
                    r = s.receive(65_535, (ev & POLLERR) != 0 && i == 0 ? MSG_ERRQUEUE : 0);
                } catch (NativeSocket.Failure f) {
                    if ((ev & POLLERR) != 0 && i == 0) continue; // error queue empty: try the data queue
                    break;
                }
                IcmpEcho.Packet pk;
                if (r.error() != null) { // ping socket: the error queue quotes our request as the payload
                    int q = r.data().length >= IcmpEcho.HEADER ? IcmpEcho.get16(r.data(), 6) : -1;
                    pk = new IcmpEcho.Error(q, r.error());
                } else {
                    pk = IcmpEcho.parse(r.data(), s.v6(), raw && !s.v6(), id, r.from() == null ? null : r.from().getAddress(), r.ttl());
                }
                switch (pk) {
                    case IcmpEcho.Reply(int q, int ttl) when sentAt.containsKey(q) && r.from() != null
                            && r.from().getAddress().equals(target) && arrived - sentAt.get(q) <= timeoutNs -> {
                        rtts.add(Millis.of(arrived - sentAt.remove(q)));
                        ttls.add(ttl);
                        answeredSeqs.add(q);
                        answered++;
                    }
                    case IcmpEcho.Error(int q, IcmpError e) when sentAt.containsKey(q) && !errors.containsKey(q) -> {
                        errors.put(q, e);
                        answered++;
                    }
                    default -> { }
                }
            }
        }
        return new EchoStats(method, seq, rtts, ttls, new ArrayList<>(errors.values()), answeredSeqs);
    }
}
