package dev.reach.shell.history;

import dev.reach.core.playbook.Confidence;
import dev.reach.core.run.RunResult;
import dev.reach.core.run.StepResult;
import dev.reach.core.run.Verdict;
import dev.reach.spi.Observation;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Runs and records as the history meets them, built by hand. */
final class Runs {
    static final Instant T0 = Instant.parse("2026-12-06T10:00:00Z");

    private Runs() {
    }

    /** A record of db01:5432 at T0 + {@code minutes}, with these facts and an ICMP round trip. */
    static RunRecord record(long id, int minutes, String cause, Map<String, String> facts, double rttMs) {
        Map<String, Double> metrics = new LinkedHashMap<>();
        if (rttMs >= 0) metrics.put("rtt_ms", rttMs);
        metrics.put("loss_pct", 0.0);
        return new RunRecord(id, "db01:5432", "unreachable", T0.plusSeconds(60L * minutes), 120.5, cause,
                cause.equals("ok") ? "certain" : "likely", cause.equals("ok"), "summary of " + cause, "cli", facts, metrics);
    }

    static StepResult probe(String id, String probe, Map<String, Object> params, Observation o) {
        return new StepResult(id, "probe", probe, params, o, "", List.of());
    }

    /** A diagnosis of db01:5432 whose steps saw these observations (nested in a parallel group, as the playbook does). */
    static RunResult diagnosis(String cause, List<StepResult> steps) {
        Map<String, Object> inputs = new LinkedHashMap<>();
        inputs.put("host", "db01");
        inputs.put("port", 5432);
        inputs.put("proto", "tcp");
        var group = new StepResult("local", "parallel", "", Map.of(), Observation.ok("group").build(), "", steps);
        Verdict v = new Verdict(cause, cause.equals("ok") ? Confidence.CERTAIN : Confidence.LIKELY, "it is " + cause,
                cause.equals("ok") ? "" : "fix it", List.of("evidence one"), List.of("connect"), true);
        return new RunResult("unreachable", "playbooks/unreachable.yaml", inputs, List.of(group), v, T0, Duration.ofMillis(250), false);
    }
}
