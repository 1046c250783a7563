package dev.reach.shell.history;

import dev.reach.spi.Observation;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** What a run leaves in the history: the facts worth comparing, read by probe wherever the steps are, and nothing guessed. */
class RunFactsTest {
    @Test
    void theComparableFactsAndFiguresOfADiagnosis() {
        var run = Runs.diagnosis("ok", List.of(
                Runs.probe("dns", "dns.resolve", Map.of("name", "db01"), Observation.ok("db01 is 198.18.2.2")
                        .fact("system_addresses", List.of("198.18.2.2")).fact("system_source", "hosts").build()),
                Runs.probe("route", "route.lookup", Map.of("host", "db01"), Observation.ok("via gw")
                        .fact("type", "unicast").fact("gateway", "198.18.0.254").fact("dev", "eth0").fact("src", "198.18.0.1")
                        .fact("table", "main").fact("route", "198.18.2.2 via 198.18.0.254 dev eth0 src 198.18.0.1").build()),
                Runs.probe("neigh", "neigh.check", Map.of("host", "db01"), Observation.ok("resolved")
                        .fact("mac", "02:00:00:00:00:01").fact("neighbour", "198.18.0.254").build()),
                Runs.probe("tls", "tls.handshake", Map.of("host", "db01"), Observation.ok("trusted")
                        .fact("chain", List.of(Map.of("subject", "CN=db01", "not_after", "2027-01-01T00:00:00Z",
                                "sha256", "0123456789abcdef0123456789abcdef"), Map.of("subject", "CN=Lab CA 2",
                                "sha256", "fedcba9876543210fedcba9876543210"))).build()),
                Runs.probe("ping", "icmp.ping", Map.of("host", "db01"), Observation.ok("answered")
                        .fact("received", 20).fact("rtt_avg_ms", 0.42).fact("loss_pct", 0.0).build()),
                Runs.probe("connect", "tcp.connect", Map.of("host", "db01"), Observation.ok("connected").fact("connect_ms", 1.5).build()),
                Runs.probe("http", "http.get", Map.of("host", "db01"), Observation.skipped("not asked").fact("status", 200).build())));
        RunRecord r = RunFacts.of(run, "cli");
        assertThat(r.target()).isEqualTo("db01:5432");
        assertThat(r.facts()).containsExactly(
                Map.entry("address", "198.18.2.2 (hosts)"),
                Map.entry("route", "via 198.18.0.254 dev eth0 src 198.18.0.1"),          // not the destination: another answer is not another route
                Map.entry("next_hop", "02:00:00:00:00:01 (198.18.0.254)"),
                Map.entry("certificate", "sha256 0123456789abcdef 'CN=db01' until 2027-01-01T00:00:00Z"),
                Map.entry("chain", "fedcba9876543210 'CN=Lab CA 2'"));
        assertThat(r.metrics()).containsEntry("rtt_ms", 0.42).containsEntry("loss_pct", 0.0).containsEntry("connect_ms", 1.5);
        assertThat(r.healthy()).isTrue();
        assertThat(r.origin()).isEqualTo("cli");
    }

    @Test
    void aFailedConnectIsNoConnectTimeAndAPingWithoutAnswerNoRoundTrip() {
        var run = Runs.diagnosis("host.down", List.of(
                Runs.probe("ping", "icmp.ping", Map.of("host", "db01"), Observation.fail("host.down", "silent")
                        .fact("received", 0).fact("rtt_avg_ms", 0.0).fact("loss_pct", 100.0).build()),
                Runs.probe("connect", "tcp.connect", Map.of("host", "db01"), Observation.fail("tcp.filtered", "silent")
                        .fact("connect_ms", 1500.0).build())));
        RunRecord r = RunFacts.of(run, "cli");
        assertThat(r.metrics()).containsOnlyKeys("loss_pct");
        assertThat(r.healthy()).isFalse();
    }

    @Test
    void aRateLimitedPingGivesARoundTripButNoLossFigure() {
        var run = Runs.diagnosis("ok", List.of(
                Runs.probe("ping", "icmp.ping", Map.of("host", "db01"), Observation.warn(null, "a burst, then silence")
                        .fact("outcome", "rate-limited").fact("received", 4).fact("rtt_avg_ms", 0.3).fact("loss_pct", 80.0).build())));
        assertThat(RunFacts.of(run, "cli").metrics()).containsOnlyKeys("rtt_ms");
    }

    @Test
    void targetsAreKeyedAsTheUserTypesThem() {
        assertThat(RunFacts.target(Map.of("host", "db01", "port", 5432), "unreachable")).isEqualTo("db01:5432");
        assertThat(RunFacts.target(Map.of("host", "::1", "port", 22), "unreachable")).isEqualTo("[::1]:22");
        assertThat(RunFacts.target(Map.of("host", "ns1", "port", 53, "proto", "udp"), "unreachable")).isEqualTo("ns1:53/udp");
        assertThat(RunFacts.target(Map.of(), "probe tcp.scan")).isEqualTo("probe tcp.scan");
        assertThat(RunFacts.target("https://web01/", dev.reach.shell.history.RunFactsTest::parse)).isEqualTo("web01:443");
    }

    private static Map<String, Object> parse(String typed) {
        return Map.of("host", "web01", "port", "443", "tls", "yes");
    }
}
