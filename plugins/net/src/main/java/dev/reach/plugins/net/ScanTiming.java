package dev.reach.plugins.net;

/**
 * The scan's clock, after nmap's adaptive timing: every answer (SYN-ACK or RST) is an RTT sample, smoothed with
 * its variance as RFC 6298 keeps them; an unanswered connect is given up after {@link #waitMs}: {@value
 * #INITIAL_MS} ms while nothing is known, then {@code max(FLOOR_MS, 2·srtt + 4·rttvar)}, never above the cap
 * ({@code timeout}). Silence past the wait is tried again while tries remain, then called filtered
 * ({@link #unanswered}). Immutable and pure: the engine's workers share one through an atomic reference.
 *
 * <pre>{@code
 * ScanTiming t = ScanTiming.NOTHING_KNOWN;            // waitMs(3000) == 1000
 * for (double rtt : answers) t = t.sample(rtt);       // 20 ms answers: waitMs(3000) ≈ 50
 * }</pre>
 */
record ScanTiming(double srttMs, double rttvarMs, int samples) {
    /** The wait before any answer: nmap's initial RTT timeout. */
    static final double INITIAL_MS = 1000;
    /** No adaptive wait goes below this: local scheduling under load alone can reach a few milliseconds. */
    static final double FLOOR_MS = 50;
    /** Answers needed before the wait adapts: one sample says little about the variance. */
    static final int SAMPLES_BEFORE_ADAPTING = 3;
    static final ScanTiming NOTHING_KNOWN = new ScanTiming(0, 0, 0);

    /** What becomes of a connect that has not been answered yet. */
    enum Fate { WAIT, RETRY, SILENT }

    /** This estimate with one more RTT sample (RFC 6298: the first sets srtt and rttvar = srtt/2, then 1/8 and 1/4 gains). */
    ScanTiming sample(double ms) {
        if (samples == 0) return new ScanTiming(ms, ms / 2, 1);
        return new ScanTiming(0.875 * srttMs + 0.125 * ms, 0.75 * rttvarMs + 0.25 * Math.abs(srttMs - ms), samples + 1);
    }

    /** The wait for silence: {@code min(cap, INITIAL_MS)} until a few answers are in, then adapted, never above the cap. */
    double waitMs(double capMs) {
        if (samples < SAMPLES_BEFORE_ADAPTING) return Math.min(capMs, INITIAL_MS);
        return Math.min(capMs, Math.max(FLOOR_MS, 2 * srttMs + 4 * rttvarMs));
    }

    /** Pure: an unanswered connect {@code elapsedMs} old, on its {@code tries}-th retry, against the wait now. */
    static Fate unanswered(double elapsedMs, double waitMs, int tries, int retries) {
        if (elapsedMs <= waitMs) return Fate.WAIT;
        return tries < retries ? Fate.RETRY : Fate.SILENT;
    }
}
