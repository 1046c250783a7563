package dev.reach.plugins.net;

import dev.reach.spi.ProbeContext;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static dev.reach.plugins.net.Syscalls.*;

/**
 * The machinery of {@link TcpScanProbe}: non-blocking {@code connect()}s through {@link Syscalls}, one
 * {@code poll()} over everything in flight, at most {@code concurrency} at once, started no faster than
 * {@code rate} per second. A large scan is split over one worker thread per core (each with its share of
 * the concurrency and the rate, every {@code workers}-th attempt): the kernel turns a SYN into its RST or
 * SYN-ACK on the sending CPU, so one thread would leave the other cores idle. Each ends as a SYN-ACK (open), a RST (closed: ECONNREFUSED), an ICMP error the
 * kernel turned into an errno (unreachable), or silence past the adaptive wait (tried again, then filtered).
 * All buffers live in one arena for the scan; every descriptor is closed on every path, a failure included.
 */
final class ScanEngine {
    /** No adaptive wait goes below this: local scheduling under load alone can reach a few milliseconds. */
    static final double FLOOR_MS = 50;
    private static final int SAMPLES_BEFORE_ADAPTING = 3;
    private static final int BATCH = 64;
    /** Below this many attempts one worker does it all: a thread costs more than it saves. */
    static final long ATTEMPTS_PER_WORKER = 2048;
    private static final ValueLayout.OfShort NET_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    private final List<InetAddress> targets;
    private final List<Integer> ports;
    private final int concurrency;
    private final int rate;
    private final double maxWaitMs;
    private final int retries;
    private final int workers;

    /** {@code states[host][portIndex]} is a {@link TcpScanProbe.State} ordinal. */
    record Result(byte[][] states, long attempts, double srttMs, double timeoutMs) {
    }

    /** Smoothed RTT and variance as RFC 6298 keeps them, and the wait for silence they give; shared by the workers. */
    static final class Rtt {
        private double srtt;
        private double rttvar;
        private int samples;

        synchronized void sample(double ms) {
            if (samples++ == 0) {
                srtt = ms;
                rttvar = ms / 2;
            } else {
                rttvar = 0.75 * rttvar + 0.25 * Math.abs(srtt - ms);
                srtt = 0.875 * srtt + 0.125 * ms;
            }
        }

        /** The cap until a few answers are in; then {@code max(FLOOR_MS, 2·srtt + 4·rttvar)}, never above the cap. */
        synchronized double waitMs(double capMs) {
            if (samples < SAMPLES_BEFORE_ADAPTING) return capMs;
            return Math.min(capMs, Math.max(FLOOR_MS, 2 * srtt + 4 * rttvar));
        }

        synchronized double srtt() {
            return srtt;
        }
    }

    ScanEngine(List<InetAddress> targets, List<Integer> ports, int concurrency, int rate, Duration maxWait, int retries, int cores) {
        this.targets = List.copyOf(targets);
        this.ports = List.copyOf(ports);
        this.concurrency = concurrency;
        this.rate = rate;
        this.maxWaitMs = maxWait.toNanos() / 1e6;
        this.retries = retries;
        // workers split the ports (each takes every host), so there are never more workers than ports
        this.workers = Math.max(1, Math.min(ports.size(), workers(cores, (long) targets.size() * ports.size(), concurrency, rate)));
    }

    /** How many threads share a scan: one per core, while each still gets enough ports, connects in flight and rate. */
    static int workers(int cores, long attempts, int concurrency, int rate) {
        long n = Math.min(cores, attempts / ATTEMPTS_PER_WORKER);
        n = Math.min(n, concurrency);
        if (rate > 0) n = Math.min(n, rate);
        return (int) Math.max(1, n);
    }

    int workers() {
        return workers;
    }

    Result run(ProbeContext ctx) throws NativeSocket.Failure {
        int hosts = targets.size();
        byte[][] states = new byte[hosts][ports.size()];
        for (byte[] s : states) Arrays.fill(s, (byte) TcpScanProbe.State.FILTERED.ordinal()); // what never answers
        long total = (long) hosts * ports.size();
        Rtt rtt = new Rtt(); // one path, one estimate: every worker's answers teach every worker's waits
        if (workers == 1) {
            Worker w = new Worker(0, 1, states, rtt, new AtomicLong(), new AtomicBoolean());
            w.scan(ctx, total);
            return new Result(states, w.attempts, rtt.srtt(), rtt.waitMs(maxWaitMs));
        }
        AtomicLong done = new AtomicLong();
        AtomicBoolean stop = new AtomicBoolean();
        List<Worker> crew = new java.util.ArrayList<>();
        List<Thread> threads = new java.util.ArrayList<>();
        for (int i = 0; i < workers; i++) {
            Worker w = new Worker(i, workers, states, rtt, done, stop);
            crew.add(w);
            // platform threads: each spends its life in blocking native calls, which would pin a virtual thread's carrier
            threads.add(Thread.ofPlatform().name("reach-scan-" + i).daemon().start(() -> w.scanCatching(ctx, total)));
        }
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
        long attempts = 0;
        for (Worker w : crew) {
            if (w.failure != null) throw w.failure;
            attempts += w.attempts;
        }
        return new Result(states, attempts, rtt.srtt(), rtt.waitMs(maxWaitMs));
    }

    /** One thread's share: every {@code stride}-th port from {@code first} on every host, with its own poll set. */
    private final class Worker {
        private final int first;
        private final int stride;
        private final byte[][] states;
        private final AtomicLong done;
        private final AtomicBoolean stop;
        private final Rtt rtt;
        private final int concurrency;
        private final int rate;
        private long attempts;
        private NativeSocket.Failure failure;

        Worker(int first, int stride, byte[][] states, Rtt rtt, AtomicLong done, AtomicBoolean stop) {
            this.first = first;
            this.stride = stride;
            this.states = states;
            this.rtt = rtt;
            this.done = done;
            this.stop = stop;
            this.concurrency = Math.max(1, ScanEngine.this.concurrency / stride);
            this.rate = ScanEngine.this.rate / stride;
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
            // in-flight slots, kept dense: slot i is pollfd i
            int[] fd = new int[concurrency];
            long[] start = new long[concurrency];
            int[] host = new int[concurrency];
            int[] port = new int[concurrency];
            int[] tries = new int[concurrency];
            int n = 0;
            ArrayDeque<long[]> again = new ArrayDeque<>(); // {host, port index, tries}
            // this worker's attempts, k = 0..mine-1: port index first + (k / hosts) * stride on host k % hosts
            long mine = (long) hosts * ((ports.size() - first + stride - 1) / stride);
            long next = 0;
            long t0 = System.nanoTime();
            long lastProgress = t0;
            long reported = 0;
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment st = captureState(arena);
                MemorySegment pollfds = arena.allocate(POLLFD, concurrency);
                MemorySegment intBuf = arena.allocate(ValueLayout.JAVA_INT);
                MemorySegment lenBuf = arena.allocate(ValueLayout.JAVA_INT);
                MemorySegment[] addr = new MemorySegment[hosts];
                int[] family = new int[hosts];
                for (int h = 0; h < hosts; h++) {
                    addr[h] = NativeSocket.sockaddr(arena, new InetSocketAddress(targets.get(h), 0));
                    family[h] = NativeSocket.familyOf(targets.get(h));
                }
                try {
                    while (!ctx.cancelled() && !stop.get()) {
                        long now = System.nanoTime();
                        // start connects up to the cap and the rate, a batch at a time so answers are read soon after
                        // they arrive (the RTT measured, and so the wait for silence, includes this loop's latency)
                        int batch = 0;
                        while (n < concurrency && batch++ < BATCH && (!again.isEmpty() || next < mine)
                                && (rate == 0 || attempts < rate * ((now - t0) / 1e9) + 1)) {
                            int h;
                            int p;
                            int t;
                            if (!again.isEmpty()) {
                                long[] a = again.poll();
                                h = (int) a[0];
                                p = (int) a[1];
                                t = (int) a[2];
                            } else {
                                h = (int) (next % hosts);
                                p = (int) (first + (next / hosts) * stride);
                                next++;
                                t = 0;
                            }
                            int s = socket(st, family[h], SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
                            if (s < 0) throw new NativeSocket.Failure("socket", errno(st));
                            attempts++;
                            addr[h].set(NET_SHORT, 2, (short) (int) ports.get(p));
                            long began = System.nanoTime();
                            int r = connect(st, s, addr[h]);
                            int err = r == 0 ? 0 : errno(st);
                            if (err == EINPROGRESS) {
                                fd[n] = s;
                                start[n] = began;
                                host[n] = h;
                                port[n] = p;
                                tries[n] = t;
                                pollfds.set(ValueLayout.JAVA_INT, n * 8L, s);
                                pollfds.set(ValueLayout.JAVA_SHORT, n * 8L + 4, POLLOUT);
                                n++;
                                continue;
                            }
                            close(st, s);
                            if (err == EAGAIN || err == 99 /* EADDRNOTAVAIL: no local port left */) {
                                again.addFirst(new long[] {h, p, t});
                                attempts--;
                                break; // wait for in-flight ones to free ports
                            }
                            record(h, p, err, began);
                        }
                        if (n == 0 && again.isEmpty() && next >= mine) break;
                        // wait for answers, at most until the oldest attempt's wait runs out
                        long waitNs = (long) (rtt.waitMs(maxWaitMs) * 1e6);
                        long oldest = Long.MAX_VALUE;
                        for (int i = 0; i < n; i++) oldest = Math.min(oldest, start[i]);
                        long sleepMs = n == 0 ? 1 : Math.max(0, (oldest + waitNs - System.nanoTime()) / 1_000_000);
                        // never spin: with a batch in flight, block until an answer (the kernel's softirq work that
                        // turns SYNs into RSTs needs the CPU this loop would take); below that, top up at once
                        if (n < BATCH && (next < mine || !again.isEmpty())) sleepMs = rate == 0 ? 0 : Math.min(sleepMs, 1);
                        int ready = poll(st, pollfds, n, (int) Math.min(sleepMs, 100));
                        if (ready < 0 && errno(st) != EINTR) throw new NativeSocket.Failure("poll", errno(st));
                        now = System.nanoTime();
                        for (int i = n - 1; i >= 0; i--) {
                            short rev = ready > 0 ? pollfds.get(ValueLayout.JAVA_SHORT, i * 8L + 6) : 0;
                            boolean expired = now - start[i] > waitNs;
                            if (rev == 0 && !expired) continue;
                            if (rev != 0) {
                                int err = soError(st, fd[i], intBuf, lenBuf);
                                record(host[i], port[i], err, start[i]);
                            } else if (tries[i] < retries) {
                                again.add(new long[] {host[i], port[i], tries[i] + 1});
                            }
                            close(st, fd[i]);
                            // move the last slot here to keep the pollfd array dense
                            n--;
                            fd[i] = fd[n];
                            start[i] = start[n];
                            host[i] = host[n];
                            port[i] = port[n];
                            tries[i] = tries[n];
                            pollfds.set(ValueLayout.JAVA_INT, i * 8L, fd[i]);
                            pollfds.set(ValueLayout.JAVA_SHORT, i * 8L + 6, pollfds.get(ValueLayout.JAVA_SHORT, n * 8L + 6));
                        }
                        if (now - lastProgress > 500_000_000L) {
                            long finished = attempts - n; // retries count again: progress, not a tally
                            long all = done.addAndGet(finished - reported);
                            reported = finished;
                            lastProgress = now;
                            if (first == 0) ctx.progress(String.format(Locale.ROOT, "scanned %d of %d", Math.min(all, total), total));
                        }
                    }
                } finally {
                    for (int i = 0; i < n; i++) close(st, fd[i]);
                }
            }
        }

        private void record(int h, int p, int errno, long began) {
            TcpScanProbe.State s = state(errno);
            states[h][p] = (byte) s.ordinal();
            if (s == TcpScanProbe.State.OPEN || s == TcpScanProbe.State.CLOSED) {
                rtt.sample((System.nanoTime() - began) / 1e6);
            }
        }
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
