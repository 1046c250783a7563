package dev.reach.plugins.net;

import dev.reach.spi.ProbeContext;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.lang.foreign.ValueLayout;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static dev.reach.plugins.net.Syscalls.*;

/**
 * The machinery of {@link TcpScanProbe}: non-blocking {@code connect()}s through {@link Syscalls}, watched by one
 * epoll per worker (so a look at the answers costs what is ready, not what is in flight), at most
 * {@code inFlight} at once (what the descriptor limit allows: {@link FileLimit}), started no faster than
 * {@code rate} per second. A large scan is split over one worker thread per core, each taking every
 * {@code workers}-th of the host × port attempts with its share of the cap and the rate: the kernel turns a SYN
 * into its RST or SYN-ACK on the sending CPU, so one thread would leave the other cores idle. Each attempt ends
 * as a SYN-ACK (open), a RST (closed: ECONNREFUSED), an ICMP error the kernel turned into an errno
 * (unreachable), or silence past the adapted wait ({@link ScanTiming}: tried again, then filtered). Attempts
 * expire in the order they started, so a queue finds the expired ones without looking at the rest. All
 * buffers live in one arena per worker; every descriptor is closed on every path, a failure included.
 */
final class ScanEngine {
    /** Connects started between two looks at the answers: an answer is read soon after it comes, so its RTT holds little of this loop. */
    private static final int BATCH = 64;
    private static final int EVENTS = 1024;
    /** How long starting stops when the kernel has no descriptor or local port left for one more connect. */
    private static final long PAUSE_NS = 10_000_000;
    /** Below this many attempts one worker does it all: a thread costs more than it saves. */
    static final long ATTEMPTS_PER_WORKER = 2048;
    private static final ValueLayout.OfShort NET_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    private final List<InetAddress> targets;
    private final List<Integer> ports;
    private final int inFlight;
    private final int rate;
    private final double maxWaitMs;
    private final int retries;
    private final int workers;

    /**
     * {@code states[host][portIndex]} is a {@link TcpScanProbe.State} ordinal; {@code silenceMs} is the longest a silent
     * port took from its first SYN to being called filtered (about one wait per try), 0 when none was silent.
     */
    record Result(byte[][] states, long attempts, ScanTiming timing, double waitMs, double silenceMs, int peakInFlight) {
    }

    ScanEngine(List<InetAddress> targets, List<Integer> ports, int inFlight, int rate, Duration maxWait, int retries, int cores) {
        this.targets = List.copyOf(targets);
        this.ports = List.copyOf(ports);
        this.inFlight = inFlight;
        this.rate = rate;
        this.maxWaitMs = maxWait.toNanos() / 1e6;
        this.retries = retries;
        this.workers = workers(cores, (long) targets.size() * ports.size(), inFlight, rate);
    }

    /** How many threads share a scan: one per core, while each still gets enough attempts, connects in flight and rate. */
    static int workers(int cores, long attempts, int inFlight, int rate) {
        long n = Math.min(cores, attempts / ATTEMPTS_PER_WORKER);
        n = Math.min(n, inFlight);
        if (rate > 0) n = Math.min(n, rate);
        return (int) Math.max(1, n);
    }

    int workers() {
        return workers;
    }

    Result run(ProbeContext ctx) throws NativeSocket.Failure {
        byte[][] states = new byte[targets.size()][ports.size()];
        for (byte[] s : states) Arrays.fill(s, (byte) TcpScanProbe.State.FILTERED.ordinal()); // what never answers
        long total = (long) targets.size() * ports.size();
        // one path, one estimate: every worker's answers teach every worker's waits
        AtomicReference<ScanTiming> timing = new AtomicReference<>(ScanTiming.NOTHING_KNOWN);
        AtomicLong done = new AtomicLong();
        AtomicBoolean stop = new AtomicBoolean();
        List<Worker> crew = new ArrayList<>();
        for (int i = 0; i < workers; i++) crew.add(new Worker(i, workers, states, timing, done, stop));
        if (workers == 1) {
            crew.getFirst().scan(ctx, total);
        } else {
            List<Thread> threads = new ArrayList<>();
            // platform threads: each spends its life in blocking native calls, which would pin a virtual thread's carrier
            for (Worker w : crew) threads.add(Thread.ofPlatform().name("reach-scan-" + w.first).daemon().start(() -> w.scanCatching(ctx, total)));
            join(threads, stop);
        }
        long attempts = 0;
        long silenceNs = 0;
        int peak = 0;
        for (Worker w : crew) {
            if (w.failure != null) throw w.failure;
            attempts += w.attempts;
            silenceNs = Math.max(silenceNs, w.silenceNs);
            peak += w.peak;
        }
        ScanTiming t = timing.get();
        return new Result(states, attempts, t, t.waitMs(maxWaitMs), silenceNs / 1e6, peak);
    }

    private static void join(List<Thread> threads, AtomicBoolean stop) {
        try {
            for (Thread t : threads) t.join();
        } catch (InterruptedException e) {
            stop.set(true);
            Thread.currentThread().interrupt();
            for (Thread t : threads) {
                try {
                    t.join(2_000);
                } catch (InterruptedException again) {
                    break;
                }
            }
        }
    }

    /**
     * One thread's share: attempts {@code first}, {@code first + stride}, ... of the host × port list (attempt
     * {@code i} is host {@code i % hosts}, port {@code i / hosts}: hosts vary fastest, so no host gets a burst).
     * Each connect in flight holds a slot of {@link InFlight}; the slot's number rides in its epoll event.
     */
    private final class Worker {
        private final int first;
        private final int stride;
        private final byte[][] states;
        private final AtomicReference<ScanTiming> timing;
        private final AtomicLong done;
        private final AtomicBoolean stop;
        private final int rate;
        private final InFlight flight;
        private long attempts;
        private long silenceNs;
        private int peak;
        // the native side, set up by scan() on the worker's own thread
        private MemorySegment st;
        private MemorySegment event;
        private MemorySegment intBuf;
        private MemorySegment lenBuf;
        private MemorySegment[] addr;
        private SegmentAllocator slices;
        private int[] portIn; // the port each sockaddr holds now
        private long asked; // connects whose SO_ERROR was read as soon as connect returned, and how many of them had the answer
        private long answeredAtOnce;
        private int ep;
        private long pausedUntil = Long.MIN_VALUE; // no new connects before this (nanoTime): the process ran out of descriptors or local ports
        private NativeSocket.Failure failure;

        Worker(int first, int stride, byte[][] states, AtomicReference<ScanTiming> timing, AtomicLong done, AtomicBoolean stop) {
            this.first = first;
            this.stride = stride;
            this.states = states;
            this.timing = timing;
            this.done = done;
            this.stop = stop;
            this.rate = ScanEngine.this.rate / stride;
            long mine = ((long) targets.size() * ports.size() - first + stride - 1) / stride;
            this.flight = new InFlight((int) Math.max(1, Math.min(mine, ScanEngine.this.inFlight / stride)));
        }

        void scanCatching(ProbeContext ctx, long total) {
            try {
                scan(ctx, total);
            } catch (NativeSocket.Failure f) {
                failure = f;
                stop.set(true);
            }
        }

        void scan(ProbeContext ctx, long total) throws NativeSocket.Failure {
            int hosts = targets.size();
            long mine = (total - first + stride - 1) / stride;
            long next = 0; // this worker's next new attempt: first + next * stride
            ArrayDeque<long[]> again = new ArrayDeque<>(); // {attempt, tries, first start}
            long t0 = System.nanoTime();
            long lastProgress = t0;
            long reported = 0;
            try (Arena arena = Arena.ofConfined()) {
                st = captureState(arena);
                event = arena.allocate(EPOLL_EVENT_SIZE, 8);
                intBuf = arena.allocate(ValueLayout.JAVA_INT);
                lenBuf = arena.allocate(ValueLayout.JAVA_INT);
                MemorySegment events = arena.allocate(EPOLL_EVENT_SIZE * EVENTS, 8);
                addr = new MemorySegment[hosts]; // made on first use: a worker may touch only some of the hosts
                portIn = new int[hosts];
                slices = SegmentAllocator.slicingAllocator(arena.allocate(32L * hosts, 8)); // one allocation, not one per host
                ep = epollCreate(st);
                if (ep < 0) throw new NativeSocket.Failure("epoll_create1", errno(st));
                try {
                    while (!ctx.cancelled() && !stop.get()) {
                        long now = System.nanoTime();
                        // start connects while slots and the rate allow, a batch at a time so answers are read soon after they come
                        int batch = 0;
                        while (!flight.full() && batch < BATCH && (!again.isEmpty() || next < mine) && rateAllows(now, t0) && now >= pausedUntil) {
                            long[] a = again.isEmpty() ? new long[] {first + next++ * stride, 0, -1} : again.poll();
                            if (!start(a)) {
                                again.addFirst(a);
                                pausedUntil = now + PAUSE_NS;
                                break;
                            }
                            batch++;
                        }
                        peak = Math.max(peak, flight.size());
                        boolean more = !again.isEmpty() || next < mine;
                        if (flight.size() == 0 && !more) break;
                        int ready = epollWait(st, ep, events, sleepMs(more, now, t0, timing.get().waitMs(maxWaitMs)));
                        if (ready < 0 && errno(st) != EINTR) throw new NativeSocket.Failure("epoll_wait", errno(st));
                        for (int i = 0; i < ready; i++) {
                            int slot = (int) epollData(events, i);
                            // writable without an error is connected; an error needs SO_ERROR to say which
                            boolean failed = (epollEvents(events, i) & (EPOLLERR | EPOLLHUP)) != 0;
                            record(flight.attempt[slot], failed ? soError(st, flight.fd[slot], intBuf, lenBuf) : 0, flight.start[slot]);
                            close(st, flight.fd[slot]);
                            flight.release(slot);
                        }
                        expire(System.nanoTime(), timing.get().waitMs(maxWaitMs), again);
                        if (now - lastProgress > 500_000_000L) {
                            long finished = attempts - flight.size(); // retries count again: progress, not a tally
                            long all = done.addAndGet(finished - reported);
                            reported = finished;
                            lastProgress = now;
                            if (first == 0) ctx.progress(String.format(Locale.ROOT, "scanned %d of %d", Math.min(all, total), total));
                        }
                    }
                } finally {
                    for (int d : flight.fd) if (d >= 0) close(st, d);
                    close(st, ep);
                }
            }
        }

        /**
         * Starts one connect ({@code attempt, tries, first start}): recorded at once when the kernel already has the
         * answer, else held in a slot. False when the process has no descriptor or local port for it just now.
         */
        private boolean start(long[] a) throws NativeSocket.Failure {
            int h = (int) (a[0] % targets.size());
            if (addr[h] == null) addr[h] = NativeSocket.sockaddr(slices, new InetSocketAddress(targets.get(h), 0));
            int s = socket(st, NativeSocket.familyOf(targets.get(h)), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
            if (s < 0) {
                int err = errno(st);
                if ((err == EMFILE || err == ENFILE) && flight.size() > 0) return false; // another part of the process took some: wait for ours
                throw new NativeSocket.Failure("socket", err);
            }
            int port = ports.get((int) (a[0] / targets.size()));
            if (port != portIn[h]) { // a scan of many hosts on one port writes each sockaddr once
                addr[h].set(NET_SHORT, 2, (short) port);
                portIn[h] = port;
            }
            long began = System.nanoTime();
            if (a[2] < 0) a[2] = began;
            int err = connect(st, s, addr[h]) == 0 ? 0 : errno(st);
            if (err == EINPROGRESS && askAtOnce(asked++, answeredAtOnce)) {
                // on loopback or a LAN the RST is often in before connect returns: SO_ERROR says so without an epoll round
                int already = soError(st, s, intBuf, lenBuf);
                if (already > 0) {
                    err = already;
                    answeredAtOnce++;
                }
            }
            if (err == EINPROGRESS) {
                attempts++;
                hold(s, a, began);
                return true;
            }
            close(st, s);
            if ((err == EAGAIN || err == EADDRNOTAVAIL) && flight.size() > 0) return false; // no local port left: wait for ours to free some
            attempts++;
            record(a[0], err, began);
            return true;
        }

        private boolean rateAllows(long now, long t0) {
            return rate == 0 || attempts < rate * ((now - t0) / 1e9) + 1;
        }

        /**
         * How long the epoll may block: not at all while there are connects to start and room for them; else until
         * the oldest one in flight runs out of wait (or 100 ms, to see cancellation), at most 1 ms under a rate or
         * until a pause for descriptors or local ports ends.
         */
        private int sleepMs(boolean more, long now, long t0, double waitMs) {
            if (more && !flight.full() && rateAllows(now, t0) && now >= pausedUntil) return 0;
            int slot = flight.oldest();
            long ms = slot < 0 ? 1 : (long) Math.ceil((flight.start[slot] + waitMs * 1e6 - now) / 1e6);
            if (more && rate > 0) ms = Math.min(ms, 1);
            if (more && now < pausedUntil) ms = Math.min(ms, 1 + (pausedUntil - now) / 1_000_000);
            return (int) Math.clamp(ms, 0, 100);
        }

        /** Takes a slot for a connect in flight, watches it and queues it for expiry. */
        private void hold(int s, long[] a, long began) throws NativeSocket.Failure {
            int slot = flight.hold(s, a[0], (int) a[1], a[2], began);
            if (epollAdd(st, ep, s, EPOLLOUT, slot, event) < 0) {
                int err = errno(st);
                close(st, s);
                flight.release(slot);
                throw new NativeSocket.Failure("epoll_ctl", err);
            }
        }

        /** Gives up on the connects whose wait ran out, oldest first: tried again while tries remain, else left filtered. */
        private void expire(long now, double waitMs, ArrayDeque<long[]> again) {
            for (int slot = flight.oldest(); slot >= 0; slot = flight.oldest()) {
                ScanTiming.Fate fate = ScanTiming.unanswered((now - flight.start[slot]) / 1e6, waitMs, flight.tries[slot], retries);
                if (fate == ScanTiming.Fate.WAIT) return;
                if (fate == ScanTiming.Fate.RETRY) {
                    again.add(new long[] {flight.attempt[slot], flight.tries[slot] + 1, flight.firstStart[slot]});
                } else {
                    silenceNs = Math.max(silenceNs, now - flight.firstStart[slot]);
                }
                close(st, flight.fd[slot]);
                flight.dropOldest();
            }
        }

        private void record(long attempt, int errno, long began) {
            TcpScanProbe.State s = state(errno);
            states[(int) (attempt % targets.size())][(int) (attempt / targets.size())] = (byte) s.ordinal();
            if (s == TcpScanProbe.State.OPEN || s == TcpScanProbe.State.CLOSED) {
                double ms = (System.nanoTime() - began) / 1e6;
                timing.updateAndGet(t -> t.sample(ms));
            }
        }
    }

    /**
     * Pure: whether to read SO_ERROR as soon as connect returns. It pays where answers beat the syscall (loopback, a
     * LAN) and costs a call where they do not: asked for the first 64, then while at least one in 8 had the answer,
     * and every 64th anyway, to notice a change.
     */
    static boolean askAtOnce(long asked, long answered) {
        return asked < 64 || answered * 8 >= asked || asked % 64 == 0;
    }

    /** A finished connect's errno: 0 open, ECONNREFUSED closed, ETIMEDOUT filtered, anything else (ICMP, no route) unreachable. */
    static TcpScanProbe.State state(int errno) {
        return switch (errno) {
            case 0 -> TcpScanProbe.State.OPEN;
            case ECONNREFUSED -> TcpScanProbe.State.CLOSED;
            case ETIMEDOUT -> TcpScanProbe.State.FILTERED;
            default -> TcpScanProbe.State.UNREACHABLE;
        };
    }
}
