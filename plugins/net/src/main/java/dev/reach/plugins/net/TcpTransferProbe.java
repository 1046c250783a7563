package dev.reach.plugins.net;

import dev.reach.plugins.net.TcpTransfer.End;
import dev.reach.plugins.net.TcpTransfer.Result;
import dev.reach.spi.Addresses;
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

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * Whether data flows over an established connection, not only whether it opens: sends and receives a bounded amount
 * (an echo service's bytes back, a server-speaks-first stream, an HTTP body) and reads the kernel's account of the
 * connection (TCP_INFO) while it does. A transfer that stops moving is {@code tcp.stall}, named by what TCP_INFO shows:
 * the peer's window shut (its application stopped reading), segments sent again and again without an ack (the path
 * stopped carrying the flow), or nothing arriving. One that completes with many segments sent again is
 * {@code path.loss}.
 *
 * <pre>
 * $ reach probe tcp.transfer host=198.18.1.2 port=7 mode=echo size=1048576
 * ok: 198.18.1.2:7 echoed 1048576 bytes in 41ms (204.6 Mbit/s each way); rtt 0.09ms, 0 of 730 data segments sent again
 * $ reach probe tcp.transfer host=198.18.1.2 port=7 mode=echo stall=500ms
 * fail [tcp.stall]: the transfer with 198.18.1.2:7 stopped after 2883584 bytes sent and 0 received: ...: the peer's receive window is shut ...
 * </pre>
 */
@Extension
public final class TcpTransferProbe implements Probe {

    static final ProbeSpec SPEC = ProbeSpec.builder("tcp.transfer", "Moves a bounded amount of data over a TCP connection and reads TCP_INFO: a stall or loss on an established connection")
            .param(Param.host("host", "name or address of the service").required())
            .param(Param.port("port", "TCP port").required())
            .param(Param.choice("mode", "http: GET path and read the answer; echo: send bytes and read them back; read: send payload, then read", "http", "echo", "read")
                    .defaultValue("http"))
            .param(Param.integer("size", "bytes to move: sent and read back (echo), or read at most (http, read)").defaultValue(1_048_576)
                    .range(1, 64L * 1024 * 1024))
            .param(Param.string("path", "the HTTP path (mode=http)").defaultValue("/"))
            .param(Param.string("payload", "what to send first (mode=read): text:... or hex:0a0b..., or empty for a server that speaks first")
                    .defaultValue(""))
            .param(Param.duration("stall", "how long nothing may move (no byte acknowledged, none received) before it is a stall")
                    .defaultValue("2s").range("50ms", "1m"))
            .param(Param.integer("max_loss_pct", "percent of data segments sent again above which a completed transfer is path.loss")
                    .defaultValue(1).range(0, 100))
            .param(Param.duration("timeout", "the whole transfer, connect included").defaultValue("10s").range("100ms", "10m"))
            .fact("outcome", "string", "done, closed, reset, stalled, slow, or the connect's outcome (refused, timeout, ...)")
            .fact("stall", "string", "what stalled: zero-window (the peer stopped reading), retransmitting (the path stopped carrying it), no-data (nothing arrives)")
            .fact("address", "string", "the address:port connected to")
            .fact("sent_bytes", "integer", "bytes handed to the kernel")
            .fact("received_bytes", "integer", "bytes read")
            .fact("connect_ms", "number", "the handshake")
            .fact("transfer_ms", "number", "from connected to the end")
            .fact("idle_ms", "number", "how long nothing had moved at the end")
            .fact("throughput_mbps", "number", "bytes moved (the larger direction) per second, in Mbit/s")
            .fact("retransmit_pct", "number", "TCP_INFO: percent of the data segments sent again for loss (those the peer reported twice left out)")
            .fact("duplicates_reported", "integer", "TCP_INFO: segments the peer reported receiving twice (D-SACK): sent again needlessly")
            .fact("rtt_ms", "number", "TCP_INFO: smoothed RTT")
            .fact("rttvar_ms", "number", "TCP_INFO: RTT variation")
            .fact("retransmits_total", "integer", "TCP_INFO: segments sent again in the connection's life")
            .fact("data_segments_out", "integer", "TCP_INFO: data segments sent")
            .fact("unacked", "integer", "TCP_INFO: segments in flight at the end")
            .fact("lost", "integer", "TCP_INFO: segments counted lost at the end")
            .fact("cwnd", "integer", "TCP_INFO: congestion window, segments")
            .fact("peer_window", "integer", "TCP_INFO: the window the peer advertises, bytes (Linux 5.4 on)")
            .fact("zero_window_probes", "integer", "TCP_INFO: zero-window probes sent and unanswered")
            .fact("rwnd_limited_ms", "number", "TCP_INFO: time the sender waited on the peer's window")
            .fact("out_of_order_in", "integer", "TCP_INFO: segments received out of order")
            .fact("delivery_rate_bps", "integer", "TCP_INFO: the kernel's delivery rate estimate, bit/s")
            .needs(Needs.NOTHING)
            .example("reach probe tcp.transfer host=198.18.1.2 port=80 path=/big.bin")
            .example("reach probe tcp.transfer host=198.18.1.2 port=7 mode=echo size=4194304 stall=500ms")
            .example("reach probe tcp.transfer host=198.18.1.2 port=22 mode=read size=64")
            .about("Moves `size` bytes over one connection (HTTP body, echo, or a stream the server sends) and reads TCP_INFO: "
                    + "`tcp.stall` when nothing moves for `stall` (the peer's window shut, segments sent again without an "
                    + "ack, or nothing arriving), `path.loss` when it completes with more than `max_loss_pct` % of its segments "
                    + "sent again, `tcp.reset`; RTT, retransmissions, window and delivery rate as facts.")
            .causes("tcp.stall", "path.loss", "tcp.reset", "tcp.refused", "tcp.filtered", "host.unreachable", "route.none")
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
        String mode = p.string("mode");
        long bytes = p.integer("size");
        byte[] request;
        try {
            request = switch (mode) {
                case "echo" -> pattern((int) bytes);
                case "http" -> ("GET " + p.string("path") + " HTTP/1.1\r\nHost: " + host + "\r\nUser-Agent: reach\r\nConnection: close\r\n\r\n")
                        .getBytes(StandardCharsets.ISO_8859_1);
                default -> UdpProbeProbe.payload(p.string("payload"));
            };
        } catch (IllegalArgumentException e) {
            return Observation.error("payload=" + p.string("payload") + ": " + e.getMessage()).fact("outcome", "error").build();
        }
        InetAddress address;
        try {
            address = Addresses.resolve(host, "any");
        } catch (UnknownHostException e) {
            return Endpoint.unresolved(host, e);
        }
        String target = Addresses.endpoint(address, p.port("port"));
        Duration timeout = ctx.bound(p.duration("timeout"));
        ctx.progress("moving " + bytes + " bytes with " + target);
        Result r;
        try {
            r = TcpTransfer.run(ctx, new InetSocketAddress(address, p.port("port")), request, bytes, p.duration("stall"), timeout);
        } catch (NativeSocket.Failure | RuntimeException e) {
            return Observation.error("cannot transfer with " + target + ": " + e.getMessage()).fact("outcome", "error").build();
        }
        Judgement j = classify(r, mode, target, bytes, request.length, p.duration("stall"), timeout, p.integer("max_loss_pct"));
        Observation.Builder b = j.observation().fact("address", target);
        if (r.end() != End.CONNECT_FAILED && r.end() != End.CANCELLED) {
            b.fact("sent_bytes", r.sent()).fact("received_bytes", r.received()).fact("connect_ms", round(r.connectMs()))
                    .fact("transfer_ms", round(r.transferMs())).fact("idle_ms", round(r.idleMs()))
                    .fact("throughput_mbps", r.transferMs() > 0 ? round(Math.max(r.sent(), r.received()) * 8 / (r.transferMs() * 1000)) : null)
                    .fact("retransmit_pct", round(100 * r.stats().retransmitRatio()))
                    .fact("stall", r.end() == End.STALLED ? stallKind(r, request.length) : null)
                    .facts(r.stats().facts())
                    .evidence("tcp " + target + " " + mode + ": " + r.sent() + " bytes sent, " + r.received() + " received in "
                            + Endpoint.human(r.transferMs()) + " after a " + Endpoint.human(r.connectMs()) + " handshake; "
                            + r.end().name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ')
                            + (r.idleMs() >= 1 ? ", nothing moved for the last " + Endpoint.human(r.idleMs()) : ""))
                    .evidence(r.stats().describe());
        } else if (r.icmp() != null) {
            b.evidence("connect " + target + " -> " + r.icmp().describe());
        }
        return b.build();
    }

    /**
     * Judges the transfer. Pure. Stalled: tcp.stall, named by what TCP_INFO shows. Completed (or the server's stream
     * ended, for http and read): ok, or path.loss beyond {@code maxLoss} percent of segments sent again. Reset, or an
     * echo cut short by the peer: tcp.reset. Still moving at the timeout: a warning, not a fault.
     */
    static Judgement classify(Result r, String mode, String target, long expect, int requestBytes, Duration stall,
                              Duration timeout, long maxLoss) {
        TcpStats s = r.stats();
        String moved = r.sent() + " bytes sent and " + r.received() + " received";
        return switch (r.end()) {
            case CONNECT_FAILED -> Endpoint.connectFailed(r.errno(), target, timeout);
            case CANCELLED -> new Judgement(Status.ERROR, null, "error", "cancelled while moving data with " + target);
            case RESET -> new Judgement(Status.FAIL, "tcp.reset", "reset", target + " reset the connection after " + moved
                    + ": the service or something in front of it (a proxy, a firewall that lost the flow) drops it mid-transfer");
            case CLOSED -> mode.equals("echo") || r.received() == 0
                    ? new Judgement(Status.FAIL, "tcp.reset", "closed", target + " closed the connection after " + moved
                            + (mode.equals("echo") ? " of " + expect + " to echo" : " without sending anything")
                            + ": the service or something in front of it ends the connection")
                    : completed(r, mode, target, s, maxLoss);
            case DONE -> completed(r, mode, target, s, maxLoss);
            case TIMEOUT -> new Judgement(Status.WARN, null, "slow", target + " was still moving data when the "
                    + ParamType.format(timeout) + " ran out: " + moved + " at " + rate(r) + "; a slow path or service, not a stall");
            case STALLED -> stalled(r, target, requestBytes, stall, moved, s);
        };
    }

    private static Judgement completed(Result r, String mode, String target, TcpStats s, long maxLoss) {
        String what = mode.equals("echo") ? "echoed " + r.received() + " bytes" : "sent " + r.received() + " bytes"
                + (r.end() == End.CLOSED ? " and closed" : "");
        String counters = "rtt " + Endpoint.human(s.rttMicros() / 1000.0) + ", " + s.totalRetrans()
                + (s.dataSegsOut() >= 0 ? " of " + s.dataSegsOut() + " data segments" : " segments") + " sent again";
        double lossPercent = 100 * s.retransmitRatio();
        if (s.lossRetrans() >= 3 && lossPercent > maxLoss) {
            return new Judgement(Status.WARN, "path.loss", "done", target + " " + what + " in " + Endpoint.human(r.transferMs())
                    + ", but " + String.format(java.util.Locale.ROOT, "%.1f", lossPercent) + " % of the data segments were sent again ("
                    + counters + "): packets are lost on the path, and each loss costs the connection a round trip or a timeout");
        }
        return new Judgement(Status.OK, null, "done", target + " " + what + " in " + Endpoint.human(r.transferMs()) + " ("
                + rate(r) + "); " + counters);
    }

    /**
     * What TCP_INFO says stalled: {@code zero-window} (data of ours waits and the peer's window is shut),
     * {@code retransmitting} (segments in flight sent again, never acknowledged), else {@code no-data}.
     */
    static String stallKind(Result r, int requestBytes) {
        TcpStats s = r.stats();
        if ((r.sent() < requestBytes || s.unacked() > 0) && s.windowShut()) return "zero-window";
        if (s.unacked() > 0 && (s.retransmits() > 0 || s.backoff() > 0)) return "retransmitting";
        return "no-data";
    }

    private static Judgement stalled(Result r, String target, int requestBytes, Duration stall, String moved, TcpStats s) {
        String head = "the transfer with " + target + " stopped after " + moved + ": nothing moved for " + ParamType.format(stall) + "; ";
        String kind = stallKind(r, requestBytes);
        if (kind.equals("zero-window")) {
            return stall(head + "the peer's receive window is shut (" + (s.sndWnd() == 0 ? "window 0" : "")
                    + (s.probes() > 0 ? (s.sndWnd() == 0 ? ", " : "") + s.probes() + " zero-window probes unanswered" : "")
                    + "): the application on the other end stopped reading");
        }
        if (kind.equals("retransmitting")) {
            return stall(head + s.unacked() + " segments in flight were sent again " + s.retransmits()
                    + "x and never acknowledged: the path stopped carrying this connection (a stateful firewall or NAT that "
                    + "lost or timed out the flow, a link gone, or heavy loss)");
        }
        return stall(head + "the peer stopped sending (" + s.unacked() + " segments of ours unacknowledged"
                + (s.outOfOrder() > 0 ? ", " + s.outOfOrder() + " of its segments came out of order: some were lost on the way" : "")
                + "): its application paused, or its segments are lost before they get here");
    }

    private static Judgement stall(String summary) {
        return new Judgement(Status.FAIL, "tcp.stall", "stalled", summary);
    }

    private static String rate(Result r) {
        double mbps = r.transferMs() > 0 ? Math.max(r.sent(), r.received()) * 8 / (r.transferMs() * 1000) : 0;
        return String.format(java.util.Locale.ROOT, "%.1f Mbit/s", mbps);
    }

    /** Bytes that show in a dump where they went missing: 0x00-0xfa repeating (251 is prime, so no segment looks alike). */
    static byte[] pattern(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) b[i] = (byte) (i % 251);
        return b;
    }

    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }
}
