package dev.reach.plugins.dns;

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
 */
record ServerSaid(String server, Leg udp, Leg tcp) {

    /**
     * One transport's result.
     *
     * @param outcome   {@code answered}, or why not: {@code timeout}, {@code refused}, {@code closed}, {@code no-route}, {@code error}
     * @param rcode     NOERROR, NXDOMAIN, SERVFAIL... when answered, else empty
     * @param addresses A/AAAA addresses in the answers
     * @param ttl       smallest TTL of the answers, -1 when none
     * @param took      the slowest of the questions
     * @param error     what failed, when not answered
     */
    record Leg(String outcome, String rcode, List<String> addresses, long ttl, Duration took, String error) {
        boolean answered() {
            return outcome.equals("answered");
        }

        static Leg answer(String rcode, List<String> addresses, Duration took) {
            return new Leg("answered", rcode, List.copyOf(addresses), addresses.isEmpty() ? -1 : 300, took, "");
        }

        static Leg failed(String outcome, Duration took) {
            return new Leg(outcome, "", List.of(), -1, took, outcome);
        }

        /** {@code answered NOERROR 198.18.0.10 in 0.4ms} or {@code refused}. */
        String words() {
            return answered() ? rcode + (addresses.isEmpty() ? "" : " " + String.join(", ", addresses)) : outcome;
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
            m.put("ms", DnsResolveProbe.millis(took));
            return m;
        }
    }

    /** Merges the exchanges with one server (one per wanted type and transport). */
    static ServerSaid of(String server, List<Exchange> exchanges) {
        return new ServerSaid(server, merge(exchanges.stream().filter(e -> !e.tcp()).toList()),
                merge(exchanges.stream().filter(Exchange::tcp).toList()));
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
        return m;
    }

    private static Leg merge(List<Exchange> legs) {
        Duration took = legs.stream().map(Exchange::took).max(Duration::compareTo).orElse(Duration.ZERO);
        for (Exchange e : legs) {
            if (!e.answered()) {
                return new Leg(e.outcome(), "", List.of(), -1, took, e.error());
            }
        }
        // NXDOMAIN or a failure in any question decides; else NOERROR with every address found
        String rcode = legs.stream().map(Exchange::rcode).filter(r -> !r.equals("NOERROR")).findFirst().orElse("NOERROR");
        var addresses = new LinkedHashSet<String>();
        List<Long> ttls = new ArrayList<>();
        for (Exchange e : legs) {
            addresses.addAll(e.addresses());
            if (e.ttl() >= 0) {
                ttls.add(e.ttl());
            }
        }
        long ttl = ttls.stream().mapToLong(Long::longValue).min().orElse(-1);
        return new Leg("answered", rcode, List.copyOf(addresses), ttl, took, "");
    }
}
