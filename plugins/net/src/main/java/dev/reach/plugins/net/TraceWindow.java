package dev.reach.plugins.net;

import dev.reach.plugins.net.PathTraceProbe.Answer;
import dev.reach.plugins.net.PathTraceProbe.Hop;
import dev.reach.spi.Millis;
import dev.reach.spi.ProbeContext;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The probes of one window of a native trace in flight: {@code count} probes for each TTL in [first, last],
 * numbered {@code 0..size()-1} (probe {@code i} has TTL {@code first + i / count}), when each left and what
 * came back. {@link UdpHops}, {@link IcmpHops} and {@link TcpHops} send and read; this decides when the
 * window has waited long enough.
 */
final class TraceWindow {
    private final int first;
    private final int count;
    private final Answer[] answers;
    private final long[] sentAt;
    private final long[] sentWall;

    /** Reads whatever has arrived within {@code wait} into the window ({@link #answer}). */
    interface Reader {
        void read(Duration wait) throws NativeSocket.Failure;
    }

    TraceWindow(int first, int last, int count) {
        if (last < first || count < 1) {
            throw new IllegalArgumentException("empty window " + first + ".." + last + " x" + count);
        }
        this.first = first;
        this.count = count;
        this.answers = new Answer[(last - first + 1) * count];
        this.sentAt = new long[answers.length];
        this.sentWall = new long[answers.length];
    }

    int size() {
        return answers.length;
    }

    int ttl(int probe) {
        return first + probe / count;
    }

    /**
     * Stamps probe {@code i} as leaving: call it right before the send. The kernel's receive time of its
     * answer is compared to this wall-clock stamp (on a short path the answer can be in before the send
     * call returns).
     */
    void sending(int i) {
        Instant now = Instant.now();
        sentWall[i] = now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    /** Marks probe {@code i} as sent: call it right after the send; answers without a kernel stamp are timed from here. */
    void sent(int i) {
        sentAt[i] = System.nanoTime();
    }

    boolean answered(int i) {
        return answers[i] != null;
    }

    /** Milliseconds from probe {@code i} leaving to {@code now} (taken when poll returned: reading is not network time). */
    double rtt(int i, long now) {
        return Millis.of(now - sentAt[i]);
    }

    /** The same from the kernel's receive time of the answer (SO_TIMESTAMPNS, epoch nanoseconds) where it gave one. */
    double rtt(int i, long now, long stamp) {
        return stamp > 0 && stamp >= sentWall[i] ? Millis.of(stamp - sentWall[i]) : rtt(i, now);
    }

    /** Keeps the first answer to probe {@code i}; a null answer (nothing readable after all) is ignored. */
    void answer(int i, Answer a) {
        if (i >= 0 && i < answers.length && answers[i] == null && a != null) {
            answers[i] = a;
        }
    }

    /**
     * Waits for answers until every probe up to the end is answered, the timeout passes, or the run is
     * cancelled. Like traceroute's NEAR wait: once each hop up to the end has one answer, the probes still
     * out (rate-limited ICMP, most likely) get a few RTTs more, not the whole timeout.
     */
    void await(ProbeContext ctx, Duration timeout, Reader reader) throws NativeSocket.Failure {
        long until = System.nanoTime() + ctx.bound(timeout).toNanos();
        for (int round = 0; round < 100_000 && System.nanoTime() < until && !ctx.cancelled() && !settled(); round++) {
            reader.read(Duration.ofNanos(Math.max(0, until - System.nanoTime())));
            if (enough()) {
                double slowest = 0;
                for (Answer a : answers) if (a != null) slowest = Math.max(slowest, a.rttMs());
                until = Math.min(until, System.nanoTime() + (long) (Math.max(10, 3 * slowest) * 1e6));
            }
        }
    }

    /** The window's hops, silence where a probe got no answer. */
    List<Hop> hops() {
        List<Hop> hops = new ArrayList<>();
        for (int h = 0; h < answers.length / count; h++) {
            List<Answer> list = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                Answer a = answers[h * count + i];
                list.add(a == null ? Answer.SILENCE : a);
            }
            hops.add(new Hop(first + h, list));
        }
        return hops;
    }

    /** The index of the first hop whose answer ends the trace, or the last hop of the window. */
    private int endHop() {
        int end = answers.length / count - 1;
        for (int i = 0; i < answers.length; i++) {
            if (answers[i] != null && !answers[i].kind().equals("time-exceeded")) {
                end = Math.min(end, i / count);
            }
        }
        return end;
    }

    /** True when every probe up to the hop that ends the trace has its answer. */
    private boolean settled() {
        for (int i = 0; i < (endHop() + 1) * count; i++) {
            if (answers[i] == null) return false;
        }
        return true;
    }

    /** True when every hop up to the one that ends the trace (or the whole window) has at least one answer. */
    private boolean enough() {
        for (int h = 0; h <= endHop(); h++) {
            boolean any = false;
            for (int i = h * count; i < (h + 1) * count; i++) any |= answers[i] != null;
            if (!any) return false;
        }
        return true;
    }
}
