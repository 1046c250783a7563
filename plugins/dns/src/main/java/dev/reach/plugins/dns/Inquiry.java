package dev.reach.plugins.dns;

import dev.reach.spi.Addresses;
import org.xbill.DNS.Name;

import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * One name asked of every server at once, every type over UDP (a thread a question) and over TCP (a connection a
 * server), and beside them each server's host asked whether it is there at all ({@link HostEcho}), gathered as the
 * replies come, and no longer than the replies need: the asking stops when every question has its reply or its
 * server's silence is decisive ({@link #giveUp}). A question still open then is a {@code timeout} whose error says
 * how long it was waited for and why that was enough.
 */
final class Inquiry {
    /** The least silence that counts: a busy machine delays a loopback reply 10-50 ms. */
    static final Duration MIN_SILENCE = Duration.ofMillis(250);
    /** A server silent this many round trips (another server's answer, or its own host's) has nothing to say. */
    static final int SILENCE_FACTOR = 20;

    private Inquiry() {
    }

    /** What the asking found: per server its UDP exchanges, then its TCP ones; and what each server's host answered. */
    record Asked(List<Exchange> exchanges, Map<InetAddress, HostEcho.Heard> hosts) {
    }

    /** Why a server's open questions stopped being waited for. */
    enum Reason { TIMEOUT, ANOTHER_SERVER, OWN_HOST }

    /** From when (since the asking began) a server's open questions are given up, and why. */
    record GiveUp(Duration after, Reason reason) {
    }

    /** Where one task's exchanges go in the answer: per server its UDP exchanges, then its TCP ones. */
    private record Slot(Nameserver server, boolean tcp, List<Integer> qtypes) {
    }

    private sealed interface Event {
    }

    private record Replied(Slot slot, List<Exchange> exchanges) implements Event {
    }

    private record Connected(Nameserver server, Duration connect) implements Event {
    }

    private record Echoed(InetAddress host, Duration rtt) implements Event {
    }

    /** The first question to a server is about to leave: its silence counts from now. */
    private record Sent(Nameserver server, long at) implements Event {
    }

    private record Broke(RuntimeException e) implements Event {
    }

    /** How long a silence is decisive once something answered in {@code rtt}: 20 times that, and never under 250 ms. Pure. */
    static Duration silenceAfter(Duration rtt) {
        Duration relative = rtt.multipliedBy(SILENCE_FACTOR);
        return relative.compareTo(MIN_SILENCE) > 0 ? relative : MIN_SILENCE;
    }

    /**
     * When a server's silence is decisive. Pure. At the latest the timeout: with nothing to measure it against, silence
     * is all there is. Sooner when another server has answered every question in {@code fastest} (a name that one server
     * answers at once, a working one answers too), or when the server's own host answered an echo in {@code hostRtt}
     * while the server is {@code dnsSilent}: no reply to any question and its TCP connect neither accepted nor reset. A
     * host that answers ping answers a SYN within a round trip, the kernel's SYN-ACK or reset whatever the server is
     * busy with, so 20 round trips of silence there is a firewall dropping the port, not a slow server.
     *
     * @param fastest   the fastest server that answered everything, or null
     * @param hostRtt   the round trip of the server's host, or null while it has not answered
     * @param dnsSilent no reply from the server and no handshake on TCP yet
     */
    static GiveUp giveUp(Duration timeout, Duration fastest, Duration hostRtt, boolean dnsSilent) {
        GiveUp decided = new GiveUp(timeout, Reason.TIMEOUT);
        if (hostRtt != null && dnsSilent && silenceAfter(hostRtt).compareTo(timeout) < 0) {
            decided = new GiveUp(silenceAfter(hostRtt), Reason.OWN_HOST);
        }
        if (fastest != null && silenceAfter(fastest).compareTo(decided.after()) < 0) {
            decided = new GiveUp(silenceAfter(fastest), Reason.ANOTHER_SERVER);
        }
        return decided;
    }

    /** Asks. */
    static Asked ask(List<Nameserver> servers, Name name, List<Integer> qtypes, Duration timeout) throws InterruptedException {
        long t0 = System.nanoTime();
        String method = HostEcho.method();
        // platform threads: a virtual thread blocked in a JDK socket starts the JDK's poller, which the JVM waits for at
        // exit (HotSpot waits up to 300 ms for threads in native code); daemons, and interrupted when the asking stops, so nothing outlives it for long
        var pool = Executors.newThreadPerTaskExecutor(Thread.ofPlatform().daemon().name("dns-ask-", 0).factory());
        BlockingQueue<Event> events = new LinkedBlockingQueue<>();
        List<Slot> order = new ArrayList<>();
        Map<Slot, List<Exchange>> got = new HashMap<>();
        Map<Nameserver, Duration> connected = new HashMap<>();
        Map<InetAddress, Duration> echoes = new HashMap<>();
        Map<Nameserver, Long> sent = new HashMap<>();
        Set<InetAddress> hosts = new LinkedHashSet<>(servers.stream().map(Nameserver::address).toList());
        try {
            for (InetAddress host : hosts) {
                pool.execute(() -> HostEcho.roundTrip(host, timeout).ifPresent(rtt -> events.add(new Echoed(host, rtt))));
            }
            for (Nameserver ns : servers) {
                qtypes.forEach(q -> order.add(new Slot(ns, false, List.of(q))));
                order.add(new Slot(ns, true, qtypes));
            }
            for (Slot s : order) {
                pool.execute(() -> {
                    try {
                        Runnable sending = () -> events.add(new Sent(s.server(), System.nanoTime()));
                        events.add(new Replied(s, s.tcp() ? Exchange.askTcp(s.server(), name, s.qtypes(), timeout, sending,
                                c -> events.add(new Connected(s.server(), c)))
                                : List.of(Exchange.askUdp(s.server(), name, s.qtypes().getFirst(), timeout, sending))));
                    } catch (RuntimeException e) {
                        events.add(new Broke(e)); // each ask returns its failure: a bug
                    }
                });
            }
            while (got.size() < order.size()) {
                long until = 0;
                for (Slot s : order) {
                    if (!got.containsKey(s)) {
                        until = Math.max(until, decide(s.server(), timeout, servers, qtypes, got, connected, echoes, sent, t0).after().toNanos());
                    }
                }
                long left = until - (System.nanoTime() - t0);
                if (left <= 0) {
                    break;
                }
                switch (events.poll(left, TimeUnit.NANOSECONDS)) {
                    case null -> { }
                    case Replied r -> got.put(r.slot(), r.exchanges());
                    case Connected c -> connected.put(c.server(), c.connect());
                    case Echoed e -> echoes.put(e.host(), e.rtt());
                    case Sent x -> sent.putIfAbsent(x.server(), x.at());
                    case Broke b -> throw new IllegalStateException("asking a nameserver failed", b.e());
                }
            }
        } finally {
            pool.shutdownNow(); // interrupts what is still asking: a UDP wait ends, a TCP socket channel closes, an echo stops
        }
        Duration waited = Duration.ofNanos(System.nanoTime() - t0);
        Map<InetAddress, HostEcho.Heard> heard = new LinkedHashMap<>();
        for (InetAddress h : hosts) {
            Duration rtt = echoes.get(h);
            heard.put(h, new HostEcho.Heard(Addresses.text(h), rtt == null ? "timeout" : "answered", method, rtt == null ? waited : rtt));
        }
        List<Exchange> all = new ArrayList<>();
        for (Slot s : order) {
            List<Exchange> x = got.get(s);
            if (x == null) {
                String why = why(decide(s.server(), timeout, servers, qtypes, got, connected, echoes, sent, t0), waited,
                        heard.get(s.server().address()), fastestComplete(servers, qtypes, got));
                Duration connect = s.tcp() ? connected.get(s.server()) : null;
                s.qtypes().forEach(q -> all.add(Exchange.silent(s.server(), name, s.tcp(), q, waited, why, connect)));
            } else {
                all.addAll(x);
            }
        }
        return new Asked(all, heard);
    }

    /**
     * When the server's silence is decisive, counted from the asking's start: {@link #giveUp}'s silence runs from the
     * server's first question sent, not from the start (a thread still loading dnsjava or the JDK's socket code on a
     * busy machine has asked nothing yet), and a server not asked yet has only the timeout.
     */
    private static GiveUp decide(Nameserver ns, Duration timeout, List<Nameserver> servers, List<Integer> qtypes,
                                 Map<Slot, List<Exchange>> got, Map<Nameserver, Duration> connected, Map<InetAddress, Duration> echoes,
                                 Map<Nameserver, Long> sent, long t0) {
        boolean replied = got.entrySet().stream().anyMatch(e -> e.getKey().server().equals(ns)
                && e.getValue().stream().anyMatch(x -> x.answered() || x.tcp() && !x.outcome().equals("timeout")));
        GiveUp g = giveUp(timeout, fastestComplete(servers, qtypes, got), echoes.get(ns.address()), !replied && !connected.containsKey(ns));
        if (g.reason() == Reason.TIMEOUT) {
            return g;
        }
        Long at = sent.get(ns);
        Duration after = at == null ? timeout : g.after().plusNanos(Math.max(0, at - t0));
        return after.compareTo(timeout) < 0 ? new GiveUp(after, g.reason()) : new GiveUp(timeout, Reason.TIMEOUT);
    }

    /** Why an open question was given up after {@code waited}: {@code no answer in 251ms while 198.18.0.2 answers ping in 0.08ms}. */
    private static String why(GiveUp g, Duration waited, HostEcho.Heard host, Duration fastest) {
        String none = "no answer in " + DnsResolveProbe.human(waited);
        return switch (g.reason()) {
            case OWN_HOST -> none + " while " + host.host() + " " + host.says();
            case ANOTHER_SERVER -> none + " while another server answered in " + DnsResolveProbe.human(fastest);
            case TIMEOUT -> none + ", the timeout";
        };
    }

    /**
     * The time of the fastest server that has a reply to every question over one transport (the slowest of those
     * replies), or null while none has.
     */
    private static Duration fastestComplete(List<Nameserver> servers, List<Integer> qtypes, Map<Slot, List<Exchange>> got) {
        Duration best = null;
        for (Nameserver ns : servers) {
            for (boolean tcp : new boolean[] {false, true}) {
                List<Exchange> legs = got.entrySet().stream().filter(e -> e.getKey().server().equals(ns) && e.getKey().tcp() == tcp)
                        .flatMap(e -> e.getValue().stream()).toList();
                if (legs.size() == qtypes.size() && legs.stream().allMatch(Exchange::answered)) {
                    Duration t = legs.stream().map(Exchange::took).max(Duration::compareTo).orElseThrow();
                    best = best == null || t.compareTo(best) < 0 ? t : best;
                }
            }
        }
        return best;
    }
}
