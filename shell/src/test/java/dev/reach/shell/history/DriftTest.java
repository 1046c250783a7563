package dev.reach.shell.history;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** What changed between two runs, and when a healthy run's figures left the target's own baseline. */
class DriftTest {
    private static final Map<String, String> BEFORE = Map.of("address", "198.18.2.2 (hosts)", "route", "via 198.18.0.254 dev eth0",
            "certificate", "sha256 aaaa 'CN=db01' until 2027");

    @Test
    void changedFactsAreNamedAndFactsOneRunDidNotSeeAreNotCompared() {
        RunRecord then = Runs.record(3, 0, "ok", BEFORE, 0.4);
        RunRecord now = Runs.record(9, 125, "host.down", Map.of("address", "198.18.2.99 (hosts)", "route", "via 198.18.0.254 dev eth0"), -1);
        assertThat(Drift.changes(then, now)).extracting(Drift.Change::line).containsExactly("DNS answer: 198.18.2.2 (hosts) → 198.18.2.99 (hosts)");
        assertThat(Drift.compared(then, now)).containsExactly("DNS answer", "route");
        assertThat(Drift.evidence(then, now)).containsExactly(
                "since it last worked 2h 5m ago (run 3, 2026-12-06 10:00:00 UTC), this changed:",
                "  DNS answer: 198.18.2.2 (hosts) → 198.18.2.99 (hosts)");
    }

    @Test
    void whenNothingComparedChangedTheEvidenceSaysSo() {
        RunRecord then = Runs.record(3, 0, "ok", BEFORE, 0.4);
        RunRecord now = Runs.record(4, 1, "tcp.refused", BEFORE, 0.41);
        assertThat(Drift.evidence(then, now)).containsExactly(
                "since it last worked 1m ago (run 3, 2026-12-06 10:00:00 UTC): none of the facts compared changed (DNS answer, route, certificate)");
        assertThat(Drift.evidence(then, Runs.record(5, 2, "tcp.refused", Map.of(), 0.4))).isEmpty();
    }

    @Test
    void figuresCountAsChangedOnlyWhenTheyMovedTwiceOverAndAMillisecond() {
        RunRecord a = Runs.record(1, 0, "ok", Map.of(), 0.4);
        assertThat(Drift.changes(a, Runs.record(2, 1, "ok", Map.of(), 0.9))).isEmpty();        // 2× but 0.5 ms
        assertThat(Drift.changes(a, Runs.record(2, 1, "ok", Map.of(), 30))).extracting(Drift.Change::line)
                .containsExactly("ICMP round trip: 0.400 ms → 30.0 ms");
        assertThat(Drift.changes(Runs.record(1, 0, "ok", Map.of(), 40), Runs.record(2, 1, "ok", Map.of(), 60))).isEmpty();
        RunRecord cold = new RunRecord(3, "db01:5432", "unreachable", Runs.T0, 100, "ok", "certain", true, "", "cli", Map.of(), Map.of("connect_ms", 7.0));
        RunRecord warm = new RunRecord(4, "db01:5432", "unreachable", Runs.T0, 100, "ok", "certain", true, "", "cli", Map.of(), Map.of("connect_ms", 31.0));
        RunRecord slow = new RunRecord(5, "db01:5432", "unreachable", Runs.T0, 100, "ok", "certain", true, "", "cli", Map.of(), Map.of("connect_ms", 350.0));
        assertThat(Drift.changes(cold, warm)).as("a cold JVM's connect time").isEmpty();
        assertThat(Drift.changes(cold, slow)).extracting(Drift.Change::line).containsExactly("connect time: 7.0 ms → 350 ms");
    }

    @Test
    void aRoundTripFarAboveItsBaselineIsADeparture() {
        List<RunRecord> past = new ArrayList<>();
        double[] rtts = {0.40, 0.42, 0.38, 0.45, 0.41, 3.0};    // one slow run among them moves the median little
        for (int i = 0; i < rtts.length; i++) past.add(Runs.record(i + 1, i, "ok", Map.of(), rtts[i]));
        var d = Drift.departure(Runs.record(7, 10, "ok", Map.of(), 30.5), past);
        assertThat(d).isPresent();
        assertThat(d.get().cause()).isEqualTo("path.latency");
        assertThat(d.get().median()).isEqualTo(0.415, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(d.get().line()).isEqualTo("baseline: ICMP round trip 30.5 ms now; usually 0.415 ms (median of 6 healthy runs since "
                + "2026-12-06 10:00:00 UTC, MAD 0.025 ms)");
        assertThat(Drift.departure(Runs.record(7, 10, "ok", Map.of(), 4.9), past)).as("under 5 ms above: a busy machine's noise").isEmpty();
        assertThat(Drift.departure(Runs.record(7, 10, "ok", Map.of(), 30.5), past.subList(0, 4))).as("four runs: no baseline yet").isEmpty();
    }

    @Test
    void aNoisyBaselineNeedsMoreThanTwiceItsMedian() {
        List<RunRecord> past = new ArrayList<>();
        double[] rtts = {10, 20, 30, 15, 25, 12, 28};
        for (int i = 0; i < rtts.length; i++) past.add(Runs.record(i + 1, i, "ok", Map.of(), rtts[i]));
        // median 20, MAD 8: six scaled MADs are 71 ms
        assertThat(Drift.departure(Runs.record(9, 10, "ok", Map.of(), 60), past)).isEmpty();
        assertThat(Drift.departure(Runs.record(9, 10, "ok", Map.of(), 95), past)).isPresent();
    }

    @Test
    void lossIsJudgedOnlyWhereSomeEchoCameBack() {
        List<RunRecord> past = new ArrayList<>();
        for (int i = 0; i < 6; i++) past.add(withLoss(Runs.record(i + 1, i, "ok", Map.of(), -1), 0));
        var lossy = Drift.departure(withLoss(Runs.record(9, 10, "ok", Map.of(), -1), 40), past);
        assertThat(lossy).isPresent();
        assertThat(lossy.get().cause()).isEqualTo("path.loss");
        // the request got through and not one echo came back: ICMP is filtered (icmp.blocked), not lost on the path
        assertThat(Drift.departure(withLoss(Runs.record(9, 10, "ok", Map.of(), -1), 100), past)).isEmpty();
        // nor do runs that saw ICMP filtered make a baseline: two of six measured nothing, four are no baseline yet
        past.set(0, withLoss(past.get(0), 100));
        past.set(1, withLoss(past.get(1), 100));
        assertThat(Drift.departure(withLoss(Runs.record(9, 10, "ok", Map.of(), -1), 40), past)).isEmpty();
    }

    private static RunRecord withLoss(RunRecord r, double lossPct) {
        Map<String, Double> m = new java.util.LinkedHashMap<>(r.metrics());
        m.put("loss_pct", lossPct);
        return new RunRecord(r.id(), r.target(), r.playbook(), r.started(), r.durationMs(), r.cause(), r.confidence(), r.healthy(),
                r.worked(), r.summary(), r.origin(), r.facts(), m);
    }

    @Test
    void agesReadAsPeopleSayThem() {
        var t = Runs.T0;
        assertThat(Drift.ago(t, t.plusSeconds(41))).isEqualTo("41s");
        assertThat(Drift.ago(t, t.plusSeconds(185))).isEqualTo("3m 5s");
        assertThat(Drift.ago(t, t.plusSeconds(7380))).isEqualTo("2h 3m");
        assertThat(Drift.ago(t, t.plusSeconds(3 * 86_400 + 4 * 3600))).isEqualTo("3d 4h");
    }
}
