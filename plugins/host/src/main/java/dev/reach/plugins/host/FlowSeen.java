package dev.reach.plugins.host;

import dev.reach.plugins.host.FlowCapture.Packet;
import dev.reach.spi.Addresses;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What the server saw of one client's flow to a port, packet by packet, and when that is enough to say what happened
 * ({@link #decided}): a connection is decided when its handshake completed or was answered by a reset; a SYN that
 * got no answer within {@link #UNANSWERED_US} of the first (more may have come meanwhile) (the kernel answers a SYN in microseconds when it answers at all); a
 * SYN-ACK that the client never acknowledged once the client sent its SYN again (its answer did not arrive) or
 * {@link #UNACKNOWLEDGED_US} went by. With no client address given, the first source seen is the client. Only the
 * connections whose SYN this watch saw count: a SYN-ACK sent again for one begun before it says nothing of this one.
 */
final class FlowSeen {
    static final long UNANSWERED_US = 500_000;
    static final long UNACKNOWLEDGED_US = 1_500_000;
    private static final int MAX_LINES = 12;

    private final boolean tcp;
    private final int port;
    private InetAddress client;
    private final Set<String> others = new LinkedHashSet<>();
    /** The client's source ports whose SYN (datagram) this watch saw: an answer counts only to one of them. */
    private final Set<Integer> ports = new java.util.HashSet<>();
    private final Set<String> inIfaces = new LinkedHashSet<>();
    private final Set<String> outIfaces = new LinkedHashSet<>();
    private final List<String> lines = new ArrayList<>();
    private int requests, answers, resets, acks, datagramsIn, datagramsOut;
    private long firstRequest = -1, firstAnswer = -1, established = -1, firstReset = -1;
    private boolean resentAfterAnswer;

    /** Watching this host's own requests to {@code client:port} leave (this host is the client), not a client's arrive. */
    private final boolean outbound;

    FlowSeen(boolean tcp, int port, InetAddress client) {
        this(tcp, port, client, false);
    }

    /** {@code outbound}: this host connects to {@code peer:port}; its requests leave and the answers arrive. */
    FlowSeen(boolean tcp, int port, InetAddress peer, boolean outbound) {
        this.tcp = tcp;
        this.port = port;
        this.client = peer;
        this.outbound = outbound;
    }

    /** Takes one captured packet; true once the flow is decided. */
    boolean add(Packet p) {
        boolean toPort = p.in() != outbound && p.dport() == port;     // a request: arriving, or leaving when outbound
        boolean fromPort = p.in() == outbound && p.sport() == port;   // an answer
        if (!toPort && !fromPort) return decided(p.micros());
        InetAddress peer = toPort != outbound ? p.src() : p.dst();
        if (client == null && toPort && (!tcp || p.syn())) client = p.src();
        if (client == null || !client.equals(peer)) {
            if (toPort && others.size() < 8) others.add(Addresses.text(p.src()));
            return decided(p.micros());
        }
        if (toPort && (!tcp || p.syn())) ports.add(p.sport());
        int clientPort = toPort ? p.sport() : p.dport();
        if (!ports.contains(clientPort)) {
            return decided(p.micros());   // a connection begun before the watch (a SYN-ACK sent again, its data): not this one's
        }
        if (p.in()) inIfaces.add(p.iface());
        else outIfaces.add(p.iface());
        if (!tcp) {
            if (toPort) {
                datagramsIn++;
                if (firstRequest < 0) firstRequest = p.micros();
            } else {
                datagramsOut++;
                if (firstAnswer < 0) firstAnswer = p.micros();
            }
            line(p, toPort ? "datagram" : "datagram back");
            return decided(p.micros());
        }
        if (toPort && p.syn()) {
            requests++;
            if (firstRequest < 0) firstRequest = p.micros();
            if (answers > 0 && established < 0) resentAfterAnswer = true;
            line(p, "SYN");
        } else if (fromPort && p.synAck()) {
            answers++;
            if (firstAnswer < 0) firstAnswer = p.micros();
            line(p, "SYN-ACK");
        } else if (fromPort && p.rst()) {
            resets++;
            if (firstReset < 0) firstReset = p.micros();
            line(p, "RST");
        } else if (toPort && answers > 0 && established < 0 && (p.flags() & Packet.ACK) != 0 && !p.rst()) {
            acks++;
            established = p.micros();
            line(p, "ACK (handshake complete)");
        }
        return decided(p.micros());
    }

    private void line(Packet p, String what) {
        if (lines.size() >= MAX_LINES) return;
        lines.add(String.format(java.util.Locale.ROOT, "%.1f ms %s %s %s %s:%d > %s:%d", p.micros() / 1000.0, p.in() ? "in " : "out", p.iface(), what,
                Addresses.text(p.src()), p.sport(), Addresses.text(p.dst()), p.dport()));
    }

    /** Whether what was seen by {@code now} (µs) says what happened. */
    boolean decided(long now) {
        if (outbound) return firstRequest >= 0;   // what is asked of this side: did its request leave?
        if (!tcp) return datagramsOut > 0 || (firstRequest >= 0 && now - firstRequest > UNANSWERED_US);
        if (established >= 0 || firstReset >= 0) return true;
        if (firstAnswer >= 0) return resentAfterAnswer || now - firstAnswer > UNACKNOWLEDGED_US;
        return firstRequest >= 0 && now - firstRequest > UNANSWERED_US;
    }

    /**
     * none, unanswered, answered (no ACK came back), refused (reset), established (TCP); none, unanswered, answered (UDP);
     * outbound: none (no request left this host) or left (and what came back, if it came before the first left).
     */
    String outcome() {
        if (firstRequest < 0) return "none";
        if (outbound && firstAnswer < 0 && firstReset < 0) return "left";
        if (!tcp) return datagramsOut > 0 ? "answered" : "unanswered";
        if (established >= 0) return "established";
        if (firstReset >= 0) return "refused";
        if (firstAnswer >= 0) return "answered";
        return "unanswered";
    }

    InetAddress client() {
        return client;
    }

    int requests() {
        return tcp ? requests : datagramsIn;
    }

    int answers() {
        return tcp ? answers : datagramsOut;
    }

    int resets() {
        return resets;
    }

    boolean resentAfterAnswer() {
        return resentAfterAnswer;
    }

    List<String> inIfaces() {
        return List.copyOf(inIfaces);
    }

    List<String> outIfaces() {
        return List.copyOf(outIfaces);
    }

    List<String> others() {
        return List.copyOf(others);
    }

    List<String> lines() {
        return List.copyOf(lines);
    }
}
