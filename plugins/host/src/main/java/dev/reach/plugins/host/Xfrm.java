package dev.reach.plugins.host;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * IPsec as the kernel holds it, from {@code ip xfrm policy list} and {@code ip -s xfrm state list nokeys} (no key
 * material is asked for): which outbound policy covers a flow, the template it asks the packets to go through, and
 * whether a state (an SA) exists for that template, with its byte and packet counters.
 */
final class Xfrm {
    record Template(String src, String dst, String proto, long reqid, String mode) {
        String text() {
            return proto + " " + src + " -> " + dst + " (" + mode + (reqid != 0 ? ", reqid " + reqid : "") + ")";
        }
    }

    /** @param dport the selector's destination port, 0 for any */
    record Policy(String src, String dst, int dport, String dir, String action, List<Template> templates) {
        String selector() {
            return src + " -> " + dst + (dport > 0 ? " port " + dport : "") + " dir " + dir;
        }
    }

    record State(String src, String dst, String proto, String spi, long reqid, String mode, long bytes, long packets) {
        boolean serves(Template t) {
            return src.equals(t.src()) && dst.equals(t.dst()) && proto.equals(t.proto()) && (t.reqid() == 0 || reqid == t.reqid());
        }
    }

    private static final Pattern SELECTOR = Pattern.compile("^src (\\S+) dst (\\S+)");
    private static final Pattern DPORT = Pattern.compile("\\bdport (\\d+)");
    private static final Pattern DIR = Pattern.compile("\\bdir (\\w+)");
    private static final Pattern ACTION = Pattern.compile("\\baction (\\w+)");
    private static final Pattern TMPL = Pattern.compile("^tmpl src (\\S+) dst (\\S+)");
    private static final Pattern PROTO = Pattern.compile("^proto (\\S+)(?: spi ([^\\s(]+)(?:\\(\\d+\\))?)?(?: reqid (\\d+)(?:\\([^)]*\\))?)?(?: mode (\\S+))?");
    private static final Pattern COUNTERS = Pattern.compile("^(\\d+)\\(bytes\\), (\\d+)\\(packets\\)");

    private Xfrm() {
    }

    static List<Policy> policies(String text) {
        List<Policy> out = new ArrayList<>();
        String src = null, dst = null, dir = "", action = "allow";
        int dport = 0;
        List<Template> tmpls = new ArrayList<>();
        String tsrc = null, tdst = null;
        for (String raw : (text + "\nsrc - dst -").lines().toList()) {
            String line = raw.strip();
            Matcher m = SELECTOR.matcher(line);
            if (!raw.startsWith("\t") && !raw.startsWith(" ") && m.find()) {
                if (src != null) out.add(new Policy(src, dst, dport, dir, action, List.copyOf(tmpls)));
                src = m.group(1);
                dst = m.group(2);
                Matcher port = DPORT.matcher(line);
                dport = port.find() ? (int) Math.min(number(port.group(1)), 65535) : 0;
                dir = "";
                action = "allow";
                tmpls.clear();
                continue;
            }
            Matcher d = DIR.matcher(line);
            if (d.find()) dir = d.group(1);
            Matcher a = ACTION.matcher(line);
            if (a.find()) action = a.group(1);
            Matcher t = TMPL.matcher(line);
            if (t.find()) {
                tsrc = t.group(1);
                tdst = t.group(2);
                continue;
            }
            Matcher p = PROTO.matcher(line);
            if (tsrc != null && p.find()) {
                tmpls.add(new Template(tsrc, tdst, p.group(1), number(p.group(3)),
                        p.group(4) == null ? "transport" : p.group(4)));
                tsrc = null;
            }
        }
        return List.copyOf(out);
    }

    static List<State> states(String text) {
        List<State> out = new ArrayList<>();
        String src = null, dst = null, proto = "", spi = "", mode = "";
        long reqid = 0, bytes = -1, packets = -1;
        boolean current = false;
        for (String raw : (text + "\nsrc - dst -").lines().toList()) {
            String line = raw.strip();
            Matcher m = SELECTOR.matcher(line);
            if (!raw.startsWith("\t") && !raw.startsWith(" ") && m.find()) {
                if (src != null) out.add(new State(src, dst, proto, spi, reqid, mode, bytes, packets));
                src = m.group(1);
                dst = m.group(2);
                proto = spi = mode = "";
                reqid = 0;
                bytes = packets = -1;
                current = false;
                continue;
            }
            Matcher p = PROTO.matcher(line);
            if (proto.isEmpty() && p.find()) {
                proto = p.group(1);
                spi = p.group(2) == null ? "" : p.group(2);
                reqid = number(p.group(3));
                mode = p.group(4) == null ? "transport" : p.group(4);
            }
            if (line.startsWith("lifetime current:")) current = true;
            Matcher c = COUNTERS.matcher(line);
            if (current && c.find()) {
                bytes = number(c.group(1));
                packets = number(c.group(2));
                current = false;
            }
        }
        return List.copyOf(out);
    }

    /** A count as printed, 0 when absent or beyond a long (text this reader does not expect). */
    private static long number(String digits) {
        try {
            return digits == null ? 0 : Long.parseLong(digits);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** The first outbound policy whose selector covers {@code from} -> {@code to}, port {@code port} (0: any). */
    static Optional<Policy> covering(List<Policy> policies, InetAddress from, InetAddress to, int port) {
        return policies.stream().filter(p -> p.dir().equals("out"))
                .filter(p -> covers(p.src(), from) && covers(p.dst(), to) && (p.dport() == 0 || port == 0 || p.dport() == port)).findFirst();
    }

    private static boolean covers(String selector, InetAddress a) {
        if (a == null) return true;
        return Cidr.parse(selector, selector.contains(":")).map(c -> c.contains(a)).orElse(false);
    }
}
