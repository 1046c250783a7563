package dev.reach.plugins.net;

import java.util.List;
import java.util.Locale;

/**
 * What a round of ICMP echo requests brought back, however it was sent (ping socket, raw socket or the
 * system {@code ping}): the input of {@link IcmpPingProbe#classify}.
 *
 * @param method  dgram (SOCK_DGRAM ICMP socket), raw (SOCK_RAW) or system (ping's output parsed)
 * @param sent    echo requests sent
 * @param rttMs   round-trip time of each request answered in time, in order of arrival
 * @param ttls    TTL (hop limit) of each reply, same order; -1 where unknown
 * @param errors  ICMP errors received instead of replies (and local send errors), one per request at most
 * @param answered the sequence numbers (from 0) of the requests answered in time, ascending; null where not known
 */
record EchoStats(String method, int sent, List<Double> rttMs, List<Integer> ttls, List<IcmpError> errors, List<Integer> answered) {
    /** Answers of at least this many requests in a row from the first, then silence, are a burst a rate limit let through. */
    static final int BURST_MIN = 3;

    EchoStats {
        rttMs = List.copyOf(rttMs);
        ttls = List.copyOf(ttls);
        errors = List.copyOf(errors);
        answered = answered == null ? null : answered.stream().sorted().distinct().toList();
    }

    /** A round whose requests' order of answers is not known. */
    EchoStats(String method, int sent, List<Double> rttMs, List<Integer> ttls, List<IcmpError> errors) {
        this(method, sent, rttMs, ttls, errors, null);
    }

    /** How many requests in a row, from the first, were answered (0 where the order is not known). */
    int leadingAnswers() {
        if (answered == null) return 0;
        int n = 0;
        while (n < answered.size() && answered.get(n) == n) n++;
        return n;
    }

    /**
     * Whether the answers have the shape of a rate limit rather than of random loss: the first {@value #BURST_MIN} or
     * more requests answered in a row, then at least five more of which at most a quarter were (a token bucket lets a
     * burst through, then only its refill rate, which requests a few ms apart outrun). Random loss of p leaves the
     * first three answered with (1-p)³ and three quarters of the rest unanswered only for p near 1: 30 % loss gives
     * this shape about once in ten million rounds of 20, 50 % about once in a thousand.
     */
    boolean burstThenSilence() {
        int lead = leadingAnswers();
        int rest = sent - lead;
        return lead >= BURST_MIN && rest >= 5 && received() < sent && 4 * (received() - lead) <= rest;
    }

    /** The requests in order, as routers print them: {@code !} answered, {@code .} not; null where not known. */
    String pattern() {
        if (answered == null || sent > 200) return null;
        StringBuilder b = new StringBuilder(".".repeat(sent));
        answered.stream().filter(q -> q >= 0 && q < sent).forEach(q -> b.setCharAt(q, '!'));
        return b.toString();
    }

    int received() {
        return rttMs.size();
    }

    double lossPercent() {
        return sent == 0 ? 100 : Math.round(1000.0 * (sent - received()) / sent) / 10.0;
    }

    double min() {
        return rttMs.stream().mapToDouble(Double::doubleValue).min().orElse(0);
    }

    double max() {
        return rttMs.stream().mapToDouble(Double::doubleValue).max().orElse(0);
    }

    double avg() {
        return rttMs.stream().mapToDouble(Double::doubleValue).average().orElse(0);
    }

    /** Mean deviation as ping prints it: sqrt(mean(rtt²) − mean(rtt)²). */
    double mdev() {
        double avg = avg();
        double sq = rttMs.stream().mapToDouble(r -> r * r).average().orElse(0);
        return Math.sqrt(Math.max(0, sq - avg * avg));
    }

    /** {@code rtt min/avg/max/mdev = 0.031/0.040/0.052/0.008 ms}. */
    String rttLine() {
        return String.format(Locale.ROOT, "rtt min/avg/max/mdev = %.3f/%.3f/%.3f/%.3f ms", min(), avg(), max(), mdev());
    }

    static double round3(double v) {
        return Math.round(v * 1000) / 1000.0;
    }
}
