package dev.reach.plugins.net;

import dev.reach.spi.Addresses;
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

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.io.IOException;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Traces the path hop by hop: the address of each router, the RTT of each probe, the loss per hop, and the
 * ICMP type/code (or TCP answer) that ended the trace, saying which method ran.
 *
 * <pre>
 * $ reach probe path.trace host=198.18.1.2
 * ok: 198.18.1.2 reached in 2 hops (port-unreachable from 198.18.1.2)
 *    1  198.18.0.254  0.12ms 0.03ms 0.02ms
 *    2  198.18.1.2  0.07ms 0.02ms 0.02ms  !port-unreachable
 * $ reach probe path.trace host=198.18.1.2 method=tcp port=8080
 * ok: 198.18.1.2 reached in 2 hops (SYN-ACK from 198.18.1.2:8080, port open)
 * $ reach probe path.trace host=198.18.1.7 method=icmp          (the router drops UDP to it: method=udp is incomplete)
 * ok: 198.18.1.7 reached in 2 hops (echo-reply from 198.18.1.7)
 * $ reach probe path.trace host=198.18.1.4 method=system        (traceroute; tracepath says only !H)
 * fail [admin.prohibited]: 198.18.1.4 not reached: hop 2 198.18.0.254 answered admin-prohibited from 198.18.0.254 (traceroute !X)
 * $ reach probe path.trace host=198.19.7.7
 * fail [net.unreachable]: 198.19.7.7 not reached: hop 1 198.18.0.254 answered ICMP 3/0 net-unreachable from 198.18.0.254
 * </pre>
 *
 * <p>Methods, none needing root: {@code udp} ({@link UdpHops}, like tracepath), {@code icmp} echo
 * ({@link IcmpHops}: a ping socket, or a raw one for root or CAP_NET_RAW), {@code tcp} SYN to the service's port
 * ({@link TcpHops}), {@code system} (tracepath or traceroute, parsed: {@link SystemTrace}). {@code auto}
 * runs udp, and the system tool where the kernel refuses this process the socket (seccomp, a locked-down
 * container) or the JVM may not call native code. Native probes for several TTLs are in flight at once, in
 * windows growing to {@value #WINDOW} hops, so a silent hop costs one timeout per window, not one per probe;
 * once a window ends in silence, the rest of the hops go out at once.
 */
@Extension
public final class PathTraceProbe implements Probe {
    static final int WINDOW = 8;
    static final Set<String> REACHED = Set.of("port-unreachable", "answer", "echo-reply", "open", "refused");

    static final ProbeSpec SPEC = ProbeSpec.builder("path.trace", "Traces the path hop by hop and says where and how it ends")
            .param(Param.host("host", "name or address to trace to").required())
            .param(Param.choice("method", "auto (udp; the system tool where the kernel refuses the socket), udp, icmp (echo), "
                    + "tcp (SYN to port), system (tracepath or traceroute)", "auto", "udp", "icmp", "tcp", "system").defaultValue("auto"))
            .param(Param.port("port", "destination port: udp " + UdpHops.DEFAULT_PORT + " (best unused on the target), tcp "
                    + TcpHops.DEFAULT_PORT + " (give the service's port); system passes it on; icmp has none"))
            .param(Param.integer("count", "probes per hop").defaultValue(3).range(1, 10))
            .param(Param.duration("timeout", "how long to wait for a hop's answers").defaultValue("1s").range("10ms", "30s"))
            .param(Param.integer("max_hops", "give up after this many hops").defaultValue(30).range(1, 64))
            .param(Param.choice("family", "address family: any, 4 or 6", "any", "4", "6").defaultValue("any"))
            .fact("outcome", "string", "reached, net-unreachable, host-unreachable, admin-prohibited, another ICMP kind "
                    + "(host-unreachable-or-prohibited: tracepath's !H), incomplete, route-none, unresolved, skipped, error")
            .fact("method", "string", "what ran: udp (UDP + IP_TTL + IP_RECVERR), icmp (echo), tcp (SYN), system (tracepath/traceroute parsed)")
            .fact("fallback_reason", "string", "why auto ran the system tool instead of udp (the kernel's refusal)")
            .fact("tool", "string", "system: tracepath or traceroute")
            .fact("address", "string", "the address traced to")
            .fact("port", "integer", "udp and tcp: the destination port")
            .fact("hops", "list", "per hop: ttl, address, rtt_ms (one per answered probe), loss_pct, icmp (what it said)")
            .fact("hop_count", "integer", "hops up to where the trace ended")
            .fact("last_hop", "string", "the last address that answered")
            .fact("end", "string", "what ended it: port-unreachable, echo-reply, open, refused (tcp), net-unreachable, "
                    + "host-unreachable, admin-prohibited, ..., or silence")
            .needs(Needs.NOTHING)
            .example("reach probe path.trace host=198.18.1.2")
            .example("reach probe path.trace host=198.18.1.2 method=tcp port=443 count=1")
            .example("reach probe path.trace host=198.18.1.2 method=icmp count=1 timeout=300ms max_hops=10")
            .about("Traces hop by hop by UDP (IP_TTL + IP_RECVERR, no root), ICMP echo (`method=icmp`), TCP SYN to the "
                    + "service's port (`method=tcp`), or the system tracepath/traceroute (`method=system`; `auto` falls "
                    + "back to it where the kernel or JVM refuses the socket): address, RTT per probe, loss per hop, and "
                    + "how it ended (reached / open / refused, or `net.unreachable` / `host.unreachable` / "
                    + "`admin.prohibited` naming the router). Fact `method` says what ran.")
            .causes("admin.prohibited", "host.unreachable", "net.unreachable", "route.none")
            .build();

    /** One probe's answer: the sender, its RTT, what it said ({@code answer} for a UDP reply); null address for silence. */
    record Answer(String address, double rttMs, String kind, String icmp) {
        static final Answer SILENCE = new Answer(null, -1, "silence", null);

        /** What an error-queue entry says; null when there was none. */
        static Answer of(IcmpError e, double rtt) {
            if (e == null) return null;
            String from = e.offender() == null ? null : Addresses.text(e.offender());
            return new Answer(from, rtt, e.fromNetwork() ? e.kind() : "local-" + Syscalls.errnoName(e.errno()), e.describe());
        }
    }
    /** The answers to one TTL's probes. */
    record Hop(int ttl, List<Answer> answers) {
        String address() {
            return answers.stream().map(Answer::address).filter(a -> a != null).findFirst().orElse(null);
        }

        double lossPercent() {
            long lost = answers.stream().filter(a -> a.address() == null).count();
            return Math.round(1000.0 * lost / answers.size()) / 10.0;
        }

        /** The kind that ends a trace here (anything but time-exceeded and silence), or null. */
        String end() {
            return answers.stream().map(Answer::kind).filter(k -> !k.equals("time-exceeded") && !k.equals("silence"))
                    .findFirst().orElse(null);
        }

        String line() {
            StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%2d  %s ", ttl, address() == null ? "*" : address()));
            for (Answer a : answers) {
                sb.append(' ').append(a.address() == null ? "*" : Endpoint.human(a.rttMs()));
            }
            String end = end();
            return sb + (end == null ? "" : "  !" + end);
        }
    }

    /** What a trace is asked for: the target, probes per hop, the hop limit, the wait per window, the port given (or null). */
    record Settings(InetAddress target, int count, int maxHops, Duration timeout, Integer port) {
    }

    /** The hops a method found (up to where it ended or the last one tried), or the local error that stopped it. */
    record Trace(List<Hop> hops, String localError) {
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
    public Observation run(ProbeContext ctx, Params p) {
        String host = p.string("host");
        InetAddress target;
        try {
            target = Addresses.resolve(host, p.string("family"));
        } catch (UnknownHostException e) {
            return Endpoint.unresolved(host, e);
        }
        String method = p.string("method");
        Integer port = p.find("port").map(v -> ((Number) v).intValue()).orElse(null);
        Settings s = new Settings(target, (int) p.integer("count"), (int) p.integer("max_hops"), p.duration("timeout"), port);
        if (method.equals("system")) {
            return system(ctx, s, null);
        }
        String refused;
        try {
            HopProber prober = switch (method) {
                case "icmp" -> IcmpHops.choose(target, ctx.privileges().root() || ctx.privileges().hasCapability("CAP_NET_RAW"));
                case "tcp" -> new TcpHops(new InetSocketAddress(target, port == null ? TcpHops.DEFAULT_PORT : port));
                default -> new UdpHops(new InetSocketAddress(target, port == null ? UdpHops.DEFAULT_PORT : port));
            };
            Trace t = traceNative(ctx, prober, s);
            String how = prober.describe() + ", " + s.count() + " probe" + (s.count() == 1 ? "" : "s") + " per hop";
            Observation.Builder b = observe(s, t, "trace to " + Addresses.text(target) + " (" + how + ")", null);
            b.fact("method", prober.method());
            if (prober instanceof UdpHops(InetSocketAddress to)) b.fact("port", to.getPort());
            if (prober instanceof TcpHops(InetSocketAddress to)) b.fact("port", to.getPort());
            return b.build();
        } catch (HopProber.Refused r) {
            refused = r.getMessage();
        } catch (IllegalCallerException | LinkageError e) {
            refused = "this JVM may not call native code; run java with --enable-native-access=ALL-UNNAMED";
        }
        if (method.equals("auto")) {
            return system(ctx, s, refused);
        }
        return Observation.skipped("cannot trace by " + method + " here: " + refused + "; method=system runs tracepath/traceroute instead")
                .fact("outcome", "skipped").fact("method", method).build();
    }

    /**
     * Maps a trace (hops up to the one that ended it) to status, cause and words. Pure. Reached (the target
     * itself answered): ok. A router's unreachable or prohibited: fail with that cause, naming it. Silence to
     * the end: fail without a cause, naming the last hop that answered.
     */
    static Judgement classify(String target, List<Hop> trace, String localError) {
        if (localError != null) {
            String cause = localError.equals("ENETUNREACH") ? "route.none" : localError.equals("EHOSTUNREACH") ? "host.unreachable" : null;
            return new Judgement(Status.FAIL, cause, cause == null ? "error" : cause.replace('.', '-'),
                    "cannot send towards " + target + ": " + localError + (cause == null ? "" : " (this host has no usable route)"));
        }
        Hop last = trace.isEmpty() ? null : trace.getLast();
        String end = last == null ? null : last.end();
        if (end != null) {
            Answer a = last.answers().stream().filter(x -> end.equals(x.kind())).findFirst().orElseThrow();
            boolean atTarget = target.equals(a.address());
            if (atTarget && REACHED.contains(end)) {
                String how = end.equals("open") || end.equals("refused") ? a.icmp() : end + " from " + target;
                return new Judgement(Status.OK, null, "reached", target + " reached in " + trace.size() + " hop"
                        + (trace.size() == 1 ? "" : "s") + " (" + how + ")");
            }
            String cause = switch (end) {
                case "net-unreachable" -> "net.unreachable";
                case "host-unreachable" -> "host.unreachable";
                case "admin-prohibited" -> "admin.prohibited";
                default -> null;
            };
            String who = atTarget ? "the target itself" : a.address() == null ? "this host" : "hop " + last.ttl() + " " + a.address();
            return new Judgement(Status.FAIL, cause, end, target + " not reached: " + who + " answered " + a.icmp());
        }
        Hop answered = trace.stream().filter(h -> h.address() != null).reduce((x, y) -> y).orElse(null);
        String after = answered == null ? "no hop answered at all" : "the last hop that answered is " + answered.ttl() + " " + answered.address();
        return new Judgement(Status.FAIL, null, "incomplete", target + " not reached and nothing said why: " + after
                + "; beyond it the host is down or a firewall drops the probes (try icmp.ping and tcp.connect to it)");
    }

    /**
     * Sends windows of 2, 4, 8, 8... hops until one ends the trace or max_hops; after a window whose last hop
     * was silent, all the hops left at once, as traceroute does, so a path that goes quiet costs two waits.
     */
    private static Trace traceNative(ProbeContext ctx, HopProber prober, Settings s) throws HopProber.Refused {
        // short paths and early ends (a router's unreachable, which routers rate-limit hard) are read with few
        // probes in flight; long paths still cost few timeouts, silent ones two
        List<Hop> hops = new ArrayList<>();
        try {
            int first = 1;
            int size = 2;
            for (int round = 0; round < s.maxHops() && first <= s.maxHops() && !ctx.cancelled(); round++) {
                int last = Math.min(s.maxHops(), first + size - 1);
                ctx.progress("tracing " + Addresses.text(s.target()) + " by " + prober.method() + ": hops " + first + "+");
                List<Hop> window = prober.window(ctx, first, last, s.count(), s.timeout());
                hops.addAll(window);
                if (window.stream().anyMatch(h -> h.end() != null) || window.isEmpty()) {
                    break;
                }
                first = last + 1;
                size = window.getLast().address() == null ? s.maxHops() : Math.min(WINDOW, 2 * size);
            }
        } catch (NativeSocket.Failure f) {
            return new Trace(hops, Syscalls.errnoName(f.errno()));
        }
        return new Trace(hops, null);
    }

    /** The system tool's trace; {@code fallback} is why auto came here (null when asked for). */
    private static Observation system(ProbeContext ctx, Settings s, String fallback) {
        String why = fallback == null ? "" : " (auto fell back to it: " + fallback + ")";
        Optional<Path> tool = SystemTrace.find(ctx);
        if (tool.isEmpty()) {
            Observation.Builder b = Observation.skipped("cannot trace: tracepath/traceroute not installed" + why
                    + "; install iputils-tracepath or traceroute").fact("outcome", "skipped").fact("method", "system");
            return fallback == null ? b.build() : b.fact("fallback_reason", fallback).build();
        }
        String name = tool.get().getFileName().toString();
        List<String> command = SystemTrace.command(tool.get(), s.target(), s.maxHops(), s.count(), s.timeout(), s.port());
        ctx.progress("tracing " + Addresses.text(s.target()) + " by " + name);
        SystemTrace.Ran ran;
        try {
            ran = SystemTrace.run(command, SystemTrace.limit(ctx, name, s.maxHops(), s.count(), s.timeout()));
        } catch (IOException e) {
            return Observation.error("cannot run " + tool.get() + ": " + e.getMessage()).fact("outcome", "error").fact("method", "system").build();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Observation.error("cancelled while " + name + " traced " + Addresses.text(s.target())).fact("outcome", "error").build();
        }
        Observation.Builder b;
        String failure = ran.failure();
        String header = "trace by " + String.join(" ", command) + why;
        if (failure != null) {
            b = Observation.error("cannot trace by " + name + why + ": " + failure).fact("outcome", "error").evidence(header);
        } else {
            List<Hop> hops = ran.hops(Addresses.text(s.target()));
            String stopped = ran.stopped() ? "; " + name + " was stopped at the step's deadline after " + hops.size()
                    + " hops (raise --timeout or lower max_hops)" : "";
            b = observe(s, new Trace(hops, null), header, stopped + (fallback == null ? "" : "; traced by " + name + ": " + fallback));
        }
        b.fact("method", "system").fact("tool", name);
        if (s.port() != null) b.fact("port", s.port());
        if (fallback != null) b.fact("fallback_reason", fallback);
        return b.build();
    }

    /** The observation of a trace: cut at the hop that ended it, the silent tail trimmed, its facts and hop lines. */
    private static Observation.Builder observe(Settings s, Trace t, String header, String note) {
        List<Hop> hops = t.hops();
        int end = 0;
        while (end < hops.size() && hops.get(end).end() == null) end++;
        List<Hop> trace = end < hops.size() ? hops.subList(0, end + 1) : trimSilentTail(hops);
        String target = Addresses.text(s.target());
        Judgement c = classify(target, trace, t.localError());
        Observation.Builder b = Observation.of(c.status(), c.summary() + (note == null ? "" : note)).cause(c.cause())
                .fact("outcome", c.outcome()).fact("address", target).fact("hop_count", trace.size())
                .fact("hops", trace.stream().map(PathTraceProbe::fact).toList());
        trace.stream().map(Hop::address).filter(a -> a != null).reduce((a, b2) -> b2).ifPresent(a -> b.fact("last_hop", a));
        b.fact("end", trace.isEmpty() || trace.getLast().end() == null ? "silence" : trace.getLast().end()).evidence(header);
        trace.forEach(h -> b.evidence(h.line()));
        if (end >= hops.size() && trace.size() < hops.size()) {
            int from = trace.isEmpty() ? 1 : trace.getLast().ttl() + 1, to = hops.getLast().ttl();
            b.evidence((from == to ? String.format(Locale.ROOT, "%2d", to) : from + ".." + to) + "  * (no answer up to max_hops)");
        }
        return b;
    }

    /** Drops trailing hops where nothing answered, keeping one, so a silent tail reads as where it died. */
    private static List<Hop> trimSilentTail(List<Hop> hops) {
        int keep = hops.size();
        while (keep > 1 && hops.get(keep - 1).address() == null && hops.get(keep - 2).address() == null) keep--;
        return hops.subList(0, keep);
    }

    private static Map<String, Object> fact(Hop h) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("ttl", h.ttl());
        if (h.address() != null) m.put("address", h.address());
        m.put("rtt_ms", h.answers().stream().filter(a -> a.address() != null).map(Answer::rttMs).toList());
        m.put("loss_pct", h.lossPercent());
        h.answers().stream().map(Answer::icmp).filter(i -> i != null).findFirst().ifPresent(i -> m.put("icmp", i));
        return m;
    }
}
