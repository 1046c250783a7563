package dev.reach.plugins.net;

import java.util.Arrays;

/**
 * The connects one {@link ScanEngine} worker has in flight: a slot each (descriptor, attempt, when it and its first
 * try started, tries so far), the free slots on a stack, and the slots in the order they started, for expiry.
 * Every connect waits the same adapted time, so the oldest is always the next to expire and the queue finds the
 * expired ones without looking at the rest. A slot freed early (answered) leaves its queue entry behind; a
 * generation per slot tells that entry stale when it reaches the head. No I/O: the caller closes descriptors.
 *
 * <pre>{@code
 * InFlight f = new InFlight(10_000);
 * int slot = f.hold(fd, attempt, 0, now, now);
 * for (int s = f.oldest(); s >= 0 && expired(f.start[s]); s = f.oldest()) { close(f.fd[s]); f.dropOldest(); }
 * }</pre>
 */
final class InFlight {
    final int[] fd;
    final long[] attempt;
    final long[] start;
    final long[] firstStart;
    final int[] tries;
    private final int[] generation;
    private final int[] free;
    private int nFree;
    private long[] queue = new long[256]; // slot << 32 | generation, oldest at qHead
    private int qHead;
    private int qSize;

    InFlight(int capacity) {
        fd = new int[capacity];
        attempt = new long[capacity];
        start = new long[capacity];
        firstStart = new long[capacity];
        tries = new int[capacity];
        generation = new int[capacity];
        free = new int[capacity];
        Arrays.fill(fd, -1);
        for (int i = 0; i < capacity; i++) free[i] = capacity - 1 - i;
        nFree = capacity;
    }

    int capacity() {
        return fd.length;
    }

    int size() {
        return fd.length - nFree;
    }

    boolean full() {
        return nFree == 0;
    }

    /** Takes a free slot for a connect that started at {@code start} and queues it last for expiry. */
    int hold(int descriptor, long attempt, int tries, long firstStart, long start) {
        if (nFree == 0) throw new IllegalStateException("no free slot: " + fd.length + " in flight");
        int slot = free[--nFree];
        fd[slot] = descriptor;
        this.attempt[slot] = attempt;
        this.tries[slot] = tries;
        this.firstStart[slot] = firstStart;
        this.start[slot] = start;
        if (qSize == queue.length) grow();
        queue[(qHead + qSize++) % queue.length] = (long) slot << 32 | (generation[slot] & 0xffff_ffffL);
        return slot;
    }

    /** Frees a slot (its descriptor closed by the caller); its queue entry goes stale. */
    void release(int slot) {
        fd[slot] = -1;
        generation[slot]++;
        free[nFree++] = slot;
    }

    /** The slot of the oldest connect in flight, stale entries dropped on the way; -1 when none. */
    int oldest() {
        while (qSize > 0) {
            long e = queue[qHead];
            int slot = (int) (e >>> 32);
            if (fd[slot] >= 0 && generation[slot] == (int) e) return slot;
            pop();
        }
        return -1;
    }

    /** Frees the slot {@link #oldest()} returned (its descriptor closed by the caller). */
    void dropOldest() {
        int slot = oldest();
        if (slot < 0) throw new IllegalStateException("nothing in flight");
        pop();
        release(slot);
    }

    private void pop() {
        qHead = (qHead + 1) % queue.length;
        qSize--;
    }

    private void grow() {
        long[] bigger = new long[queue.length * 2];
        for (int i = 0; i < qSize; i++) bigger[i] = queue[(qHead + i) % queue.length];
        queue = bigger;
        qHead = 0;
    }
}
