package dev.reach.plugins.dns;

import dev.reach.spi.Judgement;
import dev.reach.spi.ParamType;
import dev.reach.spi.Status;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.reach.plugins.dns.DnsResolveProbe.human;

/**
 * What the nameservers alone say about a name, judged for {@link DnsResolveProbe#classify} before the system's answer
 * is weighed: who answers, whether they agree, and how long glibc's resolver waits before it has the answer. Pure.
 */
final class NameserverVerdict {
    /** Why a silence of 20 round trips of the server's host is enough. */
    static final String SILENCE_AGAINST_ECHO = "a host that answers an echo answers a SYN within a round trip, with a reset when "
            + "nothing listens: " + Inquiry.SILENCE_FACTOR + " round trips of silence, and at least " + human(Inquiry.MIN_SILENCE)
            + ", is a firewall dropping the port";

    /** Why the whole timeout was waited when nothing answers at all. */
    static final String SILENCE_ALONE = "the whole timeout waited: where nothing answers, there is nothing to measure silence against";

    private NameserverVerdict() {
    }

    /**
     * What the nameservers alone say. Order: nobody answers (server-unreachable, or servfail when a server accepts TCP
     * but closes it unanswered), no usable answer (servfail), servers disagree (mismatch), the agreed answer (nxdomain,
     * nodata), then warnings: a silent server the resolver waits for before one that answers (slow: glibc's timeout,
     * every lookup or one in N with rotate), a server failing beside good ones (servfail), one not answering
     * (server-unreachable), a slow answer.
     */
    static Judgement judge(String name, String type, List<ServerSaid> servers, ResolvConf resolver, Duration slow) {
        String wanted = wantedWords(type);
        List<ServerSaid> silent = servers.stream().filter(s -> s.best() == null).toList();
        List<ServerSaid> mute = silent.stream().filter(s -> s.tcp().outcome().equals("closed")).toList();
        List<ServerSaid> unreachable = silent.stream().filter(s -> !mute.contains(s)).toList();
        Map<String, List<ServerSaid>> groups = new LinkedHashMap<>();
        List<ServerSaid> failing = new ArrayList<>(mute);
        for (ServerSaid s : servers) {
            if (s.best() != null) {
                String key = key(s.best());
                if (key.startsWith("rcode ")) {
                    failing.add(s);
                } else {
                    groups.computeIfAbsent(key, k -> new ArrayList<>()).add(s);
                }
            }
        }
        List<ResolvConf.Turn> turns = servers.stream().map(NameserverVerdict::turn).toList();
        if (groups.isEmpty() && failing.isEmpty()) {
            Duration giveUp = resolver.giveUp(turns);
            return new Judgement(Status.FAIL, "dns.server-unreachable", "no nameserver answers for " + name + ": "
                    + String.join("; ", unreachable.stream().map(NameserverVerdict::why).toList())
                    + (unreachable.stream().allMatch(NameserverVerdict::dropped) ? ""
                    : " (timeout: down or filtered; refused: nothing listens on that port; no-route: no path to it)")
                    + (unreachable.stream().anyMatch(NameserverVerdict::dropped) ? " (" + SILENCE_AGAINST_ECHO + ")" : "")
                    + (unreachable.stream().anyMatch(NameserverVerdict::unheard) ? " (" + SILENCE_ALONE + ")" : "")
                    + (giveUp.isZero() ? "" : "; a lookup fails after " + human(giveUp) + " (options " + resolver.options() + ")"));
        }
        if (groups.isEmpty()) {
            return new Judgement(Status.FAIL, "dns.servfail", "no nameserver can answer for " + name + ": "
                    + String.join("; ", failing.stream().map(NameserverVerdict::failure).toList())
                    + (unreachable.isEmpty() ? "" : "; " + String.join("; ", unreachable.stream().map(NameserverVerdict::why).toList())));
        }
        if (groups.size() > 1) {
            return new Judgement(Status.FAIL, "dns.mismatch", "nameservers disagree about " + name + ": "
                    + String.join("; ", groups.values().stream().map(g -> names(g) + " say" + (g.size() == 1 ? "s " : " ")
                    + answer(g.getFirst().best(), wanted)).toList()) + ": split horizon, or a server with stale data");
        }
        List<ServerSaid> agree = groups.values().iterator().next();
        ServerSaid.Leg dns = agree.getFirst().best();
        String kind = key(dns);
        if (kind.equals("nxdomain")) {
            return new Judgement(Status.FAIL, "dns.nxdomain", name + " does not exist: " + names(agree) + " answer"
                    + (agree.size() == 1 ? "s" : "") + " NXDOMAIN; check the record or the search domain");
        }
        if (kind.equals("nodata")) {
            return new Judgement(Status.FAIL, "dns.nodata", name + " exists but has no " + wanted + " record (NOERROR, empty answer from "
                    + names(agree) + "): add the record of that family, or ask for the other one");
        }
        String agreed = name + " is " + String.join(", ", dns.addresses());
        Judgement waiting = waiting(agreed, servers, turns, resolver, slow);
        if (waiting != null) {
            return waiting;
        }
        if (!failing.isEmpty()) {
            return new Judgement(Status.WARN, "dns.servfail", String.join("; ", failing.stream().map(NameserverVerdict::failure).toList())
                    + " while " + names(agree) + " answer" + (agree.size() == 1 ? "s" : "") + " " + String.join(", ", dns.addresses())
                    + ": a client that asks it first gets no answer");
        }
        if (!unreachable.isEmpty()) {
            return new Judgement(Status.WARN, "dns.server-unreachable",
                    String.join("; ", unreachable.stream().map(NameserverVerdict::why).toList())
                    + "; " + names(agree) + " answer" + (agree.size() == 1 ? "s" : "") + ": " + agreed);
        }
        for (ServerSaid s : agree) {
            if (s.best().took().compareTo(slow) > 0) {
                return new Judgement(Status.WARN, "dns.slow", s.server() + " took " + human(s.best().took()) + " to answer (slow="
                        + ParamType.format(slow) + "): " + agreed);
            }
        }
        Duration fastest = agree.stream().map(s -> s.best().took()).min(Duration::compareTo).orElseThrow();
        return new Judgement(Status.OK, null, agreed + " (" + (agree.size() == 1 ? agree.getFirst().server() : agree.size()
                + " nameservers agree") + ", " + human(fastest) + (dns.ttl() >= 0 ? ", ttl " + dns.ttl() : "") + ")"
                + (dns.gaps().isEmpty() ? "" : " though " + agree.getFirst().server() + " answers " + String.join(", ", dns.gaps())));
    }

    /**
     * dns.slow when the resolver waits for a silent server (or a missing answer) before it gets one, longer than
     * {@code slow}: glibc asks the servers in order over UDP and waits each one's timeout, so the silent server costs
     * every lookup that reaches it first (all of them, or one in N with rotate). Null when no lookup waits that long.
     */
    private static Judgement waiting(String agreed, List<ServerSaid> servers, List<ResolvConf.Turn> turns, ResolvConf resolver,
                                     Duration slow) {
        List<Duration> waits = resolver.waitsBeforeAnswer(turns);
        Duration worst = waits.stream().filter(w -> w != null).max(Duration::compareTo).orElse(Duration.ZERO);
        if (worst.isZero()) {
            return null;
        }
        int first = turns.contains(ResolvConf.Turn.ANSWER) ? turns.indexOf(ResolvConf.Turn.ANSWER)
                : turns.indexOf(ResolvConf.Turn.LATE);
        ServerSaid answers = servers.get(first);
        if (worst.plus(answers.udp().took()).compareTo(slow) <= 0) {
            return null;
        }
        // those waited for: before the first that answers, or any of them when each lookup starts at the next server
        List<ServerSaid> waitedFor = new ArrayList<>();
        for (int i = 0; i < servers.size(); i++) {
            boolean silent = turns.get(i) == ResolvConf.Turn.SILENT || turns.get(i) == ResolvConf.Turn.LATE;
            if (silent && (resolver.rotate() || i <= first)) {
                waitedFor.add(servers.get(i));
            }
        }
        long paying = waits.stream().filter(w -> w != null && !w.isZero()).count();
        String lookups = paying == waits.size() ? "every lookup" : paying + " lookup" + (paying == 1 ? "" : "s") + " in " + waits.size()
                + " (options rotate)";
        return new Judgement(Status.WARN, "dns.slow", String.join("; ", waitedFor.stream().map(NameserverVerdict::silence).toList())
                + ": " + lookups + " waits " + human(worst) + " for " + (waitedFor.size() == 1 ? "it" : "them")
                + " (options " + resolver.options() + ") before " + answers.server() + " answers in "
                + human(answers.udp().took()) + ": " + agreed);
    }

    /** {@code 198.18.0.2:53 does not answer over UDP (silent for 250ms)}, or names the family it leaves unanswered. */
    private static String silence(ServerSaid s) {
        List<String> types = s.udp().gaps().stream().filter(g -> g.endsWith(" timeout")).map(g -> g.substring(0, g.indexOf(' '))).toList();
        return s.server() + " does not answer " + (types.isEmpty() ? "" : String.join(" or ", types) + " ") + "over UDP (silent for "
                + human(s.udp().took()) + ")";
    }

    /** How a server's UDP questions end for glibc's resolver: its answer, silence, or at once with nothing (it moves on). */
    static ResolvConf.Turn turn(ServerSaid s) {
        ServerSaid.Leg udp = s.udp();
        if (!udp.answered()) {
            return udp.outcome().equals("timeout") ? ResolvConf.Turn.SILENT : ResolvConf.Turn.NEXT;
        }
        if (key(udp).startsWith("rcode ")) {
            return ResolvConf.Turn.NEXT; // SERVFAIL, REFUSED...: glibc asks the next server at once
        }
        return udp.partlySilent() ? ResolvConf.Turn.LATE : ResolvConf.Turn.ANSWER;
    }

    /** The servers that answer with addresses, grouped by the set of addresses they give. */
    static Map<String, List<ServerSaid>> addressGroups(List<ServerSaid> servers) {
        Map<String, List<ServerSaid>> answers = new LinkedHashMap<>();
        servers.stream().filter(s -> s.best() != null && key(s.best()).startsWith("answer:"))
                .forEach(s -> answers.computeIfAbsent(key(s.best()), k -> new ArrayList<>()).add(s));
        return answers;
    }

    static String wantedWords(String type) {
        return type.equals("any") ? "A or AAAA" : type;
    }

    /** answer:ADDRESSES, nodata, nxdomain, or "rcode X" for an answer that is no answer (SERVFAIL, REFUSED...). */
    static String key(ServerSaid.Leg leg) {
        return switch (leg.rcode()) {
            case "NOERROR" -> leg.addresses().isEmpty() ? "nodata" : "answer:" + leg.addresses().stream().sorted().toList();
            case "NXDOMAIN" -> "nxdomain";
            default -> "rcode " + leg.rcode();
        };
    }

    private static String answer(ServerSaid.Leg leg, String wanted) {
        return switch (key(leg)) {
            case "nodata" -> "no " + wanted + " record";
            case "nxdomain" -> "NXDOMAIN";
            default -> String.join(", ", leg.addresses());
        };
    }

    /**
     * Why a server gave no answer: {@code 198.18.0.2:53 (udp refused, tcp refused)}; with its host's echo when it was
     * silent: {@code 198.18.0.2 answers ping in 0.08ms but not DNS in 251ms: UDP and TCP 53 dropped}, or
     * {@code 198.18.0.2:53 (udp timeout, tcp timeout): nothing answers, not even ping, in 2.0s}.
     */
    private static String why(ServerSaid s) {
        String outcomes = s.server() + " (udp " + s.udp().outcome() + ", tcp " + s.tcp().outcome() + ")";
        Duration waited = s.udp().took().compareTo(s.tcp().took()) > 0 ? s.udp().took() : s.tcp().took();
        HostEcho.Heard host = s.host();
        if (dropped(s)) {
            String port = s.server().substring(s.server().lastIndexOf(':') + 1);
            return host.host() + " " + host.says() + " but not DNS in " + human(waited) + ": " + (s.udp().outcome().equals("timeout")
                    ? "UDP and TCP " + port + " dropped" : "TCP " + port + " dropped, UDP " + port + " " + s.udp().outcome());
        }
        if (unheard(s)) {
            return outcomes + ": nothing answers, not even " + (host.method().equals("icmp") ? "ping" : "TCP port 7") + ", in "
                    + human(waited);
        }
        return outcomes;
    }

    /** Silent on DNS, no TCP handshake either, and its host silent too. */
    private static boolean unheard(ServerSaid s) {
        return s.host().outcome().equals("timeout") && s.tcp().connect() == null
                && (s.udp().outcome().equals("timeout") || s.tcp().outcome().equals("timeout"));
    }

    /** Silent on DNS, a TCP connect to it unanswered (no handshake), while its host answers an echo: its port is dropped. */
    private static boolean dropped(ServerSaid s) {
        return s.host().answered() && s.tcp().outcome().equals("timeout") && s.tcp().connect() == null && !s.udp().answered();
    }

    private static String failure(ServerSaid s) {
        if (s.best() == null) {
            return s.server() + " accepts TCP but closes it without an answer (udp " + s.udp().outcome()
                    + "): it cannot get an answer from its upstream";
        }
        return s.server() + " answers " + s.best().rcode() + switch (s.best().rcode()) {
            case "SERVFAIL" -> " (it cannot resolve upstream: forwarder down or DNSSEC failure)";
            case "REFUSED" -> " (it will not answer this question: not its zone, or recursion denied to this client)";
            default -> "";
        };
    }

    static String names(List<ServerSaid> group) {
        return String.join(" and ", group.stream().map(ServerSaid::server).toList());
    }
}
