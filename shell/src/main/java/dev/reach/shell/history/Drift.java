package dev.reach.shell.history;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * What changed between two runs of one target, and whether a healthy run's figures left the target's own baseline.
 * The baseline is robust: the median of the last healthy runs and the median absolute deviation (MAD) around it,
 * so one slow run among them moves it little.
 */
public final class Drift {
    /** The figures a baseline is kept for, in the order they are judged. */
    public static final List<String> BASELINE = List.of("rtt_ms", "tcp_rtt_ms", "loss_pct");
    /** Healthy runs a baseline needs before it says anything. */
    public static final int BASELINE_MIN_RUNS = 5;
    /** Healthy runs a baseline is made of, at most (the newest). */
    public static final int BASELINE_RUNS = 30;
    /** The least rise of a round trip over its baseline that counts, in ms. */
    static final double RTT_FLOOR_MS = 5;
    /** MADs (scaled to a standard deviation, ×1.4826) a figure must lie above the median. */
    static final double MADS = 6;
    static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'", Locale.ROOT).withZone(ZoneOffset.UTC);

    private Drift() {
    }

    /** One fact or figure that differs: its label, before and after (null: not seen in that run). */
    public record Change(String key, String label, String before, String after, boolean metric) {
        public String line() {
            return label + ": " + (before == null ? "not seen" : before) + " → " + (after == null ? "not seen" : after);
        }
    }

    /**
     * The facts that differ between {@code from} and {@code to} (only those both runs observed), then the figures
     * that moved by at least 2× and 1 ms (a connect time 3× and 100 ms, loss 5 points, a clock offset a second).
     */
    public static List<Change> changes(RunRecord from, RunRecord to) {
        List<Change> out = new ArrayList<>();
        RunFacts.LABELS.forEach((key, label) -> {
            String a = from.facts().get(key);
            String b = to.facts().get(key);
            if (a != null && b != null && !a.equals(b)) out.add(new Change(key, label, a, b, false));
        });
        RunFacts.METRIC_LABELS.forEach((key, label) -> {
            Double a = from.metrics().get(key);
            Double b = to.metrics().get(key);
            if (a != null && b != null && moved(key, a, b)) out.add(new Change(key, label, figure(key, a), figure(key, b), true));
        });
        return out;
    }

    /** The labels of the facts both runs observed (what a comparison that found nothing did look at). */
    public static List<String> compared(RunRecord from, RunRecord to) {
        return RunFacts.LABELS.entrySet().stream().filter(e -> from.facts().containsKey(e.getKey()) && to.facts().containsKey(e.getKey()))
                .map(Map.Entry::getValue).toList();
    }

    private static boolean moved(String key, double a, double b) {
        if (key.equals("loss_pct")) return Math.abs(b - a) >= 5;
        if (key.equals("clock_offset_ms")) return Math.abs(b - a) >= 1000;
        if (key.equals("connect_ms")) {   // timed by a cold JVM on a busy machine: tens of ms either way are its own noise
            return Math.max(a, b) - Math.min(a, b) >= 100 && Math.max(a, b) >= 3 * Math.min(a, b);
        }
        double lo = Math.min(a, b);
        double hi = Math.max(a, b);
        return hi - lo >= 1 && hi >= 2 * lo;
    }

    static String figure(String key, double v) {
        if (key.equals("loss_pct")) return String.format(Locale.ROOT, "%.0f %%", v);
        return (Math.abs(v) >= 100 ? String.format(Locale.ROOT, "%.0f", v) : Math.abs(v) >= 1 ? String.format(Locale.ROOT, "%.1f", v)
                : String.format(Locale.ROOT, "%.3f", v)) + " ms";
    }

    /**
     * The evidence a faulty run gains from the last run of its target that worked: a heading line and one indented
     * line a change, or one line saying that none of the facts compared changed; empty when the two runs share no fact.
     */
    public static List<String> evidence(RunRecord lastWorked, RunRecord now) {
        List<Change> changes = changes(lastWorked, now);
        List<String> compared = compared(lastWorked, now);
        String since = "since it last worked " + ago(lastWorked.started(), now.started()) + " ago (run " + lastWorked.id()
                + ", " + WHEN.format(lastWorked.started()) + ")";
        if (changes.isEmpty()) {
            return compared.isEmpty() ? List.of() : List.of(since + ": none of the facts compared changed (" + String.join(", ", compared) + ")");
        }
        List<String> out = new ArrayList<>();
        out.add(since + ", " + (changes.size() == 1 ? "this changed:" : "these changed:"));
        changes.forEach(c -> out.add("  " + c.line()));
        return out;
    }

    /** {@code 2h 3m}, {@code 41s}, {@code 3d 4h}. */
    public static String ago(Instant then, Instant now) {
        long s = Math.max(0, Duration.between(then, now).toSeconds());
        if (s < 60) return s + "s";
        if (s < 3600) return s / 60 + "m" + (s % 60 != 0 && s < 600 ? " " + s % 60 + "s" : "");
        if (s < 86_400) return s / 3600 + "h" + (s % 3600 / 60 != 0 ? " " + s % 3600 / 60 + "m" : "");
        return s / 86_400 + "d" + (s % 86_400 / 3600 != 0 ? " " + s % 86_400 / 3600 + "h" : "");
    }

    /**
     * A figure of a healthy run that left its baseline: {@code value} now against {@code median} and {@code mad} of
     * {@code runs} healthy runs, the first of them at {@code since}.
     */
    public record Departure(String key, String label, double value, double median, double mad, int runs, Instant since) {
        public String cause() {
            return key.equals("loss_pct") ? "path.loss" : "path.latency";
        }

        public String line() {
            return RunFacts.BASELINE_EVIDENCE + label + " " + figure(key, value) + " now; usually " + figure(key, median) + " (median of "
                    + runs + " healthy runs since " + WHEN.format(since) + ", MAD " + figure(key, mad) + ")";
        }
    }

    /**
     * Whether {@code now} (a healthy run) left the baseline of {@code past} (healthy runs of the same target and
     * playbook, any order): a round trip at least twice its median and above it by six scaled MADs and {@value #RTT_FLOOR_MS}
     * ms (less is a busy machine's noise as much as the path's), or a loss
     * ten points and six scaled MADs above its median. Empty with fewer than {@link #BASELINE_MIN_RUNS} runs that measured it.
     * A ping that got no echo back at all measured no loss: in a run whose request got through, the path carries
     * packets, and only the echo is filtered ({@code icmp.blocked}, informational); such runs count neither way.
     */
    public static Optional<Departure> departure(RunRecord now, List<RunRecord> past) {
        for (String key : BASELINE) {
            Double v = measured(key, now.metrics().get(key));
            List<RunRecord> with = past.stream().filter(r -> measured(key, r.metrics().get(key)) != null).toList();
            if (v == null || with.size() < BASELINE_MIN_RUNS) continue;
            double[] xs = with.stream().mapToDouble(r -> r.metrics().get(key)).toArray();
            double median = median(xs);
            double mad = median(java.util.Arrays.stream(xs).map(x -> Math.abs(x - median)).toArray());
            double spread = MADS * 1.4826 * mad;
            boolean out = key.equals("loss_pct")
                    ? v - median >= Math.max(10, spread)
                    : v >= 2 * median && v - median >= Math.max(RTT_FLOOR_MS, spread);
            if (out) {
                Instant since = with.stream().map(RunRecord::started).min(Comparator.naturalOrder()).orElse(now.started());
                return Optional.of(new Departure(key, RunFacts.METRIC_LABELS.get(key), v, median, mad, with.size(), since));
            }
        }
        return Optional.empty();
    }

    /** {@code v}, or null where it is no measurement of {@code key}: a loss of every echo (see {@link #departure}). */
    private static Double measured(String key, Double v) {
        return key.equals("loss_pct") && v != null && v >= 100 ? null : v;
    }

    static double median(double[] xs) {
        double[] s = xs.clone();
        java.util.Arrays.sort(s);
        int n = s.length;
        return n == 0 ? Double.NaN : n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }
}
