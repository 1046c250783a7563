package dev.reach.core.report;

import dev.reach.core.run.RunResult;
import dev.reach.core.run.StepResult;
import dev.reach.core.playbook.Confidence;
import dev.reach.core.run.Verdict;
import dev.reach.spi.Observation;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Runs built by hand with fixed times, so every renderer's output is the same on every machine. */
final class SampleRuns {
    static final Instant STARTED = Instant.parse("2026-11-25T10:00:00.250Z");

    private SampleRuns() {
    }

    /** {@code reach probe tcp.connect host=127.0.0.1 port=22}: accepted. */
    static RunResult healthyProbe() {
        var connect = probe("tcp.connect", "tcp.connect", Map.of("host", "127.0.0.1", "port", 22, "timeout", Duration.ofSeconds(3)),
                Observation.ok("127.0.0.1:22 accepted the connection")
                        .fact("outcome", "connected").fact("address", "127.0.0.1").fact("connect_ms", 0.18)
                        .evidence("connect 127.0.0.1:22 -> established")
                        .duration(micros(310)).build());
        var verdict = new Verdict(Verdict.OK, Confidence.CERTAIN, "127.0.0.1:22 accepts TCP connections (connect 0.18ms).",
                "", List.of("connect 127.0.0.1:22 -> established"), List.of("tcp.connect"), false);
        return new RunResult("probe tcp.connect", "", Map.of("host", "127.0.0.1", "port", 22), List.of(connect), verdict,
                STARTED, micros(2_400), false);
    }

    /** {@code reach probe tcp.connect host=127.0.0.1 port=5432}: refused. */
    static RunResult refusedProbe() {
        var connect = probe("tcp.connect", "tcp.connect", Map.of("host", "127.0.0.1", "port", 5432, "timeout", Duration.ofSeconds(3)),
                Observation.fail("tcp.refused", "127.0.0.1:5432 refused the connection")
                        .fact("outcome", "refused").fact("address", "127.0.0.1").fact("connect_ms", 0.21)
                        .evidence("connect 127.0.0.1:5432 -> Connection refused (RST)")
                        .duration(micros(290)).build());
        var verdict = new Verdict("tcp.refused", Confidence.CERTAIN,
                "Nothing accepts connections on 127.0.0.1:5432: the host answered the connection attempt with a reset "
                        + "(RST), so it is up, but no service listens on that port or a firewall rejects it with tcp-reset.",
                "on 127.0.0.1, check that the service runs and listens on port 5432 (ss -ltnp 'sport = :5432'); "
                        + "if it does, look for a REJECT rule (nft list ruleset | grep 5432).",
                List.of("connect 127.0.0.1:5432 -> Connection refused (RST)"), List.of("tcp.connect"), false);
        return new RunResult("probe tcp.connect", "", Map.of("host", "127.0.0.1", "port", 5432), List.of(connect), verdict,
                STARTED, micros(2_100), false);
    }

    /** A playbook that resolves, fails to ping (error), cannot trace (skipped), tries two ports, and concludes. */
    static RunResult playbook() {
        var resolve = probe("resolve", "dns.resolve", Map.of("name", "db01.example.net", "type", "A"),
                Observation.ok("db01.example.net is 198.18.0.5 (A, from 198.18.0.2)")
                        .fact("addresses", List.of("198.18.0.5")).fact("server", "198.18.0.2").fact("answer_ms", 1.8)
                        .evidence("198.18.0.2: db01.example.net. 300 IN A 198.18.0.5")
                        .duration(micros(2_100)).build());
        var ping = probe("ping", "icmp.echo", Map.of("host", "198.18.0.5", "count", 3L),
                Observation.error("icmp.echo broke: Operation not permitted (a bug in the probe: it threw instead of returning what it saw)")
                        .fact("exception", "java.net.SocketException").evidence("socket(ICMP datagram): Operation not permitted")
                        .duration(micros(350)).build());
        var trace = probe("trace", "net.trace", Map.of("host", "198.18.0.5"),
                Observation.skipped("net.trace cannot run here: needs root or CAP_NET_RAW")
                        .evidence("needs: root or CAP_NET_RAW").build());
        var refused = probe("ports[0]", "tcp.connect", Map.of("host", "198.18.0.5", "port", 5432, "timeout", Duration.ofSeconds(3)),
                Observation.fail("tcp.refused", "198.18.0.5:5432 refused the connection")
                        .fact("outcome", "refused").fact("connect_ms", 0.42)
                        .evidence("connect 198.18.0.5:5432 -> Connection refused (RST)")
                        .duration(micros(11_900)).build());
        var accepted = probe("ports[1]", "tcp.connect", Map.of("host", "198.18.0.5", "port", 6432, "timeout", Duration.ofSeconds(3)),
                Observation.ok("198.18.0.5:6432 accepted the connection")
                        .fact("outcome", "connected").fact("connect_ms", 0.47)
                        .evidence("connect 198.18.0.5:6432 -> established")
                        .duration(micros(700)).build());
        var ports = new StepResult("ports", "foreach", "", Map.of(),
                Observation.fail("tcp.refused", "1 of 2 ports refused").duration(micros(12_600)).build(),
                "goto refused (on tcp.refused)", List.of(refused, accepted));
        var conclude = new StepResult("refused", "verdict", "", Map.of(),
                Observation.fail("tcp.refused", "concluded tcp.refused (certain)").build(), "", List.of());

        var verdict = new Verdict("tcp.refused", Confidence.CERTAIN,
                "db01.example.net (198.18.0.5) is up but refuses TCP connections on port 5432: the connection attempt "
                        + "was answered with a reset (RST), while port 6432 on the same host accepted. Nothing listens "
                        + "on 5432, or a firewall rule rejects it with tcp-reset.",
                "on db01.example.net, check that PostgreSQL runs and is bound to port 5432 (systemctl status "
                        + "postgresql; ss -ltnp 'sport = :5432'); if it is, look for a REJECT rule (nft list ruleset | grep 5432).",
                List.of("connect 198.18.0.5:5432 -> Connection refused (RST)", "connect 198.18.0.5:6432 -> established"),
                List.of("ports[0]", "ports[1]"), true);
        return new RunResult("why-cannot-connect", "playbooks/why-cannot-connect.yaml",
                Map.of("host", "db01.example.net", "ports", List.of(5432, 6432), "timeout", Duration.ofSeconds(3)),
                List.of(resolve, ping, trace, ports, conclude), verdict, STARTED, Duration.ofMillis(1_432), false);
    }

    /**
     * A race ({@code parallel} with {@code until:}): ARP says in 230 ms that the host is not on the link, so
     * the connect and the ping still running are cut short, and a verdict step concludes.
     */
    static RunResult raced() {
        String until = "steps.arp?.facts.outcome == 'unresolved' || steps.connect?.status == 'ok'";
        var connect = probe("connect", "tcp.connect", Map.of("host", "198.18.0.5", "port", 5432, "timeout", Duration.ofSeconds(3)),
                cutShort(until, micros(230_400)));
        var arp = probe("arp", "neigh.check", Map.of("host", "198.18.0.5", "resolve", true, "timeout", Duration.ofMillis(200)),
                Observation.fail("host.unreachable", "198.18.0.5 (target) did not answer 1 ARP request: the host is down, or not on this link")
                        .fact("outcome", "unresolved").fact("neighbour", "198.18.0.5").fact("role", "target").fact("dev", "eth0")
                        .evidence("ARP who-has 198.18.0.5 on eth0: no answer in 200ms")
                        .duration(micros(229_800)).build());
        var ping = probe("ping", "icmp.ping", Map.of("host", "198.18.0.5", "count", 3L), cutShort(until, micros(230_100)));
        var race = new StepResult("reach_out", "parallel", "", Map.of(),
                Observation.fail("host.unreachable", "3 branches: 1 fail, 2 cut short").fact("fail", 1).fact("cut_short", 2)
                        .fact("decided_by", "arp").evidence("until held when 'arp' finished; cut short: connect, ping")
                        .duration(micros(231_200)).build(), "", List.of(connect, arp, ping));
        var conclude = new StepResult("not_on_link", "verdict", "", Map.of(),
                Observation.fail("host.unreachable", "198.18.0.5 does not answer ARP on eth0").build(), "", List.of());
        var verdict = new Verdict("host.unreachable", Confidence.LIKELY, "198.18.0.5 does not answer ARP on eth0",
                "check that 198.18.0.5 is up and on the same link as this host (ip neigh show 198.18.0.5)",
                List.of("arp: 198.18.0.5 (target) did not answer 1 ARP request: the host is down, or not on this link",
                        "  ARP who-has 198.18.0.5 on eth0: no answer in 200ms"), List.of("arp"), true);
        return new RunResult("reach-out", "playbooks/reach-out.yaml", Map.of("host", "198.18.0.5", "port", 5432),
                List.of(race, conclude), verdict, STARTED, micros(236_000), false);
    }

    /** What a branch cut short by an until: looks like. */
    static Observation cutShort(String until, Duration ran) {
        return Observation.skipped("cut short after " + dev.reach.core.run.Durations.format(ran)
                        + ": the evidence had decided (until: " + until + ")")
                .fact("cut_short", true).evidence("until held when 'arp' finished").duration(ran).build();
    }

    static StepResult probe(String id, String probe, Map<String, Object> params, Observation obs) {
        return new StepResult(id, "probe", probe, params, obs, "", List.of());
    }

    static Duration micros(long us) {
        return Duration.ofNanos(us * 1_000);
    }
}
