package org.example.reach.banner;

import dev.reach.spi.Judgement;
import dev.reach.spi.Millis;
import dev.reach.spi.Observation;
import dev.reach.spi.Param;
import dev.reach.spi.Params;
import dev.reach.spi.Probe;
import dev.reach.spi.ProbeContext;
import dev.reach.spi.ProbeSpec;
import dev.reach.spi.Status;
import dev.reach.spi.Tcp;
import org.pf4j.Extension;

import java.time.Duration;

/**
 * Connects and reads the first line the server sends (SSH, SMTP, FTP and many in-house services greet
 * first), and checks that it contains the expected text.
 *
 * <pre>
 * $ reach probe banner.read host=127.0.0.1 port=2525 expect=ready
 * ✔ banner.read  127.0.0.1:2525 greeted with "220 acme ready" in 0.41ms
 * </pre>
 *
 * A probe reads in this order: its spec, run(), a pure classify() that tests cover without a network. {@link Tcp} does
 * the network: each way a connect or a read can go comes back as a value, worded as reach's own tcp.connect words it.
 */
@Extension
public final class BannerReadProbe implements Probe {

    static final ProbeSpec SPEC = ProbeSpec.builder("banner.read", "Connects and reads the first line the server sends")
            .param(Param.host("host", "name or address of the server").required())
            .param(Param.port("port", "TCP port").required())
            .param(Param.string("expect", "text the first line must contain; none: any line will do"))
            .param(Param.duration("timeout", "how long the connection and the line may take together").defaultValue("3s").range("1ms", "5m"))
            .fact("outcome", "string", "ok or unexpected; silent, closed or reset after connecting; refused, timeout, "
                    + "host-unreachable, network-unreachable, prohibited, local-firewall, unresolved or error before")
            .fact("banner", "string", "the first line, without its line end")
            .fact("banner_ms", "number", "time from the connection to the line")
            .fact("connect_ms", "number", "time to connect")
            .fact("icmp", "string", "on unreachable: the ICMP error behind it")
            .fact("icmp_from", "string", "on unreachable: who sent that ICMP error")
            .example("reach probe banner.read host=127.0.0.1 port=22 expect=SSH-2.0")
            .causes("banner.unexpected", "tcp.no-response", "tcp.reset", "tcp.filtered", "tcp.refused", "host.unreachable",
                    "net.unreachable", "route.none", "admin.prohibited", "firewall.local")
            .build();

    @Override
    public ProbeSpec spec() {
        return SPEC;
    }

    @Override
    public Observation run(ProbeContext ctx, Params params) {
        String expect = params.find("expect").map(String::valueOf).orElse("");
        ctx.progress("connecting to " + params.string("host") + ":" + params.port("port"));
        // one budget: the connect and the read together wait at most `timeout` (and never past the step's deadline)
        try (Tcp.Outcome outcome = Tcp.connect(ctx, params.string("host"), params.port("port"), params.duration("timeout"))) {
            if (!(outcome instanceof Tcp.Connected connection)) {
                return outcome.observation().build(); // refused, filtered, unreachable: tcp.connect's own verdict and evidence
            }
            Tcp.Reply reply = connection.readLine();
            Observation.Builder b = classify(reply, connection.target(), expect).observation()
                    .fact("connect_ms", Millis.of(connection.took()));
            if (reply instanceof Tcp.Line(String text, Duration took)) {
                b.fact("banner", text).fact("banner_ms", Millis.of(took)).evidence("read " + connection.target() + " -> \"" + text + "\"");
            }
            return b.build();
        }
    }

    /** Judges what the server sent. Pure: no network, so the tests can feed it every case. */
    static Judgement classify(Tcp.Reply reply, String target, String expect) {
        return switch (reply) {
            case Tcp.Line(String text, Duration took) when text.contains(expect) -> new Judgement(Status.OK, null, "ok",
                    target + " greeted with \"" + text + "\" in " + Millis.human(took));
            case Tcp.Line(String text, Duration took) -> new Judgement(Status.FAIL, "banner.unexpected", "unexpected",
                    target + " greeted with \"" + text + "\", which does not contain \"" + expect + "\": another service answers there");
            case Tcp.Failure failure -> failure.judgement(target); // silent, closed, reset: the SPI words them as reach does
        };
    }
}
