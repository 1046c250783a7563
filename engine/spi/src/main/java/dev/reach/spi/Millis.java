package dev.reach.spi;

import java.time.Duration;
import java.util.Locale;

/**
 * Times as facts carry them: milliseconds with three decimals ({@code connect_ms 0.412}), the same precision in every
 * probe, so that a number means the same thing whichever probe wrote it.
 *
 * <pre>{@code
 * b.fact("connect_ms", Millis.of(Duration.ofNanos(412_345)));   // 0.412
 * b.fact("rtt_ms", Millis.of(System.nanoTime() - t0));           // nanoseconds in, milliseconds out
 * }</pre>
 */
public final class Millis {
    private Millis() {
    }

    /** The duration in milliseconds, rounded to the microsecond. */
    public static double of(Duration d) {
        return of(d.toNanos());
    }

    /** Nanoseconds in milliseconds, rounded to the microsecond. */
    public static double of(long nanos) {
        return Math.round(nanos / 1e3) / 1e3;
    }

    /** {@code 0.21ms}, {@code 12ms}, {@code 1.4s}: a time as summaries write it for people. */
    public static String human(Duration d) {
        double ms = d.toNanos() / 1e6;
        if (ms < 10) return String.format(Locale.ROOT, "%.2fms", ms);
        if (ms < 1000) return String.format(Locale.ROOT, "%.0fms", ms);
        return String.format(Locale.ROOT, "%.1fs", ms / 1000);
    }
}
