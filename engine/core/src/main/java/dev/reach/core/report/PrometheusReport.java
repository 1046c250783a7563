package dev.reach.core.report;

import dev.reach.core.run.RunResult;
import dev.reach.core.run.StepResult;
import dev.reach.spi.Millis;
import dev.reach.spi.Status;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A run in the Prometheus text exposition format (0.0.4), what {@code reach serve}'s {@code /probe} answers and
 * {@code --format prometheus} prints (for node_exporter's textfile collector): whether the target works, the verdict
 * as labels, each step's time and status, and the numbers of {@link MetricFacts}. Names and units: docs/metrics.md.
 *
 * <pre>{@code
 * reach_probe_success 0
 * reach_verdict{cause="tcp.refused",confidence="certain"} 1
 * reach_step_status{step="connect",probe="tcp.connect",status="fail"} 1
 * }</pre>
 */
public final class PrometheusReport {
    /** The media type a scrape gets. */
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    public String render(RunResult run) {
        var out = new StringWriter();
        try {
            render(run, out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);   // a StringWriter does not fail
        }
        return out.toString();
    }

    public void render(RunResult run, Writer out) throws IOException {
        Families f = new Families();
        f.add("reach_probe_success", "gauge", "1 when the target works now (the verdict is ok), else 0.",
                Map.of(), run.healthy() ? 1 : 0);
        f.add("reach_probe_duration_seconds", "gauge", "How long the diagnosis took.", Map.of(),
                Millis.of(run.duration()) / 1000.0);
        var v = run.verdict();
        f.add("reach_verdict", "gauge", "The verdict: its cause code and confidence as labels (always 1).",
                labels("cause", v.cause(), "confidence", v.confidence().label()), 1);
        f.add("reach_run_cancelled", "gauge", "1 when the deadline or a cancel cut the run short.", Map.of(),
                run.cancelled() ? 1 : 0);
        List<StepResult> steps = MetricFacts.checks(run.steps()).toList();
        Map<String, Integer> seen = new HashMap<>();
        List<String> names = new ArrayList<>();
        for (StepResult s : steps) {              // a step id met twice (a foreach) gets #2, #3, ...
            int n = seen.merge(s.id(), 1, Integer::sum);
            names.add(n == 1 ? s.id() : s.id() + "#" + n);
        }
        for (int i = 0; i < steps.size(); i++) {
            StepResult s = steps.get(i);
            if (s.status() != Status.SKIPPED) {
                f.add("reach_step_duration_seconds", "gauge", "How long each step that ran took.",
                        labels("step", names.get(i), "probe", s.probe()), Millis.of(s.observation().duration()) / 1000.0);
            }
        }
        for (int i = 0; i < steps.size(); i++) {
            StepResult s = steps.get(i);
            f.add("reach_step_status", "gauge",
                    "Each step's status (ok, warn, fail, error, skipped: it could not run here) as a label (always 1).",
                    labels("step", names.get(i), "probe", s.probe(), "status", s.status().label()), 1);
        }
        for (MetricFacts.Metric m : MetricFacts.of(run)) {
            Map<String, String> l = new LinkedHashMap<>();
            l.put("step", m.step());
            l.putAll(m.labels());
            f.add(m.name(), "gauge", m.help(), l, m.value());
        }
        f.write(out);
        out.flush();
    }

    private static Map<String, String> labels(String... kv) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }

    /** The samples grouped by metric name, each family once with its HELP and TYPE, in the order first met. */
    private static final class Families {
        private final Map<String, StringBuilder> samples = new LinkedHashMap<>();
        private final Map<String, String> heads = new HashMap<>();

        void add(String name, String type, String help, Map<String, String> labels, double value) {
            heads.putIfAbsent(name, "# HELP " + name + " " + help.replace("\\", "\\\\").replace("\n", "\\n") + "\n"
                    + "# TYPE " + name + " " + type + "\n");
            StringBuilder b = samples.computeIfAbsent(name, k -> new StringBuilder());
            b.append(name);
            if (!labels.isEmpty()) {
                b.append('{');
                boolean first = true;
                for (var e : labels.entrySet()) {
                    if (!first) b.append(',');
                    first = false;
                    b.append(e.getKey()).append("=\"").append(escape(e.getValue())).append('"');
                }
                b.append('}');
            }
            b.append(' ').append(number(value)).append('\n');
        }

        void write(Writer out) throws IOException {
            for (var e : samples.entrySet()) {
                out.write(heads.get(e.getKey()));
                out.write(e.getValue().toString());
            }
        }
    }

    /** A label value as the format wants it: backslash, double quote and line feed escaped. */
    static String escape(String value) {
        return value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }

    /**
     * Integers without a fraction; others to 9 significant digits (a sum of milliseconds in binary has noise beyond
     * that: 0.19160400000000002), plainly written or with an exponent as Go's parser reads both; NaN and Inf as the
     * format spells them.
     */
    static String number(double v) {
        if (Double.isNaN(v)) return "NaN";
        if (Double.isInfinite(v)) return v > 0 ? "+Inf" : "-Inf";
        if (v == Math.rint(v) && Math.abs(v) < 1e15) return Long.toString((long) v);
        return new java.math.BigDecimal(v).round(new java.math.MathContext(9)).stripTrailingZeros().toString();
    }
}
