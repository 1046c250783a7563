package dev.reach.plugins.host;

import dev.reach.plugins.host.Firewall.Action;
import dev.reach.plugins.host.Firewall.Chain;
import dev.reach.plugins.host.Firewall.Cond;
import dev.reach.plugins.host.Firewall.Rule;
import dev.reach.plugins.host.FlowConds.PortRange;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads {@code nft -j list ruleset} into chains. Rule text comes from {@code nft -a list ruleset} (the
 * handles tie the two together) because the JSON has none. iptables-nft rules appear here too; their
 * {@code xt} matches carry no detail in JSON and become conditions this reader cannot decide.
 */
final class NftRuleset {
    private static final Pattern TABLE = Pattern.compile("^table (\\S+) (\\S+) \\{");
    private static final Pattern CHAIN = Pattern.compile("^chain (\\S+) \\{");
    private static final Pattern HANDLE = Pattern.compile("^(.*?)\\s*# handle (\\d+)$");
    private static final Pattern COUNTER = Pattern.compile(" counter packets \\d+ bytes \\d+");

    private NftRuleset() {
    }

    /** Rule texts by {@code family table chain handle}, from {@code nft -a list ruleset}; counters left out. */
    static Map<String, String> texts(String listing) {
        Map<String, String> out = new HashMap<>();
        lines(listing, (table, chain, handle, text) -> out.put(table + " " + chain + " " + handle, COUNTER.matcher(text).replaceAll("")));
        return out;
    }

    /** A rule line of {@code nft -a list ruleset}: its table ({@code FAMILY NAME}), chain, handle and text (counter included). */
    private interface RuleLine {
        void take(String table, String chain, String handle, String text);
    }

    private static void lines(String listing, RuleLine each) {
        String table = "";
        String chain = "";
        for (String raw : listing.lines().toList()) {
            String line = raw.strip();
            Matcher t = TABLE.matcher(line);
            Matcher c = CHAIN.matcher(line);
            Matcher h = HANDLE.matcher(line);
            if (t.find()) {
                table = t.group(1) + " " + t.group(2);
            } else if (c.find()) {
                chain = c.group(1);
            } else if (h.matches() && !line.startsWith("type ")) {
                each.take(table, chain, h.group(2), h.group(1));
            }
        }
    }

    private static final Pattern PACKETS = Pattern.compile(" counter packets (\\d+) bytes \\d+");

    /**
     * The packet counter of the rule {@code text} in {@code chain} ({@code table FAMILY TABLE chain NAME}, as {@link
     * Firewall.Outcome#chain()} says it) in {@code nft -a list ruleset}; -1 when that rule has no counter or is not there.
     */
    static long counter(String listing, String chain, String text) {
        long[] found = {-1};
        lines(listing, (table, name, handle, line) -> {
            if (found[0] < 0 && chain.equals("table " + table + " chain " + name) && COUNTER.matcher(line).replaceAll("").equals(text)) {
                Matcher p = PACKETS.matcher(line);
                found[0] = p.find() ? Long.parseLong(p.group(1)) : -1;
            }
        });
        return found[0];
    }

    static List<Chain> parse(String json, Map<String, String> texts, List<String> bad) {
        Object root = Json.parse(json);
        List<?> items = Json.list(Json.map(root).get("nftables"));
        Map<String, Map<String, Object>> chainDefs = new LinkedHashMap<>();
        Map<String, List<Rule>> rules = new HashMap<>();
        for (Object item : items) {
            Map<String, Object> m = Json.map(item);
            if (m.containsKey("chain")) {
                Map<String, Object> c = Json.map(m.get("chain"));
                chainDefs.put(key(c, "name"), c);
            } else if (m.containsKey("rule")) {
                Map<String, Object> r = Json.map(m.get("rule"));
                String where = key(r, "chain");
                String text = texts.getOrDefault(where + " " + Json.num(r, "handle"), "rule handle " + Json.num(r, "handle"));
                try {
                    rules.computeIfAbsent(where, k -> new ArrayList<>()).add(rule(text, Json.list(r.get("expr"))));
                } catch (RuntimeException e) {
                    bad.add(where + ": " + text + " (" + e.getMessage() + ")");
                }
            }
        }
        List<Chain> out = new ArrayList<>();
        chainDefs.forEach((k, c) -> out.add(new Chain(Json.str(c, "family"), Json.str(c, "table"), Json.str(c, "name"),
                Json.str(c, "type").equals("nat") ? "" : Json.str(c, "hook"), (int) Json.num(c, "prio"),
                Json.str(c, "policy").isEmpty() ? "accept" : Json.str(c, "policy"), rules.getOrDefault(k, List.of()))));
        return out;
    }

    private static String key(Map<String, Object> m, String nameKey) {
        return Json.str(m, "family") + " " + Json.str(m, "table") + " " + Json.str(m, nameKey);
    }

    private static Rule rule(String text, List<?> exprs) {
        List<Cond> conds = new ArrayList<>();
        Action action = new Firewall.Continue();
        for (Object o : exprs) {
            Map<String, Object> e = Json.map(o);
            if (e.containsKey("match")) {
                conds.add(match(Json.map(e.get("match"))));
            } else if (e.containsKey("accept")) {
                action = new Firewall.Verdict("accept", "");
            } else if (e.containsKey("drop")) {
                action = new Firewall.Verdict("drop", "");
            } else if (e.containsKey("reject")) {
                Map<String, Object> r = Json.map(e.get("reject"));
                action = new Firewall.Verdict("reject", (Json.str(r, "type") + " " + Json.str(r, "expr")).strip());
            } else if (e.containsKey("jump") || e.containsKey("goto")) {
                boolean isGoto = e.containsKey("goto");
                action = new Firewall.Jump(Json.str(Json.map(e.get(isGoto ? "goto" : "jump")), "target"), isGoto);
            } else if (e.containsKey("return")) {
                action = new Firewall.Return();
            } else if (e.containsKey("xt")) {
                Map<String, Object> x = Json.map(e.get("xt"));
                if (Json.str(x, "type").equals("target") && Json.str(x, "name").equals("REJECT")) {
                    action = new Firewall.Verdict("reject", "(iptables REJECT)");
                } else if (Json.str(x, "type").equals("match")) {
                    conds.add(FlowConds.unknown("iptables match " + Json.str(x, "name")));
                }
            }
        }
        return new Rule(text, conds, action);
    }

    private static Cond match(Map<String, Object> m) {
        String op = Json.str(m, "op");
        boolean not = op.equals("!=");
        Map<String, Object> left = Json.map(m.get("left"));
        Object right = m.get("right");
        String text = describe(left) + " " + op + " " + String.valueOf(right);
        if (right instanceof String s && s.startsWith("@")) {
            return FlowConds.unknown(text); // a named set: its elements are listed elsewhere
        }
        if (left.containsKey("payload")) {
            Map<String, Object> p = Json.map(left.get("payload"));
            String proto = Json.str(p, "protocol");
            String field = Json.str(p, "field");
            if ((proto.equals("ip") || proto.equals("ip6")) && (field.equals("saddr") || field.equals("daddr"))) {
                List<String> prefixes = values(right).stream().map(NftRuleset::prefix).toList();
                Cond addr = FlowConds.address(text, field.equals("saddr"), prefixes, not);
                boolean v6 = proto.equals("ip6");
                return new Cond(text, f -> f.v6() != v6 ? Firewall.Match.NO : addr.test().apply(f));
            }
            if (field.equals("dport") || field.equals("sport")) {
                List<PortRange> ranges = values(right).stream().map(NftRuleset::portRange).toList();
                return FlowConds.port(text, proto, field.equals("dport"), ranges, not);
            }
            if (field.equals("protocol") || field.equals("nexthdr")) {
                return FlowConds.proto(text, values(right).stream().map(String::valueOf).toList(), not);
            }
        } else if (left.containsKey("meta")) {
            String key = Json.str(Json.map(left.get("meta")), "key");
            if (key.equals("l4proto")) {
                return FlowConds.proto(text, values(right).stream().map(String::valueOf).toList(), not);
            }
            if ((key.equals("iifname") || key.equals("oifname")) && right instanceof String name) {
                return FlowConds.iface(text, key.equals("iifname"), name, not);
            }
        } else if (left.containsKey("ct") && Json.str(Json.map(left.get("ct")), "key").equals("state")) {
            return FlowConds.ctState(text, values(right).stream().map(String::valueOf).toList(), not);
        }
        return FlowConds.unknown(text);
    }

    /** A set's elements, a list, or the single value. */
    private static List<Object> values(Object right) {
        if (right instanceof Map<?, ?> r && r.containsKey("set")) {
            return new ArrayList<>(Json.list(r.get("set")));
        }
        return right instanceof List<?> l ? new ArrayList<>(l) : List.of(right);
    }

    private static String prefix(Object v) {
        Map<String, Object> m = Json.map(v);
        if (m.containsKey("prefix")) {
            Map<String, Object> p = Json.map(m.get("prefix"));
            return Json.str(p, "addr") + "/" + Json.num(p, "len");
        }
        if (m.containsKey("range")) {
            throw new IllegalArgumentException("address ranges are not read");
        }
        return String.valueOf(v);
    }

    private static PortRange portRange(Object v) {
        Map<String, Object> m = Json.map(v);
        if (m.containsKey("range")) {
            List<?> r = Json.list(m.get("range"));
            return new PortRange(((Number) r.get(0)).intValue(), ((Number) r.get(1)).intValue());
        }
        if (v instanceof Number n) {
            return new PortRange(n.intValue(), n.intValue());
        }
        throw new IllegalArgumentException("port value " + v + " is not read");
    }

    private static String describe(Map<String, Object> left) {
        if (left.containsKey("payload")) {
            Map<String, Object> p = Json.map(left.get("payload"));
            return Json.str(p, "protocol") + " " + Json.str(p, "field");
        }
        for (String k : List.of("meta", "ct")) {
            if (left.containsKey(k)) {
                return k + " " + Json.str(Json.map(left.get(k)), "key");
            }
        }
        return left.toString();
    }
}
