package dev.reach.plugins.net;

import dev.reach.plugins.net.HelloDialogue.Leg;
import dev.reach.plugins.net.HelloDialogue.Transcript;
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
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * Talks to the service after the handshake, in its own protocol, and says whether a request gets through: a TCP
 * handshake only proves the kernel on B is there. It sends the port's first request (TLS ClientHello on TLS ports
 * and on every port it does not know, HTTP HEAD, Redis PING, PostgreSQL's SSLRequest) or waits for the banner of
 * a protocol whose server speaks first (SSH, SMTP, FTP, POP3, IMAP, MySQL); beside it the same request grown to one
 * full-size segment, and MSS-clamped repeats when something stays silent, to tell a hung service from a path that
 * swallows big packets.
 *
 * <pre>
 * $ reach probe tcp.hello host=198.18.1.2 port=8080
 * ok: 198.18.1.2:8080 answered "HTTP/1.0 200 OK" 0.84ms after HEAD / (http); a full-size segment (1448 bytes) passes
 * $ reach probe tcp.hello host=198.18.1.2 port=8080 timeout=1s
 * fail [tcp.no-response]: 198.18.1.2:8080 accepted the connection and its kernel acknowledged HEAD / (78 bytes) in 0.2ms,
 *   but the service sent nothing back within 1s: it is hung or not reading (check on the server)
 * $ reach probe tcp.hello host=198.18.1.2 port=8080
 * fail [mtu.blackhole]: 198.18.1.2:8080 answers small requests, but a full-size segment (1448 bytes) was sent 3 times
 *   and never acknowledged, while the same bytes in 536-byte segments were at once: big packets vanish on the way
 * </pre>
 */
@Extension
public final class TcpHelloProbe implements Probe {
    private static final String[] PROTOCOLS = Arrays.stream(Greeting.values()).map(Greeting::id).toList().toArray(String[]::new);

    static final ProbeSpec SPEC = ProbeSpec.builder("tcp.hello",
                    "Talks to the service after the handshake in its protocol: answered, reset, silent, or big packets lost")
            .param(Param.host("host", "name or address to connect to").required())
            .param(Param.port("port", "TCP port").required())
            .param(Param.choice("protocol", "what to say: auto (by port; a TLS ClientHello on unknown ports), or one of them; "
                    + "plain sends blank lines", PROTOCOLS).defaultValue("auto"))
            .param(Param.string("name", "the server's name, for the HTTP Host header and TLS SNI (default: host)"))
            .param(Param.string("path", "HTTP request target (path and query) for HEAD").defaultValue("/"))
            .param(Param.duration("timeout", "how long to wait for the service's answer").defaultValue("3s").range("1ms", "5m"))
            .param(Param.bool("full_size", "also send one full-size segment, and MSS-clamped repeats when something stays "
                    + "silent (tells mtu.blackhole from tcp.no-response)").defaultValue(true))
            .fact("outcome", "string", "answered, reset, closed, no-response, mtu-blackhole, big-unacknowledged, or a connect failure")
            .fact("protocol", "string", "what answered: tls, http, ssh, smtp, ftp, pop3, imap, redis, postgres, mysql, unknown")
            .fact("greeting", "string", "the greeting used: the protocol parameter, or what auto chose for the port")
            .fact("http_status", "integer", "the status of the answer to an HTTP request, where one was sent (an HTTP port, "
                    + "or an unknown port silent to TLS)")
            .fact("other_protocol", "boolean", "true when the answer is in another known protocol than the one asked in "
                    + "(an HTTP server on Redis' port): another program holds the port; absent for auto, plain and tls")
            .fact("remote", "string", "the address:port")
            .fact("sent", "string", "what was sent first")
            .fact("sent_bytes", "integer", "its size")
            .fact("answer", "string", "the answer's first line (quoted, escaped) or what its first TLS record is")
            .fact("connect_ms", "number", "time to connect")
            .fact("syn_retransmits", "integer", "SYNs the kernel sent again before a connection completed, over all its"
                    + " connections: SYNs lost on the way (a SYN rate limit, a full accept queue, loss)")
            .fact("rtt_ms", "number", "the kernel's smoothed RTT of the first connection")
            .fact("first_byte_ms", "number", "from sending (or connecting, when the server speaks first) to the first byte")
            .fact("waited_ms", "number", "how long it waited in all")
            .fact("acked", "boolean", "B's kernel acknowledged the first request (it arrived)")
            .fact("mss", "integer", "the MSS of the first connection")
            .fact("full_size_bytes", "integer", "the full-size segment's size")
            .fact("full_size", "string", "passed, vanished (and passed clamped), unanswered, or untested")
            .needs(Needs.NOTHING)
            .example("reach probe tcp.hello host=198.18.1.2 port=8080")
            .example("reach probe tcp.hello host=127.0.0.1 port=18443 timeout=1s")
            .example("reach probe tcp.hello host=198.18.1.2 port=9000 protocol=http path=/health")
            .about("Talks to the service after the handshake in its own protocol: a TLS ClientHello on TLS ports and on "
                    + "any port it does not know (so TLS is seen everywhere), HTTP `HEAD` of the URL's path, Redis `PING`, "
                    + "PostgreSQL's SSLRequest, or the banner of a server that speaks first (SSH, SMTP, FTP, POP3, IMAP, "
                    + "MySQL); beside it one full-size segment, and MSS-clamped repeats where something stays silent: "
                    + "answered, `tcp.reset`, `tcp.no-response` (the kernel acknowledged, the service never answered) or "
                    + "`mtu.blackhole` (either direction), from TCP_INFO and what came back; `syn_retransmits`, the SYNs its"
                    + " connections had to send again.")
            .causes("mtu.blackhole", "tcp.no-response", "tcp.reset", "tcp.refused", "tcp.filtered", "host.unreachable",
                    "net.unreachable", "route.none", "admin.prohibited")
            .build();

    /** What {@link #classify} makes of a transcript. */
    record Classified(Status status, String cause, String outcome, String protocol, String summary) {
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
        int port = p.port("port");
        InetAddress address;
        try {
            address = Addresses.resolve(host, "any");
        } catch (UnknownHostException e) {
            return Endpoint.unresolved(host, e);
        }
        String target = Addresses.endpoint(address, port);
        Greeting greeting = Greeting.of(p.string("protocol"), port);
        String name = p.find("name").map(Object::toString).filter(s -> !s.isBlank()).orElse(host);
        Duration timeout = ctx.bound(p.duration("timeout"));
        ctx.progress("talking to " + target + " (" + greeting.id() + ")");
        Transcript t;
        try {
            t = new HelloDialogue(ctx, new InetSocketAddress(address, port), greeting, name, p.string("path"), p.bool("full_size"), timeout).run();
        } catch (NativeSocket.Failure | RuntimeException e) {
            return Observation.error("cannot talk to " + target + ": " + e.getMessage()
                    + (e instanceof IllegalCallerException ? " (native access is off: run reach with --enable-native-access)" : ""))
                    .fact("outcome", "error").build();
        }
        if (ctx.cancelled()) {
            return Observation.error("cancelled while talking to " + target).fact("outcome", "error").build();
        }
        Classified c = classify(t, target, timeout);
        Leg first = t.first();
        Observation.Builder b = Observation.of(c.status(), c.summary()).cause(c.cause()).fact("outcome", c.outcome())
                .fact("protocol", c.protocol()).fact("greeting", greeting.id()).fact("remote", target)
                .fact("other_protocol", c.status() == Status.OK ? otherProtocol(greeting, c.protocol()) : null)
                .fact("http_status", httpStatus(t))
                .fact("sent", sent(t)).fact("sent_bytes", t.request().length).fact("waited_ms", t.waitedMs())
                .fact("connect_ms", first.connectMs() >= 0 ? first.connectMs() : null)
                .fact("rtt_ms", first.info().rttMicros() > 0 ? first.info().rttMicros() / 1000.0 : null)
                .fact("mss", first.info().sndMss() > 0 ? first.info().sndMss() : null)
                .fact("acked", t.request().length > 0 ? first.acked() : null)
                .fact("answer", first.answeredWithBytes() ? Greeting.quote(first.answer()) : null)
                .fact("first_byte_ms", first.firstByteMs() >= 0 ? first.firstByteMs() : null)
                .fact("full_size", fullSize(t)).fact("full_size_bytes", t.full() == null || t.full().sent() == 0 ? null : t.full().sent())
                .fact("syn_retransmits", synRetransmits(t));
        evidence(t, target).forEach(b::evidence);
        return b.build();
    }

    /**
     * Judges the transcript. Pure. A connect that failed is the connect's cause; an answer is ok unless the
     * full-size segment vanished where the clamped one passed (mtu.blackhole); a reset or close before any byte is
     * tcp.reset, unless a TLS ClientHello to an unknown port was refused and blank lines were answered (a plain
     * service); silence is tcp.no-response, unless the MSS-clamped repeat was answered (mtu.blackhole: the answer
     * was what vanished).
     */
    static Classified classify(Transcript t, String target, Duration timeout) {
        Leg first = t.first();
        String expected = t.greeting().id();
        String what = sent(t);
        if (first.end() == TcpConversation.State.FAILED || first.end() == TcpConversation.State.CONNECTING) {
            return connectFailed(first, target, timeout, expected);
        }
        Leg full = t.full();
        Leg fullClamped = t.fullClamped();
        if (first.answeredWithBytes()) {
            String protocol = Greeting.recognise(first.answer());
            String answered = target + " answered " + Greeting.quote(first.answer()) + " "
                    + Endpoint.human(Math.max(0, first.firstByteMs())) + (t.request().length > 0 ? " after " + what : " after connecting")
                    + " (" + protocol + ")";
            if (full != null && !full.acked() && !full.reacted() && full.info().totalRetrans() >= HelloDialogue.RETRANSMITS
                    && fullClamped != null && fullClamped.acked()) {
                return new Classified(Status.FAIL, "mtu.blackhole", "mtu-blackhole", protocol, target + " answers small requests, but a "
                        + "full-size segment (" + full.sent() + " bytes, MSS " + full.info().sndMss() + ") was sent " + (1 + full.info().totalRetrans())
                        + " times and never acknowledged, while the same bytes in " + HelloDialogue.CLAMPED_MSS
                        + "-byte segments were: packets above some size vanish on the way, and no ICMP frag-needed comes back");
            }
            if (full != null && full.sent() > 0 && !full.acked() && !full.reacted()) {
                return new Classified(Status.WARN, null, "big-unacknowledged", protocol, answered + "; but a full-size segment ("
                        + full.sent() + " bytes) was not acknowledged within " + Endpoint.human(full.waitedMs())
                        + (fullClamped == null ? "" : ", nor in " + HelloDialogue.CLAMPED_MSS + "-byte segments") + ": packet loss, or a path that drops big packets");
            }
            String passes = full == null ? "" : full.acked() ? "; a full-size segment (" + full.sent() + " bytes) passes" : "";
            return new Classified(Status.OK, null, "answered", protocol, answered + passes);
        }
        if (first.end() == TcpConversation.State.RESET || first.end() == TcpConversation.State.CLOSED) {
            Leg plain = t.plain();
            if (plain != null && plain.answeredWithBytes()) {
                String protocol = Greeting.recognise(plain.answer());
                return new Classified(Status.OK, null, "answered", protocol, target + " does not speak TLS (it "
                        + (first.end() == TcpConversation.State.RESET ? "reset" : "closed") + " the connection at a ClientHello) but answered blank lines with "
                        + Greeting.quote(plain.answer()) + " (" + protocol + ")");
            }
            boolean reset = first.end() == TcpConversation.State.RESET;
            String when = t.request().length > 0 ? "at the first data (" + what + ")" : "before saying anything";
            return new Classified(Status.FAIL, "tcp.reset", reset ? "reset" : "closed", expected, target + " accepted the connection, then "
                    + (reset ? "reset it " : "closed it without a word ") + when
                    + (plain != null ? ", and did the same to blank lines" : "")
                    + ": the service or something in front of it (a proxy, TCP wrappers, a firewall rule) drops the connection");
        }
        Leg clamped = t.firstClamped();
        if (clamped != null && clamped.answeredWithBytes()) {
            return new Classified(Status.FAIL, "mtu.blackhole", "mtu-blackhole", Greeting.recognise(clamped.answer()), target
                    + " never answered " + what + " on a normal connection, but answered " + Greeting.quote(clamped.answer())
                    + " at once with the MSS clamped to " + HelloDialogue.CLAMPED_MSS + ": its full-size answer vanishes on the way back, "
                    + "and no ICMP frag-needed reaches it");
        }
        Leg http = t.http();
        if (http != null && http.answeredWithBytes()) {
            String protocol = Greeting.recognise(http.answer());
            return new Classified(Status.OK, null, "answered", protocol, target + " said nothing to a TLS ClientHello within "
                    + Endpoint.human(first.waitedMs()) + ", but answered an HTTP request with " + Greeting.quote(http.answer()) + " ("
                    + protocol + "): a plain service");
        }
        String heard = t.request().length == 0 ? "sent no greeting within " + ParamType.format(timeout)
                : first.acked() ? "its kernel acknowledged " + what + " (" + first.sent() + " bytes) in " + Endpoint.human(first.ackMs())
                + ", but the service sent nothing back within " + ParamType.format(timeout)
                : "sent nothing back to " + what + " within " + ParamType.format(timeout) + ", and the request was never acknowledged";
        String unknown = t.greeting() == Greeting.AUTO ? "; or it speaks a protocol of its own that waits for another first message "
                + "(give protocol=...)" : "";
        return new Classified(Status.FAIL, "tcp.no-response", "no-response", expected, target + " accepted the connection and " + heard
                + (http != null ? ", nor to an HTTP request" : "") + ": the service is hung, overloaded or not reading (check it on the server)" + unknown);
    }

    private static Classified connectFailed(Leg first, String target, Duration timeout, String expected) {
        Judgement j = Endpoint.connectFailed(first.end() == TcpConversation.State.CONNECTING ? 0 : first.errno(), target, timeout);
        return new Classified(j.status(), j.cause(), j.outcome(), expected, j.summary());
    }

    /** The status of the answer to an HTTP request, where one was sent and answered; else null. */
    static Integer httpStatus(Transcript t) {
        if (t.greeting() == Greeting.HTTP && t.first().answeredWithBytes()) return Greeting.httpStatus(t.first().answer());
        Leg http = t.http();
        return http != null && http.answeredWithBytes() ? Greeting.httpStatus(http.answer()) : null;
    }

    /**
     * Whether an answer in {@code answered} is another service than the greeting's protocol expects. Pure. Only a known
     * protocol counts against a known one: TLS may wrap any of them, and an answer not recognised proves nothing; SMTP
     * and FTP share their 220 greeting.
     */
    static Boolean otherProtocol(Greeting greeting, String answered) {
        if (greeting == Greeting.AUTO || greeting == Greeting.PLAIN || greeting == Greeting.TLS) return null;
        if (answered == null || answered.equals("tls") || answered.equals("unknown")) return false;
        String asked = greeting.id();
        return !answered.equals(asked) && !(Set.of("smtp", "ftp").contains(asked) && Set.of("smtp", "ftp").contains(answered));
    }

    /** The request for people: "HEAD / HTTP/1.1", "a TLS ClientHello", "nothing (the server speaks first)". */
    static String sent(Transcript t) {
        if (t.request().length == 0) return "nothing (the server speaks first)";
        return switch (t.greeting()) {
            case TLS, AUTO -> "a TLS ClientHello";
            case HTTP -> new String(t.request(), java.nio.charset.StandardCharsets.US_ASCII).lines().findFirst().orElse("HEAD");
            case POSTGRES -> "an SSLRequest";
            case REDIS -> "PING";
            case PLAIN -> "two blank lines";
            default -> t.request().length + " bytes";
        };
    }

    private static String fullSize(Transcript t) {
        Leg full = t.full();
        if (full == null || full.sent() == 0) return "untested";
        if (full.acked() || full.reacted()) return "passed";
        if (t.fullClamped() != null && t.fullClamped().acked()) return "vanished";
        return "unanswered";
    }

    /** SYNs sent again over the conversations that connected. */
    private static int synRetransmits(Transcript t) {
        int n = 0;
        for (Leg leg : new Leg[] {t.first(), t.full(), t.fullClamped(), t.firstClamped(), t.plain(), t.http()}) {
            if (leg != null && leg.connectMs() >= 0) n += leg.synRetransmits();
        }
        return n;
    }

    /** One line per conversation: what was sent, what the kernel and the service said, and when. */
    private static List<String> evidence(Transcript t, String target) {
        List<String> lines = new ArrayList<>();
        for (Leg leg : new Leg[] {t.first(), t.full(), t.fullClamped(), t.firstClamped(), t.plain(), t.http()}) {
            if (leg == null) continue;
            StringBuilder s = new StringBuilder(leg.role()).append(leg.mss() > 0 ? " (MSS clamped to " + leg.mss() + ")" : "").append(": ");
            if (leg.connectMs() < 0) {
                s.append("connect ").append(target).append(leg.errno() != 0 ? " -> " + Syscalls.errnoName(leg.errno()) : " -> no answer to the SYN");
                lines.add(s.toString());
                continue;
            }
            s.append("connected in ").append(Endpoint.human(leg.connectMs()));
            List<String> about = new ArrayList<>();
            if (leg.synRetransmits() > 0) about.add("SYN sent " + (leg.synRetransmits() + 1) + " times");
            if (leg.info().rttMicros() > 0) about.add("rtt " + Endpoint.human(leg.info().rttMicros() / 1000.0) + ", mss " + leg.info().sndMss());
            if (!about.isEmpty()) s.append(" (").append(String.join("; ", about)).append(")");
            if (leg.sent() > 0) {
                s.append("; sent ").append(leg.sent()).append(" bytes");
                if (leg.acked()) s.append(", acknowledged in ").append(Endpoint.human(leg.ackMs()));
                else if (leg.info().unacked() > 0) s.append(", unacknowledged after ").append(leg.info().totalRetrans()).append(" retransmission(s)");
            }
            if (leg.answeredWithBytes()) {
                s.append("; answer ").append(Greeting.quote(leg.answer())).append(" after ").append(Endpoint.human(leg.firstByteMs()));
            }
            s.append(switch (leg.end()) {
                case RESET -> "; reset by the peer";
                case CLOSED -> "; closed by the peer";
                default -> leg.answeredWithBytes() || leg.acked() && leg.role().startsWith("full") ? "" : "; nothing back in " + Endpoint.human(leg.waitedMs());
            });
            lines.add(s.toString());
        }
        return lines;
    }

}
