package dev.reach.core.report;

import dev.reach.core.run.RunResult;
import dev.reach.core.run.StepResult;
import dev.reach.spi.Status;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The numbers of a run a dashboard or a monitoring system wants, with stable names and units (docs/metrics.md): the
 * probes' own facts ({@code connect_ms}, {@code loss_pct}, {@code days_left}, ...) renamed once here, so the
 * Prometheus text and the Nagios performance data say the same thing. A probe step that did not run gives none.
 *
 * <pre>{@code
 * MetricFacts.of(result).forEach(m -> System.out.println(m.name() + m.labels() + " " + m.value()));
 * // reach_connect_seconds{step=connect} 0.00042
 * }</pre>
 */
public final class MetricFacts {
    private MetricFacts() {
    }

    /**
     * One number.
     *
     * @param name   the metric's name, {@code reach_...}, its unit the last word (seconds, ratio, bytes, days)
     * @param help   what it measures, for {@code # HELP}
     * @param step   the id of the step it came from
     * @param labels more labels beside {@code step} ({@code stat="avg"}), in order
     * @param value  in the metric's unit
     */
    public record Metric(String name, String help, String step, Map<String, String> labels, double value) {
        public Metric {
            labels = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(labels));
        }
    }

    /** What a probe's fact becomes: metric name, help, extra labels, and the factor to its unit. */
    private record Rule(String probe, String fact, String name, String help, Map<String, String> labels, double factor) {
    }

    private static final double MS = 0.001;

    /** The table (docs/metrics.md lists the same, in the same order). */
    private static final List<Rule> RULES = List.of(
            new Rule("tcp.connect", "connect_ms", "reach_connect_seconds",
                    "Time from the first SYN to the answer (the handshake, or the reset).", Map.of(), MS),
            new Rule("icmp.ping", "rtt_min_ms", "reach_rtt_seconds", "ICMP echo round trip.", Map.of("stat", "min"), MS),
            new Rule("icmp.ping", "rtt_avg_ms", "reach_rtt_seconds", "ICMP echo round trip.", Map.of("stat", "avg"), MS),
            new Rule("icmp.ping", "rtt_max_ms", "reach_rtt_seconds", "ICMP echo round trip.", Map.of("stat", "max"), MS),
            new Rule("icmp.ping", "loss_pct", "reach_loss_ratio", "Share of ICMP echo requests with no reply (0 to 1).",
                    Map.of(), 0.01),
            new Rule("dns.resolve", "answer_ms", "reach_dns_lookup_seconds", "Time to the name's answer.",
                    Map.of("source", "nameserver"), MS),
            new Rule("dns.resolve", "system_ms", "reach_dns_lookup_seconds", "Time to the name's answer.",
                    Map.of("source", "system"), MS),
            new Rule("dns.query", "query_ms", "reach_dns_lookup_seconds", "Time to the name's answer.",
                    Map.of("source", "nameserver"), MS),
            new Rule("tls.handshake", "handshake_ms", "reach_tls_handshake_seconds", "Time of the TLS handshake.", Map.of(), MS),
            new Rule("tls.handshake", "days_left", "reach_tls_days_left",
                    "Whole days until the server's certificate expires (negative: expired).", Map.of(), 1),
            new Rule("time.compare", "offset_ms", "reach_clock_offset_seconds",
                    "This clock minus the other side's (positive: this one is ahead).", Map.of(), MS),
            new Rule("ntp.offset", "offset_ms", "reach_clock_offset_seconds",
                    "This clock minus the other side's (positive: this one is ahead).", Map.of(), MS),
            new Rule("path.mtu", "path_mtu", "reach_path_mtu_bytes", "The largest packet that crosses the path.", Map.of(), 1),
            new Rule("http.get", "first_byte_ms", "reach_http_first_byte_seconds", "Time to the first byte of the answer.",
                    Map.of(), MS),
            new Rule("http.get", "total_ms", "reach_http_duration_seconds", "Time of the whole HTTP exchange.", Map.of(), MS),
            new Rule("http.get", "status", "reach_http_status_code", "The HTTP status code of the last answer.", Map.of(), 1));

    /** The metric names this table can give, each once, in the table's order (for docs and tests). */
    public static List<String> names() {
        return RULES.stream().map(Rule::name).distinct().toList();
    }

    /** The numbers of the run's probe steps that ran, in step order, then the table's order. */
    public static List<Metric> of(RunResult run) {
        List<Metric> out = new ArrayList<>();
        for (StepResult s : checks(run.steps()).filter(x -> x.status() != Status.SKIPPED).toList()) {
            for (Rule r : RULES) {
                if (r.probe().equals(s.probe()) && s.observation().facts().get(r.fact()) instanceof Number n
                        && Double.isFinite(n.doubleValue()) && meaningful(s, r)) {
                    out.add(new Metric(r.name(), r.help(), s.id(), r.labels(), n.doubleValue() * r.factor()));
                }
            }
        }
        return out;
    }

    /** A round trip of pings that never came back is no figure; every other fact is what the probe measured. */
    private static boolean meaningful(StepResult s, Rule r) {
        if (r.probe().equals("icmp.ping") && r.fact().startsWith("rtt_")) {
            return s.observation().facts().get("received") instanceof Number n && n.intValue() > 0;
        }
        return true;
    }

    /**
     * The probe steps a report shows (a group's children in its place), in order: those that ran and those that could
     * not run here (skipped for their needs); never those the playbook chose not to run ({@code when:} false) or that
     * were cut short as no longer needed.
     */
    static Stream<StepResult> checks(List<StepResult> steps) {
        return steps.stream().flatMap(s -> s.children().isEmpty()
                ? Stream.of(s).filter(x -> "probe".equals(x.kind()) && !x.skippedByCondition() && !x.cutShort())
                : checks(s.children()));
    }
}
