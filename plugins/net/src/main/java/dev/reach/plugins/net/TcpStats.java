package dev.reach.plugins.net;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The kernel's account of one TCP connection (struct tcp_info, linux/tcp.h), the fields a stalled or lossy transfer
 * shows itself in. A field the running kernel does not fill (an older, shorter struct) is -1.
 *
 * @param probes        zero-window (or keepalive) probes sent and unanswered: the peer's window stays shut
 * @param backoff       RTO doublings now in force: retransmissions of the head segment going unanswered
 * @param retransmits   times the segment at the head was sent again, now
 * @param unacked       segments in flight, not yet acknowledged
 * @param lost          segments the kernel counts as lost, now
 * @param totalRetrans  segments sent again in the connection's life
 * @param rttMicros     smoothed RTT
 * @param rttVarMicros  its variation
 * @param sndCwnd       congestion window, in segments
 * @param bytesAcked    bytes sent and acknowledged
 * @param bytesReceived bytes received
 * @param dataSegsOut   data segments sent, retransmissions included
 * @param deliveryRate  the kernel's latest delivery rate estimate, bytes per second
 * @param rwndLimitedUs time the sender spent limited by the peer's receive window
 * @param outOfOrder    segments received out of order (a hole before them: lost or reordered on the way here)
 * @param sndWnd        the peer's advertised receive window, bytes (Linux 5.4 on)
 * @param dsackDups     segments the peer reported receiving twice (D-SACK): sent again needlessly, not lost
 */
record TcpStats(int probes, int backoff, int retransmits, int unacked, int lost, int totalRetrans, long rttMicros,
                long rttVarMicros, int sndCwnd, long bytesAcked, long bytesReceived, long dataSegsOut, long deliveryRate,
                long rwndLimitedUs, long outOfOrder, long sndWnd, long dsackDups) {
    /** Bytes to ask for: the struct as of Linux 6.x (the kernel writes as much as it has, at most this). */
    static final int SIZE = 248;
    static final TcpStats NONE = new TcpStats(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -1, -1, -1, -1, -1);

    static TcpStats parse(byte[] raw) {
        if (raw.length < 104) return NONE;
        ByteBuffer b = ByteBuffer.wrap(raw).order(ByteOrder.nativeOrder());
        return new TcpStats(raw[3] & 0xff, raw[4] & 0xff, raw[2] & 0xff, b.getInt(24), b.getInt(32), b.getInt(100),
                u32(b, 68), u32(b, 72), b.getInt(80),
                u64(b, raw, 120), u64(b, raw, 128), raw.length >= 160 ? u32(b, 156) : -1, u64(b, raw, 160),
                u64(b, raw, 176), raw.length >= 228 ? u32(b, 224) : -1, raw.length >= 232 ? u32(b, 228) : -1,
                raw.length >= 220 ? u32(b, 216) : -1);
    }

    private static long u32(ByteBuffer b, int at) {
        return b.getInt(at) & 0xffffffffL;
    }

    private static long u64(ByteBuffer b, byte[] raw, int at) {
        return raw.length >= at + 8 ? b.getLong(at) : -1;
    }

    /**
     * Share of the data segments sent that were sent again for loss, 0 when nothing was sent: those the peer
     * reported as duplicates (a retransmission timer that fired early on a busy host, a tail-loss probe) are not loss.
     */
    double retransmitRatio() {
        return dataSegsOut > 0 ? (double) lossRetrans() / dataSegsOut : 0;
    }

    /** Segments sent again, less those the peer reported receiving twice. */
    long lossRetrans() {
        return Math.max(0, totalRetrans - Math.max(0, dsackDups));
    }

    /** Whether the peer's window is shut now: zero-window probes out, or a window of 0 advertised. */
    boolean windowShut() {
        return probes > 0 || sndWnd == 0;
    }

    /** The counters as facts, those the kernel did not fill left out. */
    Map<String, Object> facts() {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("rtt_ms", rttMicros / 1000.0);
        f.put("rttvar_ms", rttVarMicros / 1000.0);
        f.put("retransmits_total", totalRetrans);
        if (dataSegsOut >= 0) f.put("data_segments_out", dataSegsOut);
        f.put("unacked", unacked);
        f.put("lost", lost);
        f.put("cwnd", sndCwnd);
        if (sndWnd >= 0) f.put("peer_window", sndWnd);
        f.put("zero_window_probes", probes);
        if (rwndLimitedUs >= 0) f.put("rwnd_limited_ms", rwndLimitedUs / 1000.0);
        if (outOfOrder >= 0) f.put("out_of_order_in", outOfOrder);
        if (dsackDups >= 0) f.put("duplicates_reported", dsackDups);
        if (deliveryRate >= 0) f.put("delivery_rate_bps", deliveryRate * 8);
        return f;
    }

    /** One line for the evidence: {@code rtt 0.05ms, 3 of 700 data segments sent again, ...}. */
    String describe() {
        StringBuilder s = new StringBuilder("TCP_INFO: rtt " + Endpoint.human(rttMicros / 1000.0) + " (var "
                + Endpoint.human(rttVarMicros / 1000.0) + ")");
        s.append(", ").append(totalRetrans).append(dataSegsOut >= 0 ? " of " + dataSegsOut + " data segments" : " segments").append(" sent again");
        if (dsackDups > 0) s.append(" (").append(dsackDups).append(" needlessly: the peer had them)");
        s.append(", ").append(unacked).append(" unacknowledged, ").append(lost).append(" lost");
        if (retransmits > 0) s.append(", head retransmitted ").append(retransmits).append('x');
        if (backoff > 0) s.append(", RTO backoff ").append(backoff);
        if (sndWnd >= 0) s.append(", peer window ").append(sndWnd).append(" bytes");
        if (probes > 0) s.append(", ").append(probes).append(" zero-window probes unanswered");
        if (outOfOrder > 0) s.append(", ").append(outOfOrder).append(" segments in out of order");
        s.append(", cwnd ").append(sndCwnd);
        return s.toString();
    }
}
