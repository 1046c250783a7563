package dev.reach.core.report;

import dev.reach.core.run.RunResult;
import dev.reach.core.run.Verdicts;
import dev.reach.spi.Millis;
import dev.reach.spi.Status;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A run as a check of the Monitoring Plugins convention (Nagios, Icinga, Zabbix, Sensu): one line,
 * {@code CAUSE - summary | perfdata}, and an exit code the monitoring system reads as the state.
 *
 * <pre>{@code
 * tcp.refused - 127.0.0.1:5432 refused the connection: ... | duration=0.183s connect=0.00042s
 * }</pre>
 */
public final class NagiosReport {
    /** The states, as exit codes. */
    public enum State {
        /** The verdict is ok and nothing warned. */
        OK(0),
        /** It works, with something to act on soon: a step warned (an expiring certificate, a slow name) and none failed. */
        WARNING(1),
        /** A fault: the request would not get through. */
        CRITICAL(2),
        /** The diagnosis could not decide: inconclusive, cut short, or it could not run. */
        UNKNOWN(3);

        private final int code;

        State(int code) {
            this.code = code;
        }

        public int exitCode() {
            return code;
        }
    }

    /**
     * The state of a run: OK when the verdict is ok (a warned or failed step it weighed as not the cause does not page),
     * WARNING for a fault where nothing failed outright (a certificate about to expire, a slow nameserver), CRITICAL for
     * a fault, UNKNOWN when it could not conclude.
     */
    public static State state(RunResult run) {
        if (run.cancelled() || Verdicts.INCONCLUSIVE.equals(run.verdict().cause())) return State.UNKNOWN;
        if (run.healthy()) {
            return State.OK;
        }
        boolean broke = MetricFacts.checks(run.steps()).anyMatch(s -> s.status() == Status.FAIL || s.status() == Status.ERROR);
        return broke ? State.CRITICAL : State.WARNING;
    }

    /** The one line: the cause, the verdict's summary on one line, and the numbers as performance data. */
    public String render(RunResult run) {
        var v = run.verdict();
        String summary = Visible.text(v.summary()).replaceAll("\\s+", " ").replace('|', '/').strip();
        List<String> perf = new ArrayList<>();
        perf.add("duration=" + seconds(Millis.of(run.duration()) / 1000.0));
        for (MetricFacts.Metric m : MetricFacts.of(run)) {
            perf.add("'" + label(m).replace("'", "") + "'=" + value(m));
        }
        return v.cause() + " - " + summary + " | " + String.join(" ", perf);
    }

    /**
     * A short, unique label: the metric's name without {@code reach_} and its unit, after the step's id unless it
     * begins with it, then the extra labels' values ({@code connect}, {@code ping_rtt_avg}, {@code tls_days_left}).
     */
    static String label(MetricFacts.Metric m) {
        String shortName = m.name().replaceFirst("^reach_", "").replaceFirst("_(seconds|ratio|bytes)$", "");
        String label = shortName.equals(m.step()) || shortName.startsWith(m.step() + "_") ? shortName : m.step() + "_" + shortName;
        return m.labels().isEmpty() ? label : label + "_" + String.join("_", m.labels().values());
    }

    /** A value with the unit of the Monitoring Plugins guidelines: s for seconds, % for a ratio, B for bytes. */
    private static String value(MetricFacts.Metric m) {
        if (m.name().endsWith("_seconds")) return seconds(m.value());
        if (m.name().endsWith("_ratio")) return PrometheusReport.number(Math.round(m.value() * 10000) / 100.0) + "%;;;0;100";
        if (m.name().endsWith("_bytes")) return PrometheusReport.number(m.value()) + "B";
        return PrometheusReport.number(m.value());
    }

    private static String seconds(double s) {
        return String.format(Locale.ROOT, "%.6fs", s).replaceAll("0+s$", "s").replaceAll("\\.s$", "s");
    }
}
