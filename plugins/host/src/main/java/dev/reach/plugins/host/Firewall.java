package dev.reach.plugins.host;

import dev.reach.spi.Addresses;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * A firewall ruleset reduced to what decides one flow, from nftables or iptables: base chains on hooks,
 * rules made of conditions and an action, and the walk the kernel does through them. A condition the
 * model cannot decide for the flow (an interface name, a mark, an xt match) is MAYBE: the walk assumes it
 * does not match and remembers it, so a verdict never hides a rule that might have decided instead.
 */
final class Firewall {
    private static final int MAX_DEPTH = 16;

    private Firewall() {
    }

    /** The flow asked about; src/dst null when not given (any), port 0 when none. */
    record Flow(String direction, String proto, InetAddress src, InetAddress dst, int port, boolean v6) {
        String text() {
            return direction + " " + proto + " " + (src == null ? "any" : Addresses.text(src)) + " -> "
                    + (dst == null ? "any" : Addresses.text(dst)) + (port > 0 ? " port " + port : "");
        }
    }

    enum Match {
        YES, NO, MAYBE;

        Match and(Match other) {
            return this == NO || other == NO ? NO : this == MAYBE || other == MAYBE ? MAYBE : YES;
        }

        Match not() {
            return this == YES ? NO : this == NO ? YES : MAYBE;
        }

        static Match of(boolean b) {
            return b ? YES : NO;
        }
    }

    /** A condition of a rule; {@code text} says what it tests, for the MAYBE evidence. */
    record Cond(String text, Function<Flow, Match> test) {
    }

    sealed interface Action {
    }

    /** accept, drop or reject (with its type, e.g. tcp reset). */
    record Verdict(String verdict, String detail) implements Action {
    }

    record Jump(String chain, boolean isGoto) implements Action {
    }

    record Return() implements Action {
    }

    /** Counters, logs, marks: the walk goes on. */
    record Continue() implements Action {
    }

    record Rule(String text, List<Cond> conds, Action action) {
        Match test(Flow f) {
            Match m = Match.YES;
            for (Cond c : conds) {
                m = m.and(c.test().apply(f));
            }
            return m;
        }
    }

    /**
     * A chain; {@code hook} is empty for a regular chain. {@code family} is ip, ip6 or inet; {@code table}
     * scopes jumps; {@code where} names it for people ({@code table inet f chain input}).
     */
    record Chain(String family, String table, String name, String hook, int prio, String policy, List<Rule> rules) {
        String where() {
            return "table " + family + " " + table + " chain " + name;
        }
    }

    /** The decision for a flow: verdict, the rule (or policy) that gave it, and what was walked. */
    record Outcome(String verdict, String detail, String rule, String chain, List<String> trace, List<String> maybes) {
        boolean byPolicy() {
            return rule.startsWith("policy ");
        }
    }

    /** The hooks a packet of this direction passes, in order. */
    static List<String> hooks(String direction) {
        return switch (direction) {
            case "in" -> List.of("prerouting", "input");
            case "out" -> List.of("output", "postrouting");
            default -> List.of("prerouting", "forward", "postrouting");
        };
    }

    /** Walks every base chain the flow passes; empty verdict "none" when no chain is on its way. */
    static Outcome evaluate(List<Chain> chains, Flow flow) {
        List<String> hooks = hooks(flow.direction());
        List<Chain> base = chains.stream()
                .filter(c -> hooks.contains(c.hook()))
                .filter(c -> c.family().equals("inet") || c.family().equals(flow.v6() ? "ip6" : "ip"))
                .sorted(Comparator.comparingInt((Chain c) -> hooks.indexOf(c.hook())).thenComparingInt(Chain::prio))
                .toList();
        Map<String, Chain> byName = new java.util.HashMap<>();
        chains.forEach(c -> byName.put(c.family() + " " + c.table() + " " + c.name(), c));
        List<String> trace = new ArrayList<>();
        List<String> maybes = new ArrayList<>();
        Outcome last = null;
        for (Chain c : base) {
            trace.add("walk " + c.where() + " (hook " + c.hook() + ", priority " + c.prio() + ", policy " + c.policy() + ")");
            Outcome o = walk(c, byName, flow, trace, maybes, 0);
            if (o == null) {
                o = new Outcome(c.policy(), "", "policy " + c.policy(), c.where(), trace, maybes);
            }
            if (!o.verdict().equals("accept")) {
                return new Outcome(o.verdict(), o.detail(), o.rule(), o.chain(), trace, maybes);
            }
            last = o;
        }
        if (last == null) {
            return new Outcome("accept", "", "no chain", "", trace, maybes);
        }
        return new Outcome("accept", last.detail(), last.rule(), last.chain(), trace, maybes);
    }

    /** The verdict a chain reaches, or null when the walk falls off its end or returns. */
    private static Outcome walk(Chain c, Map<String, Chain> chains, Flow f, List<String> trace, List<String> maybes, int depth) {
        if (depth > MAX_DEPTH) {
            trace.add("  jumps nest deeper than " + MAX_DEPTH + " in " + c.where() + ": stopped there");
            return null;
        }
        for (Rule r : c.rules()) {
            Match m = r.test(f);
            if (m == Match.NO || r.action() instanceof Continue) {
                continue;
            }
            if (m == Match.MAYBE) {
                String unsure = r.conds().stream().filter(x -> x.test().apply(f) == Match.MAYBE).map(Cond::text).toList().toString();
                maybes.add(c.where() + ": " + r.text() + " (cannot tell " + unsure + ")");
                continue;
            }
            trace.add("  matches " + c.where() + ": " + r.text());
            switch (r.action()) {
                case Verdict v -> {
                    return new Outcome(v.verdict(), v.detail(), r.text(), c.where(), trace, maybes);
                }
                case Jump j -> {
                    Chain target = chains.get(c.family() + " " + c.table() + " " + j.chain());
                    if (target == null) {
                        trace.add("  jump target " + j.chain() + " does not exist");
                        continue;
                    }
                    Outcome o = walk(target, chains, f, trace, maybes, depth + 1);
                    if (o != null || j.isGoto()) {
                        return o;
                    }
                }
                case Return ret -> {
                    return null;
                }
                case Continue cont -> {
                }
            }
        }
        return null;
    }
}
