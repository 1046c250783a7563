package dev.reach.plugins.net;

import dev.reach.spi.Addresses;
import dev.reach.spi.Judgement;
import dev.reach.spi.Millis;
import dev.reach.spi.Needs;
import dev.reach.spi.Observation;
import dev.reach.spi.Param;
import dev.reach.spi.ParamType;
import dev.reach.spi.Params;
import dev.reach.spi.Probe;
import dev.reach.spi.ProbeContext;
import dev.reach.spi.ProbeSpec;
import dev.reach.spi.Status;
import org.pf4j.Extension;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * Scans many hosts × ports at once with non-blocking connects (through FFM: one epoll over all in flight) and classifies each port open, closed,
 * filtered or unreachable.
 *
 * <pre>
 * $ reach probe tcp.scan hosts=198.18.1.2 ports=1-65535
 * ok: scanned 65535 ports on 1 host in 2.1s: 198.18.1.2 open 22,8080; 65033 closed; 500 filtered (9000-9499)
 * $ reach probe tcp.scan hosts=127.1.0.0-127.1.39.15 ports=80
 * fail: scanned 10000 ports on 10000 hosts in 2.1s: no port answered (127.1.0.0-127.1.39.15 (10000 hosts, each) no open port, 1 filtered (80)): ...
 * </pre>
 *
 * <p>As many connects are in flight as the process may open descriptors ({@link FileLimit}: the soft
 * RLIMIT_NOFILE is raised to the hard one for a big scan, a margin kept), not a constant. Waits adapt as nmap's
 * do ({@link ScanTiming}): the first answers (SYN-ACK or RST) give a smoothed RTT and its variance, and an
 * unanswered port is given up after 1 s while nothing is known, then {@code max(floor, 2·srtt + 4·rttvar)},
 * never above {@code timeout}; then tried once more ({@code retries}) before it is called filtered. So a scan
 * of silent hosts takes about two waits, however many there are. The {@link ScanEngine} does the work; this
 * class is the spec, the judgement and the words.
 */
@Extension
public final class TcpScanProbe implements Probe {
    /** At most this many host × port attempts in one scan: each holds a byte of state. */
    static final long MAX_ATTEMPTS = 1L << 24;
    /** Runs of hosts named in the summary, and as evidence lines; the {@code hosts} fact has them all. */
    static final int SUMMARY_RUNS = 8;
    static final int EVIDENCE_RUNS = 100;

    static final ProbeSpec SPEC = ProbeSpec.builder("tcp.scan", "Scans hosts × ports with TCP connects: open, closed, filtered or unreachable")
            .param(Param.list("hosts", "names, addresses, ranges (127.1.0.0-127.1.39.15, 198.18.1.10-20) or CIDR blocks (198.18.1.0/24); at most 65536").required())
            .param(Param.ports("ports", "ports and ranges, e.g. 22,80,8000-8100 or 1-65535").required())
            .param(Param.integer("concurrency", "most connects in flight at once; 0: as many as the descriptor limit allows").defaultValue(0).range(0, 1_048_576))
            .param(Param.integer("rate", "connects started per second; 0 for no limit").defaultValue(0).range(0, 1_000_000))
            .param(Param.duration("timeout", "longest wait for an unanswered port (1s, or this if less, until RTTs are measured)").defaultValue("1s").range("1ms", "1m"))
            .param(Param.integer("retries", "extra tries for a port that did not answer").defaultValue(1).range(0, 5))
            .param(Param.choice("family", "address family of names: any, 4 or 6", "any", "4", "6").defaultValue("any"))
            .intrusive()
            .fact("outcome", "string", "scanned, all-filtered, all-unreachable, unresolved")
            .fact("open", "list", "every open host:port")
            .fact("hosts", "list", "per host, or per run of consecutive addresses alike: address (or first-last), count, open (ports), closed, filtered, unreachable (counts per host), filtered_ports (ranges)")
            .fact("scanned", "integer", "ports tried, over all hosts")
            .fact("srtt_ms", "number", "smoothed RTT of the answers")
            .fact("final_timeout_ms", "number", "the adapted wait for an unanswered port at the end")
            .fact("silence_ms", "number", "longest time from a silent port's first SYN to calling it filtered (about one wait per try)")
            .fact("in_flight_max", "integer", "most connects allowed in flight at once (descriptor limit, margin kept, or concurrency)")
            .fact("in_flight_peak", "integer", "most connects that were in flight at once")
            .fact("nofile_limit", "integer", "the soft descriptor limit (RLIMIT_NOFILE) the scan ran under")
            .fact("workers", "integer", "threads the scan was split over (one per core for large scans)")
            .fact("scan_ms", "number", "time the scan took")
            .fact("rate_pps", "number", "connects per second achieved")
            .needs(Needs.NOTHING)
            .example("reach probe tcp.scan hosts=198.18.1.2 ports=1-1024")
            .example("reach probe tcp.scan hosts=198.18.1.2,198.18.1.3 ports=22,80,443,5432 rate=200")
            .example("reach probe tcp.scan hosts=198.18.1.0/24 ports=22")
            .about("Scans hosts (names, addresses, ranges like `127.1.0.0-127.1.39.15`, CIDR blocks; up to 65536) × "
                    + "ports with non-blocking connects under epoll, as many in flight as the descriptor limit allows (the "
                    + "soft `RLIMIT_NOFILE` raised to the hard one), optional rate limit, split over one thread per core: "
                    + "open / closed / filtered / unreachable; waits adapted to the measured RTT as nmap's (1 s while "
                    + "nothing is known), one retry of the silent. Intrusive.")
            .causes("tcp.filtered", "host.unreachable")
            .build();

    /** One port's fate. */
    enum State { OPEN, CLOSED, FILTERED, UNREACHABLE }

    /**
     * One host's tally, or that of a run of {@code count} consecutive addresses that came out alike ({@code address}
     * is then {@code first-last}, as {@code hosts=} takes it); the counts and ports are per host.
     */
    record HostResult(String address, int count, List<Integer> open, int closed, List<Integer> filtered, int unreachable) {
        HostResult(String address, List<Integer> open, int closed, List<Integer> filtered, int unreachable) {
            this(address, 1, open, closed, filtered, unreachable);
        }

        long total() {
            return (long) count * (open.size() + closed + filtered.size() + unreachable);
        }
    }

    @Override
    public ProbeSpec spec() {
        return SPEC;
    }

    @Override
    public void prepare() {
        NativeSocket.prepare();
    }

    @Override
    public Observation run(ProbeContext ctx, Params p) {
        // bind the native calls while this thread reads the targets and the descriptor limit
        Thread.ofPlatform().daemon().name("tcp.scan-prepare").start(NativeSocket::prepare);
        List<InetAddress> targets = new ArrayList<>();
        for (String h : p.list("hosts")) {
            try {
                targets.addAll(ScanTargets.of(h, p.string("family")));
            } catch (UnknownHostException e) {
                return Endpoint.unresolved(h, e);
            } catch (IllegalArgumentException e) {
                return Observation.error("hosts=: " + e.getMessage()).fact("outcome", "error").build();
            }
            if (targets.size() > ScanTargets.MAX_HOSTS) {
                return Observation.error("hosts= names more than " + ScanTargets.MAX_HOSTS + " hosts; split the scan").fact("outcome", "error").build();
            }
        }
        if (targets.isEmpty()) {
            return Observation.error("hosts= names no host").fact("outcome", "error").build();
        }
        List<Integer> ports = p.ports("ports");
        long attempts = (long) targets.size() * ports.size();
        if (attempts > MAX_ATTEMPTS) {
            return Observation.error(String.format(Locale.ROOT, "%d hosts × %d ports is %d attempts; at most %d in one scan: split it",
                    targets.size(), ports.size(), attempts, MAX_ATTEMPTS)).fact("outcome", "error").build();
        }
        long concurrency = p.integer("concurrency");
        long wanted = concurrency > 0 ? Math.min(concurrency, attempts) : attempts;
        FileLimit limit;
        try {
            limit = FileLimit.raise(wanted);
        } catch (IllegalCallerException | LinkageError e) {
            return Observation.error("tcp.scan needs native access (run reach with --enable-native-access=ALL-UNNAMED): " + e.getMessage())
                    .fact("outcome", "error").build();
        }
        int inFlight = limit.inFlight(wanted);
        ScanEngine engine = new ScanEngine(targets, ports, inFlight, (int) p.integer("rate"),
                p.duration("timeout"), (int) p.integer("retries"), Runtime.getRuntime().availableProcessors());
        long t0 = System.nanoTime();
        ScanEngine.Result r;
        try {
            r = engine.run(ctx);
        } catch (NativeSocket.Failure e) {
            return Observation.error("scan failed: " + e.getMessage() + (e.errno() == Syscalls.EMFILE ? " (too many open files: lower concurrency)" : ""))
                    .fact("outcome", "error").build();
        }
        double ms = Millis.of(System.nanoTime() - t0);
        List<String> open = new ArrayList<>();
        for (int h = 0; h < targets.size(); h++) {
            for (int i = 0; i < ports.size(); i++) {
                if (r.states()[h][i] == State.OPEN.ordinal()) open.add(Addresses.endpoint(targets.get(h), ports.get(i)));
            }
        }
        List<HostResult> hosts = runs(targets, ports, r.states());
        Judgement c = classify(hosts, ms);
        Observation.Builder b = c.observation();
        b.fact("open", open).fact("hosts", hosts.stream().map(TcpScanProbe::fact).toList())
                .fact("scanned", attempts).fact("srtt_ms", EchoStats.round3(r.timing().srttMs()))
                .fact("final_timeout_ms", EchoStats.round3(r.waitMs())).fact("silence_ms", EchoStats.round3(r.silenceMs()))
                .fact("in_flight_max", inFlight).fact("in_flight_peak", r.peakInFlight()).fact("nofile_limit", limit.soft())
                .fact("scan_ms", ms).fact("rate_pps", Math.round(r.attempts() / Math.max(ms / 1000, 1e-3))).fact("workers", engine.workers());
        b.evidence(String.format(Locale.ROOT, "%d connects (%d retries) in %s on %d thread%s, srtt %.3fms, wait for silence %.1fms at the end"
                        + ", silent ports decided within %s of their first SYN",
                r.attempts(), r.attempts() - attempts, Endpoint.human(ms), engine.workers(),
                engine.workers() == 1 ? "" : "s", r.timing().srttMs(), r.waitMs(), Endpoint.human(r.silenceMs())));
        b.evidence(limit.describe(inFlight) + " (peak " + r.peakInFlight() + ")");
        hosts.stream().limit(EVIDENCE_RUNS).forEach(h -> b.evidence(line(h)));
        if (hosts.size() > EVIDENCE_RUNS) b.evidence("... and " + (hosts.size() - EVIDENCE_RUNS) + " more (the hosts fact lists them all)");
        return b.build();
    }

    /**
     * Judges the tallies. Pure. A scan that ran is ok, whatever it found (it is an inventory), unless no port on
     * any host answered at all: every port unreachable (host.unreachable) or every port silent (tcp.filtered:
     * the hosts are down or a firewall drops everything).
     */
    static Judgement classify(List<HostResult> hosts, double ms) {
        long total = hosts.stream().mapToLong(HostResult::total).sum();
        long count = hosts.stream().mapToLong(HostResult::count).sum();
        long answered = hosts.stream().mapToLong(h -> (long) h.count() * (h.open().size() + h.closed())).sum();
        long unreachable = hosts.stream().mapToLong(h -> (long) h.count() * h.unreachable()).sum();
        String scanned = "scanned " + total + " port" + (total == 1 ? "" : "s") + " on " + count + " host"
                + (count == 1 ? "" : "s") + " in " + Endpoint.human(ms) + ": ";
        List<String> lines = new ArrayList<>(hosts.stream().limit(SUMMARY_RUNS).map(TcpScanProbe::line).toList());
        if (hosts.size() > SUMMARY_RUNS) lines.add("and " + (hosts.size() - SUMMARY_RUNS) + " more (in the hosts fact)");
        String body = String.join("; ", lines);
        if (answered == 0 && unreachable == total) {
            return new Judgement(Status.FAIL, "host.unreachable", "all-unreachable", scanned + "every port unreachable: " + body);
        }
        if (answered == 0 && unreachable == 0) {
            return new Judgement(Status.FAIL, "tcp.filtered", "all-filtered", scanned + "no port answered (" + body
                    + "): the host is down or a firewall drops everything");
        }
        return new Judgement(Status.OK, null, "scanned", scanned + body);
    }

    /** Pure: consecutive addresses ({@code 127.1.0.7}, {@code 127.1.0.8}) whose ports came out alike, tallied once per run. */
    static List<HostResult> runs(List<InetAddress> addresses, List<Integer> ports, byte[][] states) {
        List<HostResult> out = new ArrayList<>();
        int i = 0;
        while (i < states.length) {
            int j = i;
            while (j + 1 < states.length && Arrays.equals(states[j + 1], states[i]) && ScanTargets.follows(addresses.get(j), addresses.get(j + 1))) j++;
            String first = Addresses.text(addresses.get(i));
            out.add(tally(j == i ? first : first + "-" + Addresses.text(addresses.get(j)), j - i + 1, ports, states[i]));
            i = j + 1;
        }
        return out;
    }

    static HostResult tally(String address, int count, List<Integer> ports, byte[] states) {
        List<Integer> open = new ArrayList<>();
        List<Integer> filtered = new ArrayList<>();
        int closed = 0;
        int unreachable = 0;
        for (int i = 0; i < ports.size(); i++) {
            switch (State.values()[states[i]]) {
                case OPEN -> open.add(ports.get(i));
                case CLOSED -> closed++;
                case FILTERED -> filtered.add(ports.get(i));
                case UNREACHABLE -> unreachable++;
            }
        }
        return new HostResult(address, count, open, closed, filtered, unreachable);
    }

    /** {@code 198.18.1.2 open 22,8080, 65033 closed, 500 filtered (9000-9499)}; a run: {@code 127.1.0.0-127.1.0.9 (10 hosts, each) ...}. */
    static String line(HostResult h) {
        List<String> parts = new ArrayList<>();
        parts.add(h.open().isEmpty() ? "no open port" : "open " + ParamType.format(h.open()));
        if (h.closed() > 0) parts.add(h.closed() + " closed");
        if (!h.filtered().isEmpty()) parts.add(h.filtered().size() + " filtered (" + ranges(h.filtered(), 10) + ")");
        if (h.unreachable() > 0) parts.add(h.unreachable() + " unreachable");
        return h.address() + (h.count() == 1 ? " " : " (" + h.count() + " hosts, each) ") + String.join(", ", parts);
    }

    /** {@code 81,9000-9499}, at most {@code max} items then {@code ...}. */
    static String ranges(List<Integer> ports, int max) {
        List<String> out = new ArrayList<>();
        TreeSet<Integer> sorted = new TreeSet<>(ports);
        Integer start = null;
        Integer prev = null;
        for (int p : sorted) {
            if (prev != null && p == prev + 1) {
                prev = p;
                continue;
            }
            if (start != null) out.add(start.equals(prev) ? "" + start : start + "-" + prev);
            start = p;
            prev = p;
        }
        if (start != null) out.add(start.equals(prev) ? "" + start : start + "-" + prev);
        return out.size() <= max ? String.join(",", out) : String.join(",", out.subList(0, max)) + ",...";
    }

    private static Map<String, Object> fact(HostResult h) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("address", h.address());
        m.put("count", h.count());
        m.put("open", h.open());
        m.put("closed", h.closed());
        m.put("filtered", h.filtered().size());
        m.put("unreachable", h.unreachable());
        if (!h.filtered().isEmpty()) m.put("filtered_ports", ranges(h.filtered(), 1000));
        return m;
    }
}
