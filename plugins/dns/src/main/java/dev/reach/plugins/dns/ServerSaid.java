package dev.reach.plugins.dns;

import dev.reach.spi.Millis;
import org.xbill.DNS.Type;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * What one nameserver said about a name, per transport, with the questions for each wanted type (A, AAAA)
 * merged: what {@link DnsResolveProbe#classify} judges, free of dnsjava types so it can be built by hand in tests.
 *
 * @param server {@code 127.0.0.1:53}
 * @param udp    the UDP leg
 * @param tcp    the TCP leg
 * @param host   what the server's host answered to an echo while it was asked
 */
record ServerSaid(String server, Leg udp, Leg tcp, HostEcho.Heard host) {

    /**
     * One transport's result. For type any the answer is the union of the families, as a resolver that asks both
     * uses it: addresses for one family make it an answer whatever the other question got.
     *
     * @param outcome   {@code answered}, or why not: {@code timeout}, {@code refused}, {@code closed}, {@code no-route}, {@code error}
     * @param rcode     NOERROR when any question has an address, else that of the questions (a failure such as
     *                  SERVFAIL first, then NXDOMAIN, then NOERROR: no data); empty when not answered
     * @param addresses A/AAAA addresses in the answers
     * @param ttl       smallest TTL of the answers, -1 when none
     * @param took      the slowest of the questions
     * @param error     what failed, when not answered
     * @param gaps      the questions without an address beside an answer that has some, and why: {@code AAAA NXDOMAIN},
     *                  {@code AAAA timeout}; an empty NOERROR (the name has no record of that family) is no gap
     * @param connect   over TCP, how long the handshake took; null when it did not complete (and over UDP)
     */
    record Leg(String outcome, String rcode, List<String> addresses, long ttl, Duration took, String error, List<String> gaps,
               Duration connect) {
        boolean answered() {
            return outcome.equals("answered");
        }

        static Leg answer(String rcode, List<String> addresses, Duration took) {
            return new Leg("answered", rcode, List.copyOf(addresses), addresses.isEmpty() ? -1 : 300, took, "", List.of(), null);
        }

        static Leg failed(String outcome, Duration took) {
            return new Leg(outcome, "", List.of(), -1, took, outcome, List.of(), null);
        }

        /** This answer with questions that got no address: {@code ok("198.18.0.5").withGaps("AAAA timeout")}. */
        Leg withGaps(String... gaps) {
            return new Leg(outcome, rcode, addresses, ttl, took, error, List.of(gaps), connect);
        }

        /** A question of this answer went unanswered: a resolver waits its whole timeout for it before using the rest. */
        boolean partlySilent() {
            return gaps.stream().anyMatch(g -> g.endsWith(" timeout"));
        }

        Map<String, Object> facts() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("outcome", outcome);
            if (answered()) {
                m.put("rcode", rcode);
                m.put("addresses", addresses);
                if (ttl >= 0) {
                    m.put("ttl", ttl);
                }
            } else {
                m.put("error", error);
            }
            if (connect != null) {
                m.put("connect_ms", Millis.of(connect));
            }
            m.put("ms", Millis.of(took));
            return m;
        }
    }

    /** Merges the exchanges with one server (one per wanted type and transport). */
    static ServerSaid of(String server, List<Exchange> exchanges, HostEcho.Heard host) {
        return new ServerSaid(server, merge(exchanges.stream().filter(e -> !e.tcp()).toList()),
                merge(exchanges.stream().filter(Exchange::tcp).toList()), host);
    }

    /** The leg that answered, UDP first; null when neither did. */
    Leg best() {
        return udp.answered() ? udp : tcp.answered() ? tcp : null;
    }

    Map<String, Object> facts() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("server", server);
        m.put("udp", udp.facts());
        m.put("tcp", tcp.facts());
        m.put("host", host.facts());
        return m;
    }

    /**
     * One transport's questions as one answer: the union of their addresses. Without any address it is an answer only
     * when every question got a reply (one still missing could have held the address).
     */
    static Leg merge(List<Exchange> legs) {
        Duration took = legs.stream().map(Exchange::took).max(Duration::compareTo).orElse(Duration.ZERO);
        Duration connect = legs.stream().map(Exchange::connect).filter(c -> c != null).findFirst().orElse(null);
        var addresses = new LinkedHashSet<String>();
        List<Long> ttls = new ArrayList<>();
        for (Exchange e : legs) {
            if (e.answered() && e.rcode().equals("NOERROR")) {
                addresses.addAll(e.addresses());
                if (e.ttl() >= 0) {
                    ttls.add(e.ttl());
                }
            }
        }
        Exchange unanswered = legs.stream().filter(e -> !e.answered()).findFirst().orElse(null);
        if (addresses.isEmpty() && (unanswered != null || legs.isEmpty())) {
            return unanswered == null ? Leg.failed("error", took)
                    : new Leg(unanswered.outcome(), "", List.of(), -1, took, unanswered.error(), List.of(), connect);
        }
        if (!addresses.isEmpty()) {
            List<String> gaps = legs.stream().filter(e -> !e.answered() || !e.rcode().equals("NOERROR"))
                    .map(e -> Type.string(e.qtype()) + " " + (e.answered() ? e.rcode() : e.outcome())).toList();
            long ttl = ttls.stream().mapToLong(Long::longValue).min().orElse(-1);
            return new Leg("answered", "NOERROR", List.copyOf(addresses), ttl, took, "", gaps, connect);
        }
        // every question answered, none with an address: a failure decides, then NXDOMAIN, else no data
        List<String> rcodes = legs.stream().map(Exchange::rcode).toList();
        String rcode = rcodes.stream().filter(r -> !r.equals("NOERROR") && !r.equals("NXDOMAIN")).findFirst()
                .orElse(rcodes.contains("NXDOMAIN") ? "NXDOMAIN" : "NOERROR");
        return new Leg("answered", rcode, List.of(), -1, took, "", List.of(), connect);
    }
}
