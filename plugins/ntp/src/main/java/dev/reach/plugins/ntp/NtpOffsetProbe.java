package dev.reach.plugins.ntp;

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
import org.pf4j.Extension;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;

/**
 * Asks an NTP server for the time with one SNTP exchange (RFC 4330) and says how far this host's clock is
 * from it: offset, round-trip delay, the server's stratum and reference.
 *
 * <pre>
 * $ reach probe ntp.offset server=127.0.0.1 port=1123
 * fail [time.skew]: this clock is 30.0s behind 127.0.0.1:1123 (stratum 2, reference 127.0.0.1); more than the 5s allowed
 *   sntp 127.0.0.1:1123 -> stratum 2, reference 127.0.0.1, offset +30000.412ms, delay 0.311ms
 * </pre>
 */
@Extension
public final class NtpOffsetProbe implements Probe {

    static final ProbeSpec SPEC = ProbeSpec.builder("ntp.offset", "Measures this clock's offset from an NTP server (SNTP)")
            .param(Param.string("server", "NTP server: a name or an address, with :port when it is not port= "
                    + "(127.0.0.1:1123, [::1]:123)").required())
            .param(Param.port("port", "the UDP port of a server written without one").defaultValue(123))
            .param(Param.duration("timeout", "how long to wait for each answer").defaultValue("3s").range("1ms", "1m"))
            .param(Param.integer("count", "queries to send; the one with the shortest round trip counts").defaultValue(3).range(1, 8))
            .param(Param.duration("max_offset", "offsets beyond this are time.skew").defaultValue("5s").range("1ms", "1h"))
            .fact("outcome", "string", "ok, skew, unsynchronised, kiss, closed, no-response, unresolved or error")
            .fact("offset_ms", "number", "server clock minus this clock (positive: this clock is behind)")
            .fact("delay_ms", "number", "round-trip delay of the exchange used")
            .fact("samples", "integer", "answers received")
            .fact("stratum", "integer", "the server's stratum (1 primary, 2-15 secondary, 16 unsynchronised)")
            .fact("reference_id", "string", "the server's reference: an ASCII code at stratum 0/1, an address otherwise")
            .fact("leap", "integer", "leap indicator (3: the server's clock is not synchronised)")
            .fact("server_time", "string", "the server's transmit time")
            .fact("root_delay_ms", "number", "the server's round trip to its primary reference")
            .fact("address", "string", "the address asked")
            .needs(Needs.NOTHING)
            .example("reach probe ntp.offset server=127.0.0.1")
            .example("reach probe ntp.offset server=127.0.0.1 port=1123 max_offset=500ms")
            .about("SNTP (RFC 4330), best of `count` exchanges: offset, delay, stratum, reference id; `time.skew` beyond"
                    + " `max_offset` (5s), `udp.closed`, `udp.no-response`, kiss-o'-death and unsynchronised servers named.")
            .causes("time.skew", "udp.closed", "udp.no-response")
            .build();

    /** A server's answer with the four timestamps, or what happened instead ({@code failure} non-null). */
    record Exchange(String target, NtpPacket reply, Instant t1, Instant t4, Throwable failure) {
    }

    @Override
    public ProbeSpec spec() {
        return SPEC;
    }

    @Override
    public Observation run(ProbeContext ctx, Params params) {
        Addresses.HostPort hp;
        try {
            hp = Addresses.hostPort(params.string("server"), params.port("port"));
        } catch (IllegalArgumentException e) {
            return Observation.error("server=" + e.getMessage()).fact("outcome", "error").build();
        }
        String server = hp.host();
        int port = hp.port();
        Duration max = params.duration("max_offset");
        InetAddress address;
        try {
            address = InetAddress.getByName(server);
        } catch (UnknownHostException e) {
            return classify(new Exchange(server, null, null, null, e), max).observation().build();
        }
        String target = Addresses.endpoint(address, port);
        Duration wait = ctx.bound(params.duration("timeout"));
        ctx.progress("asking " + target + " for the time");
        Exchange ex = null;
        int samples = 0;
        for (int i = 0; i < params.integer("count"); i++) {
            Exchange next = ask(target, new InetSocketAddress(address, port), ctx.bound(wait));
            if (Thread.currentThread().isInterrupted()) {
                return Observation.error("cancelled while waiting for " + target).fact("outcome", "error").build();
            }
            if (next.failure() == null) {
                samples++;
            }
            if (ex == null || better(next, ex)) {
                ex = next;
            }
            if (next.failure() == null ? next.reply().stratum() == 0 : !(next.failure() instanceof SocketTimeoutException)) {
                break; // a kiss-o'-death asks us to stop; a closed port or an unknown name will not change
            }
        }
        Observation.Builder b = classify(ex, max).observation().fact("address", Addresses.text(address)).fact("samples", samples);
        NtpPacket r = ex.reply();
        if (r != null) {
            Instant t2 = NtpPacket.toInstant(r.receiveTime());
            Instant t3 = NtpPacket.toInstant(r.transmitTime());
            b.fact("stratum", r.stratum()).fact("reference_id", r.referenceText()).fact("leap", r.leap())
                    .fact("root_delay_ms", Millis.of(NtpPacket.shortFormat(r.rootDelay())));
            if (r.stratum() != 0) {
                b.fact("offset_ms", Millis.of(NtpPacket.offset(ex.t1(), t2, t3, ex.t4())))
                        .fact("delay_ms", Millis.of(NtpPacket.delay(ex.t1(), t2, t3, ex.t4()))).fact("server_time", t3.toString());
            }
        }
        return b.build();
    }

    /**
     * Judges one exchange. Pure. A kiss-o'-death or an unsynchronised server says nothing about this clock,
     * so those come before the offset.
     */
    static Judgement classify(Exchange ex, Duration maxOffset) {
        String sntp = "sntp " + ex.target() + " -> ";
        if (ex.failure() != null) {
            Throwable e = ex.failure();
            String said = Failures.text(e);
            return switch (e) {
                case UnknownHostException u -> new Judgement(Status.FAIL, null, "unresolved", ex.target() + " did not resolve (" + said
                        + "); run dns.resolve", sntp + said);
                case PortUnreachableException p -> new Judgement(Status.FAIL, "udp.closed", "closed", ex.target()
                        + " answered ICMP port-unreachable: no NTP server listens there", sntp + "ICMP port unreachable");
                case SocketTimeoutException t -> new Judgement(Status.FAIL, "udp.no-response", "no-response", ex.target()
                        + " sent no NTP answer: the server is down or silent, or a firewall drops UDP/123 (an NTP request was sent, so an open port would have answered)",
                        sntp + "no answer (" + said + ")");
                default -> new Judgement(Status.ERROR, null, "error", "asking " + ex.target() + " failed: " + said, sntp + said);
            };
        }
        NtpPacket r = ex.reply();
        if (r.stratum() == 0) {
            return new Judgement(Status.FAIL, null, "kiss", ex.target() + " refused to serve the time (kiss-o'-death " + r.referenceText()
                    + (r.referenceText().equals("RATE") ? ": asked too often" : r.referenceText().equals("DENY") || r.referenceText().equals("RSTR")
                    ? ": access denied" : "") + ")", sntp + "stratum 0, kiss code " + r.referenceText());
        }
        Instant t2 = NtpPacket.toInstant(r.receiveTime());
        Instant t3 = NtpPacket.toInstant(r.transmitTime());
        Duration offset = NtpPacket.offset(ex.t1(), t2, t3, ex.t4());
        Duration delay = NtpPacket.delay(ex.t1(), t2, t3, ex.t4());
        String evidence = sntp + "stratum " + r.stratum() + ", reference " + r.referenceText() + ", offset "
                + String.format(Locale.ROOT, "%+.3fms", Millis.of(offset)) + ", delay " + String.format(Locale.ROOT, "%.3fms", Millis.of(delay));
        String source = ex.target() + " (stratum " + r.stratum() + ", reference " + r.referenceText() + ")";
        if (r.leap() == 3 || r.stratum() >= 16) {
            return new Judgement(Status.WARN, null, "unsynchronised", source + " says its own clock is not synchronised;"
                    + " its offset (" + words(offset) + ") proves nothing: use another server", evidence);
        }
        if (offset.abs().compareTo(maxOffset) > 0) {
            return new Judgement(Status.FAIL, "time.skew", "skew", "this clock is " + words(offset) + " " + source + "; more than the "
                    + ParamType.format(maxOffset) + " allowed: certificates and tokens can fail; sync it (chronyc tracking, timedatectl)", evidence);
        }
        return new Judgement(Status.OK, null, "ok", "this clock is " + words(offset) + " " + source, evidence);
    }

    /** An answer beats a failure; of two answers, the shorter round trip (less room for asymmetry) wins. */
    private static boolean better(Exchange a, Exchange b) {
        if (a.failure() != null || b.failure() != null) {
            return b.failure() != null && a.failure() == null;
        }
        return delayOf(a).compareTo(delayOf(b)) < 0;
    }

    private static Duration delayOf(Exchange e) {
        return NtpPacket.delay(e.t1(), NtpPacket.toInstant(e.reply().receiveTime()), NtpPacket.toInstant(e.reply().transmitTime()), e.t4());
    }

    private static Exchange ask(String target, InetSocketAddress server, Duration wait) {
        try (DatagramSocket socket = new DatagramSocket()) {
            socket.connect(server); // connected, so an ICMP port-unreachable comes back as PortUnreachableException
            long deadline = System.nanoTime() + wait.toNanos();
            NtpPacket request = NtpPacket.request(NtpPacket.toNtp(Instant.now()));
            byte[] out = request.encode();
            DatagramPacket datagram = new DatagramPacket(out, out.length);
            Instant t1 = Instant.now(); // taken last before sending: the transmit field is only a nonce the server echoes
            socket.send(datagram);
            byte[] in = new byte[512];
            for (int i = 0; i < 16; i++) { // skip stray or stale datagrams; bounded in count and by the deadline
                long left = (deadline - System.nanoTime()) / 1_000_000;
                if (left <= 0) {
                    throw new SocketTimeoutException("nothing within " + ParamType.format(wait));
                }
                socket.setSoTimeout((int) Math.max(1, left));
                DatagramPacket p = new DatagramPacket(in, in.length);
                try {
                    socket.receive(p);
                } catch (SocketTimeoutException e) {
                    throw new SocketTimeoutException("nothing within " + ParamType.format(wait));
                }
                Instant t4 = Instant.now();
                if (p.getLength() < NtpPacket.SIZE) {
                    continue;
                }
                NtpPacket reply = NtpPacket.decode(p.getData(), p.getLength());
                if (reply.mode() == 4 && reply.originateTime() == request.transmitTime()) {
                    return new Exchange(target, reply, t1, t4, null);
                }
            }
            throw new SocketTimeoutException("no valid answer among 16 datagrams");
        } catch (IOException e) {
            return new Exchange(target, null, null, null, e);
        }
    }

    /** {@code 30.0s behind}, {@code 12ms ahead of}: this clock relative to the server. */
    static String words(Duration offset) {
        double ms = Math.abs(offset.toNanos() / 1e6);
        String amount = ms < 1000 ? String.format(Locale.ROOT, "%.1fms", ms) : String.format(Locale.ROOT, "%.1fs", ms / 1000);
        return amount + (offset.isNegative() ? " ahead of" : " behind");
    }

}
