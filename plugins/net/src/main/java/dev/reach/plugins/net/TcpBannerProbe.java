package dev.reach.plugins.net;

import dev.reach.spi.Addresses;
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

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Connects, optionally sends a request, and reads until the answer matches a regex or the deadline passes;
 * tells a service that answers from one that resets the connection or never speaks.
 *
 * <pre>
 * $ reach probe tcp.banner host=198.18.1.2 port=22 expect=^SSH-
 * ok: 198.18.1.2:22 said "SSH-2.0-OpenSSH_9.2p1" (matches ^SSH-) 0.4ms after connecting
 * $ reach probe tcp.banner host=198.18.1.2 port=5432 timeout=1s
 * fail [tcp.no-response]: 198.18.1.2:5432 accepted the connection but said nothing within 1s
 * </pre>
 */
@Extension
public final class TcpBannerProbe implements Probe {
    private static final int MAX_BYTES = 8192;

    static final ProbeSpec SPEC = ProbeSpec.builder("tcp.banner", "Connects, optionally sends, and reads until the answer matches or time runs out")
            .param(Param.host("host", "name or address to connect to").required())
            .param(Param.port("port", "TCP port").required())
            .param(Param.string("send", "text to send after connecting; \\r \\n \\t are escapes (e.g. 'HEAD / HTTP/1.0\\r\\n\\r\\n')").defaultValue(""))
            .param(Param.string("expect", "a regex the answer must contain; empty: any first line will do").defaultValue(""))
            .param(Param.duration("timeout", "deadline for connecting and reading").defaultValue("3s").range("1ms", "5m"))
            .param(Param.choice("family", "address family: any, 4 or 6", "any", "4", "6").defaultValue("any"))
            .fact("outcome", "string", "ok, mismatch, reset, closed, no-response, or a tcp.connect outcome (refused, timeout, ...)")
            .fact("remote", "string", "the address:port tried")
            .fact("banner", "string", "what the service said (up to 8 KiB, text)")
            .fact("banner_bytes", "integer", "bytes received")
            .fact("connect_ms", "number", "time to connect")
            .fact("first_byte_ms", "number", "time from connecting to the first byte")
            .needs(Needs.NOTHING)
            .example("reach probe tcp.banner host=198.18.1.2 port=22 expect=^SSH-")
            .example("reach probe tcp.banner host=198.18.1.2 port=80 send='HEAD / HTTP/1.0\\r\\n\\r\\n' expect='^HTTP/1'")
            .about("Connects, optionally sends, reads until a regex matches or the deadline: ok, mismatch, `tcp.reset`, "
                    + "`tcp.no-response`.")
            .causes("tcp.no-response", "tcp.reset", "tcp.refused", "tcp.filtered", "host.unreachable", "net.unreachable",
                    "route.none", "admin.prohibited")
            .build();

    /** What the exchange gave: bytes read, how reading ended, and the times. */
    record Exchange(byte[] received, String ended, double connectMs, double firstByteMs) {
        /** {@code ended}: matched, line (a first line with no expect), eof, reset, deadline. */
    }

    @Override
    public ProbeSpec spec() {
        return SPEC;
    }

    @Override
    public Observation run(ProbeContext ctx, Params p) {
        Pattern expect;
        try {
            expect = p.string("expect").isEmpty() ? null : Pattern.compile(p.string("expect"), Pattern.MULTILINE);
        } catch (PatternSyntaxException e) {
            return Observation.error("expect=" + p.string("expect") + " is not a regex: " + e.getDescription()).fact("outcome", "error").build();
        }
        String host = p.string("host");
        InetAddress address;
        try {
            address = Addresses.resolve(host, p.string("family"));
        } catch (UnknownHostException e) {
            return Endpoint.unresolved(host, e);
        }
        String target = Addresses.endpoint(address, p.port("port"));
        Duration timeout = ctx.bound(p.duration("timeout"));
        long deadline = System.nanoTime() + timeout.toNanos();
        ctx.progress("connecting to " + target);
        long t0 = System.nanoTime();
        try (Socket s = new Socket(Proxy.NO_PROXY)) {
            try {
                s.connect(new InetSocketAddress(address, p.port("port")), (int) Math.clamp(timeout.toMillis(), 1, Integer.MAX_VALUE));
            } catch (IOException e) {
                return TcpConnectProbe.classify(e, target, timeout, Duration.ofNanos(System.nanoTime() - t0)).observation()
                        .fact("remote", target).build();
            }
            double connectMs = Millis.of(System.nanoTime() - t0);
            String send = unescape(p.string("send"));
            if (!send.isEmpty()) {
                s.getOutputStream().write(send.getBytes(StandardCharsets.UTF_8));
                s.getOutputStream().flush();
            }
            ctx.progress("reading from " + target);
            Exchange x = read(s, expect, deadline, connectMs);
            Judgement c = classify(x, target, p.string("expect"), timeout);
            String banner = new String(x.received(), StandardCharsets.UTF_8);
            Observation.Builder b = c.observation()
                    .fact("remote", target).fact("connect_ms", connectMs).fact("banner_bytes", x.received().length);
            if (x.received().length > 0) b.fact("banner", banner).fact("first_byte_ms", x.firstByteMs());
            if (!send.isEmpty()) b.evidence("sent " + send.length() + " bytes: " + firstLine(send));
            return b.evidence("tcp " + target + " connected in " + Endpoint.human(connectMs) + ", then " + x.ended()
                    + (x.received().length > 0 ? " after " + x.received().length + " bytes: " + firstLine(banner) : " with nothing read")).build();
        } catch (IOException e) {
            return Observation.error("talking to " + target + " failed: " + e.getMessage()).fact("outcome", "error").build();
        }
    }

    /**
     * Maps the exchange to status and cause. Pure. Bytes that match (or any first line without expect): ok;
     * bytes that do not match by the end: fail; RST: tcp.reset; FIN before a byte: tcp.reset (the service
     * closed it); nothing by the deadline: tcp.no-response.
     */
    static Judgement classify(Exchange x, String target, String expect, Duration timeout) {
        String said = firstLine(new String(x.received(), StandardCharsets.UTF_8));
        boolean any = x.received().length > 0;
        return switch (x.ended()) {
            case "matched", "line" -> new Judgement(Status.OK, null, "ok", target + " said \"" + said + "\""
                    + (expect.isEmpty() ? "" : " (matches " + expect + ")") + " " + Endpoint.human(x.firstByteMs()) + " after connecting");
            case "reset" -> new Judgement(Status.FAIL, "tcp.reset", "reset", target + " accepted the connection, then reset it"
                    + (any ? " after saying \"" + said + "\"" : " before saying anything")
                    + ": the service or a proxy drops it (TCP wrappers, TLS/plain mismatch, a crashed handler)");
            case "eof" -> any && expect.isEmpty()
                    ? new Judgement(Status.OK, null, "ok", target + " said \"" + said + "\" and closed")
                    : any ? new Judgement(Status.FAIL, null, "mismatch", target + " said \"" + said + "\" and closed, which does not match " + expect)
                    : new Judgement(Status.FAIL, "tcp.reset", "closed", target + " accepted the connection, then closed it without a word");
            default -> any && expect.isEmpty()
                    ? new Judgement(Status.OK, null, "ok", target + " said \"" + said + "\"")
                    : any ? new Judgement(Status.FAIL, null, "mismatch", target + " said \"" + said + "\" but nothing matching "
                    + expect + " within " + ParamType.format(timeout))
                    : new Judgement(Status.FAIL, "tcp.no-response", "no-response", target + " accepted the connection but said nothing within "
                    + ParamType.format(timeout) + ": the service is hung, overloaded, or waits for the client to speak first (give send=...)");
        };
    }

    private static Exchange read(Socket s, Pattern expect, long deadline, double connectMs) throws IOException {
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        InputStream in = s.getInputStream();
        byte[] buf = new byte[2048];
        long connected = System.nanoTime();
        double firstByte = 0;
        while (got.size() < MAX_BYTES) {
            long left = deadline - System.nanoTime();
            if (left <= 0) return new Exchange(got.toByteArray(), "deadline", connectMs, firstByte);
            s.setSoTimeout((int) Math.max(1, left / 1_000_000));
            int n;
            try {
                n = in.read(buf, 0, Math.min(buf.length, MAX_BYTES - got.size()));
            } catch (SocketTimeoutException e) {
                return new Exchange(got.toByteArray(), "deadline", connectMs, firstByte);
            } catch (SocketException e) {
                String m = String.valueOf(e.getMessage()).toLowerCase(java.util.Locale.ROOT);
                if (m.contains("reset")) return new Exchange(got.toByteArray(), "reset", connectMs, firstByte);
                throw e;
            }
            if (n < 0) return new Exchange(got.toByteArray(), "eof", connectMs, firstByte);
            if (got.size() == 0) firstByte = Millis.of(System.nanoTime() - connected);
            got.write(buf, 0, n);
            String text = got.toString(StandardCharsets.UTF_8);
            if (expect != null && expect.matcher(text).find()) return new Exchange(got.toByteArray(), "matched", connectMs, firstByte);
            if (expect == null && text.indexOf('\n') >= 0) return new Exchange(got.toByteArray(), "line", connectMs, firstByte);
        }
        return new Exchange(got.toByteArray(), "deadline", connectMs, firstByte);
    }

    static String unescape(String s) {
        return s.replace("\\r", "\r").replace("\\n", "\n").replace("\\t", "\t");
    }

    private static String firstLine(String s) {
        String line = s.lines().findFirst().orElse("").strip();
        return line.length() > 120 ? line.substring(0, 120) + "..." : line;
    }
}
