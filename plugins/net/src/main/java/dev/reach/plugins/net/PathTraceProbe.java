package dev.reach.plugins.net;

import dev.reach.spi.Addresses;
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
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static dev.reach.plugins.net.Syscalls.*;

/**
 * Traces the path hop by hop: the address of each router, the RTT of each probe, the loss per hop, and the
 * ICMP type/code that ended the trace.
 *
 * <pre>
 * $ reach probe path.trace host=198.18.1.2
 * ok: 198.18.1.2 reached in 2 hops (port-unreachable from 198.18.1.2)
 *    1  198.18.0.254  0.071ms 0.052ms 0.049ms
 *    2  198.18.1.2  0.093ms 0.081ms 0.080ms  !port-unreachable
 * $ reach probe path.trace host=198.19.7.7
 * fail [net.unreachable]: 198.19.7.7 not reached: hop 1 198.18.0.254 answered ICMP 3/0 net-unreachable
 * </pre>
 *
 * <p>Method (like tracepath, no privilege needed): one UDP socket per probe with {@code IP_TTL} set and
 * {@code IP_RECVERR} on, so the kernel queues the ICMP time-exceeded or unreachable that comes back, with the
 * sender's address. Probes for several TTLs are in flight at once, in windows growing to {@value #WINDOW} hops,
 * so a silent hop costs one timeout per window, not one per probe.
 */
@Extension
public final class PathTraceProbe implements Probe {
    static final int WINDOW = 8;
    private static final int PAYLOAD = 32;

    static final ProbeSpec SPEC = ProbeSpec.builder("path.trace", "Traces the path hop by hop and says where and how it ends")
            .param(Param.host("host", "name or address to trace to").required())
            .param(Param.port("port", "UDP destination port of the probes (best unused on the target)").defaultValue(33434))
            .param(Param.integer("count", "probes per hop").defaultValue(3).range(1, 10))
            .param(Param.duration("timeout", "how long to wait for a hop's answers").defaultValue("1s").range("10ms", "30s"))
            .param(Param.integer("max_hops", "give up after this many hops").defaultValue(30).range(1, 64))
            .param(Param.choice("family", "address family: any, 4 or 6", "any", "4", "6").defaultValue("any"))
            .fact("outcome", "string", "reached, net-unreachable, host-unreachable, admin-prohibited, incomplete, route-none, unresolved, error")
            .fact("method", "string", "udp (UDP + IP_TTL + IP_RECVERR)")
            .fact("address", "string", "the address traced to")
            .fact("hops", "list", "per hop: ttl, address, rtt_ms (one per answered probe), loss_pct, icmp (what it said)")
            .fact("hop_count", "integer", "hops up to where the trace ended")
            .fact("last_hop", "string", "the last address that answered")
            .fact("end", "string", "what ended it: port-unreachable, net-unreachable, admin-prohibited, ..., or silence")
            .needs(Needs.NOTHING)
            .example("reach probe path.trace host=198.18.1.2")
            .example("reach probe path.trace host=198.18.1.2 count=1 timeout=300ms max_hops=10")
            .build();

    /** One probe's answer: the sender, its RTT, what it said ({@code answer} for a UDP reply); null address for silence. */
    record Answer(String address, double rttMs, String kind, String icmp) {
        static final Answer SILENCE = new Answer(null, -1, "silence", null);
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

    /** What {@link #classify} makes of a trace. */
    record Classified(Status status, String cause, String outcome, String summary) {
    }

    @Override
    public ProbeSpec spec() {
        return SPEC;
    }

    @Override
    public Observation run(ProbeContext ctx, Params p) {
        String host = p.string("host");
        InetAddress target;
        try {
            target = Endpoint.resolve(host, p.string("family"));
        } catch (UnknownHostException e) {
            return Endpoint.unresolved(host, e);
        }
        InetSocketAddress to = new InetSocketAddress(target, p.port("port"));
        int count = (int) p.integer("count");
        int maxHops = (int) p.integer("max_hops");
        Duration timeout = p.duration("timeout");
        List<Hop> hops = new ArrayList<>();
        String localError = null;
        try {
            // windows of 2, 4, 8, 8... hops: short paths and early ends (a router's unreachable, which routers
            // rate-limit hard) are read with few probes in flight; long or silent paths still cost few timeouts
            for (int first = 1, size = 2; first <= maxHops && !ctx.cancelled(); first += size, size = Math.min(WINDOW, 2 * size)) {
                ctx.progress("tracing " + Addresses.text(target) + ": hops " + first + "+");
                List<Hop> window = window(ctx, to, first, Math.min(maxHops, first + size - 1), count, timeout);
                hops.addAll(window);
                if (window.stream().anyMatch(h -> h.end() != null) || window.isEmpty()) {
                    break;
                }
            }
        } catch (NativeSocket.Failure f) {
            localError = Syscalls.errnoName(f.errno());
        }
        int end = 0;
        while (end < hops.size() && hops.get(end).end() == null) end++;
        List<Hop> trace = end < hops.size() ? hops.subList(0, end + 1) : trimSilentTail(hops);
        Classified c = classify(Addresses.text(target), trace, localError);
        Observation.Builder b = Observation.of(c.status(), c.summary()).cause(c.cause()).fact("outcome", c.outcome())
                .fact("method", "udp").fact("address", Addresses.text(target)).fact("hop_count", trace.size())
                .fact("hops", trace.stream().map(PathTraceProbe::fact).toList());
        trace.stream().map(Hop::address).filter(a -> a != null).reduce((a, b2) -> b2).ifPresent(a -> b.fact("last_hop", a));
        b.fact("end", trace.isEmpty() || trace.getLast().end() == null ? "silence" : trace.getLast().end());
        b.evidence("trace to " + Endpoint.of(target, to.getPort()) + " (UDP, " + count + " probes per hop)");
        trace.forEach(h -> b.evidence(h.line()));
        if (end >= hops.size() && trace.size() < hops.size()) {
            b.evidence(String.format(Locale.ROOT, "%d..%d  * (no answer up to max_hops)", trace.size() + 1, hops.size()));
        }
        return b.build();
    }

    /**
     * Maps a trace (hops up to the one that ended it) to status, cause and words. Pure. Reached (the target
     * itself answered): ok. A router's unreachable or prohibited: fail with that cause, naming it. Silence to
     * the end: fail without a cause, naming the last hop that answered.
     */
    static Classified classify(String target, List<Hop> trace, String localError) {
        if (localError != null) {
            String cause = localError.equals("ENETUNREACH") ? "route.none" : localError.equals("EHOSTUNREACH") ? "host.unreachable" : null;
            return new Classified(Status.FAIL, cause, cause == null ? "error" : cause.replace('.', '-'),
                    "cannot send towards " + target + ": " + localError + (cause == null ? "" : " (this host has no usable route)"));
        }
        Hop last = trace.isEmpty() ? null : trace.getLast();
        String end = last == null ? null : last.end();
        if (end != null) {
            Answer a = last.answers().stream().filter(x -> end.equals(x.kind())).findFirst().orElseThrow();
            boolean atTarget = target.equals(a.address());
            if (atTarget && (end.equals("port-unreachable") || end.equals("answer"))) {
                return new Classified(Status.OK, null, "reached", target + " reached in " + trace.size() + " hop"
                        + (trace.size() == 1 ? "" : "s") + " (" + end + " from " + target + ")");
            }
            String cause = switch (end) {
                case "net-unreachable" -> "net.unreachable";
                case "host-unreachable" -> "host.unreachable";
                case "admin-prohibited" -> "admin.prohibited";
                default -> null;
            };
            String who = atTarget ? "the target itself" : "hop " + last.ttl() + " " + a.address();
            return new Classified(Status.FAIL, cause, end, target + " not reached: " + who + " answered " + a.icmp());
        }
        Hop answered = trace.stream().filter(h -> h.address() != null).reduce((x, y) -> y).orElse(null);
        String after = answered == null ? "no hop answered at all" : "the last hop that answered is " + answered.ttl() + " " + answered.address();
        return new Classified(Status.FAIL, null, "incomplete", target + " not reached and nothing said why: " + after
                + "; beyond it the host is down or a firewall drops the probes (try icmp.ping and tcp.connect to it)");
    }

    /** Sends {@code count} probes for each TTL in [first, last] at once and collects the answers. */
    private static List<Hop> window(ProbeContext ctx, InetSocketAddress to, int first, int last, int count, Duration timeout)
            throws NativeSocket.Failure {
        int n = (last - first + 1) * count;
        List<NativeSocket> sockets = new ArrayList<>(n);
        Answer[] answers = new Answer[n];
        long[] sentAt = new long[n];
        try {
            for (int i = 0; i < n; i++) {
                NativeSocket s = NativeSocket.open(NativeSocket.familyOf(to.getAddress()), SOCK_DGRAM, IPPROTO_UDP);
                sockets.add(s);
                int ttl = first + i / count;
                if (s.v6()) {
                    s.setInt(IPPROTO_IPV6, IPV6_RECVERR, 1);
                    s.setInt(IPPROTO_IPV6, IPV6_UNICAST_HOPS, ttl);
                } else {
                    s.setInt(IPPROTO_IP, IP_RECVERR, 1);
                    s.setInt(IPPROTO_IP, IP_TTL, ttl);
                }
                int err = s.connect(to);
                if (err != 0) throw new NativeSocket.Failure("connect", err);
            }
            for (int i = 0; i < n; i++) {
                try {
                    sockets.get(i).send(new byte[PAYLOAD], null);
                    sentAt[i] = System.nanoTime(); // after the call: its first-use linking is not network time
                } catch (NativeSocket.Failure f) {
                    sentAt[i] = System.nanoTime();
                    if (f.errno() == ENETUNREACH) throw f;
                    // anything else arrives as a queued error too, and is read below
                }
            }
            long until = System.nanoTime() + ctx.bound(timeout).toNanos();
            double slowest = 0;
            while (System.nanoTime() < until && !ctx.cancelled() && !settled(answers, count)) {
                short[] ev = NativeSocket.pollAll(sockets, (short) (POLLIN | POLLERR), Duration.ofNanos(until - System.nanoTime()));
                long now = System.nanoTime();
                for (int i = 0; i < n; i++) {
                    if (ev[i] == 0 || answers[i] != null) continue;
                    answers[i] = read(sockets.get(i), ev[i], to, Endpoint.millis(now - sentAt[i]));
                    if (answers[i] != null) slowest = Math.max(slowest, answers[i].rttMs());
                }
                if (enough(answers, count)) {
                    // like traceroute's NEAR wait: once each hop up to the end has answered, the probes still
                    // out (rate-limited ICMP, most likely) get a few RTTs more, not the whole timeout
                    until = Math.min(until, now + (long) (Math.max(10, 3 * slowest) * 1e6));
                }
            }
        } finally {
            sockets.forEach(NativeSocket::close);
        }
        List<Hop> hops = new ArrayList<>();
        for (int h = 0; h <= last - first; h++) {
            List<Answer> list = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                Answer a = answers[h * count + i];
                list.add(a == null ? Answer.SILENCE : a);
            }
            hops.add(new Hop(first + h, list));
        }
        return hops;
    }

    private static Answer read(NativeSocket s, short ev, InetSocketAddress to, double rtt) {
        try {
            if ((ev & POLLERR) != 0) {
                NativeSocket.Received r = s.receive(PAYLOAD, MSG_ERRQUEUE);
                IcmpError e = r.error();
                if (e == null) return null;
                String from = e.offender() == null ? null : Addresses.text(e.offender());
                return new Answer(from, rtt, e.fromNetwork() ? e.kind() : "local-" + Syscalls.errnoName(e.errno()), e.describe());
            }
            s.receive(2048, 0);
            return new Answer(Addresses.text(to.getAddress()), rtt, "answer", "a UDP answer");
        } catch (NativeSocket.Failure f) {
            return null; // nothing queued after all: still waiting
        }
    }

    /** True when the window's outcome is known: every probe up to the first hop that ends the trace has its answer. */
    private static boolean settled(Answer[] answers, int count) {
        int endHop = Integer.MAX_VALUE;
        for (int i = 0; i < answers.length; i++) {
            if (answers[i] != null && !answers[i].kind().equals("time-exceeded")) {
                endHop = Math.min(endHop, i / count);
            }
        }
        int upTo = endHop == Integer.MAX_VALUE ? answers.length : (endHop + 1) * count;
        for (int i = 0; i < upTo; i++) {
            if (answers[i] == null) return false;
        }
        return true;
    }

    /** True when every hop up to the one that ends the trace (or the whole window) has at least one answer. */
    private static boolean enough(Answer[] answers, int count) {
        int hops = answers.length / count;
        int endHop = hops - 1;
        for (int i = 0; i < answers.length; i++) {
            if (answers[i] != null && !answers[i].kind().equals("time-exceeded")) {
                endHop = Math.min(endHop, i / count);
            }
        }
        for (int h = 0; h <= endHop; h++) {
            boolean any = false;
            for (int i = h * count; i < (h + 1) * count; i++) any |= answers[i] != null;
            if (!any) return false;
        }
        return true;
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
