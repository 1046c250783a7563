package dev.reach.plugins.net;

import dev.reach.plugins.net.PathTraceProbe.Answer;
import dev.reach.plugins.net.PathTraceProbe.Hop;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads what the system's {@code tracepath -n} (iputils) or {@code traceroute -n} (Linux traceroute 2.x)
 * printed back into path.trace's hops. Pure: text in, hops out; a line it does not know is skipped.
 *
 * <pre>
 *  1:  198.18.0.254                                          0.089ms
 *  2:  198.18.1.2                                            0.102ms reached        (tracepath: one line per answer)
 *  2:  198.18.0.254  0.012 ms !X  0.006 ms !X  *                                      (traceroute: one line per hop)
 * </pre>
 *
 * <p>tracepath prints !H for every ICMP its kernel maps to EHOSTUNREACH (host-unreachable, and admin-prohibited
 * 3/10 and 3/13 alike), so that reads as {@code host-unreachable-or-prohibited}, with no cause claimed;
 * traceroute tells them apart (!H, !X).
 */
final class TraceOutput {
    private static final Pattern TRACEPATH_LINE = Pattern.compile("^\\s*(\\d+):\\s+(.*?)\\s*$");
    private static final Pattern TRACEPATH_ANSWER = Pattern.compile("^(\\S+)\\s+([\\d.]+)ms\\s*(.*)$");
    private static final Pattern TRACEROUTE_LINE = Pattern.compile("^\\s*(\\d+)\\s+(.*?)\\s*$");
    private static final Pattern RTT = Pattern.compile("\\d+(?:\\.\\d+)?");

    private TraceOutput() {
    }

    /** tracepath's lines, one per answer, grouped by hop; "pmtu N" lines (a smaller MTU found, then resent) are no answer. */
    static List<Hop> tracepath(String output) {
        Map<Integer, List<Answer>> hops = new LinkedHashMap<>();
        for (String line : output.lines().toList()) {
            Matcher m = TRACEPATH_LINE.matcher(line);
            if (!m.matches()) continue; // "1?: [LOCALHOST] pmtu 1500", "Resume: ...", "Too many hops ..."
            int ttl = (int) number(m.group(1));
            if (ttl < 0) continue;
            String rest = m.group(2);
            if (rest.equals("no reply")) {
                hops.computeIfAbsent(ttl, k -> new ArrayList<>()).add(Answer.SILENCE);
                continue;
            }
            Matcher a = TRACEPATH_ANSWER.matcher(rest);
            if (!a.matches() || a.group(3).startsWith("pmtu") || number(a.group(2)) < 0) continue;
            String note = a.group(3).replaceFirst("^asymm\\s+\\d+\\s*", "").strip();
            String kind = switch (note) {
                case "" -> "time-exceeded";
                case "reached" -> "port-unreachable";
                case "!H" -> "host-unreachable-or-prohibited"; // EHOSTUNREACH: ICMP 3/1, 3/10 and 3/13 alike
                case "!N" -> "net-unreachable";
                case "!A" -> "admin-prohibited";
                case "!P" -> "protocol-unreachable";
                default -> "unknown";
            };
            String said = note.isEmpty() ? "" : " " + note;
            hops.computeIfAbsent(ttl, k -> new ArrayList<>())
                    .add(new Answer(a.group(1), number(a.group(2)), kind, kind + " from " + a.group(1) + " (tracepath" + said + ")"));
        }
        List<Hop> list = new ArrayList<>();
        hops.forEach((ttl, answers) -> list.add(new Hop(ttl, answers)));
        return list;
    }

    /** traceroute's lines, one per hop: {@code *}, or an address then one or more {@code RTT ms [!X]}. */
    static List<Hop> traceroute(String output, String target) {
        List<Hop> hops = new ArrayList<>();
        for (String line : output.lines().toList()) {
            Matcher m = TRACEROUTE_LINE.matcher(line);
            if (!m.matches()) continue; // the "traceroute to ..." header
            List<Answer> answers = new ArrayList<>();
            String from = null;
            String[] t = m.group(2).split("\\s+");
            for (int i = 0; i < t.length; i++) {
                if (t[i].equals("*")) {
                    answers.add(Answer.SILENCE);
                } else if (RTT.matcher(t[i]).matches() && i + 1 < t.length && t[i + 1].equals("ms") && from != null) {
                    String note = i + 2 < t.length && t[i + 2].startsWith("!") ? t[i + 2] : "";
                    answers.add(answer(from, number(t[i]), note, target));
                    i += note.isEmpty() ? 1 : 2;
                } else if (t[i].contains(".") || t[i].contains(":")) {
                    from = t[i];
                }
            }
            if (!answers.isEmpty() && number(m.group(1)) >= 0) hops.add(new Hop((int) number(m.group(1)), answers));
        }
        return hops;
    }

    /** A hop number or an RTT as printed; -1 for what does not read as one ("1.2.3", a 20-digit hop). */
    private static double number(String text) {
        try {
            double d = Double.parseDouble(text);
            return d >= 0 && d < 1e9 ? d : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** One traceroute answer: its !annotation names the ICMP unreachable; none means time-exceeded, or the target's port-unreachable. */
    private static Answer answer(String from, double rtt, String note, String target) {
        String kind = note.isEmpty() ? (from.equals(target) ? "port-unreachable" : "time-exceeded") : switch (note) {
            case "!H" -> "host-unreachable";
            case "!N", "!U" -> "net-unreachable";
            case "!P" -> "protocol-unreachable";
            case "!X", "!V", "!C" -> "admin-prohibited";
            case "!S" -> "source-route-failed";
            case "!W" -> "host-unreachable";
            default -> note.startsWith("!F") ? "frag-needed" : note.matches("!\\d+") ? "icmp-3/" + note.substring(1) : "unknown";
        };
        return new Answer(from, rtt, kind, kind + " from " + from + " (traceroute" + (note.isEmpty() ? "" : " " + note) + ")");
    }
}
