package org.example.reach;

import dev.reach.spi.Judgement;
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
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;

/**
 * Connects and reads the first line the server sends (SSH, SMTP, FTP and many in-house services greet
 * first), and checks that it contains the expected text.
 *
 * <pre>
 * $ reach probe banner.read host=127.0.0.1 port=2525 expect=ready
 * ✔ banner.read  127.0.0.1:2525 greeted with "220 acme ready" in 0.41 ms
 * </pre>
 *
 * A probe reads in this order: its spec, run(), a pure classify() that tests cover without a network, helpers.
 */
@Extension
public final class BannerReadProbe implements Probe {

    static final ProbeSpec SPEC = ProbeSpec.builder("banner.read", "Connects and reads the first line the server sends")
            .param(Param.host("host", "name or address of the server").required())
            .param(Param.port("port", "TCP port").required())
            .param(Param.string("expect", "text the first line must contain; none: any line will do"))
            .param(Param.duration("timeout", "how long to wait for the connection and for the line").defaultValue("3s").range("1ms", "5m"))
            .fact("outcome", "string", "ok, unexpected, silent, closed, refused, timeout or unreachable")
            .fact("banner", "string", "the first line, without its line end")
            .fact("banner_ms", "number", "time from the connection to the line")
            .example("reach probe banner.read host=127.0.0.1 port=22 expect=SSH-2.0")
            .causes("banner.unexpected", "tcp.no-response", "tcp.reset", "tcp.filtered", "tcp.refused")
            .build();

    /** How reading went, before it is judged. */
    sealed interface Read {
        record Line(String text, Duration took) implements Read { }
        record Silent(Duration waited) implements Read { }
        record Closed() implements Read { }
        record ConnectFailed(IOException error) implements Read { }
    }

    @Override
    public ProbeSpec spec() {
        return SPEC;
    }

    @Override
    public Observation run(ProbeContext ctx, Params params) {
        String target = params.string("host") + ":" + params.port("port");
        String expect = params.find("expect").map(String::valueOf).orElse("");
        Duration timeout = params.duration("timeout");
        ctx.progress("connecting to " + target);
        Read read = read(new InetSocketAddress(params.string("host"), params.port("port")), ctx.bound(timeout));
        Judgement c = classify(read, target, expect);
        Observation.Builder b = c.observation();
        if (read instanceof Read.Line(String text, Duration took)) {
            b.fact("banner", text).fact("banner_ms", Math.round(took.toNanos() / 1e3) / 1e3).evidence("read " + target + " -> \"" + text + "\"");
        }
        return b.build();
    }

    /** Judges a read. Pure: no network, so the tests can feed it every case. */
    static Judgement classify(Read read, String target, String expect) {
        return switch (read) {
            case Read.Line(String text, Duration took) when text.contains(expect) -> new Judgement(Status.OK, null, "ok",
                    target + " greeted with \"" + text + "\" in " + String.format(Locale.ROOT, "%.2f ms", took.toNanos() / 1e6));
            case Read.Line(String text, Duration took) -> new Judgement(Status.FAIL, "banner.unexpected", "unexpected",
                    target + " greeted with \"" + text + "\", which does not contain \"" + expect + "\": another service answers there");
            case Read.Silent(Duration waited) -> new Judgement(Status.FAIL, "tcp.no-response", "silent",
                    target + " accepted the connection but sent nothing within " + ParamType.format(waited));
            case Read.Closed() -> new Judgement(Status.FAIL, "tcp.reset", "closed", target + " closed the connection without a word");
            case Read.ConnectFailed(IOException e) when e instanceof SocketTimeoutException -> new Judgement(Status.FAIL,
                    "tcp.filtered", "timeout", target + " gave no answer: a firewall drops it, or the host is down");
            case Read.ConnectFailed(IOException e) when String.valueOf(e.getMessage()).contains("Connection refused") ->
                    new Judgement(Status.FAIL, "tcp.refused", "refused", target + " refused the connection: nothing listens there");
            case Read.ConnectFailed(IOException e) -> new Judgement(Status.FAIL, null, "unreachable",
                    target + " could not be reached: " + e.getMessage());
        };
    }

    /** Connects and reads up to the first line end (at most 512 bytes): network outcomes come back as values. */
    private static Read read(InetSocketAddress remote, Duration wait) {
        try (Socket socket = new Socket(Proxy.NO_PROXY)) {
            try {
                socket.connect(remote, (int) Math.max(1, wait.toMillis()));
            } catch (IOException e) {
                return new Read.ConnectFailed(e);
            }
            socket.setSoTimeout((int) Math.max(1, wait.toMillis()));
            long t0 = System.nanoTime();
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            for (int i = 0; i < 512; i++) {
                int b = in.read();
                if (b < 0 && line.size() == 0) {
                    return new Read.Closed();
                }
                if (b < 0 || b == '\n') {
                    break;
                }
                line.write(b);
            }
            return new Read.Line(line.toString(StandardCharsets.UTF_8).strip(), Duration.ofNanos(System.nanoTime() - t0));
        } catch (SocketTimeoutException e) {
            return new Read.Silent(wait);
        } catch (IOException e) {
            return new Read.Closed();
        }
    }
}
