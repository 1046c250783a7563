package dev.reach.plugins.net;

import dev.reach.spi.Millis;
import dev.reach.spi.ProbeContext;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * tcp.hello's conversations with one service, all driven by one poll loop, each started when the evidence so far
 * asks for it, and ended as soon as the evidence decides:
 * <ul>
 *   <li><b>first</b>: the protocol's first request (or none, when the server speaks first), read until an answer;</li>
 *   <li><b>full</b>, beside it: the same words grown to one full-size segment, watched only until the kernel sees
 *       them acknowledged;</li>
 *   <li><b>full-clamped</b>: once the full-size segment had to be sent again unacknowledged, the same bytes over a
 *       connection whose MSS is clamped to {@value #CLAMPED_MSS}: acknowledged there while the full-size one stays
 *       unacknowledged through {@value #RETRANSMITS} retransmissions, the path drops big packets;</li>
 *   <li><b>first-clamped</b>: once the first request has waited a while unanswered, the same over a clamped
 *       connection: answered there, the service's answer was what vanished (big packets on the way back);</li>
 *   <li><b>plain</b>: when a TLS ClientHello sent to an unknown port was reset or closed, blank lines instead: a
 *       plain service that dislikes TLS answers those.</li>
 * </ul>
 */
final class HelloDialogue {
    static final int CLAMPED_MSS = 536;
    /** Sends of the full-size segment lost before a blackhole is believed: random loss rarely takes three in a row. */
    static final int RETRANSMITS = 2;
    private static final Duration MIN_PATIENCE = Duration.ofMillis(500);

    /** What one conversation came to, for {@link TcpHelloProbe#classify}. */
    record Leg(String role, int mss, TcpConversation.State end, byte[] answer, int sent, boolean acked, boolean reacted,
               double connectMs, double ackMs, double firstByteMs, double waitedMs, TcpConversation.Info info, int errno,
               int synRetransmits) {
        Leg(String role, int mss, TcpConversation.State end, byte[] answer, int sent, boolean acked, boolean reacted,
            double connectMs, double ackMs, double firstByteMs, double waitedMs, TcpConversation.Info info, int errno) {
            this(role, mss, end, answer, sent, acked, reacted, connectMs, ackMs, firstByteMs, waitedMs, info, errno, 0);
        }

        boolean answeredWithBytes() {
            return answer.length > 0;
        }

        boolean silent() {
            return answer.length == 0 && (end == TcpConversation.State.CONNECTED || end == TcpConversation.State.ANSWERED);
        }
    }

    /** Every conversation held; null where one was not needed. */
    record Transcript(Greeting greeting, byte[] request, Leg first, Leg firstClamped, Leg full, Leg fullClamped, Leg plain,
                      Leg http, double waitedMs) {
    }

    private final ProbeContext ctx;
    private final InetSocketAddress to;
    private final Greeting greeting;
    private final String name;
    private final String path;
    private final boolean fullSize;
    private final long deadline;
    private final List<TcpConversation> open = new ArrayList<>();
    /** What the conversations closed before the end had shown when they were closed. */
    private final java.util.Map<TcpConversation, Leg> seen = new java.util.IdentityHashMap<>();
    private byte[] fullBytes;

    HelloDialogue(ProbeContext ctx, InetSocketAddress to, Greeting greeting, String name, String path, boolean fullSize, Duration wait) {
        this.ctx = ctx;
        this.to = to;
        this.greeting = greeting;
        this.name = name;
        this.path = path;
        this.fullSize = fullSize;
        this.deadline = System.nanoTime() + wait.toNanos();
    }

    Transcript run() throws NativeSocket.Failure {
        long t0 = System.nanoTime();
        byte[] request = greeting.first(name, path);
        try {
            TcpConversation first = start("first", 0);
            TcpConversation full = fullSize ? start("full", 0) : null;
            TcpConversation firstClamped = null;
            TcpConversation fullClamped = null;
            TcpConversation plain = null;
            TcpConversation http = null;
            for (int round = 0; round < 100_000 && !ctx.cancelled(); round++) {
                long now = System.nanoTime();
                if (now >= deadline) break;
                if (!seen.containsKey(first)) drive(first, request, now);
                if (full != null && !seen.containsKey(full)) driveFull(full);
                if (fullClamped != null && !seen.containsKey(fullClamped)) driveFull(fullClamped);
                if (firstClamped != null && !seen.containsKey(firstClamped)) drive(firstClamped, request, now);
                if (plain != null) drive(plain, Greeting.PLAIN.first(name, path), now);
                if (http != null) drive(http, Greeting.HTTP.first(name, path), now);

                // more conversations, as the evidence asks for them
                if (full != null && fullClamped == null && !full.acked() && full.sent() > 0 && full.info().totalRetrans() > 0) {
                    fullClamped = start("full-clamped", CLAMPED_MSS);
                }
                if (firstClamped == null && first.state() == TcpConversation.State.CONNECTED && first.received().length == 0
                        && first.waitedMs(now) >= patience(first)) {
                    firstClamped = start("first-clamped", CLAMPED_MSS);
                }
                boolean refusedTls = greeting == Greeting.AUTO && first.received().length == 0
                        && (first.state() == TcpConversation.State.RESET || first.state() == TcpConversation.State.CLOSED);
                if (refusedTls && plain == null) {
                    plain = start("plain", 0);
                }
                // an unknown port silent to both ClientHellos: perhaps a plain service waiting for a request of its own kind.
                // HTTP is the common one, and some HTTP servers (the JDK's; single-threaded ones) say nothing to TLS bytes
                // or blank lines and, stuck reading them, answer nobody else: the conversations are closed (what they showed
                // is kept), then an HTTP request is sent on a new one
                if (http == null && greeting == Greeting.AUTO && stillSilent(first) && stillSilent(firstClamped)
                        && (full == null || full.done()) && (fullClamped == null || fullClamped.done())
                        && firstClamped.waitedMs(now) >= Math.max(250, 20 * firstClamped.info().rttMicros() / 1000.0)) {
                    for (TcpConversation c : open) {
                        seen.put(c, leg(c, now));
                        c.close();
                    }
                    open.clear();
                    http = start("http", 0);
                }
                if (http != null ? http.done() : decided(first, firstClamped, full, fullClamped, plain, refusedTls)) break;
                pollOnce(now);
            }
            long end = System.nanoTime();
            return new Transcript(greeting, request, leg(first, end), leg(firstClamped, end), leg(full, end), leg(fullClamped, end),
                    leg(plain, end), leg(http, end), Millis.of(end - t0));
        } finally {
            open.forEach(TcpConversation::close);
        }
    }

    private TcpConversation start(String role, int mss) throws NativeSocket.Failure {
        TcpConversation c = TcpConversation.start(role, to, mss);
        open.add(c);
        return c;
    }

    /** Sends once connected, reads, and calls it answered once enough has come (or the service closed after speaking). */
    private void drive(TcpConversation c, byte[] request, long now) {
        if (c.state() == TcpConversation.State.CONNECTED && c.sent() == 0 && request.length > 0) c.send(request);
        if (c.sent() > 0 && !c.acked()) c.info();
        byte[] got = c.received();
        if (got.length > 0 && (Greeting.complete(got) || c.state() == TcpConversation.State.CLOSED
                || c.state() == TcpConversation.State.RESET)) {
            c.answered();
        }
    }

    /** The full-size leg: sent at the connection's own MSS once connected; done once acknowledged. */
    private void driveFull(TcpConversation c) {
        if (c.state() == TcpConversation.State.CONNECTED && c.sent() == 0) {
            if (fullBytes == null) {
                int mss = c.info().sndMss();
                fullBytes = greeting.padded(name, path, mss > 0 ? mss : 1400);
            }
            c.send(fullBytes);
        }
        if (c.sent() > 0 && !c.done()) {
            c.info();
            if (c.acked()) c.answered();
        }
    }

    /**
     * How long a first request waits unanswered before the clamped one is tried: max(500 ms, 8 handshake RTTs), past
     * the first retransmissions of an answer that random loss took.
     */
    private static double patience(TcpConversation c) {
        double rtt = c.info().rttMicros() / 1000.0;
        return Math.max(MIN_PATIENCE.toMillis(), 8 * rtt);
    }

    private static boolean decided(TcpConversation first, TcpConversation firstClamped, TcpConversation full,
                                   TcpConversation fullClamped, TcpConversation plain, boolean refusedTls) {
        if (first.state() == TcpConversation.State.FAILED) return true;
        if (refusedTls) return plain != null && plain.done();
        if (first.done() && first.received().length == 0) return true;             // reset or closed without a word
        if (first.done()) {                                                          // answered: is the full-size check in?
            return full == null || arrived(full) || full.done()
                    || fullClamped != null && fullClamped.done() && full.info().totalRetrans() >= RETRANSMITS;
        }
        return firstClamped != null && firstClamped.done();                          // silent: the clamped one decides
    }

    /** Connected, and not a byte back. */
    private static boolean stillSilent(TcpConversation c) {
        return c != null && c.state() == TcpConversation.State.CONNECTED && c.received().length == 0;
    }

    /** The full-size bytes got there: acknowledged, or B reacted to them by closing or resetting. */
    private static boolean arrived(TcpConversation c) {
        return c.acked() || c.sent() > 0 && (c.state() == TcpConversation.State.RESET || c.state() == TcpConversation.State.CLOSED);
    }

    /** Polls every open conversation; short slices while an acknowledgement is awaited (acks wake no poll). */
    private void pollOnce(long now) throws NativeSocket.Failure {
        List<TcpConversation> live = open.stream().filter(c -> !c.done()).toList();
        if (live.isEmpty()) return;
        boolean watchingAcks = live.stream().anyMatch(c -> c.sent() > 0 && !c.acked());
        long left = Math.max(0, (deadline - now) / 1_000_000);
        Duration slice = Duration.ofMillis(Math.min(left, watchingAcks ? 2 : 50));
        short[] events = new short[live.size()];
        for (int i = 0; i < live.size(); i++) events[i] = live.get(i).events();
        short[] revents = NativeSocket.pollAll(live.stream().map(TcpConversation::socket).toList(), events, slice);
        for (int i = 0; i < live.size(); i++) live.get(i).step((short) (revents[i] & (events[i] | Syscalls.POLLERR | Syscalls.POLLHUP)));
    }

    /** The conversation as it stands, or as it stood when it was closed early. */
    private Leg leg(TcpConversation c, long now) {
        if (c == null) return null;
        if (seen.containsKey(c)) return seen.get(c);
        boolean reacted = c.sent() > 0 && (c.state() == TcpConversation.State.RESET || c.state() == TcpConversation.State.CLOSED);
        return new Leg(c.role, c.mss, c.state(), c.received(), c.sent(), c.acked(), reacted, c.connectMs(), c.ackMs(),
                c.firstByteMs(), c.waitedMs(now), c.info(), c.errno(), c.synRetransmits());
    }
}
