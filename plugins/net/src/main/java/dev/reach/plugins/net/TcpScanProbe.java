package dev.reach.plugins.net;

import dev.reach.spi.Addresses;
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
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * Scans many hosts × ports at once with non-blocking connects (through FFM: one poll over all in flight) and classifies each port open, closed,
 * filtered or unreachable.
 *
 * <pre>
 * $ reach probe tcp.scan hosts=198.18.1.2 ports=1-65535
 * ok: scanned 65535 ports on 1 host in 2.1s: 198.18.1.2 open 22,8080; 65033 closed; 500 filtered (9000-9499)
 * </pre>
 *
 * <p>Timeouts adapt: the first answers (SYN-ACK or RST) give a smoothed RTT and its variance (RFC 6298), and
 * an unanswered port is given up after {@code max(floor, 2·srtt + 4·rttvar)} instead of the full
 * {@code timeout}, then tried once more ({@code retries}) before it is called filtered. The
 * {@link ScanEngine} does the work; this class is the spec, the judgement and the words.
 */
@Extension
public final class TcpScanProbe implements Probe {

    static final ProbeSpec SPEC = ProbeSpec.builder("tcp.scan", "Scans hosts × ports with TCP connects: open, closed, filtered or unreachable")
            .param(Param.list("hosts", "names or addresses to scan").required())
            .param(Param.ports("ports", "ports and ranges, e.g. 22,80,8000-8100 or 1-65535").required())
            .param(Param.integer("concurrency", "connects in flight at once").defaultValue(1024).range(1, 8192))
            .param(Param.integer("rate", "connects started per second; 0 for no limit").defaultValue(0).range(0, 1_000_000))
            .param(Param.duration("timeout", "longest wait for one port (before RTTs are known, and the cap after)").defaultValue("1s").range("1ms", "1m"))
            .param(Param.integer("retries", "extra tries for a port that did not answer").defaultValue(1).range(0, 5))
            .param(Param.choice("family", "address family: any, 4 or 6", "any", "4", "6").defaultValue("any"))
            .intrusive()
            .fact("outcome", "string", "scanned, all-filtered, all-unreachable, unresolved")
            .fact("open", "list", "every open host:port")
            .fact("hosts", "list", "per host: address, open (ports), closed, filtered, unreachable (counts), filtered_ports (ranges)")
            .fact("scanned", "integer", "ports tried, over all hosts")
            .fact("srtt_ms", "number", "smoothed RTT of the answers")
            .fact("final_timeout_ms", "number", "the adapted wait for an unanswered port at the end")
            .fact("workers", "integer", "threads the scan was split over (one per core for large scans)")
            .fact("scan_ms", "number", "time the scan took")
            .fact("rate_pps", "number", "connects per second achieved")
            .needs(Needs.NOTHING)
            .example("reach probe tcp.scan hosts=198.18.1.2 ports=1-1024")
            .example("reach probe tcp.scan hosts=198.18.1.2,198.18.1.3 ports=22,80,443,5432 rate=200")
            .build();

    /** One port's fate. */
    enum State { OPEN, CLOSED, FILTERED, UNREACHABLE }

    /** Per-host tally. */
    record HostResult(String address, List<Integer> open, int closed, List<Integer> filtered, int unreachable) {
        int total() {
            return open.size() + closed + filtered.size() + unreachable;
        }
    }

    record Classified(Status status, String cause, String outcome, String summary) {
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
        List<InetAddress> targets = new ArrayList<>();
        for (String h : p.list("hosts")) {
            try {
                targets.add(Endpoint.resolve(h, p.string("family")));
            } catch (UnknownHostException e) {
                return Endpoint.unresolved(h, e);
            }
        }
        if (targets.isEmpty()) {
            return Observation.error("hosts= names no host").fact("outcome", "error").build();
        }
        List<Integer> ports = p.ports("ports");
        ScanEngine engine = new ScanEngine(targets, ports, (int) p.integer("concurrency"), (int) p.integer("rate"),
                p.duration("timeout"), (int) p.integer("retries"), Runtime.getRuntime().availableProcessors());
        long t0 = System.nanoTime();
        ScanEngine.Result r;
        try {
            r = engine.run(ctx);
        } catch (NativeSocket.Failure e) {
            return Observation.error("scan failed: " + e.getMessage() + (e.errno() == 24 ? " (too many open files: lower concurrency)" : ""))
                    .fact("outcome", "error").build();
        }
        double ms = Endpoint.millis(System.nanoTime() - t0);
        List<HostResult> hosts = new ArrayList<>();
        for (int h = 0; h < targets.size(); h++) {
            hosts.add(tally(Addresses.text(targets.get(h)), ports, r.states()[h]));
        }
        Classified c = classify(hosts, ms);
        Observation.Builder b = Observation.of(c.status(), c.summary()).cause(c.cause()).fact("outcome", c.outcome());
        List<String> open = new ArrayList<>();
        for (int h = 0; h < hosts.size(); h++) {
            for (int port : hosts.get(h).open()) open.add(Endpoint.of(targets.get(h), port));
        }
        b.fact("open", open).fact("hosts", hosts.stream().map(TcpScanProbe::fact).toList())
                .fact("scanned", (long) targets.size() * ports.size()).fact("srtt_ms", EchoStats.round3(r.srttMs()))
                .fact("final_timeout_ms", EchoStats.round3(r.timeoutMs())).fact("scan_ms", ms)
                .fact("rate_pps", Math.round(r.attempts() / Math.max(ms / 1000, 1e-3))).fact("workers", engine.workers());
        b.evidence(String.format(Locale.ROOT, "%d connects (%d retries) in %s on %d thread%s, srtt %.3fms, wait for silence %.1fms at the end",
                r.attempts(), r.attempts() - (long) targets.size() * ports.size(), Endpoint.human(ms), engine.workers(),
                engine.workers() == 1 ? "" : "s", r.srttMs(), r.timeoutMs()));
        hosts.forEach(h -> b.evidence(line(h)));
        return b.build();
    }

    /**
     * Judges the tallies. Pure. A scan that ran is ok, whatever it found (it is an inventory), unless no port on
     * any host answered at all: every port unreachable (host.unreachable) or every port silent (tcp.filtered:
     * the hosts are down or a firewall drops everything).
     */
    static Classified classify(List<HostResult> hosts, double ms) {
        int total = hosts.stream().mapToInt(HostResult::total).sum();
        long answered = hosts.stream().mapToLong(h -> h.open().size() + h.closed()).sum();
        long unreachable = hosts.stream().mapToLong(HostResult::unreachable).sum();
        String scanned = "scanned " + total + " port" + (total == 1 ? "" : "s") + " on " + hosts.size() + " host"
                + (hosts.size() == 1 ? "" : "s") + " in " + Endpoint.human(ms) + ": ";
        String body = String.join("; ", hosts.stream().map(TcpScanProbe::line).toList());
        if (answered == 0 && unreachable == total) {
            return new Classified(Status.FAIL, "host.unreachable", "all-unreachable", scanned + "every port unreachable: " + body);
        }
        if (answered == 0 && unreachable == 0) {
            return new Classified(Status.FAIL, "tcp.filtered", "all-filtered", scanned + "no port answered (" + body
                    + "): the host is down or a firewall drops everything");
        }
        return new Classified(Status.OK, null, "scanned", scanned + body);
    }

    static HostResult tally(String address, List<Integer> ports, byte[] states) {
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
        return new HostResult(address, open, closed, filtered, unreachable);
    }

    /** {@code 198.18.1.2 open 22,8080; 65033 closed; 500 filtered (9000-9499)}. */
    static String line(HostResult h) {
        List<String> parts = new ArrayList<>();
        parts.add(h.open().isEmpty() ? "no open port" : "open " + ParamType.format(h.open()));
        if (h.closed() > 0) parts.add(h.closed() + " closed");
        if (!h.filtered().isEmpty()) parts.add(h.filtered().size() + " filtered (" + ranges(h.filtered(), 10) + ")");
        if (h.unreachable() > 0) parts.add(h.unreachable() + " unreachable");
        return h.address() + " " + String.join(", ", parts);
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
        m.put("open", h.open());
        m.put("closed", h.closed());
        m.put("filtered", h.filtered().size());
        m.put("unreachable", h.unreachable());
        if (!h.filtered().isEmpty()) m.put("filtered_ports", ranges(h.filtered(), 1000));
        return m;
    }
}
