package dev.reach.plugins.host;

import dev.reach.plugins.host.Firewall.Action;
import dev.reach.plugins.host.Firewall.Chain;
import dev.reach.plugins.host.Firewall.Cond;
import dev.reach.plugins.host.Firewall.Rule;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads {@code iptables-save} / {@code ip6tables-save} output ({@code *filter}, {@code :INPUT DROP [0:0]},
 * {@code -A INPUT -p tcp -m tcp --dport 22 -j ACCEPT}, {@code COMMIT}) into chains. The nat table is left
 * out: it does not filter. Lines that do not parse are reported in {@code bad}, and an option this reader
 * does not know becomes a condition it cannot decide.
 */
final class IptablesSave {
    private static final Map<String, Integer> TABLE_PRIORITY = Map.of("raw", -300, "mangle", -150, "filter", 0, "security", 50);

    private IptablesSave() {
    }

    static List<Chain> parse(String text, String family, List<String> bad) {
        List<Chain> out = new ArrayList<>();
        String table = null;
        Map<String, String> policies = new LinkedHashMap<>();
        Map<String, List<Rule>> rules = new LinkedHashMap<>();
        for (String raw : text.lines().toList()) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            if (line.startsWith("*")) {
                table = line.substring(1);
                policies.clear();
                rules.clear();
            } else if (line.equals("COMMIT")) {
                if (table != null && TABLE_PRIORITY.containsKey(table)) {
                    for (var e : policies.entrySet()) {
                        String name = e.getKey();
                        String hook = e.getValue().equals("-") ? "" : name.toLowerCase(Locale.ROOT);
                        out.add(new Chain(family, table, name, hook, TABLE_PRIORITY.get(table),
                                e.getValue().equals("-") ? "return" : e.getValue().toLowerCase(Locale.ROOT), rules.getOrDefault(name, List.of())));
                    }
                }
                table = null;
            } else if (line.startsWith(":") && table != null) {
                String[] f = line.substring(1).split("\\s+");
                if (f.length < 2) {
                    bad.add(line);
                    continue;
                }
                policies.put(f[0], f[1]);
            } else if (line.startsWith("-A ") && table != null) {
                try {
                    List<String> t = tokens(line);
                    rules.computeIfAbsent(t.get(1), k -> new ArrayList<>()).add(rule(line, t.subList(2, t.size())));
                } catch (RuntimeException e) {
                    bad.add(line);
                }
            } else {
                bad.add(line);
            }
        }
        return out;
    }

    private static Rule rule(String line, List<String> t) {
        List<Cond> conds = new ArrayList<>();
        Action action = new Firewall.Continue();
        String proto = "all";
        boolean not = false;
        for (int i = 0; i < t.size(); i++) {
            String opt = t.get(i);
            if (opt.equals("!")) {
                not = true;
                continue;
            }
            String arg = i + 1 < t.size() ? t.get(i + 1) : "";
            String text = (not ? "! " : "") + opt + " " + arg;
            switch (opt) {
                case "-s", "--source" -> conds.add(FlowConds.address(text, true, List.of(arg.split(",")), not));
                case "-d", "--destination" -> conds.add(FlowConds.address(text, false, List.of(arg.split(",")), not));
                case "-p", "--protocol" -> {
                    proto = FlowConds.protoName(arg);
                    conds.add(FlowConds.proto(text, List.of(arg), not));
                }
                case "-i", "--in-interface" -> conds.add(FlowConds.iface(text, true, arg, not));
                case "-o", "--out-interface" -> conds.add(FlowConds.iface(text, false, arg, not));
                case "--dport", "--destination-port", "--dports", "--destination-ports", "--ports" ->
                        conds.add(FlowConds.port(text, proto, true, Arrays.stream(arg.split(",")).map(FlowConds::range).toList(), not));
                case "--sport", "--source-port", "--sports", "--source-ports" ->
                        conds.add(FlowConds.port(text, proto, false, List.of(), not));
                case "--ctstate", "--state" -> conds.add(FlowConds.ctState(text, List.of(arg.split(",")), not));
                case "-m", "--match", "--comment" -> { }
                case "-j", "--jump" -> action = target(arg, t.subList(i + 2, t.size()));
                case "-g", "--goto" -> action = new Firewall.Jump(arg, true);
                default -> {
                    if (!opt.startsWith("-")) {
                        throw new IllegalArgumentException("stray word " + opt);
                    }
                    conds.add(FlowConds.unknown(text));
                }
            }
            if (opt.equals("-j") || opt.equals("--jump")) {
                break; // what follows belongs to the target
            }
            if (!arg.isEmpty() && !(arg.startsWith("-") && arg.length() > 1)) {
                i++; // the option's value; flags like --syn have none
            }
            not = false;
        }
        return new Rule(line, conds, action);
    }

    private static Action target(String name, List<String> options) {
        return switch (name) {
            case "ACCEPT" -> new Firewall.Verdict("accept", "");
            case "DROP" -> new Firewall.Verdict("drop", "");
            case "REJECT" -> {
                int w = options.indexOf("--reject-with");
                yield new Firewall.Verdict("reject", w >= 0 && w + 1 < options.size() ? options.get(w + 1) : "icmp-port-unreachable");
            }
            case "RETURN" -> new Firewall.Return();
            case "LOG", "NFLOG", "MARK", "CONNMARK", "CT", "NOTRACK", "TRACE", "AUDIT", "TCPMSS", "CLASSIFY", "DSCP", "TOS" ->
                    new Firewall.Continue();
            default -> new Firewall.Jump(name, false);
        };
    }

    /** Splits on spaces, keeping "quoted words" (comments) whole. */
    static List<String> tokens(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '"') {
                quoted = !quoted;
            } else if (Character.isWhitespace(c) && !quoted) {
                if (!cur.isEmpty()) {
                    out.add(cur.toString());
                    cur.setLength(0);
                }
            } else {
                cur.append(c);
            }
        }
        if (quoted) {
            throw new IllegalArgumentException("unterminated quote");
        }
        if (!cur.isEmpty()) {
            out.add(cur.toString());
        }
        if (out.size() < 2) {
            throw new IllegalArgumentException("no chain");
        }
        return out;
    }
}
