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
 */
record EchoStats(String method, int sent, List<Double> rttMs, List<Integer> ttls, List<IcmpError> errors) {
    EchoStats {
        rttMs = List.copyOf(rttMs);
        ttls = List.copyOf(ttls);
        errors = List.copyOf(errors);
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
