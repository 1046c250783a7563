package dev.reach.plugins.dns;

import dev.reach.spi.Addresses;
import dev.reach.spi.Failures;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.Inet6Address;
import java.net.NoRouteToHostException;
import java.net.PortUnreachableException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * One question to one nameserver over one transport, and what came back: a reply (any RCODE) or why none
 * came (timeout, refused, closed, no-route, error). Asked of that server alone, never through the host's
 * configuration: over UDP on a datagram channel of the call's own ({@link #askUdp}), over TCP on a connection of its own
 * ({@link #askTcp}); dnsjava builds and reads the messages either way.
 *
 * @param server  who was asked
 * @param name    the name asked
 * @param tcp     over TCP (else UDP, truncated replies kept as they are)
 * @param qtype   the question's type ({@link Type#A}...)
 * @param outcome {@code answered}, {@code timeout}, {@code refused}, {@code closed}, {@code no-route} or {@code error}
 * @param reply   the reply when answered, else null
 * @param took    time from sending to the reply or the failure
 * @param error   what failed, empty when answered
 * @param connect over TCP, how long the handshake took; null when it did not complete (and over UDP)
 */
record Exchange(Nameserver server, Name name, boolean tcp, int qtype, String outcome, Message reply, Duration took, String error,
                Duration connect) {

    static Exchange ask(Nameserver server, Name name, int qtype, boolean tcp, Duration timeout) {
        return tcp ? askTcp(server, name, List.of(qtype), timeout, () -> { }, c -> { }).getFirst()
                : askUdp(server, name, qtype, timeout, () -> { });
    }

    /** The question as dnsjava builds it (its first use loads dnsjava's type table: some 50 ms in a cold JVM). */
    static Message query(Name name, int qtype) {
        return Message.newQuery(Record.newRecord(name, qtype, DClass.IN));
    }

    /**
     * A question that had no reply when the asking stopped: {@code timeout}, with why the wait ended; {@code connect}
     * as for {@link #connect()}.
     */
    static Exchange silent(Nameserver server, Name name, boolean tcp, int qtype, Duration waited, String why, Duration connect) {
        return new Exchange(server, name, tcp, qtype, "timeout", null, waited, why, connect);
    }

    /**
     * One question over UDP on a datagram channel of its own, connected to the server (so only its replies count, and
     * an ICMP port-unreachable comes back as {@code refused}), sent again when half the wait has passed without an
     * answer, as a resolver's retry would: one lost datagram is then not a dead server (30% loss on the path made one
     * run in three of the lab's conclude dns.server-unreachable). A reply to either datagram counts. The clock runs
     * from the first datagram sent to the reply's bytes received: the message is built before and read after, so a
     * cold JVM's first query measures the network, not dnsjava starting up (that took 80 ms of warm-up before).
     */
    static Exchange askUdp(Nameserver server, Name name, int qtype, Duration timeout, Runnable sending) {
        Message query = query(name, qtype);
        byte[] wire = query.toWire();
        long t0 = System.nanoTime();
        try (DatagramChannel channel = DatagramChannel.open(server.address() instanceof Inet6Address
                ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET)) {
            channel.connect(server.socketAddress());
            DatagramSocket socket = channel.socket();
            byte[] buffer = new byte[65535];
            sending.run();
            t0 = System.nanoTime();
            long deadline = t0 + timeout.toNanos();
            long again = t0 + timeout.toNanos() / 2;
            channel.write(ByteBuffer.wrap(wire));
            boolean twice = false;
            for (int received = 0; received < 64; ) {
                long now = System.nanoTime();
                if (now >= (twice ? deadline : again)) {
                    if (twice) {
                        break;
                    }
                    channel.write(ByteBuffer.wrap(wire));
                    twice = true;
                    continue;
                }
                socket.setSoTimeout((int) Math.max(1, TimeUnit.NANOSECONDS.toMillis((twice ? deadline : again) - now)));
                DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
                try {
                    socket.receive(packet);
                } catch (SocketTimeoutException quiet) {
                    continue;
                }
                received++;
                Duration took = since(t0);
                Message reply;
                try {
                    reply = new Message(Arrays.copyOf(buffer, packet.getLength()));
                } catch (IOException garbled) {
                    continue; // not a DNS message: wait for one
                }
                if (reply.getHeader().getID() == query.getHeader().getID()) {
                    return new Exchange(server, name, false, qtype, "answered", reply, took, "", null);
                }
            }
            return failed(server, name, false, qtype, new SocketTimeoutException("Timed out while trying to resolve "
                    + name + "/" + Type.string(qtype) + (twice ? " (sent twice)" : "")), since(t0), null);
        } catch (IOException | RuntimeException e) {
            return failed(server, name, false, qtype, e, since(t0), null);
        }
    }

    private static Exchange failed(Nameserver server, Name name, boolean tcp, int qtype, Exception e, Duration took, Duration connect) {
        String said = Failures.text(e);
        return new Exchange(server, name, tcp, qtype, outcomeOf(e), null, took, said, connect);
    }

    /**
     * The questions over TCP on one connection of this call's own (RFC 7766: each a 2-byte length and the
     * message, answers matched by id), within the wait. One connection, not one per question: a server like
     * dnsmasq forks a process per connection. Not dnsjava's TCP client: that one shares connections across the
     * process through one selector, so a connect still pending from a run against a filtered server held the
     * next run's question (1.3 s late in a resident reach), and several refused connects at once sometimes
     * came back as ClosedChannelException. A socket channel, so that interrupting the asking thread closes it when
     * the asking stops early ({@link Inquiry}): a thread left blocked in connect() or read() would hold the JVM's
     * exit up to 300 ms (HotSpot waits that long for threads in native code). {@code sending} runs right before the
     * SYN; {@code connected} once the handshake is done, with its time: the server's host is there and something
     * listens, whatever the answers take.
     */
    static List<Exchange> askTcp(Nameserver server, Name name, List<Integer> qtypes, Duration timeout, Runnable sending,
                                 Consumer<Duration> connected) {
        Map<Integer, Message> queries = new LinkedHashMap<>();
        for (int qtype : qtypes) {
            Message q = query(name, qtype);
            queries.put(q.getHeader().getID(), q);    // ids are random: a clash only leaves one question unasked
        }
        Map<Integer, Exchange> answered = new LinkedHashMap<>();
        Exception failure = null;
        Duration connect = null;
        long t0 = System.nanoTime();
        long deadline = t0 + timeout.toNanos();
        try (Socket s = SocketChannel.open().socket()) {
            sending.run();
            t0 = System.nanoTime(); // the clock starts at the SYN, not at the JDK loading its socket classes
            s.connect(server.socketAddress(), (int) Math.max(1, timeout.toMillis()));
            connect = since(t0);
            connected.accept(connect);
            DataOutputStream out = new DataOutputStream(new BufferedOutputStream(s.getOutputStream()));
            for (Message q : queries.values()) {
                byte[] wire = q.toWire();
                out.writeShort(wire.length);
                out.write(wire);
            }
            out.flush();
            DataInputStream in = new DataInputStream(new BufferedInputStream(s.getInputStream()));
            for (int replies = 0; replies < 16 && answered.size() < queries.size(); replies++) {
                long left = deadline - System.nanoTime();
                if (left <= 0) break;
                s.setSoTimeout((int) Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
                byte[] b = new byte[in.readUnsignedShort()];
                in.readFully(b);
                Message reply = new Message(b);
                Message q = queries.get(reply.getHeader().getID());   // a reply to another id is skipped
                if (q != null && !answered.containsKey(reply.getHeader().getID())) {
                    answered.put(reply.getHeader().getID(), new Exchange(server, name, true, q.getQuestion().getType(),
                            "answered", reply, since(t0), "", connect));
                }
            }
        } catch (IOException | RuntimeException e) {
            failure = e;
        }
        List<Exchange> all = new ArrayList<>();
        for (var q : queries.entrySet()) {
            Exchange x = answered.get(q.getKey());
            if (x == null) {
                String what = name + "/" + Type.string(q.getValue().getQuestion().getType());
                Exception why = failure == null || failure instanceof SocketTimeoutException
                        ? new SocketTimeoutException("Timed out while trying to resolve " + what + " over TCP") : failure;
                x = failed(server, name, true, q.getValue().getQuestion().getType(), why, since(t0), connect);
            }
            all.add(x);
        }
        return all;
    }

    /** What a failed exchange means, from the exception dnsjava and the kernel gave. Pure. */
    static String outcomeOf(Throwable e) {
        String said = e.getMessage() == null ? "" : e.getMessage().toLowerCase(Locale.ROOT);
        if (e instanceof SocketTimeoutException || e.getCause() instanceof TimeoutException || said.contains("timed out")) {
            return "timeout";
        }
        if (e instanceof PortUnreachableException || e instanceof ConnectException || said.contains("connection refused")) {
            return "refused"; // UDP: ICMP port-unreachable; TCP: RST
        }
        if (e instanceof EOFException || said.contains("connection reset")) {
            return "closed"; // TCP accepted, then closed with no answer
        }
        if (e instanceof NoRouteToHostException || said.contains("no route") || said.contains("unreachable")) {
            return "no-route";
        }
        return "error";
    }

    boolean answered() {
        return reply != null;
    }

    String transport() {
        return tcp ? "tcp" : "udp";
    }

    /** NOERROR, NXDOMAIN, SERVFAIL...; empty when no reply. */
    String rcode() {
        return reply == null ? "" : Rcode.string(reply.getRcode());
    }

    /** The A/AAAA addresses in the answer section, as written by people. */
    List<String> addresses() {
        if (reply == null) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (Record r : reply.getSection(Section.ANSWER)) {
            if (r instanceof ARecord a) {
                out.add(Addresses.text(a.getAddress()));
            } else if (r instanceof AAAARecord a) {
                out.add(Addresses.text(a.getAddress()));
            }
        }
        return List.copyOf(out);
    }

    /** The smallest TTL in the answer section, or -1 when it is empty. */
    long ttl() {
        return reply == null ? -1 : reply.getSection(Section.ANSWER).stream().mapToLong(Record::getTTL).min().orElse(-1);
    }

    /** The records of a section as facts: name, type, ttl, data. */
    List<Map<String, Object>> records(int section) {
        if (reply == null) {
            return List.of();
        }
        // OPT is EDNS signalling, not data
        return reply.getSection(section).stream().filter(r -> r.getType() != Type.OPT).map(Exchange::fact).toList();
    }

    /** Header flags set in the reply, lower-case: qr aa tc rd ra ad cd. */
    List<String> flags() {
        if (reply == null) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (int f : new int[] {Flags.QR, Flags.AA, Flags.TC, Flags.RD, Flags.RA, Flags.AD, Flags.CD}) {
            if (reply.getHeader().getFlag(f)) {
                out.add(Flags.string(f).toLowerCase(Locale.ROOT));
            }
        }
        return List.copyOf(out);
    }

    /** One evidence line: {@code 127.0.0.1:53 udp web.test A -> NOERROR 198.18.0.10 ttl 300 in 0.41ms}. */
    String evidence() {
        String asked = server + " " + transport() + " " + name.toString(true) + " " + Type.string(qtype) + " -> ";
        if (reply == null) {
            return asked + outcome + " (" + error + ") after " + DnsResolveProbe.human(took);
        }
        List<String> data = reply.getSection(Section.ANSWER).stream()
                .map(r -> (r.getType() == qtype ? "" : Type.string(r.getType()) + " ") + data(r)).toList();
        return asked + rcode() + (!data.isEmpty() ? " " + String.join(", ", data) : rcode().equals("NOERROR") ? " (no " + Type.string(qtype) + " record)" : "")
                + (ttl() >= 0 ? " ttl " + ttl() : "") + " in " + DnsResolveProbe.human(took);
    }

    private static Map<String, Object> fact(Record r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", r.getName().toString());
        m.put("type", Type.string(r.getType()));
        m.put("ttl", r.getTTL());
        m.put("data", data(r));
        return m;
    }

    /** The record's data as dig shows it, except IPv6 addresses, compressed ({@code fd00::6}). */
    private static String data(Record r) {
        return r instanceof AAAARecord a ? Addresses.text(a.getAddress()) : r.rdataToString();
    }

    private static Duration since(long t0) {
        return Duration.ofNanos(System.nanoTime() - t0);
    }
}
