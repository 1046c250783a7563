package dev.reach.plugins.dns;

import org.xbill.DNS.Name;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * One name asked of every server at once, every type over UDP (a thread a question) and over TCP (a connection a
 * server), gathered as the replies come, and no longer than the replies need: the asking stops when every
 * question has its reply, when the wait is over, or when some server has answered everything and the others have
 * been silent far longer than that answer took ({@link #silenceAfter}). A question still open then is a
 * {@code timeout} whose error says how long it was waited for and why that was enough.
 */
final class Inquiry {
    /** The least silence that counts beside another server's answer: a busy machine delays a loopback reply 10-50 ms. */
    static final Duration MIN_SILENCE = Duration.ofMillis(250);
    /** A server this many times slower than another has nothing more to say about the name. */
    static final int SILENCE_FACTOR = 20;

    private Inquiry() {
    }

    /** Where one task's exchanges go in the answer: per server its UDP exchanges, then its TCP ones. */
    private record Slot(Nameserver server, boolean tcp, List<Integer> qtypes) {
    }

    /** How long another server's silence is decisive once one answered everything in {@code fastest}. Pure. */
    static Duration silenceAfter(Duration fastest) {
        Duration relative = fastest.multipliedBy(SILENCE_FACTOR);
        return relative.compareTo(MIN_SILENCE) > 0 ? relative : MIN_SILENCE;
    }

    /** Asks; per server its UDP exchanges then its TCP ones, each in the order of qtypes. */
    static List<Exchange> ask(List<Nameserver> servers, Name name, List<Integer> qtypes, Duration timeout) throws InterruptedException {
        long t0 = System.nanoTime();
        // platform threads: a virtual thread blocked in a JDK socket starts the JDK's poller, which the JVM waits for at
        // exit (see WarmUp); daemons, and interrupted when the asking stops, so nothing outlives it for long
        var pool = Executors.newThreadPerTaskExecutor(Thread.ofPlatform().daemon().name("dns-ask-", 0).factory());
        var replies = new ExecutorCompletionService<List<Exchange>>(pool);
        Map<Future<List<Exchange>>, Slot> slots = new HashMap<>();
        Map<Slot, List<Exchange>> got = new HashMap<>();
        List<Slot> order = new ArrayList<>();
        try {
            for (Nameserver ns : servers) {
                for (int qtype : qtypes) {
                    Slot s = new Slot(ns, false, List.of(qtype));
                    order.add(s);
                    slots.put(replies.submit(() -> List.of(Exchange.askUdp(ns, name, qtype, timeout))), s);
                }
                Slot s = new Slot(ns, true, qtypes);
                order.add(s);
                slots.put(replies.submit(() -> Exchange.askTcp(ns, name, qtypes, timeout)), s);
            }
            long end = timeout.toNanos();
            while (got.size() < order.size()) {
                Future<List<Exchange>> f = replies.poll(end - (System.nanoTime() - t0), TimeUnit.NANOSECONDS);
                if (f == null) {
                    break;
                }
                got.put(slots.get(f), result(f));
                Duration fastest = fastestComplete(servers, qtypes, got);
                if (fastest != null) {
                    end = Math.min(timeout.toNanos(), silenceAfter(fastest).toNanos());
                }
            }
        } finally {
            pool.shutdownNow(); // interrupts what is still asking: a UDP wait ends, a TCP socket channel closes
        }
        Duration waited = Duration.ofNanos(System.nanoTime() - t0);
        Duration fastest = fastestComplete(servers, qtypes, got);
        String why = fastest == null || waited.compareTo(timeout) >= 0 ? "no answer in " + DnsResolveProbe.human(waited)
                : "no answer in " + DnsResolveProbe.human(waited) + " while another server answered in " + DnsResolveProbe.human(fastest);
        List<Exchange> all = new ArrayList<>();
        for (Slot s : order) {
            List<Exchange> x = got.get(s);
            if (x == null) {
                s.qtypes().forEach(q -> all.add(Exchange.silent(s.server(), name, s.tcp(), q, waited, why)));
            } else {
                all.addAll(x);
            }
        }
        return all;
    }

    private static List<Exchange> result(Future<List<Exchange>> f) {
        try {
            return f.get();
        } catch (ExecutionException e) {
            throw new IllegalStateException("asking a nameserver failed", e.getCause()); // each ask returns its failure: a bug
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
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
