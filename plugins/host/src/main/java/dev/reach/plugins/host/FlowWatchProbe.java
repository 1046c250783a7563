package dev.reach.plugins.host;

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

import java.io.IOException;
import java.net.InetAddress;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Run on the server while a client connects: did the client's packets arrive, on which interface, did this host
 * answer, and what did the kernel drop meanwhile and why. A packet socket ({@link FlowCapture}) sees the packets of
 * the port on every interface before the firewall does; the kernel's drop reasons ({@link DropTrace}, root) say what
 * became of those it did not answer. It stops as soon as the flow is decided ({@link FlowSeen}), else at the timeout.
 *
 * <pre>
 * $ reach probe flow.watch port=8080 src=198.18.0.1 timeout=5s
 * fail [firewall.local]: SYN from 198.18.0.1 arrived on eth0 (2 of them) and got no answer: the kernel dropped it in
 *   a netfilter rule (NETFILTER_DROP at nft_do_chain)
 * </pre>
 */
@Extension
public final class FlowWatchProbe implements Probe {
    static final ProbeSpec SPEC = ProbeSpec.builder("flow.watch", "Watches a client's packets to a port arrive, and this host's answers")
            .param(Param.port("port", "the port clients connect to").required())
            .param(Param.host("src", "the client's address (default: the first that sends to the port)"))
            .param(Param.choice("direction", "in: a client's packets arrive here (run on the server); out: this host's own packets"
                    + " to dst leave (run on the client: did they leave at all?)", "in", "out").defaultValue("in"))
            .param(Param.host("dst", "with direction=out: the server this host connects to"))
            .param(Param.bool("connect", "with direction=out: once watching, connect to dst:port itself (one TCP connect, held"
                    + " until the watch ends, so the kernel sends its SYN again after 1 s)").defaultValue(false))
            .param(Param.choice("proto", "tcp or udp", "tcp", "udp").defaultValue("tcp"))
            .param(Param.duration("timeout", "how long to watch at most (it stops once the flow is decided)")
                    .defaultValue("5s").range("100ms", "1m"))
            .param(Param.bool("drops", "also read the kernel's drop reasons meanwhile (root, tracefs)").defaultValue(true))
            .param(Param.choice("end", "decided: at the timeout or once the flow is decided; stdin: also when standard input"
                    + " closes, if it is a pipe or socket (the client side of --server-via closes it when it is done)", "decided", "stdin")
                    .defaultValue("decided"))
            .fact("outcome", "string", "none (nothing arrived), unanswered, answered (no ACK came back), refused (a reset) or established;"
                    + " direction=out: none (nothing left this host) or left")
            .fact("client", "string", "the peer watched: the client (direction=in), the server (direction=out)")
            .fact("requests", "integer", "SYNs (datagrams) from the client that arrived")
            .fact("answers", "integer", "SYN-ACKs (datagrams) this host sent back")
            .fact("resets", "integer", "resets this host sent back")
            .fact("in_interfaces", "list", "interfaces the client's packets arrived on")
            .fact("out_interfaces", "list", "interfaces the answers left by")
            .fact("others", "list", "other sources that sent to the port meanwhile (a NAT in between shows here)")
            .fact("resent", "boolean", "the client sent its SYN again after this host had answered (the answer did not reach it)")
            .fact("drop_reasons", "map", "the kernel's drops by reason while watching (the whole machine)")
            .fact("drops", "string", "read, or why the kernel's drop reasons were not read")
            .fact("watched_ms", "number", "how long it watched")
            .needs(Needs.root("CAP_NET_RAW").withNote("a packet socket; the drop reasons need root"))
            .example("reach probe flow.watch port=5432 src=198.18.0.1 timeout=10s")
            .example("reach probe flow.watch port=53 proto=udp")
            .about("Run on the server: watches the client's packets to the port arrive (a packet socket with a BPF filter, "
                    + "before the firewall sees them) and this host's answers leave, with the kernel's drop reasons "
                    + "meanwhile; stops once the flow is decided: a firewall drop (`firewall.local`), reverse-path "
                    + "filtering (`rpfilter.drop`), a full accept queue (`listen.overflow`), a reset (`tcp.refused`), an "
                    + "answer the client never acknowledged (`path.reply-lost`). What the client's side of it says is "
                    + "joined by `reach HOST:PORT --server-via`.")
            .causes("firewall.local", "rpfilter.drop", "listen.overflow", "tcp.refused", "path.reply-lost")
            .build();

    @Override
    public ProbeSpec spec() {
        return SPEC;
    }

    @Override
    public void prepare() {
        FlowCapture.available();
    }

    @Override
    public Observation run(ProbeContext ctx, Params params) {
        int port = params.port("port");
        boolean tcp = params.string("proto").equals("tcp");
        if (!(ctx.privileges().root() || ctx.privileges().hasCapability("CAP_NET_RAW"))) {
            return Observation.skipped("watching packets needs root or CAP_NET_RAW (a packet socket)").fact("outcome", "unavailable").build();
        }
        if (!FlowCapture.available()) {
            return Observation.skipped("native access is off for the host plugin: no packet socket").fact("outcome", "unavailable").build();
        }
        boolean out = params.string("direction").equals("out");
        String peerParam = out ? "dst" : "src";
        if (out && !params.has("dst")) {
            return Observation.error("direction=out needs dst: the server this host connects to").build();
        }
        InetAddress client = null;
        if (params.has(peerParam)) {
            try {
                client = InetAddress.getByName(params.string(peerParam));
            } catch (UnknownHostException e) {
                return Observation.error(peerParam + " " + params.string(peerParam) + " did not resolve").build();
            }
        }
        String who = (out ? "to " : "from ") + (client == null ? "any client" : Addresses.text(client));
        String what = (tcp ? "tcp" : "udp") + " port " + port;
        Duration timeout = ctx.bound(params.duration("timeout"));
        FlowSeen seen = new FlowSeen(tcp, port, client, out);
        DropTrace trace = null;
        String drops;
        if (!params.bool("drops")) {
            drops = "not asked (drops=false)";
        } else {
            try {
                trace = DropTrace.start(ctx);
                drops = "read";
            } catch (IOException e) {
                drops = "not read: " + e.getMessage();
            }
        }
        long t0 = System.nanoTime();
        DropTrace.Counts counts = null;
        java.util.concurrent.atomic.AtomicBoolean inputClosed = new java.util.concurrent.atomic.AtomicBoolean();
        boolean untilEof = params.string("end").equals("stdin") && StdinEnd.watchable();
        boolean connect = out && tcp && params.bool("connect");
        InetAddress dst = client;
        java.util.concurrent.atomic.AtomicReference<java.nio.channels.SocketChannel> held = new java.util.concurrent.atomic.AtomicReference<>();
        try {
            FlowCapture.capture(tcp ? 6 : 17, port, timeout.toNanos(),
                    () -> {
                        if (untilEof) StdinEnd.onEof(() -> inputClosed.set(true));
                        ctx.progress("watching " + what + " " + who + " for " + ParamType.format(timeout));
                        if (connect) held.set(connectOnce(dst, port));   // after the filter holds: its SYN is seen, or known lost
                    },
                    seen::add, us -> seen.decided(us) || ctx.cancelled() || inputClosed.get());
            if (trace != null) counts = trace.stop();
        } catch (SocketException | IllegalStateException e) {
            return Observation.skipped("the packets could not be watched: " + e.getMessage()).fact("outcome", "unavailable").build();
        } catch (IOException e) {
            drops = "not read: " + e.getMessage();
        } finally {
            if (trace != null) trace.close();
            closeQuietly(held.get());
        }
        double watched = (System.nanoTime() - t0) / 100_000 / 10.0;
        Judgement j = out ? classifyOut(seen, counts, what, Duration.ofNanos(System.nanoTime() - t0))
                : classify(seen, counts, what, Duration.ofNanos(System.nanoTime() - t0));
        Observation.Builder b = j.observation().fact("client", seen.client() == null ? null : Addresses.text(seen.client()))
                .fact("requests", seen.requests()).fact("answers", seen.answers()).fact("resets", seen.resets())
                .fact("in_interfaces", seen.inIfaces()).fact("out_interfaces", seen.outIfaces()).fact("others", seen.others())
                .fact("resent", seen.resentAfterAnswer())
                .fact("drop_reasons", counts == null ? Map.of() : KernelDropsProbe.byReason(counts.window()))
                .fact("drops", drops).fact("watched_ms", watched);
        seen.lines().forEach(b::evidence);
        if (inputClosed.get() && !seen.decided(Long.MAX_VALUE / 2)) {
            b.evidence("the watch ended when its standard input closed (the client side was done), after " + watched + " ms");
        }
        if (counts != null) {
            // the drops that name a cause, each; the rest (the whole machine's, mostly unrelated) in one line
            counts.window().stream().filter(d -> KernelDropsProbe.MEANING.containsKey(d.reason())).limit(4)
                    .forEach(d -> b.evidence("kernel drop: " + d.text()));
            List<String> rest = KernelDropsProbe.byReason(counts.window()).entrySet().stream()
                    .filter(e -> !KernelDropsProbe.MEANING.containsKey(e.getKey())).limit(4).map(e -> e.getKey() + " ×" + e.getValue()).toList();
            if (counts.window().isEmpty()) b.evidence("kernel drops: none while watching");
            else if (!rest.isEmpty()) b.evidence("other kernel drops meanwhile (the whole machine): " + String.join(", ", rest));
        } else {
            b.evidence("kernel drop reasons " + drops);
        }
        if (!seen.others().isEmpty()) b.evidence("other sources sent to " + what + ": " + String.join(", ", seen.others()));
        return b.build();
    }

    /** From what was seen (and the kernel's drops, null when not read) to status and cause. Pure. */
    static Judgement classify(FlowSeen s, DropTrace.Counts drops, String what, Duration watched) {
        String from = s.client() == null ? "any client" : Addresses.text(s.client());
        String on = String.join(", ", s.inIfaces());
        String req = what.startsWith("tcp") ? "SYN" : "datagram";
        String count = s.requests() == 1 ? "" : " (" + s.requests() + " of them)";
        return switch (s.outcome()) {
            case "none" -> new Judgement(Status.WARN, null, "none", "nothing from " + from + " to " + what + " arrived on any interface in "
                    + ParamType.format(watched) + (s.others().isEmpty() ? "" : "; other sources did: " + String.join(", ", s.others())));
            case "established" -> new Judgement(Status.OK, null, "established", "the handshake from " + from + " completed: SYN in on " + on
                    + ", SYN-ACK out on " + String.join(", ", s.outIfaces()));
            case "refused" -> new Judgement(Status.FAIL, "tcp.refused", "refused", req + " from " + from + " arrived on " + on
                    + " and this host answered with a reset: nothing listens on the address it was sent to, or a rule rejects it");
            case "answered" -> what.startsWith("tcp")
                    ? new Judgement(Status.FAIL, "path.reply-lost", "answered", req + " from " + from + " arrived on " + on + count
                    + " and this host answered (SYN-ACK out on " + String.join(", ", s.outIfaces()) + "), but the client never acknowledged it"
                    + (s.resentAfterAnswer() ? " and sent its SYN again: the answer did not reach it" : ""))
                    : new Judgement(Status.OK, null, "answered", "datagrams from " + from + " arrived on " + on + " and were answered");
            default -> unanswered(s, drops, from, on, req + count, what);
        };
    }

    /** One non-blocking connect (its SYN, and the kernel's resend after 1 s while it is held); null when it cannot start. */
    private static java.nio.channels.SocketChannel connectOnce(InetAddress dst, int port) {
        try {
            java.nio.channels.SocketChannel ch = java.nio.channels.SocketChannel.open();
            ch.configureBlocking(false);
            ch.connect(new java.net.InetSocketAddress(dst, port));
            return ch;
        } catch (IOException | RuntimeException e) {
            return null;   // no route, no descriptor: then no SYN left, and the watch says so
        }
    }

    private static void closeQuietly(java.nio.channels.SocketChannel ch) {
        try {
            if (ch != null) ch.close();
        } catch (IOException e) {
            // closing a connect attempt: nothing to do
        }
    }

    /** This host's own packets: did they leave it, and if not, what did its kernel drop meanwhile. Pure. */
    static Judgement classifyOut(FlowSeen s, DropTrace.Counts drops, String what, Duration watched) {
        String to = s.client() == null ? "the server" : Addresses.text(s.client());
        String req = what.startsWith("tcp") ? "SYN" : "datagram";
        if (!s.outcome().equals("none")) {
            return new Judgement(Status.OK, null, "left", "this host's " + req + " to " + to + " " + what + " left on "
                    + String.join(", ", s.outIfaces()));
        }
        String head = "no " + req + " to " + to + " " + what + " left this host in " + ParamType.format(watched);
        if (drops == null) {
            return new Judgement(Status.FAIL, null, "none", head + "; the kernel's drop reasons were not read");
        }
        for (var m : KernelDropsProbe.MEANING.entrySet()) {
            if (drops.of(m.getKey()) > 0) {
                String where = drops.window().stream().filter(d -> d.reason().equals(m.getKey())).findFirst().map(DropTrace.Drop::function).orElse("?");
                return new Judgement(Status.FAIL, m.getValue()[0], "none", head + ": the kernel here dropped " + drops.of(m.getKey())
                        + " packet(s) " + m.getValue()[1] + " (" + m.getKey() + " at " + where + ")");
            }
        }
        List<String> seen = new ArrayList<>();
        drops.window().stream().limit(3).forEach(d -> seen.add(d.text()));
        return new Judgement(Status.FAIL, null, "none", head + (seen.isEmpty() ? "; the kernel dropped nothing meanwhile"
                : "; the kernel dropped meanwhile: " + String.join(", ", seen)));
    }

    private static Judgement unanswered(FlowSeen s, DropTrace.Counts drops, String from, String on, String req, String what) {
        String head = req.replaceFirst("^(SYN|datagram)", "$1 from " + from) + " arrived on " + on + " and got no answer";
        if (drops == null) {
            return new Judgement(Status.FAIL, null, "unanswered", head + "; the kernel's drop reasons were not read");
        }
        for (var m : KernelDropsProbe.MEANING.entrySet()) {
            if (drops.of(m.getKey()) > 0 && !m.getKey().startsWith("NEIGH") && !m.getKey().contains("NOROUTES")) {
                String where = drops.window().stream().filter(d -> d.reason().equals(m.getKey())).findFirst()
                        .map(DropTrace.Drop::function).orElse("?");
                return new Judgement(Status.FAIL, m.getValue()[0], "unanswered", head + ": the kernel dropped it " + m.getValue()[1]
                        + " (" + m.getKey() + " at " + where + ")");
            }
        }
        List<String> seen = new ArrayList<>();
        drops.window().stream().limit(3).forEach(d -> seen.add(d.text()));
        return new Judgement(Status.FAIL, null, "unanswered", head + "; the kernel named no drop that explains it"
                + (seen.isEmpty() ? " (it dropped nothing while watching)" : " (its drops: " + String.join(", ", seen) + ")"));
    }
}
