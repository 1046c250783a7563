package dev.reach.core.run;

import java.time.Duration;

/** How reach writes durations for people: {@code 0.21ms}, {@code 12ms}, {@code 1.4s}. */
public final class Durations {
    private Durations() {
    }

    public static String format(Duration d) {
        double ms = d.toNanos() / 1e6;
        if (ms < 10) return String.format(java.util.Locale.ROOT, "%.2fms", ms);
        if (ms < 1000) return String.format(java.util.Locale.ROOT, "%.0fms", ms);
        if (ms < 60_000) return String.format(java.util.Locale.ROOT, "%.1fs", ms / 1000);
        return String.format(java.util.Locale.ROOT, "%dm%02ds", (long) ms / 60_000, ((long) ms / 1000) % 60);
    }
}
