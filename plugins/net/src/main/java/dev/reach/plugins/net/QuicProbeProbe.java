package dev.reach.plugins.net;

import dev.reach.spi.Addresses;
import dev.reach.spi.Judgement;
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
import java.util.List;

/**
 * Whether a QUIC server answers on {@code host:port} (UDP, 443 by default): it sends a QUIC Initial of a reserved
 * version (RFC 9000 section 15: versions {@code 0x?a?a?a?a} exist to force version negotiation), padded to the 1200
 * bytes a server requires, and every QUIC server answers that with a Version Negotiation packet listing its versions.
 * No cryptography is needed, nothing is established, and the server keeps no state.
 *
 * <pre>
 * $ reach probe quic.probe host=198.18.1.2 port=4433
 * ok: 198.18.1.2:4433 speaks QUIC: Version Negotiation in 0.31ms offering QUIC v1 (0x00000001)
 * $ reach probe quic.probe host=198.18.1.2
 * fail [udp.no-response]: no Version Negotiation and no ICMP error from 198.18.1.2:443 to 2 QUIC Initials: ...
 * </pre>
 *
 * <p>Class name: the id {@code quic.probe} in PascalCase + {@code Probe}.
 */
@Extension
public final class QuicProbeProbe implements Probe {

    static final ProbeSpec SPEC = ProbeSpec.builder("quic.probe", "Asks a UDP port for QUIC version negotiation: a QUIC server (HTTP/3) answers, a middlebox that drops QUIC does not")
            .param(Param.host("host", "name or address of the QUIC server").required())
            .param(Param.port("port", "UDP port").defaultValue(443))
            .param(Param.integer("count", "Initials to send before giving up").defaultValue(2).range(1, 20))
            .param(Param.duration("timeout", "how long to wait after each Initial").defaultValue("1s").range("1ms", "1m"))
            .param(Param.choice("family", "address family: any, 4 or 6", "any", "4", "6").defaultValue("any"))
            .fact("outcome", "string", "quic, closed, no-response, not-quic, an ICMP kind (admin-prohibited, ...), unresolved, error")
            .fact("address", "string", "the address:port sent to")
            .fact("sent", "integer", "Initials sent")
            .fact("versions", "list", "the QUIC versions the server offers, e.g. 'QUIC v1 (0x00000001)'")
            .fact("reply_bytes", "integer", "size of the answer")
            .fact("rtt_ms", "number", "time from the last Initial to the answer or ICMP error")
            .fact("icmp", "string", "the ICMP error received, e.g. 'ICMP 3/3 port-unreachable from 198.18.1.2'")
            .fact("error_from", "string", "the address that sent the ICMP error")
            .needs(Needs.NOTHING)
            .example("reach probe quic.probe host=198.18.1.2")
            .example("reach probe quic.probe host=198.18.1.2 port=4433 timeout=300ms")
            .about("Sends a 1200-byte QUIC Initial of a reserved version: a QUIC server answers with Version Negotiation "
                    + "(ok, with its versions); `udp.no-response` when nothing comes back (QUIC dropped on the way, or no "
                    + "QUIC server: clients then fall back to TCP), `udp.closed` on ICMP port-unreachable, `quic.not-quic` "
                    + "when something else answers.")
            .causes("udp.closed", "udp.no-response", "quic.not-quic", "admin.prohibited", "host.unreachable", "net.unreachable", "route.none")
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
        InetAddress address;
        try {
            address = Addresses.resolve(host, p.string("family"));
        } catch (UnknownHostException e) {
            return Endpoint.unresolved(host, e);
        }
        InetSocketAddress to = new InetSocketAddress(address, p.port("port"));
        String target = Addresses.endpoint(address, to.getPort());
        QuicPackets.Initial initial = QuicPackets.initial();
        ctx.progress("asking " + target + " for QUIC versions");
        UdpProbeProbe.Outcome o;
        try {
            o = UdpProbeProbe.ask(ctx, to, initial.bytes(), (int) p.integer("count"), p.duration("timeout"));
        } catch (NativeSocket.Failure f) {
            return Observation.error("udp to " + target + " failed: " + f.getMessage()).fact("outcome", "error").build();
        }
        QuicPackets.Negotiation vn = o.reply() != null ? QuicPackets.negotiation(o.reply(), initial) : null;
        Judgement c = classify(o, vn, target);
        Observation.Builder b = c.observation().fact("address", target).fact("sent", o.sent());
        if (vn != null) b.fact("versions", vn.versionNames());
        if (o.reply() != null) b.fact("reply_bytes", o.reply().length);
        UdpProbeProbe.replyFacts(b, o);
        return b.evidence("udp " + target + " <- " + initial.bytes().length + "-byte QUIC Initial, version "
                + QuicPackets.hex(QuicPackets.PROBE_VERSION) + " x" + o.sent() + " -> " + switch (c.outcome()) {
            case "quic" -> "Version Negotiation offering " + vn.offered() + " in " + Endpoint.human(o.rttMs());
            case "not-quic" -> o.reply().length + " bytes that are not QUIC: " + QuicPackets.why(o.reply(), initial);
            case "no-response" -> "silence";
            default -> o.error() != null ? o.error().describe() : Syscalls.errnoName(o.pendingErrno());
        }).build();
    }

    /**
     * Maps what came back to status and cause. Pure. A Version Negotiation that echoes the Initial's connection IDs:
     * ok. Any other answer: quic.not-quic. An ICMP error or silence: as udp.probe judges it, in QUIC's words.
     */
    static Judgement classify(UdpProbeProbe.Outcome o, QuicPackets.Negotiation vn, String target) {
        if (o.reply() != null) {
            if (vn != null) {
                return new Judgement(Status.OK, null, "quic", target + " speaks QUIC: Version Negotiation in "
                        + Endpoint.human(o.rttMs()) + " offering " + vn.offered());
            }
            return new Judgement(Status.FAIL, "quic.not-quic", "not-quic", target + " answered a QUIC Initial with "
                    + o.reply().length + " bytes that are no QUIC Version Negotiation: another UDP service holds that port");
        }
        Judgement udp = UdpProbeProbe.classify(o, target, "QUIC Initial", "");
        if ("no-response".equals(udp.outcome())) {
            return new Judgement(Status.FAIL, "udp.no-response", "no-response", "no Version Negotiation and no ICMP error from "
                    + target + " to " + o.sent() + " QUIC Initial" + (o.sent() == 1 ? "" : "s") + ": a QUIC server answers an "
                    + "Initial of an unknown version, so UDP there is dropped on the way (a firewall or middlebox that blocks "
                    + "QUIC; clients fall back to TCP) or no QUIC server listens");
        }
        if ("closed".equals(udp.outcome())) {
            return new Judgement(Status.FAIL, udp.cause(), udp.outcome(), udp.summary().replace("nothing listens on that UDP port",
                    "no QUIC server (HTTP/3) listens on that UDP port"));
        }
        return udp;
    }

    /** What a QUIC Version Negotiation looks like, and the Initial that asks for one (RFC 9000 sections 17.2 and 17.2.1). */
    static final class QuicPackets {
        /** A reserved version of the {@code 0x?a?a?a?a} pattern: no server supports it, every server negotiates. */
        static final int PROBE_VERSION = 0x1a2a3a4a;
        /** Clients must pad an Initial to 1200 bytes; a server drops a smaller one of an unknown version. */
        static final int INITIAL_SIZE = 1200;

        record Initial(byte[] bytes, byte[] dcid, byte[] scid) {
        }

        record Negotiation(List<Integer> versions) {
            List<String> versionNames() {
                return versions.stream().map(QuicPackets::versionName).toList();
            }

            /** The versions worth saying: those a server greases its list with (reserved ones) left out. */
            String offered() {
                List<String> real = versions.stream().filter(v -> !reserved(v)).map(QuicPackets::versionName).toList();
                return real.isEmpty() ? "only reserved versions" : String.join(", ", real);
            }
        }

        private QuicPackets() {
        }

        /** A long-header Initial with random 8-byte connection IDs, zero-padded to 1200 bytes. */
        static Initial initial() {
            byte[] dcid = new byte[8];
            byte[] scid = new byte[8];
            java.util.concurrent.ThreadLocalRandom r = java.util.concurrent.ThreadLocalRandom.current();
            r.nextBytes(dcid);
            r.nextBytes(scid);
            byte[] p = new byte[INITIAL_SIZE];
            p[0] = (byte) 0xC0; // long header, fixed bit, type Initial, packet number length 1
            p[1] = (byte) (PROBE_VERSION >>> 24);
            p[2] = (byte) (PROBE_VERSION >>> 16);
            p[3] = (byte) (PROBE_VERSION >>> 8);
            p[4] = (byte) PROBE_VERSION;
            p[5] = 8;
            System.arraycopy(dcid, 0, p, 6, 8);
            p[14] = 8;
            System.arraycopy(scid, 0, p, 15, 8);
            // token length 0, length, packet number, payload: all zero; a server of another version never reads them
            return new Initial(p, dcid, scid);
        }

        /**
         * The versions of a Version Negotiation answering {@code to}, or null when {@code reply} is not one: long
         * header, version 0, its destination ID our source ID and its source ID our destination ID, then whole
         * 4-byte versions.
         */
        static Negotiation negotiation(byte[] reply, Initial to) {
            if (why(reply, to) != null) return null;
            int at = 5 + 1 + (reply[5] & 0xff);
            at += 1 + (reply[at] & 0xff);
            List<Integer> versions = new java.util.ArrayList<>();
            for (; at + 4 <= reply.length; at += 4) {
                versions.add(((reply[at] & 0xff) << 24) | ((reply[at + 1] & 0xff) << 16) | ((reply[at + 2] & 0xff) << 8) | (reply[at + 3] & 0xff));
            }
            return new Negotiation(List.copyOf(versions));
        }

        /** Why {@code reply} is not a Version Negotiation answering {@code to}; null when it is one. */
        static String why(byte[] reply, Initial to) {
            if (reply.length < 7 || (reply[0] & 0x80) == 0) return "no QUIC long header";
            int version = ((reply[1] & 0xff) << 24) | ((reply[2] & 0xff) << 16) | ((reply[3] & 0xff) << 8) | (reply[4] & 0xff);
            if (version != 0) return "version " + hex(version) + ", not 0 (Version Negotiation)";
            int dlen = reply[5] & 0xff;
            if (6 + dlen >= reply.length) return "truncated connection IDs";
            int slen = reply[6 + dlen] & 0xff;
            int end = 7 + dlen + slen;
            if (end > reply.length) return "truncated connection IDs";
            if (!java.util.Arrays.equals(reply, 6, 6 + dlen, to.scid(), 0, to.scid().length)
                    || !java.util.Arrays.equals(reply, 7 + dlen, end, to.dcid(), 0, to.dcid().length)) {
                return "connection IDs that do not echo the Initial's";
            }
            if (end == reply.length || (reply.length - end) % 4 != 0) return "no whole list of versions";
            return null;
        }

        static String versionName(int v) {
            String name = switch (v) {
                case 0x00000001 -> "QUIC v1";
                case 0x6b3343cf -> "QUIC v2";
                default -> reserved(v) ? "reserved"
                        : (v >>> 8) == 0xff0000 ? "draft-" + (v & 0xff) : "unknown";
            };
            return name + " (" + hex(v) + ")";
        }

        static boolean reserved(int v) {
            return (v & 0x0f0f0f0f) == 0x0a0a0a0a;
        }

        static String hex(int v) {
            return String.format("0x%08x", v);
        }
    }
}
