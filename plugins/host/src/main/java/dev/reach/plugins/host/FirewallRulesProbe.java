package dev.reach.plugins.host;

import dev.reach.plugins.host.Firewall.Chain;
import dev.reach.plugins.host.Firewall.Flow;
import dev.reach.plugins.host.Firewall.Outcome;
import dev.reach.spi.Judgement;
import dev.reach.spi.Needs;
import dev.reach.spi.Observation;
import dev.reach.spi.Param;
import dev.reach.spi.Params;
import dev.reach.spi.Probe;
import dev.reach.spi.ProbeContext;
import dev.reach.spi.ProbeSpec;
import dev.reach.spi.Status;
import org.pf4j.Extension;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Evaluates a flow (direction, protocol, source, destination, port) against this host's firewall — the
 * nftables ruleset, or iptables where nft is missing or holds iptables-nft tables — and names the first
 * rule that decides it, with its chain and table.
 *
 * <pre>
 * $ reach probe firewall.rules direction=in proto=tcp src=198.18.0.1 dst=198.18.0.2 port=8082
 * fail [firewall.local]: in tcp 198.18.0.1 -> 198.18.0.2 port 8082 is dropped by "tcp dport 8082 drop" (table inet f chain input)
 *   matches table inet f chain input: tcp dport 8082 drop
 * </pre>
 */
@Extension
public final class FirewallRulesProbe implements Probe {

    static final ProbeSpec SPEC = ProbeSpec.builder("firewall.rules", "Finds the local firewall rule that decides a flow, and its verdict")
            .param(Param.choice("direction", "in (to this host), out (from it) or forward (through it)", "in", "out", "forward")
                    .defaultValue("in"))
            .param(Param.choice("proto", "layer-4 protocol", "tcp", "udp", "icmp").defaultValue("tcp"))
            .param(Param.host("src", "source address of the flow (default: any)"))
            .param(Param.host("dst", "destination address of the flow (default: any)"))
            .param(Param.port("port", "destination port"))
            .param(Param.duration("timeout", "how long to wait for nft or iptables-save").defaultValue("5s").range("100ms", "1m"))
            .fact("verdict", "string", "accept, drop or reject")
            .fact("rule", "string", "the rule that decided (or 'policy drop' of the chain)")
            .fact("chain", "string", "table and chain of that rule")
            .fact("backend", "string", "nft, iptables, or nft+iptables (iptables-nft tables read through iptables-save)")
            .fact("undecided", "list", "rules before the verdict whose conditions this probe cannot evaluate")
            .fact("counter_packets", "integer", "the deciding rule's packet counter, where it has one (nft)")
            .fact("flow", "string", "the flow evaluated")
            .needs(Needs.root("CAP_NET_ADMIN").withNote("nft or iptables-save"))
            .example("reach probe firewall.rules direction=in proto=tcp dst=198.18.0.2 port=5432")
            .example("reach probe firewall.rules direction=out proto=udp dst=198.18.0.53 port=53")
            .about("Evaluates a flow against nftables/iptables and names the first rule that decides it, with chain and "
                    + "table (`firewall.local`).")
            .causes("firewall.local")
            .build();

    /** The chains read and where from; {@code problem} non-empty when they could not be read. */
    record Ruleset(List<Chain> chains, String backend, String problem, List<String> notes, String listing) {
        Ruleset(List<Chain> chains, String backend, String problem, List<String> notes) {
            this(chains, backend, problem, notes, "");
        }
    }

    @Override
    public ProbeSpec spec() {
        return SPEC;
    }

    @Override
    public Observation run(ProbeContext ctx, Params params) {
        InetAddress src;
        InetAddress dst;
        try {
            src = params.has("src") ? InetAddress.getByName(params.string("src")) : null;
            dst = params.has("dst") ? InetAddress.getByName(params.string("dst")) : null;
        } catch (UnknownHostException e) {
            return Observation.error("address did not resolve: " + e.getMessage()).build();
        }
        boolean v6 = src instanceof Inet6Address || dst instanceof Inet6Address;
        if (src != null && dst != null && (src instanceof Inet6Address) != (dst instanceof Inet6Address)) {
            return Observation.error("src and dst are of different address families; give two IPv4 or two IPv6 addresses").build();
        }
        Flow flow = new Flow(params.string("direction"), params.string("proto"), src, dst,
                params.has("port") ? params.port("port") : 0, v6);
        ctx.progress("reading the firewall ruleset");
        Ruleset rs = read(ctx, params.duration("timeout"), v6);
        if (!rs.problem().isEmpty()) {
            return Observation.skipped(rs.problem()).fact("flow", flow.text()).build();
        }
        Outcome o = Firewall.evaluate(rs.chains(), flow);
        Judgement c = classify(o, flow);
        Observation.Builder b = c.observation().fact("verdict", o.verdict())
                .fact("rule", o.rule()).fact("chain", o.chain().isEmpty() ? null : o.chain()).fact("backend", rs.backend())
                .fact("undecided", o.maybes()).fact("flow", flow.text());
        long counter = o.byPolicy() || o.chain().isEmpty() ? -1 : NftRuleset.counter(rs.listing(), o.chain(), o.rule());
        if (counter >= 0) {
            b.fact("counter_packets", counter);
            b.evidence("the rule's counter: " + counter + " packets");
        }
        rs.notes().forEach(b::evidence);
        o.trace().stream().limit(30).forEach(b::evidence);
        o.maybes().stream().limit(10).forEach(m -> b.evidence("undecided: " + m));
        return b.build();
    }

    /** From the walk's outcome to status and cause. Pure. */
    static Judgement classify(Outcome o, Flow flow) {
        String where = o.chain().isEmpty() ? "" : " (" + o.chain() + ")";
        String unsure = o.maybes().isEmpty() ? "" : "; " + o.maybes().size() + " earlier rule(s) could not be evaluated for this flow"
                + " (interfaces, marks, sets), see undecided";
        if (!o.verdict().equals("accept")) {
            String how = o.verdict().equals("reject") ? "rejected" + (o.detail().isEmpty() ? "" : " (" + o.detail() + ")") : "dropped";
            String by = o.byPolicy() ? "by the chain's policy " + o.verdict() + ": no rule accepts it" : "by \"" + o.rule() + "\"";
            return new Judgement(Status.FAIL, "firewall.local", flow.text() + " is " + how + " " + by + where
                    + unsure + "; allow it with a rule before that one, or remove the rule");
        }
        String by = o.rule().equals("no chain") ? "no firewall chain filters this direction"
                : o.byPolicy() ? "no rule matches; the policy accepts it" : "accepted by \"" + o.rule() + "\"";
        if (!o.maybes().isEmpty()) {
            return new Judgement(Status.WARN, null, flow.text() + ": " + by + where + unsure);
        }
        return new Judgement(Status.OK, null, flow.text() + ": " + by + where);
    }

    private static Ruleset read(ProbeContext ctx, Duration timeout, boolean v6) {
        List<String> notes = new ArrayList<>();
        List<String> bad = new ArrayList<>();
        boolean nft = ctx.privileges().tool("nft").isPresent();
        boolean ipt = ctx.privileges().tool(v6 ? "ip6tables-save" : "iptables-save").isPresent();
        if (!nft && !ipt) {
            return new Ruleset(List.of(), "", "neither nft nor iptables-save is installed: the firewall cannot be read", notes);
        }
        List<Chain> chains = new ArrayList<>();
        String backend = "iptables";
        String listing = "";
        if (nft) {
            Exec json = Exec.run(ctx, timeout, "nft", "-j", "list", "ruleset");
            if (!json.ok()) {
                return new Ruleset(List.of(), "nft", "nft -j list ruleset failed: " + json.why()
                        + (ctx.privileges().root() ? "" : " (reading the ruleset needs root or CAP_NET_ADMIN)"), notes);
            }
            Exec text = Exec.run(ctx, timeout, "nft", "-a", "list", "ruleset");
            listing = text.out();
            try {
                chains.addAll(NftRuleset.parse(json.out(), NftRuleset.texts(text.out()), bad));
            } catch (IllegalArgumentException e) {
                return new Ruleset(List.of(), "nft", "nft -j printed a ruleset this probe cannot read: " + e.getMessage(), notes);
            }
            backend = "nft";
            Set<String> iptablesTables = new HashSet<>();
            chains.stream().filter(c -> c.rules().stream().anyMatch(r -> r.conds().stream().anyMatch(x -> x.text().startsWith("iptables match"))
                    || r.action() instanceof Firewall.Verdict v && v.detail().equals("(iptables REJECT)")))
                    .forEach(c -> iptablesTables.add(c.family() + " " + c.table()));
            if (!iptablesTables.isEmpty() && ipt) {
                Exec save = Exec.run(ctx, timeout, v6 ? "ip6tables-save" : "iptables-save");
                List<Chain> fromSave = IptablesSave.parse(save.out(), v6 ? "ip6" : "ip", bad).stream()
                        .filter(c -> iptablesTables.contains(c.family() + " " + c.table())).toList();
                chains.removeIf(c -> iptablesTables.contains(c.family() + " " + c.table()));
                chains.addAll(fromSave);
                backend = "nft+iptables";
                notes.add("tables " + iptablesTables + " are iptables-nft's: read through " + save.line());
            }
        } else {
            Exec save = Exec.run(ctx, timeout, v6 ? "ip6tables-save" : "iptables-save");
            if (!save.ok() || save.out().isBlank() && !save.err().isBlank()) {
                return new Ruleset(List.of(), "iptables", save.line() + " failed: " + save.why()
                        + (ctx.privileges().root() ? "" : " (reading the rules needs root or CAP_NET_ADMIN)"), notes);
            }
            chains.addAll(IptablesSave.parse(save.out(), v6 ? "ip6" : "ip", bad));
        }
        bad.stream().limit(5).forEach(l -> notes.add("skipped a rule this probe cannot read: " + l));
        return new Ruleset(chains, backend, "", notes, listing);
    }
}
