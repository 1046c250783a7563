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

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;

import static dev.reach.plugins.net.Syscalls.*;

/**
 * Sends a datagram to {@code host:port} on a connected UDP socket and says what came back: an answer, an
 * ICMP port-unreachable (nothing listens), another ICMP error (with its sender), or nothing at all.
 *
 * <pre>
 * $ reach probe udp.probe host=198.18.1.2 port=53 payload=dns
 * ok: 198.18.1.2:53 answered a 17-byte dns datagram with 17 bytes in 0.12ms
 * $ reach probe udp.probe host=198.18.1.2 port=9999
 * fail [udp.closed]: 198.18.1.2:9999 is closed: ICMP 3/3 port-unreachable from 198.18.1.2
 * $ reach probe udp.probe host=198.18.1.2 port=9998 timeout=300ms
 * fail [udp.no-response]: no answer and no ICMP error from 198.18.1.2:9998 to 2 datagrams: open and filtered cannot be told apart ...
 * </pre>
 *
 * <p>Class name: the id {@code udp.probe} in PascalCase + {@code Probe}.
 */
@Extension
public final class UdpProbeProbe implements Probe {

    static final ProbeSpec SPEC = ProbeSpec.builder("udp.probe", "Sends a UDP datagram and says whether the port answered, is closed or stayed silent")
            .param(Param.host("host", "name or address to send to").required())
            .param(Param.port("port", "UDP port").required())
            .param(Param.string("payload", "what to send: dns or ntp (a valid request), hex:0a0b..., text:..., or empty")
                    .defaultValue(""))
            .param(Param.integer("count", "datagrams to send before giving up").defaultValue(2).range(1, 20))
            .param(Param.duration("timeout", "how long to wait after each datagram").defaultValue("1s").range("1ms", "1m"))
            .param(Param.choice("family", "address family: any, 4 or 6", "any", "4", "6").defaultValue("any"))
            .fact("outcome", "string", "answered, closed, no-response, an ICMP kind (admin-prohibited, ...), unresolved, error")
            .fact("address", "string", "the address:port sent to")
            .fact("sent", "integer", "datagrams sent")
            .fact("reply_bytes", "integer", "size of the answer")
            .fact("reply_hex", "string", "the first 64 bytes of the answer, in hex")
            .fact("rtt_ms", "number", "time from the last datagram to the answer or ICMP error")
            .fact("icmp", "string", "the ICMP error received, e.g. 'ICMP 3/3 port-unreachable from 198.18.1.2'")
            .fact("error_from", "string", "the address that sent the ICMP error")
            .needs(Needs.NOTHING)
            .example("reach probe udp.probe host=198.18.1.2 port=53 payload=dns")
            .example("reach probe udp.probe host=198.18.1.2 port=123 payload=ntp timeout=500ms")
            .example("reach probe udp.probe host=198.18.1.2 port=9000 payload=hex:deadbeef")
            .about("Sends a datagram (dns, ntp, hex:, text:) on a connected socket: answered, `udp.closed` (ICMP port-"
                    + "unreachable, with its sender), another ICMP error, or `udp.no-response` (open and filtered look "
                    + "alike).")
            .causes("udp.closed", "udp.no-response", "admin.prohibited", "host.unreachable", "net.unreachable", "route.none")
            .build();

    /**
     * What came back. Exactly one of: {@code reply} (an answer), {@code error} (an ICMP / local error from the
     * error queue), {@code pendingErrno} (an error the socket reported without a queue entry); else silence.
     */
    record Outcome(byte[] reply, IcmpError error, int pendingErrno, int sent, double rttMs) {
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
        byte[] payload;
        try {
            payload = payload(p.string("payload"));
        } catch (IllegalArgumentException e) {
            return Observation.error("payload=" + p.string("payload") + ": " + e.getMessage()).fact("outcome", "error").build();
        }
        InetAddress address;
        try {
            address = Addresses.resolve(host, p.string("family"));
        } catch (UnknownHostException e) {
            return Endpoint.unresolved(host, e);
        }
        InetSocketAddress to = new InetSocketAddress(address, p.port("port"));
        String target = Addresses.endpoint(address, to.getPort());
        ctx.progress("sending to " + target);
        Outcome o;
        try {
            o = ask(ctx, to, payload, (int) p.integer("count"), p.duration("timeout"));
        } catch (NativeSocket.Failure f) {
            return Observation.error("udp to " + target + " failed: " + f.getMessage()).fact("outcome", "error").build();
        }
        String what = describe(p.string("payload"), payload.length);
        Judgement c = classify(o, target, what, p.string("payload"));
        Observation.Builder b = c.observation()
                .fact("address", target).fact("sent", o.sent());
        if (o.reply() != null) {
            b.fact("reply_bytes", o.reply().length).fact("reply_hex", HexFormat.of().formatHex(o.reply(), 0, Math.min(64, o.reply().length)));
        }
        replyFacts(b, o);
        return b.evidence("udp " + target + " <- " + what + " x" + o.sent() + " -> " + switch (c.outcome()) {
            case "answered" -> o.reply().length + " bytes back in " + Endpoint.human(o.rttMs());
            case "no-response" -> "silence";
            default -> o.error() != null ? o.error().describe() : Syscalls.errnoName(o.pendingErrno());
        }).build();
    }

    /**
     * Maps what came back to status and cause. Pure. An answer: ok. Port-unreachable: udp.closed. Another ICMP
     * error: its cause, naming its sender. Silence: udp.no-response, which cannot tell open from filtered.
     */
    static Judgement classify(Outcome o, String target, String what, String payloadName) {
        if (o.reply() != null) {
            return new Judgement(Status.OK, null, "answered", target + " answered a " + what + " with " + o.reply().length
                    + " bytes in " + Endpoint.human(o.rttMs()));
        }
        IcmpError e = o.error();
        int errno = e != null ? e.errno() : o.pendingErrno();
        String kind = e != null && e.fromNetwork() ? e.kind() : switch (errno) {
            case ECONNREFUSED -> "port-unreachable";
            case EHOSTUNREACH -> "host-unreachable";
            case ENETUNREACH -> "net-unreachable";
            case EACCES -> "admin-prohibited";
            default -> errno == 0 ? null : "local-" + Syscalls.errnoName(errno).toLowerCase(Locale.ROOT);
        };
        String said = e != null ? e.describe() : kind == null ? null : Syscalls.errnoName(errno) + " (no ICMP detail queued)";
        if ("port-unreachable".equals(kind)) {
            return new Judgement(Status.FAIL, "udp.closed", "closed", target + " is closed: " + said + "; nothing listens on that UDP port");
        }
        if (kind != null) {
            String cause = switch (kind) {
                case "admin-prohibited" -> "admin.prohibited";
                case "host-unreachable" -> "host.unreachable";
                case "net-unreachable" -> e != null && e.fromNetwork() ? "net.unreachable" : "route.none";
                default -> null;
            };
            return new Judgement(Status.FAIL, cause, kind, target + " did not take the datagram: " + said);
        }
        boolean protocol = payloadName.equals("dns") || payloadName.equals("ntp");
        return new Judgement(Status.FAIL, "udp.no-response", "no-response", "no answer and no ICMP error from " + target + " to "
                + o.sent() + " datagram" + (o.sent() == 1 ? "" : "s") + ": open and filtered cannot be told apart"
                + (protocol ? "; a " + payloadName + " service there would have answered this valid request, so it is filtered or not " + payloadName
                : " unless the protocol answers; send a valid request (payload=dns, payload=ntp) where the port's protocol is known"));
    }

    /** The bytes for a payload parameter: {@code dns}, {@code ntp}, {@code hex:...}, {@code text:...}, or empty. */
    static byte[] payload(String spec) {
        if (spec.isEmpty()) return new byte[0];
        if (spec.equals("dns")) {
            // a standard query, recursion desired, for the root's NS records: any DNS server answers it
            int id = ThreadLocalRandom.current().nextInt(1 << 16);
            return new byte[] {(byte) (id >> 8), (byte) id, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 1};
        }
        if (spec.equals("ntp")) {
            byte[] ntp = new byte[48];
            ntp[0] = 0x23; // LI 0, version 4, mode 3 (client)
            return ntp;
        }
        if (spec.startsWith("hex:")) {
            String hex = spec.substring(4).replaceAll("[\\s:]", "");
            try {
                return HexFormat.of().parseHex(hex);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("not hex (an even count of 0-9a-f): " + hex);
            }
        }
        if (spec.startsWith("text:")) return spec.substring(5).getBytes(StandardCharsets.UTF_8);
        throw new IllegalArgumentException("unknown payload; use dns, ntp, hex:0a0b..., or text:...");
    }

    private static String describe(String spec, int bytes) {
        String kind = spec.equals("dns") || spec.equals("ntp") ? spec + " " : spec.isEmpty() ? "empty " : "";
        return bytes + "-byte " + kind + "datagram";
    }

    /**
     * Sends {@code payload} to {@code to} on a connected socket that queues ICMP errors (IP_RECVERR), up to
     * {@code count} times, each followed by a wait of {@code timeout}, and says what came back.
     */
    static Outcome ask(ProbeContext ctx, InetSocketAddress to, byte[] payload, int count, Duration timeout) throws NativeSocket.Failure {
        try (NativeSocket s = NativeSocket.open(NativeSocket.familyOf(to.getAddress()), SOCK_DGRAM, IPPROTO_UDP)) {
            s.setInt(s.v6() ? IPPROTO_IPV6 : IPPROTO_IP, s.v6() ? IPV6_RECVERR : IP_RECVERR, 1);
            int err = s.connect(to);
            return err != 0 ? new Outcome(null, null, err, 0, 0) : exchange(ctx, s, payload, count, timeout);
        }
    }

    /** The facts of an answer or an ICMP error: the time it took, the error and who sent it. */
    static void replyFacts(Observation.Builder b, Outcome o) {
        if (o.reply() != null || o.error() != null) b.fact("rtt_ms", o.rttMs());
        if (o.error() != null) {
            b.fact("icmp", o.error().describe());
            if (o.error().offender() != null) b.fact("error_from", Addresses.text(o.error().offender()));
        }
    }

    private static Outcome exchange(ProbeContext ctx, NativeSocket s, byte[] payload, int count, Duration timeout)
            throws NativeSocket.Failure {
        int sent = 0;
        for (int i = 0; i < count && !ctx.cancelled(); i++) {
            long t0 = System.nanoTime();
            try {
                s.send(payload, null);
                sent++;
            } catch (NativeSocket.Failure f) {
                // an error already pending (ICMP from the previous datagram) surfaces here: read it below
                if (f.errno() == EAGAIN) continue;
            }
            long until = t0 + ctx.bound(timeout).toNanos();
            while (System.nanoTime() < until) {
                short ev = s.poll((short) (POLLIN | POLLERR), Duration.ofNanos(until - System.nanoTime()));
                double rtt = Millis.of(System.nanoTime() - t0);
                if ((ev & POLLERR) != 0) {
                    try {
                        return new Outcome(null, s.receive(512, MSG_ERRQUEUE).error(), 0, sent, rtt);
                    } catch (NativeSocket.Failure f) {
                        int pending = s.pendingError();
                        if (pending != 0) return new Outcome(null, null, pending, sent, rtt);
                    }
                }
                if ((ev & POLLIN) != 0) {
                    try {
                        return new Outcome(s.receive(65_535, 0).data(), null, 0, sent, rtt);
                    } catch (NativeSocket.Failure f) {
                        if (f.errno() != EAGAIN) return new Outcome(null, null, f.errno(), sent, rtt);
                    }
                }
                if ((ev & (POLLIN | POLLERR)) == 0) break; // timed out (or an event this probe does not wait for)
            }
        }
        return new Outcome(null, null, 0, sent, 0);
    }
}
