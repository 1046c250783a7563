package dev.reach.plugins.net;

import dev.reach.spi.Addresses;
import dev.reach.spi.Millis;
import dev.reach.spi.ProbeContext;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * tcp.connect's handshake, and beside it the evidence that tells how long a silent SYN is worth waiting for: an
 * ICMP echo to the host and SYNs to its other ports, all sent at once. The first of them to come back proves the
 * host is up and gives a round trip r; from then on a SYN still unanswered after max({@value #FLOOR_MS} ms, 20 r)
 * is dropped, not late (nmap's adaptive timing is the model), and a second SYN, sent halfway, makes one lost
 * packet no verdict. With no evidence at all the wait is the kernel's first SYN retransmission and a half more
 * ({@value #SILENT_MS} ms), unless the caller asked for the whole timeout. Driven by one poll loop.
 */
final class SynRace {
    static final long FLOOR_MS = 250;
    static final long SILENT_MS = 1500;
    static final int RTTS = 20;

    /** What another port said: open, refused, silent (or another errno), and when. */
    record Port(int port, String outcome, double ms) {
        String text() {
            return port + " " + outcome + (ms >= 0 ? " in " + Endpoint.human(ms) : "");
        }
    }

    /**
     * How the race ended.
     *
     * @param errno     0 when connected; the errno of a refused or unreachable connect; -1 when it timed out
     * @param connectMs from the first SYN to the answer (or to giving up)
     * @param local     the connection's local address:port, when connected
     * @param aliveBy   what proved the host up ("ICMP echo reply", "port 22 refused"), or null
     * @param aliveMs   that answer's round trip
     * @param retried   a second SYN was sent
     * @param ports     what the other ports said
     * @param echo      why no ICMP echo was sent, or null
     * @param icmp      the ICMP error queued about the SYN (with its sender), or null
     * @param icmpVia   null when {@code icmp} came about the SYN itself; else what it came about ("port 443",
     *                  "the ICMP echo"): a router's word on the whole host, true of this port too
     * @param synsLost  SYNs of the connection that went unanswered before it connected: the kernel's retransmissions,
     *                  and the first SYN where the second (from another port) is the one that connected
     */
    record Result(int errno, double connectMs, String local, String aliveBy, double aliveMs, boolean retried, List<Port> ports,
                  String echo, IcmpError icmp, String icmpVia, int synsLost) {
        Result(int errno, double connectMs, String local, String aliveBy, double aliveMs, boolean retried, List<Port> ports,
               String echo, IcmpError icmp, String icmpVia) {
            this(errno, connectMs, local, aliveBy, aliveMs, retried, ports, echo, icmp, icmpVia, 0);
        }

        Result(int errno, double connectMs, String local, String aliveBy, double aliveMs, boolean retried, List<Port> ports,
               String echo, IcmpError icmp) {
            this(errno, connectMs, local, aliveBy, aliveMs, retried, ports, echo, icmp, null);
        }

        boolean alive() {
            return aliveBy != null;
        }
    }

    private final ProbeContext ctx;
    private final InetSocketAddress to;
    private final List<Integer> otherPorts;
    private final boolean adaptive;
    private final Duration wait;

    SynRace(ProbeContext ctx, InetSocketAddress to, List<Integer> otherPorts, boolean adaptive, Duration wait) {
        this.ctx = ctx;
        this.to = to;
        this.otherPorts = otherPorts;
        this.adaptive = adaptive;
        this.wait = wait;
    }

    /** The longest a SYN is waited for, given the evidence so far (milliseconds from the first SYN). */
    static long patience(boolean adaptive, long waitMs, double aliveMs) {
        if (!adaptive) return waitMs;
        if (aliveMs >= 0) return Math.min(waitMs, Math.max(FLOOR_MS, Math.round(RTTS * aliveMs)));
        return Math.min(waitMs, SILENT_MS);
    }

    Result run() throws NativeSocket.Failure {
        long t0 = System.nanoTime();
        long waitMs = wait.toMillis();
        List<TcpConversation> open = new ArrayList<>();
        CompletableFuture<EchoStats> echo = new CompletableFuture<>();
        Thread echoer = null;
        try {
            TcpConversation syn = start(open, "syn", to);
            if (adaptive) {
                echoer = Thread.ofPlatform().daemon().name("tcp.connect-echo").start(() -> {
                    try {
                        echo.complete(IcmpPingProbe.echoQuietly(ctx, to.getAddress(), 1, Duration.ofMillis(10), wait));
                    } catch (Throwable t) { // evidence, not the verdict: a failure here only means no echo
                        echo.complete(null);
                    }
                });
            } else {
                echo.complete(null);
            }
            List<TcpConversation> others = new ArrayList<>();
            for (int port : adaptive ? otherPorts : List.<Integer>of()) {
                others.add(start(open, Integer.toString(port), new InetSocketAddress(to.getAddress(), port)));
            }
            TcpConversation retry = null;
            String aliveBy = null;
            double aliveMs = -1;
            double retryAt = 0;
            for (int round = 0; round < 1_000_000 && !ctx.cancelled(); round++) {
                long now = System.nanoTime();
                double elapsed = Millis.of(now - t0);
                for (TcpConversation c : new TcpConversation[] {syn, retry}) {
                    if (c == null) continue;
                    if (c.state() == TcpConversation.State.CONNECTED) return result(c, t0, c.connectMs(), aliveBy, aliveMs, retry, others, echo);
                    if (c.state() == TcpConversation.State.FAILED || c.state() == TcpConversation.State.RESET) {
                        return new Result(c.state() == TcpConversation.State.RESET ? Syscalls.ECONNREFUSED : c.errno(), elapsed, null,
                                aliveBy, aliveMs, retry != null, ports(others), why(echo), c.icmp());
                    }
                }
                // a router's word on the whole host, heard for another port or the echo: routers rate-limit their ICMP
                // errors, and the one about the SYN may never come
                for (TcpConversation o : others) {
                    if (o.state() == TcpConversation.State.FAILED && aboutTheHost(o.icmp())) {
                        return beside(o.icmp(), "port " + o.role, elapsed, aliveBy, aliveMs, retry, others, echo);
                    }
                }
                if (echo.isDone() && echo.getNow(null) instanceof EchoStats e) {
                    for (IcmpError err : e.errors()) {
                        if (aboutTheHost(err)) return beside(err, "the ICMP echo", elapsed, aliveBy, aliveMs, retry, others, echo);
                    }
                }
                // the fastest answer of all is the round trip to measure against
                for (TcpConversation o : others) {
                    boolean answered = o.state() == TcpConversation.State.CONNECTED || o.errno() == Syscalls.ECONNREFUSED
                            || o.state() == TcpConversation.State.RESET;
                    if (answered && o.answerMs() >= 0 && (aliveMs < 0 || o.answerMs() < aliveMs)) {
                        aliveBy = "port " + o.role + (o.state() == TcpConversation.State.CONNECTED ? " accepted a connection" : " refused (RST)");
                        aliveMs = Math.max(0.001, o.answerMs());
                    }
                }
                if (echo.isDone() && echo.getNow(null) instanceof EchoStats e && e.received() > 0 && (aliveMs < 0 || e.min() < aliveMs)) {
                    aliveBy = "ICMP echo reply";
                    aliveMs = e.min();
                }
                long patience = patience(adaptive, waitMs, aliveMs);
                if (adaptive && retry == null && elapsed >= patience / 2.0) {
                    retry = start(open, "retry", to); // a second SYN from another port: one lost packet decides nothing
                    retryAt = elapsed;
                }
                // the second SYN gets half the patience of its own, even when the evidence came late
                if (elapsed >= patience && (!adaptive || elapsed - retryAt >= patience / 2.0 || elapsed >= waitMs)) {
                    return new Result(-1, elapsed, null, aliveBy, aliveMs, retry != null, ports(others), why(echo), syn.icmp());
                }
                pollOnce(open, Math.max(1, Math.min(Math.max(patience - (long) elapsed, 1), aliveBy == null ? 5 : 20)));
            }
            return new Result(-1, Millis.of(System.nanoTime() - t0), null, aliveBy, aliveMs, retry != null, ports(others), why(echo),
                    syn.icmp());
        } finally {
            open.forEach(TcpConversation::close);
            stop(echoer);
        }
    }

    /**
     * Ends the echo when the race is decided before it: it must not outlive the probe (its plugin's class loader
     * may be closed by then, and the command exit). It looks at its interrupt flag at least every 10 ms.
     */
    private static void stop(Thread echoer) {
        if (echoer == null) return;
        echoer.interrupt();
        try {
            echoer.join(Duration.ofMillis(200));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A router's ICMP error about the host itself (no route to its network, its ARP failed): true of every port. */
    static boolean aboutTheHost(IcmpError e) {
        return e != null && e.fromNetwork() && (e.kind().equals("net-unreachable") || e.kind().equals("host-unreachable"));
    }

    private Result beside(IcmpError e, String via, double elapsed, String aliveBy, double aliveMs, TcpConversation retry,
                          List<TcpConversation> others, CompletableFuture<EchoStats> echo) {
        int errno = e.kind().equals("net-unreachable") ? Syscalls.ENETUNREACH : Syscalls.EHOSTUNREACH;
        return new Result(errno, elapsed, null, aliveBy, aliveMs, retry != null, ports(others), why(echo), e, via);
    }

    private static TcpConversation start(List<TcpConversation> open, String role, InetSocketAddress at) throws NativeSocket.Failure {
        TcpConversation c = TcpConversation.start(role, at, 0);
        open.add(c);
        return c;
    }

    private Result result(TcpConversation c, long t0, double connectMs, String aliveBy, double aliveMs, TcpConversation retry,
                                 List<TcpConversation> others, CompletableFuture<EchoStats> echo) {
        String local = null;
        try {
            var a = c.socket().localAddress();
            local = a == null ? null : Addresses.endpoint(a.getAddress(), a.getPort());
        } catch (NativeSocket.Failure f) {
            // the connection went away already: no local address to tell
        }
        double ms = c == retry ? Millis.of(System.nanoTime() - t0) : connectMs;
        return new Result(0, ms, local, aliveBy, aliveMs, retry != null, ports(others), why(echo), null, null,
                c.synRetransmits() + (c == retry ? 1 : 0));
    }

    /** Waits for any connect still pending to finish, at most {@code millis}. */
    private static void pollOnce(List<TcpConversation> open, long millis) throws NativeSocket.Failure {
        List<TcpConversation> pending = open.stream().filter(c -> c.state() == TcpConversation.State.CONNECTING).toList();
        if (pending.isEmpty()) {
            sleep(millis);
            return;
        }
        short[] events = new short[pending.size()];
        java.util.Arrays.fill(events, (short) (Syscalls.POLLOUT | Syscalls.POLLERR));
        short[] revents = NativeSocket.pollAll(pending.stream().map(TcpConversation::socket).toList(), events, Duration.ofMillis(millis));
        for (int i = 0; i < pending.size(); i++) pending.get(i).step(revents[i]);
    }

    private static List<Port> ports(List<TcpConversation> others) {
        return others.stream().map(o -> switch (o.state()) {
            case CONNECTED, ANSWERED -> new Port(Integer.parseInt(o.role), "open", o.connectMs());
            case RESET -> new Port(Integer.parseInt(o.role), "refused", -1);
            case FAILED -> new Port(Integer.parseInt(o.role), o.errno() == Syscalls.ECONNREFUSED ? "refused" : Syscalls.errnoName(o.errno()), -1);
            default -> new Port(Integer.parseInt(o.role), "silent", -1);
        }).toList();
    }

    private String why(CompletableFuture<EchoStats> echo) {
        return adaptive && echo.isDone() && echo.getNow(null) == null ? "no ICMP echo: this host allows neither a ping socket nor a raw one" : null;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
