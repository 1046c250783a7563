package dev.reach.plugins.dns;

import dev.reach.spi.Failures;
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
import org.xbill.DNS.Name;
import org.xbill.DNS.ReverseMap;
import org.xbill.DNS.Section;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Asks one nameserver one question and returns the whole answer as facts: RCODE, flags, answer, authority
 * and additional records. An IP address as the name asks for its PTR (in-addr.arpa / ip6.arpa).
 *
 * <pre>
 * $ reach probe dns.query server=127.0.0.1:5353 name=mx.test type=MX
 * ok: mx.test MX: 10 mail.test. (127.0.0.1:5353 udp, NOERROR, 0.48ms)
 *   127.0.0.1:5353 udp mx.test MX -> NOERROR 10 mail.test. ttl 0 in 0.48ms
 * $ reach probe dns.query server=127.0.0.1:5353 name=198.18.0.10
 * ok: 10.0.18.198.in-addr.arpa PTR: web.test. (127.0.0.1:5353 udp, NOERROR, 0.51ms)
 * </pre>
 */
@Extension
public final class DnsQueryProbe implements Probe {

    static final ProbeSpec SPEC = ProbeSpec.builder("dns.query", "Asks one nameserver one question and returns the full answer")
            .param(Param.string("name", "the DNS name to ask about; an IP address asks for its PTR").required())
            .param(Param.choice("type", "record type; PTR is implied for an IP address",
                    "A", "AAAA", "CNAME", "MX", "SRV", "TXT", "PTR", "SOA", "NS", "CAA", "ANY").defaultValue("A"))
            .param(Param.string("server", "the nameserver: IP or IP:port ([::1]:5353); default: resolv_conf's first"))
            .param(Param.port("port", "the server's port when it is written without one").defaultValue(53))
            .param(Param.file("resolv_conf", "where the server comes from when none is given").defaultValue("/etc/resolv.conf"))
            .param(Param.choice("proto", "the transport to ask over", "udp", "tcp").defaultValue("udp"))
            .param(Param.bool("tcp", "ask over TCP instead of UDP").deprecated("proto=tcp"))
            .param(Param.duration("timeout", "how long to wait for the answer").defaultValue("2s").range("1ms", "1m"))
            .fact("rcode", "string", "NOERROR, NXDOMAIN, SERVFAIL, REFUSED...")
            .fact("question", "string", "the name and type asked, e.g. '10.0.18.198.in-addr.arpa. PTR'")
            .fact("flags", "list", "header flags of the reply: qr aa tc rd ra ad cd")
            .fact("answers", "list", "answer records: {name, type, ttl, data}")
            .fact("authority", "list", "authority records (the SOA of a negative answer): {name, type, ttl, data}")
            .fact("additional", "list", "additional records: {name, type, ttl, data}")
            .fact("server", "string", "the server asked, IP:port")
            .fact("transport", "string", "udp or tcp")
            .fact("outcome", "string", "answered, timeout, refused, closed, no-route or error")
            .fact("query_ms", "number", "time to the answer")
            .needs(Needs.NOTHING)
            .example("reach probe dns.query name=mx.test type=MX server=127.0.0.1:5353")
            .example("reach probe dns.query name=198.18.0.10 server=127.0.0.1:5353")
            .about("Asks one nameserver one question (A, AAAA, CNAME, MX, SRV, TXT, PTR, SOA, NS, CAA, ANY) over UDP or "
                    + "TCP; the whole answer as facts; an IP address asks for its PTR.")
            .causes("dns.nxdomain", "dns.nodata", "dns.servfail", "dns.server-unreachable")
            .build();

    @Override
    public ProbeSpec spec() {
        return SPEC;
    }

    @Override
    public Observation run(ProbeContext ctx, Params params) {
        String name = params.string("name").strip();
        int qtype = Type.value(params.string("type"));
        Name question;
        try {
            question = Nameserver.isAddress(name) ? ReverseMap.fromAddress(InetAddress.ofLiteral(name)) : Name.fromString(name, Name.root);
        } catch (TextParseException e) {
            return Observation.error("name=" + name + " is not a DNS name: " + e.getMessage()).build();
        }
        if (Nameserver.isAddress(name)) {
            qtype = Type.PTR;
        }
        Nameserver server;
        try {
            int port = params.port("port");
            server = params.has("server") ? Nameserver.parse(params.string("server"), port) : firstOf(params.string("resolv_conf"), port);
        } catch (IllegalArgumentException e) {
            return Observation.error(e.getMessage()).build();
        } catch (IOException e) {
            return Observation.error("cannot read resolv_conf (" + Failures.text(e) + "); give server=IP[:port]").build();
        }
        String shown = question.toString(true);
        ctx.progress("asking " + server + " for " + shown + " " + Type.string(qtype));
        boolean tcp = params.string("proto").equals("tcp") || params.has("tcp") && params.bool("tcp");
        Exchange x = Exchange.ask(server, question, qtype, tcp, ctx.bound(params.duration("timeout")));
        Judgement c = classify(shown, x.outcome(), x.rcode(), x.records(Section.ANSWER).size(), x.server().toString(),
                x.transport(), Type.string(qtype), x.took());
        String data = String.join(", ", x.records(Section.ANSWER).stream().map(r -> (String) r.get("data")).toList());
        return Observation.of(c.status(), c.status() == Status.OK ? shown + " " + Type.string(qtype) + ": " + data + " (" + c.summary() + ")"
                        : c.summary())
                .cause(c.cause())
                .evidence(x.evidence())
                .fact("question", question + " " + Type.string(qtype))
                .fact("server", server.toString()).fact("transport", x.transport()).fact("outcome", x.outcome())
                .fact("rcode", x.answered() ? x.rcode() : null).fact("flags", x.answered() ? x.flags() : null)
                .fact("answers", x.answered() ? x.records(Section.ANSWER) : null)
                .fact("authority", x.answered() ? x.records(Section.AUTHORITY) : null)
                .fact("additional", x.answered() ? x.records(Section.ADDITIONAL) : null)
                .fact("query_ms", Millis.of(x.took()))
                .build();
    }

    /**
     * Judges one exchange. Pure. An answer with records is OK; NOERROR with none is dns.nodata; NXDOMAIN,
     * SERVFAIL are their causes; no reply at all is dns.server-unreachable, except a TCP connection closed
     * unanswered (the server is up but cannot answer: dns.servfail). REFUSED and other RCODEs fail without
     * a cause: the probe cannot tell why the server declines.
     */
    static Judgement classify(String name, String outcome, String rcode, int answers, String server, String transport,
                              String type, Duration took) {
        String where = server + " " + transport;
        if (!outcome.equals("answered")) {
            return switch (outcome) {
                case "closed" -> new Judgement(Status.FAIL, "dns.servfail", where + " accepted the connection but closed it "
                        + "without answering for " + name + ": it cannot get an answer from its upstream");
                case "error" -> new Judgement(Status.ERROR, null, "asking " + where + " about " + name + " failed");
                default -> new Judgement(Status.FAIL, "dns.server-unreachable", where + " does not answer (" + outcome + "): "
                        + switch (outcome) {
                            case "timeout" -> "no reply within " + DnsResolveProbe.human(took) + ": down, or filtered";
                            case "refused" -> "nothing listens on that port";
                            default -> "no route to it";
                        });
            };
        }
        String said = where + ", " + rcode + ", " + DnsResolveProbe.human(took);
        return switch (rcode) {
            case "NOERROR" -> answers > 0 ? new Judgement(Status.OK, null, said)
                    : new Judgement(Status.FAIL, "dns.nodata", name + " has no " + type + " record (" + said + ", empty answer)");
            case "NXDOMAIN" -> new Judgement(Status.FAIL, "dns.nxdomain", name + " does not exist (" + said + ")");
            case "SERVFAIL" -> new Judgement(Status.FAIL, "dns.servfail", where + " answers SERVFAIL for " + name
                    + ": it cannot resolve upstream (forwarder down or DNSSEC failure)");
            case "REFUSED" -> new Judgement(Status.FAIL, null, where + " REFUSED the question about " + name
                    + ": not its zone, or recursion denied to this client");
            default -> new Judgement(Status.FAIL, null, where + " answers " + rcode + " for " + name);
        };
    }

    private static Nameserver firstOf(String resolvConf, int port) throws IOException {
        ResolvConf conf = ResolvConf.read(Path.of(resolvConf));
        if (conf.nameservers().isEmpty()) {
            throw new IllegalArgumentException(resolvConf + " lists no nameserver; give server=IP[:port]");
        }
        return new Nameserver(conf.nameservers().getFirst().address(), port);
    }

}
