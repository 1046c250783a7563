package dev.reach.plugins.host;

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

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The packets the kernel dropped during a window, by the kernel's own reason and the place in its code: the
 * {@code skb:kfree_skb} tracepoint read through tracefs ({@link DropTrace}), as {@code perf trace -e skb:kfree_skb},
 * dropwatch and pwru show them, but counted and tied to the causes reach names. With {@code baseline} it first
 * watches as long again for the drops that happen anyway, so what grew during the window stands out.
 *
 * <pre>
 * $ reach probe kernel.drops timeout=3s
 * warn [firewall.local]: the kernel dropped 3 packets in 3s, 3 by a netfilter rule (NETFILTER_DROP at nf_hook_slow)
 *   NETFILTER_DROP ×3 at nf_hook_slow+0x91/0x100
 * </pre>
 */
@Extension
public final class KernelDropsProbe implements Probe {
    /** The reasons that name a cause of the catalogue by themselves, and what to call them. */
    static final Map<String, String[]> MEANING = meanings();

    static final ProbeSpec SPEC = ProbeSpec.builder("kernel.drops", "Counts the packets the kernel drops, by its own reason")
            .param(Param.duration("timeout", "how long to watch").defaultValue("2s").range("50ms", "1m"))
            .param(Param.duration("baseline", "watch this long first for the drops that happen anyway (0s: none)")
                    .defaultValue("0s").range("0s", "1m"))
            .fact("outcome", "string", "dropped (a reason that names a cause), other (drops of other reasons), none, or unavailable")
            .fact("total", "integer", "packets dropped in the window (IPv4 and IPv6, the whole machine)")
            .fact("reasons", "map", "count by drop reason (NETFILTER_DROP, IP_RPFILTER, NO_SOCKET, TCP_LISTEN_OVERFLOW, ...)")
            .fact("drops", "list", "REASON ×COUNT at LOCATION, most first")
            .fact("baseline", "map", "count by reason in the baseline window, when one was watched")
            .fact("lost", "integer", "events the trace buffer could not hold")
            .needs(new Needs(true, List.of(), List.of(), "tracefs"))
            .example("reach probe kernel.drops timeout=3s")
            .example("reach probe kernel.drops timeout=5s baseline=5s")
            .about("The packets the kernel drops while it watches, by the kernel's own reason (`skb:kfree_skb` through tracefs:"
                    + " NETFILTER_DROP, IP_RPFILTER, NO_SOCKET, TCP_LISTEN_OVERFLOW, NEIGH_FAILED, PKT_TOO_BIG, ...) and kernel"
                    + " location; the whole machine, every namespace. Root only (Linux 5.17 or later).")
            .causes("firewall.local", "rpfilter.drop", "listen.overflow", "mtu.blackhole", "route.none", "gateway.unreachable")
            .build();

    @Override
    public ProbeSpec spec() {
        return SPEC;
    }

    @Override
    public Observation run(ProbeContext ctx, Params params) {
        Duration baseline = params.duration("baseline");
        Duration window = params.duration("timeout");
        DropTrace.Counts counts;
        try (DropTrace trace = DropTrace.start(ctx)) {
            if (!baseline.isZero()) {
                ctx.progress("watching the kernel's drops for a baseline of " + ParamType.format(baseline));
                if (!sleep(ctx, baseline)) {
                    return Observation.skipped("cut short during the baseline").fact("outcome", "unavailable").build();
                }
                trace.markWindow();
            }
            ctx.progress("watching the kernel's drops for " + ParamType.format(window));
            boolean whole = sleep(ctx, window);
            counts = trace.stop();
            if (!whole) {
                counts = new DropTrace.Counts(counts.window(), counts.baseline(), counts.lost(),
                        plus(counts.notes(), "cut short before " + ParamType.format(window)));
            }
        } catch (IOException e) {
            return Observation.skipped(e.getMessage()).fact("outcome", "unavailable").build();
        }
        return judge(counts, window, !baseline.isZero()).build();
    }

    /** From the counts to the observation. Pure. */
    static Observation.Builder judge(DropTrace.Counts c, Duration window, boolean withBaseline) {
        Map<String, Integer> reasons = byReason(c.window());
        Map<String, Integer> base = byReason(c.baseline());
        String named = null;
        int most = 0;
        for (var e : reasons.entrySet()) {
            int grew = e.getValue() - (withBaseline ? base.getOrDefault(e.getKey(), 0) : 0);
            if (MEANING.containsKey(e.getKey()) && grew > most) {
                named = e.getKey();
                most = grew;
            }
        }
        String in = " in " + ParamType.format(window);
        Observation.Builder b;
        if (c.total() == 0) {
            b = Observation.ok("the kernel dropped no IPv4/IPv6 packet" + in).fact("outcome", "none");
        } else if (named == null) {
            b = Observation.ok("the kernel dropped " + c.total() + " packet" + (c.total() == 1 ? "" : "s") + in + ", none for a reason"
                    + " that names a fault: " + top(c.window())).fact("outcome", "other");
        } else {
            String reason = named;
            String[] m = MEANING.get(reason);
            b = Observation.of(Status.WARN, "the kernel dropped " + c.total() + " packet" + (c.total() == 1 ? "" : "s") + in + ", "
                    + c.of(reason) + " " + m[1] + " (" + reason + " at " + c.window().stream().filter(d -> d.reason().equals(reason))
                    .findFirst().map(DropTrace.Drop::function).orElse("?") + ")"
                    + (withBaseline ? "; " + base.getOrDefault(reason, 0) + " in the baseline before" : ""))
                    .cause(m[0]).fact("outcome", "dropped");
        }
        b.fact("total", c.total()).fact("reasons", reasons).fact("drops", c.window().stream().map(DropTrace.Drop::text).toList())
                .fact("lost", c.lost());
        if (withBaseline) {
            b.fact("baseline", base);
        }
        c.notes().forEach(b::evidence);
        c.window().stream().limit(12).forEach(d -> b.evidence(d.text()));
        if (withBaseline) {
            b.evidence("baseline: " + (c.baseline().isEmpty() ? "no drop" : top(c.baseline())));
        }
        if (c.lost() > 0) {
            b.evidence(c.lost() + " events were lost (the trace buffer was full): the counts are low");
        }
        b.evidence("the tracepoint sees the whole machine (every network namespace); it carries no addresses");
        return b;
    }

    static Map<String, Integer> byReason(List<DropTrace.Drop> drops) {
        Map<String, Integer> out = new LinkedHashMap<>();
        drops.forEach(d -> out.merge(d.reason(), d.count(), Integer::sum));
        return out;
    }

    private static String top(List<DropTrace.Drop> drops) {
        return String.join(", ", drops.stream().limit(3).map(DropTrace.Drop::text).toList());
    }

    /** Sleeps in slices so a cancelled run stops it; false when it was cut short. */
    static boolean sleep(ProbeContext ctx, Duration d) {
        long end = System.nanoTime() + ctx.bound(d).toNanos();
        for (int i = 0; i < 100_000; i++) {
            long left = end - System.nanoTime();
            if (left <= 0) return true;
            if (ctx.cancelled() || Thread.currentThread().isInterrupted()) return false;
            try {
                Thread.sleep(Duration.ofNanos(Math.min(left, 20_000_000)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }

    private static List<String> plus(List<String> list, String more) {
        List<String> out = new ArrayList<>(list);
        out.add(more);
        return out;
    }

    private static Map<String, String[]> meanings() {
        Map<String, String[]> m = new LinkedHashMap<>();
        m.put("NETFILTER_DROP", new String[]{"firewall.local", "by a netfilter rule"});
        m.put("IP_RPFILTER", new String[]{"rpfilter.drop", "by reverse-path filtering (rp_filter)"});
        m.put("TCP_LISTEN_OVERFLOW", new String[]{"listen.overflow", "because a listener's accept queue was full"});
        m.put("PKT_TOO_BIG", new String[]{"mtu.blackhole", "for being larger than the path's MTU"});
        m.put("IP_INNOROUTES", new String[]{"route.none", "for want of a route"});
        m.put("IP_OUTNOROUTES", new String[]{"route.none", "for want of a route"});
        m.put("NEIGH_FAILED", new String[]{"gateway.unreachable", "because a next hop did not answer ARP/ND"});
        return Map.copyOf(m);
    }
}
