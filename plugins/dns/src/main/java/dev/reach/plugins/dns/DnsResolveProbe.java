package dev.reach.plugins.dns;

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
import org.xbill.DNS.Name;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Resolves a name the way this host does (the system resolver: hosts file, nsswitch) and asks every
 * nameserver on its own, over UDP and over TCP, then says whether they agree and which one is at fault.
 *
 * <pre>
 * $ reach probe dns.resolve name=web.test server=127.0.0.1:5353 hosts_file=/tmp/lab/hosts system=hosts
 * fail [dns.mismatch]: the system resolver says web.test is 198.18.0.50 (/tmp/lab/hosts line 1) but the nameservers say 198.18.0.10: a stale line in /tmp/lab/hosts
 *   hosts /tmp/lab/hosts line 1: web.test -> 198.18.0.50
 *   127.0.0.1:5353 udp web.test A -> NOERROR 198.18.0.10 ttl 0 in 0.62ms
 *   127.0.0.1:5353 tcp web.test A -> NOERROR 198.18.0.10 ttl 0 in 1.9ms
 * </pre>
 *
 * <p>Search domains apply as in glibc: a name with fewer dots than resolv.conf's ndots (and no final dot) is
 * asked with each search domain, then as given, until one has an address. Servers are asked all at once,
 * each on its own.
 */
@Extension
public final class DnsResolveProbe implements Probe {
    private final WarmUp warmUp = new WarmUp();

    static final ProbeSpec SPEC = ProbeSpec.builder("dns.resolve",
                    "Resolves a name through the system resolver and each nameserver, and says who is wrong")
            .param(Param.string("name", "the DNS name to resolve").required())
            .param(Param.choice("type", "address family wanted: A, AAAA or any (both)", "A", "AAAA", "any").defaultValue("any"))
            .param(Param.string("server", "one nameserver to ask instead of resolv.conf's: IP or IP:port ([::1]:5353)"))
            .param(Param.list("servers", "nameservers to ask instead of resolv.conf's, in order (IP or IP:port each)"))
            .param(Param.port("port", "the port of nameservers written without one, resolv_conf's too").defaultValue(53))
            .param(Param.string("resolv_conf", "where the nameservers come from when none is given").defaultValue("/etc/resolv.conf"))
            .param(Param.string("hosts_file", "the hosts file to read, to say which source answered").defaultValue("/etc/hosts"))
            .param(Param.choice("system", "the system answer: os (ask this host's resolver, getaddrinfo), "
                    + "hosts (read hosts_file only, no query) or off", "os", "hosts", "off").defaultValue("os"))
            .param(Param.duration("timeout", "how long to wait for each server's answer").defaultValue("2s").range("1ms", "1m"))
            .param(Param.duration("slow", "an answer slower than this is dns.slow").defaultValue("1s").range("0ms", "1m"))
            .fact("name", "string", "the name the servers were asked about last (after the search list)")
            .fact("addresses", "list", "what the first nameserver that answered says")
            .fact("rcode", "string", "their RCODE: NOERROR, NXDOMAIN, SERVFAIL...")
            .fact("ttl", "integer", "smallest TTL of the answer")
            .fact("answer_ms", "number", "the fastest answer")
            .fact("system_addresses", "list", "what the system resolver (or the hosts file) says")
            .fact("system_source", "string", "which source the system answer came from: hosts, dns or none")
            .fact("hosts_entries", "list", "lines of the hosts file for the name: 'address (file line N)'")
            .fact("nameservers", "list", "the servers asked, in order")
            .fact("servers", "list", "per server: {server, udp: {outcome, rcode, addresses, ttl, ms}, tcp: {...}}")
            .needs(Needs.NOTHING)
            .example("reach probe dns.resolve name=web.test server=127.0.0.1:5353 system=hosts")
            .example("reach probe dns.resolve name=web.test type=A servers=127.0.0.1:5353,127.0.0.2:5353 system=off")
            .build();

    /** What {@link #classify} makes of it; {@code cause} is null when all is well. */
    record Classified(Status status, String cause, String summary) {
    }

    @Override
    public ProbeSpec spec() {
        return SPEC;
    }

    @Override
    public Observation run(ProbeContext ctx, Params params) throws InterruptedException {
        String name = params.string("name").strip();
        String type = params.string("type");
        Name question;
        try {
            question = Name.fromString(name, Name.root);
        } catch (TextParseException e) {
            return Observation.error("name=" + name + " is not a DNS name: " + e.getMessage()).build();
        }
        if (Nameserver.isAddress(name)) {
            return Observation.error("name=" + name + " is an address: ask for its PTR with dns.query name=" + name).build();
        }
        List<String> evidence = new ArrayList<>();
        List<Nameserver> nameservers;
        ResolvConf conf;
        try {
            conf = resolvConf(params, evidence);
            nameservers = nameservers(params, conf);
        } catch (IllegalArgumentException e) {
            return Observation.error(e.getMessage()).build();
        } catch (IOException e) {
            return Observation.error("cannot read resolv_conf (" + e + "); give server=IP[:port]").build();
        }
        String given = question.toString(true);
        HostsFile hosts = hosts(Path.of(params.string("hosts_file")), evidence);
        List<HostsFile.Entry> entries = hosts.lookup(given).stream().filter(e -> wanted(e.address(), type)).toList();
        List<Integer> qtypes = type.equals("any") ? List.of(Type.A, Type.AAAA) : List.of(Type.value(type));
        Duration timeout = ctx.bound(params.duration("timeout"));

        var sys = new CompletableFuture<SystemSaid>();
        Thread.ofVirtual().start(() -> sys.complete(SystemSaid.ask(params.string("system"), given, type, hosts, entries)));
        warmUp.once(true, true);
        // glibc's search: an unqualified name is tried with each search domain, then as given, until one has an address
        List<Exchange> tried = new ArrayList<>();
        List<Exchange> exchanges = List.of();
        String shown = given;
        for (String candidate : conf.candidates(name)) {
            shown = candidate.endsWith(".") ? candidate.substring(0, candidate.length() - 1) : candidate;
            ctx.progress("asking " + nameservers.size() + " nameservers about " + shown);
            try {
                exchanges = Exchange.askAll(nameservers, Name.fromString(candidate, Name.root), qtypes, timeout);
            } catch (TextParseException e) {
                continue; // a search domain that makes the name too long
            }
            tried.addAll(exchanges);
            // stop at an address, or when nobody answers: the next domain would only wait as long again
            if (exchanges.stream().anyMatch(x -> !x.addresses().isEmpty()) || exchanges.stream().noneMatch(Exchange::answered)
                    || ctx.cancelled()) {
                break;
            }
        }
        SystemSaid system;
        try {
            system = sys.get(ctx.remaining().toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            return Observation.error("the system resolver did not answer for " + given + " before the deadline").build();
        }

        List<Exchange> last = exchanges;
        List<ServerSaid> said = nameservers.stream().map(ns -> ServerSaid.of(ns.toString(),
                last.stream().filter(x -> x.server().equals(ns)).toList())).toList();
        Classified c = classify(shown, type, system, said, params.duration("slow"));

        Observation.Builder b = Observation.of(c.status(), c.summary()).cause(c.cause());
        entries.forEach(e -> b.evidence("hosts " + hosts.source() + " line " + e.line() + ": " + given + " -> " + e.address()));
        if (system.method().equals("os")) {
            b.evidence("system resolver " + given + " -> " + (system.error().isEmpty()
                    ? String.join(", ", system.addresses()) + " (" + system.source() + ")" : system.error()));
        }
        tried.forEach(x -> b.evidence(x.evidence()));
        evidence.forEach(b::evidence);
        ServerSaid.Leg agreed = said.stream().map(ServerSaid::best).filter(l -> l != null).findFirst().orElse(null);
        if (agreed != null) {
            b.fact("addresses", agreed.addresses()).fact("rcode", agreed.rcode()).fact("ttl", agreed.ttl() >= 0 ? agreed.ttl() : null);
            said.stream().map(ServerSaid::best).filter(l -> l != null).map(ServerSaid.Leg::took).min(Duration::compareTo)
                    .ifPresent(d -> b.fact("answer_ms", millis(d)));
        }
        if (!system.method().equals("off")) {
            b.fact("system_addresses", system.addresses()).fact("system_source", system.kind());
        }
        return b.fact("name", shown)
                .fact("hosts_entries", entries.stream().map(e -> e.address() + " (" + hosts.source() + " line " + e.line() + ")").toList())
                .fact("nameservers", nameservers.stream().map(Nameserver::toString).toList())
                .fact("servers", said.stream().map(ServerSaid::facts).toList())
                .build();
    }

    /**
     * Judges what the system and the servers said. Pure. Order: nobody answers (server-unreachable, or servfail
     * when a server accepts TCP but closes it unanswered), no usable answer (servfail), servers disagree
     * (mismatch), the agreed answer (nxdomain, nodata, or mismatch with the system), then warnings: a server
     * failing beside good ones (servfail), one not answering (server-unreachable, or slow when it times out
     * ahead of the first good one), a slow answer.
     */
    static Classified classify(String name, String type, SystemSaid system, List<ServerSaid> servers, Duration slow) {
        String wanted = type.equals("any") ? "A or AAAA" : type;
        if (servers.isEmpty()) {
            return new Classified(Status.ERROR, null, "no nameserver to ask about " + name
                    + ": give server=IP[:port] or a resolv_conf with nameserver lines");
        }
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
        if (groups.isEmpty() && failing.isEmpty()) {
            return new Classified(Status.FAIL, "dns.server-unreachable", "no nameserver answers for " + name + ": "
                    + String.join("; ", unreachable.stream().map(DnsResolveProbe::why).toList())
                    + " (timeout: down or filtered; refused: nothing listens on that port; no-route: no path to it)");
        }
        if (groups.isEmpty()) {
            return new Classified(Status.FAIL, "dns.servfail", "no nameserver can answer for " + name + ": "
                    + String.join("; ", failing.stream().map(DnsResolveProbe::failure).toList())
                    + (unreachable.isEmpty() ? "" : "; " + String.join("; ", unreachable.stream().map(DnsResolveProbe::why).toList())));
        }
        if (groups.size() > 1) {
            return new Classified(Status.FAIL, "dns.mismatch", "nameservers disagree about " + name + ": "
                    + String.join("; ", groups.values().stream().map(g -> names(g) + " say" + (g.size() == 1 ? "s " : " ")
                    + answer(g.getFirst().best(), wanted)).toList()) + ": split horizon, or a server with stale data");
        }
        List<ServerSaid> agree = groups.values().iterator().next();
        ServerSaid.Leg dns = agree.getFirst().best();
        List<String> sys = system.addresses();
        String kind = key(dns);
        if (kind.equals("nxdomain") || kind.equals("nodata")) {
            if (!sys.isEmpty()) {
                return new Classified(Status.WARN, "dns.mismatch", "only the system resolver knows " + name + " ("
                        + String.join(", ", sys) + " from " + system.source() + "); the nameservers say " + answer(dns, wanted)
                        + ": other machines cannot resolve it");
            }
            return kind.equals("nxdomain")
                    ? new Classified(Status.FAIL, "dns.nxdomain", name + " does not exist: " + names(agree) + " answer"
                    + (agree.size() == 1 ? "s" : "") + " NXDOMAIN and the hosts file has no entry; check the record or the search domain")
                    : new Classified(Status.FAIL, "dns.nodata", name + " exists but has no " + wanted + " record (NOERROR, empty answer from "
                    + names(agree) + "): add the record of that family, or ask for the other one");
        }
        if (!sys.isEmpty() && differs(sys, dns.addresses())) {
            return new Classified(Status.FAIL, "dns.mismatch", "the system resolver says " + name + " is " + String.join(", ", sys)
                    + " (" + system.source() + ") but the nameservers say " + String.join(", ", dns.addresses()) + ": "
                    + (system.source().contains(" line ") ? "a stale line in " + system.source().replaceFirst(" line \\d+$", "")
                    : "nsswitch sends the lookup elsewhere, or split horizon"));
        }
        if (system.method().equals("os") && sys.isEmpty()) {
            return new Classified(Status.FAIL, "dns.mismatch", "the system resolver cannot resolve " + name + " ("
                    + system.error() + ") but the nameservers say " + String.join(", ", dns.addresses())
                    + ": check nsswitch.conf and resolv.conf against the servers asked");
        }
        String agreed = name + " is " + String.join(", ", dns.addresses());
        if (!failing.isEmpty()) {
            return new Classified(Status.WARN, "dns.servfail", String.join("; ", failing.stream().map(DnsResolveProbe::failure).toList())
                    + " while " + names(agree) + " answer" + (agree.size() == 1 ? "s" : "") + " " + String.join(", ", dns.addresses())
                    + ": a client that asks it first gets no answer");
        }
        if (!unreachable.isEmpty()) {
            int firstGood = servers.indexOf(agree.getFirst());
            var ahead = unreachable.stream().filter(s -> servers.indexOf(s) < firstGood && s.udp().outcome().equals("timeout")).toList();
            if (!ahead.isEmpty()) {
                return new Classified(Status.WARN, "dns.slow", names(ahead) + ", listed before " + agree.getFirst().server()
                        + ", time" + (ahead.size() == 1 ? "s" : "") + " out: every lookup waits for it before " + agreed);
            }
            return new Classified(Status.WARN, "dns.server-unreachable", String.join("; ", unreachable.stream().map(DnsResolveProbe::why).toList())
                    + "; " + names(agree) + " answer" + (agree.size() == 1 ? "s" : "") + ": " + agreed);
        }
        for (ServerSaid s : agree) {
            if (s.best().took().compareTo(slow) > 0) {
                return new Classified(Status.WARN, "dns.slow", s.server() + " took " + human(s.best().took()) + " to answer (slow="
                        + ParamType.format(slow) + "): " + agreed);
            }
        }
        Duration fastest = agree.stream().map(s -> s.best().took()).min(Duration::compareTo).orElseThrow();
        return new Classified(Status.OK, null, agreed + " (" + (agree.size() == 1 ? agree.getFirst().server() : agree.size()
                + " nameservers agree") + ", " + human(fastest) + (dns.ttl() >= 0 ? ", ttl " + dns.ttl() : "") + ")"
                + (sys.isEmpty() ? "" : "; the system resolver agrees (" + system.source() + ")"));
    }

    /** answer:ADDRESSES, nodata, nxdomain, or "rcode X" for an answer that is no answer (SERVFAIL, REFUSED...). */
    private static String key(ServerSaid.Leg leg) {
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

    /** The system's and the servers' addresses differ when a family both have differs, or they share nothing. */
    static boolean differs(List<String> system, List<String> dns) {
        if (dns.isEmpty()) {
            return true;
        }
        boolean sameFamilySeen = false;
        for (boolean v4 : new boolean[] {true, false}) {
            Set<String> a = family(system, v4);
            Set<String> b = family(dns, v4);
            if (!a.isEmpty() && !b.isEmpty()) {
                sameFamilySeen = true;
                if (!a.equals(b)) {
                    return true;
                }
            }
        }
        return !sameFamilySeen;
    }

    private static Set<String> family(List<String> addresses, boolean v4) {
        var out = new LinkedHashSet<String>();
        addresses.stream().filter(a -> a.contains(":") != v4).forEach(out::add);
        return out;
    }

    private static String why(ServerSaid s) {
        return s.server() + " (udp " + s.udp().outcome() + ", tcp " + s.tcp().outcome() + ")";
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

    private static String names(List<ServerSaid> group) {
        return String.join(" and ", group.stream().map(ServerSaid::server).toList());
    }

    /** The resolv.conf: where the servers come from unless given, and the search list either way. */
    private static ResolvConf resolvConf(Params params, List<String> evidence) throws IOException {
        boolean given = params.has("server") || params.has("servers");
        try {
            ResolvConf conf = ResolvConf.read(Path.of(params.string("resolv_conf")));
            evidence.addAll(conf.problems());
            return conf;
        } catch (IOException e) {
            if (given) {
                return ResolvConf.parse("", params.string("resolv_conf")); // servers given: no search list then
            }
            throw e;
        }
    }

    private static List<Nameserver> nameservers(Params params, ResolvConf conf) {
        int port = params.port("port");
        List<String> given = new ArrayList<>();
        params.find("server").ifPresent(s -> given.add((String) s));
        if (params.has("servers")) {
            given.addAll(params.list("servers"));
        }
        if (!given.isEmpty()) {
            return given.stream().map(s -> Nameserver.parse(s, port)).distinct().toList();
        }
        return conf.nameservers().stream().map(ns -> new Nameserver(ns.address(), port)).toList();
    }

    private static HostsFile hosts(Path file, List<String> evidence) {
        try {
            HostsFile hosts = HostsFile.read(file);
            evidence.addAll(hosts.problems());
            return hosts;
        } catch (IOException e) {
            evidence.add("hosts file " + file + " not read: " + e);
            return new HostsFile(file.toString(), List.of(), List.of());
        }
    }

    static boolean wanted(String address, String type) {
        return type.equals("any") || type.equals("AAAA") == address.contains(":");
    }

    /** Milliseconds with three decimals, as facts carry them. */
    static double millis(Duration d) {
        return Math.round(d.toNanos() / 1e3) / 1e3;
    }

    /** {@code 0.21ms}, {@code 12ms}, {@code 1.4s}: as the engine writes durations for people. */
    static String human(Duration d) {
        double ms = d.toNanos() / 1e6;
        if (ms < 10) return String.format(Locale.ROOT, "%.2fms", ms);
        if (ms < 1000) return String.format(Locale.ROOT, "%.0fms", ms);
        return String.format(Locale.ROOT, "%.1fs", ms / 1000);
    }
}
