package dev.reach.core.report;

import dev.reach.core.playbook.Confidence;
import dev.reach.core.run.RunResult;
import dev.reach.core.run.StepResult;
import dev.reach.core.run.Verdict;
import dev.reach.spi.Observation;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static dev.reach.core.report.SampleRuns.micros;
import static dev.reach.core.report.SampleRuns.probe;

/**
 * Diagnoses ({@code reach 127.0.0.1:5432}) built by hand, with the long summaries and evidence of the real ones:
 * a healthy service, and one whose process never reads (a frozen PostgreSQL).
 */
final class DiagnosisRuns {
    /** What the shell puts first for {@code reach 127.0.0.1:5432}. */
    static final TextReport.Heading HEADING = new TextReport.Heading("Diagnosing 127.0.0.1:5432 (tcp)", Set.of("host", "port", "proto"));

    private DiagnosisRuns() {
    }

    static RunResult healthy() {
        var connect = probe("connect", "tcp.connect", Map.of("host", "127.0.0.1", "port", 5432),
                Observation.ok("127.0.0.1:5432 accepted the connection in 0.21ms").fact("outcome", "ok").fact("connect_ms", 0.21)
                        .fact("other_ports", List.of("22 refused", "80 refused", "443 refused"))
                        .evidence("connect 127.0.0.1:5432 -> connected in 0.21ms (SYN-ACK)").duration(micros(13_000)).build());
        var ping = probe("ping", "icmp.ping", Map.of("host", "127.0.0.1"),
                Observation.ok("127.0.0.1 answered 20 of 20 echo requests (raw socket), rtt min/avg/max/mdev = "
                                + "0.007/0.124/1.933/0.415 ms, ttl 64").fact("method", "raw").fact("loss_pct", 0)
                        .evidence("rtt min/avg/max/mdev = 0.007/0.124/1.933/0.415 ms").duration(micros(126_000)).build());
        var hello = probe("hello", "tcp.hello", Map.of("host", "127.0.0.1", "port", 5432),
                Observation.ok("127.0.0.1:5432 answered an SSLRequest (8 bytes) with 'N' in 0.31ms (postgres); a full-size "
                                + "segment (32741 bytes) passes").fact("outcome", "answered").duration(micros(47_000)).build());
        var verdict = new Verdict(Verdict.OK, Confidence.CERTAIN, "127.0.0.1:5432 answers: a client like yours gets its "
                + "request through (connected in 0.21ms, the service answered in its own protocol, a full-size segment passes, "
                + "no loss).", "", List.of(), List.of("connect", "ping", "hello"), false);
        return run(List.of(local(), parallel("reach_out", "2 branches: 2 ok", 127_000, connect, ping), hello), verdict, 190_000);
    }

    static RunResult silentService() {
        var connect = probe("connect", "tcp.connect", Map.of("host", "127.0.0.1", "port", 5432),
                Observation.ok("127.0.0.1:5432 accepted the connection in 2.02ms").fact("outcome", "ok").fact("connect_ms", 2.02)
                        .fact("states", new LinkedHashMap<>(Map.of("ESTABLISHED", 1))).fact("hosts", List.of(
                                new LinkedHashMap<>(Map.of("address", "127.0.0.1")), Map.of("open", List.of(22, 5432))))
                        .evidence("connect 127.0.0.1:5432 -> connected in 2.02ms (SYN-ACK)").duration(micros(13_000)).build());
        String said = "127.0.0.1:5432 accepted the connection and its kernel acknowledged an SSLRequest (8 bytes) in 0.18ms, "
                + "but the service sent nothing back within 3s: the service is hung, overloaded or not reading (check it on "
                + "the server)";
        List<String> transcript = List.of(
                "first: connected in 6.30ms (rtt 0.04ms, mss 32768); sent 8 bytes, acknowledged in 0.18ms; nothing back in 3.0s",
                "full: connected in 3.95ms (rtt 0.01ms, mss 47616); sent 32741 bytes, acknowledged in 0.08ms",
                "log: /var/lib/postgresql/16/main/log/postgresql-2026-11-25_100000.log has no line since 09:58:12");
        var hello = probe("hello", "tcp.hello", Map.of("host", "127.0.0.1", "port", 5432),
                Observation.fail("tcp.no-response", said).fact("outcome", "silent").evidence(transcript.get(0))
                        .evidence(transcript.get(1)).evidence(transcript.get(2)).duration(Duration.ofMillis(3_010)).build());
        var concluded = new StepResult("hello_silent", "verdict", "", Map.of(), Observation.fail("tcp.no-response", said).build(),
                "", List.of());
        List<String> evidence = new java.util.ArrayList<>(List.of("hello: " + said));
        transcript.forEach(line -> evidence.add("  " + line));
        evidence.add("connect: 127.0.0.1:5432 accepted the connection in 2.02ms");
        var verdict = new Verdict("tcp.no-response", Confidence.LIKELY, said,
                "On the server: is the process alive and not stopped or stuck (ps -o stat,pid,cmd; a 'T' or 'D' state), is "
                        + "its accept queue full (reach listen 5432; ss -ltn 'sport = :5432')? Its logs say why it stopped "
                        + "answering; the runbook is https://wiki.example.net/runbooks/postgresql/why-a-frozen-postmaster-stops-answering",
                evidence, List.of("hello", "connect"), true);
        return run(List.of(local(), parallel("reach_out", "1 branch: 1 ok", 14_000, connect), hello, concluded), verdict, 3_300_000);
    }

    private static StepResult local() {
        var route = probe("route", "route.lookup", Map.of("host", "127.0.0.1"),
                Observation.ok("127.0.0.1 is an address of this host (delivered locally via lo)").fact("dev", "lo")
                        .duration(micros(57_000)).build());
        var neigh = probe("neigh", "neigh.check", Map.of("host", "127.0.0.1"),
                Observation.ok("127.0.0.1 is this host's own address: there is no neighbour to resolve").duration(micros(51_000)).build());
        return parallel("local", "2 branches: 2 ok", 58_000, route, neigh);
    }

    private static StepResult parallel(String id, String summary, long micros, StepResult... branches) {
        return new StepResult(id, "parallel", "", Map.of(), Observation.ok(summary).duration(micros(micros)).build(), "",
                List.of(branches));
    }

    private static RunResult run(List<StepResult> steps, Verdict verdict, long micros) {
        Map<String, Object> inputs = new LinkedHashMap<>();
        inputs.put("host", "127.0.0.1");
        inputs.put("port", 5432);
        inputs.put("proto", "tcp");
        inputs.put("other_ports", List.of(22, 80, 443));
        inputs.put("resolv_conf", "/etc/resolv.conf");
        inputs.put("timeout", Duration.ofSeconds(5));
        Map<String, Object> defaults = Map.of("proto", "tcp", "other_ports", List.of(22, 80, 443),
                "resolv_conf", "/etc/resolv.conf", "timeout", Duration.ofSeconds(3));
        return new RunResult("unreachable", "playbooks/unreachable.yaml", inputs, steps, verdict, SampleRuns.STARTED,
                micros(micros), false, defaults);
    }
}
