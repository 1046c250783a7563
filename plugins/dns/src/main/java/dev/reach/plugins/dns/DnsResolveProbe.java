package dev.reach.plugins.dns;

import dev.reach.spi.Addresses;
import dev.reach.spi.Failures;
import dev.reach.spi.Judgement;
import dev.reach.spi.Millis;
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
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Resolves a name the way this host's applications do (the system resolver: hosts file, nsswitch) and asks every
 * nameserver on its own, over UDP and over TCP, then says whether an application gets an answer, which one, and
 * which source is at fault.
 *
 * <pre>
 * $ reach probe dns.resolve name=web.test server=127.0.0.1:5353 hosts_file=/tmp/lab/hosts system=hosts
 * fail [dns.mismatch]: the system resolver says web.test is 198.18.0.50 (/tmp/lab/hosts line 1) but the nameservers say 198.18.0.10 (127.0.0.1:5353): a stale line in /tmp/lab/hosts
 *   hosts /tmp/lab/hosts line 1: web.test -> 198.18.0.50
 *   127.0.0.1:5353 udp web.test A -> NOERROR 198.18.0.10 ttl 0 in 0.62ms
 *   127.0.0.1:5353 tcp web.test A -> NOERROR 198.18.0.10 ttl 0 in 1.9ms
 * </pre>
 *
 * <p>Search domains apply as in glibc: a name with fewer dots than resolv.conf's ndots (and no final dot) is
 * asked with each search domain, then as given, until one has an address. Servers are asked all at once, each on
 * its own, beside an echo to each server's host, and no longer than their replies need: a silent server is given up
 * once another has answered, or once its own host answered ping and 20 of those round trips (at least 250 ms) went
 * by without an answer or a TCP handshake (see {@link Inquiry}); only when nothing answers at all is the whole
 * {@code timeout} waited. A name the system answers (from the hosts file above all) is one the application resolves
 * without the nameservers: what they say is then at most a warning, unless they have another address for it. How
 * long glibc waits for a silent server comes from resolv.conf's
 * {@code options timeout attempts rotate}.
 */
@Extension
public final class DnsResolveProbe implements Probe {
    /** How long the system's answer is still awaited once the nameservers' replies say it will wait for a silent one. */
    static final Duration SYSTEM_GRACE = Duration.ofMillis(100);

    static final ProbeSpec SPEC = ProbeSpec.builder("dns.resolve",
                    "Resolves a name through the system resolver and each nameserver, and says who is wrong")
            .param(Param.string("name", "the DNS name to resolve").required())
            .param(Param.choice("type", "address family wanted: A, AAAA or any (both)", "A", "AAAA", "any").defaultValue("any"))
            .param(Param.string("server", "one nameserver to ask instead of resolv.conf's: IP or IP:port ([::1]:5353)"))
            .param(Param.list("servers", "nameservers to ask instead of resolv.conf's, in order (IP or IP:port each)"))
            .param(Param.port("port", "the port of nameservers written without one, resolv_conf's too").defaultValue(53))
            .param(Param.file("resolv_conf", "where the nameservers, search list and resolver options (timeout, attempts, "
                    + "rotate) come from").defaultValue("/etc/resolv.conf"))
            .param(Param.file("hosts_file", "the hosts file to read, to say which source answered").defaultValue("/etc/hosts"))
            .param(Param.choice("system", "the system answer: os (ask this host's resolver: getaddrinfo, through getent), "
                    + "hosts (read hosts_file only, no query) or off", "os", "hosts", "off").defaultValue("os"))
            .param(Param.duration("timeout", "how long to wait for the servers' answers, and for the system's while they give no "
                    + "reason to stop sooner").defaultValue("2s").range("1ms", "1m"))
            .param(Param.duration("slow", "an answer slower than this is dns.slow").defaultValue("1s").range("0ms", "1m"))
            .fact("address", "string", "the one address the application would connect to: the system answer's first "
                    + "(getaddrinfo order; with system=hosts the hosts file's first entry), else the nameservers' first; "
                    + "absent when nothing resolved")
            .fact("address_source", "string", "where address comes from: hosts (the system answer, read from the hosts file), "
                    + "dns (the system answer, from DNS or another nsswitch source) or nameservers (no system answer: the "
                    + "first nameserver that has addresses, asked directly)")
            .fact("name", "string", "the name the servers were asked about last (after the search list)")
            .fact("addresses", "list", "what the first nameserver that answered says")
            .fact("rcode", "string", "their RCODE: NOERROR (any family has an address), NXDOMAIN, SERVFAIL...")
            .fact("ttl", "integer", "smallest TTL of the answer")
            .fact("answer_ms", "number", "the fastest answer")
            .fact("system_addresses", "list", "what the system resolver (or the hosts file) says, in its order")
            .fact("system_source", "string", "which source the system answer came from: hosts, dns or none")
            .fact("system_ms", "number", "how long the system lookup took (system=os, starting getent included), or was "
                    + "waited for when the probe stopped waiting")
            .fact("hosts_entries", "list", "lines of the hosts file for the name: 'address (file line N)'")
            .fact("nameservers", "list", "the servers asked, in order")
            .fact("servers", "list", "per server: {server, udp: {outcome, rcode, addresses, ttl, ms}, tcp: {...}, "
                    + "host: {outcome (answered, timeout), method (icmp, or tcp-7 without CAP_NET_RAW), ms}}: its host's echo, "
                    + "against which its silence is measured")
            .needs(Needs.NOTHING.withNote("system=os: `getent`"))
            .example("reach probe dns.resolve name=web.test server=127.0.0.1:5353 system=hosts")
            .example("reach probe dns.resolve name=web.test type=A servers=127.0.0.1:5353,127.0.0.2:5353 system=off")
            .about("Resolves a name as the application would (getaddrinfo through `getent`: hosts file, nsswitch; or the"
                    + " hosts file alone) and asks each nameserver (resolv.conf's, or given) on its own, all at once, over "
                    + "UDP and TCP, with RCODE, answers, TTL and time per server; fact `address` is the one the application"
                    + " connects to (`address_source`: hosts, dns or nameservers). Says who is wrong: `dns.nxdomain`, "
                    + "`dns.nodata`, `dns.servfail`, `dns.server-unreachable` (timeout/refused/no-route per server; a "
                    + "silent server whose host answers ping is decided after 20 of those round trips, at least 250 ms: its"
                    + " port 53 is dropped; only when nothing answers at all is the whole timeout waited), `dns.mismatch` "
                    + "(stale hosts line naming file and line, servers disagree), `dns.slow` (a silent server ahead of a "
                    + "good one costs every lookup resolv.conf's `options timeout`; decided once the good one answered, not"
                    + " after the wait). A name the system answers from the hosts file only warns about the nameservers. "
                    + "Type any is the union of the families. Search domains as glibc.")
            .causes("dns.nxdomain", "dns.nodata", "dns.servfail", "dns.server-unreachable", "dns.mismatch", "dns.slow")
            .build();

    /** The address an application would connect to, and where it comes from: hosts, dns or nameservers. */
    record Target(String address, String source) {
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
            return Observation.error("cannot read resolv_conf (" + Failures.text(e) + "); give server=IP[:port]").build();
        }
        String given = question.toString(true);
        HostsFile hosts = hosts(Path.of(params.string("hosts_file")), evidence);
        List<HostsFile.Entry> entries = hosts.lookup(given).stream().filter(e -> wanted(e.address(), type)).toList();
        List<Integer> qtypes = type.equals("any") ? List.of(Type.A, Type.AAAA) : List.of(Type.value(type));
        Duration timeout = ctx.bound(params.duration("timeout"));
        long t0 = System.nanoTime();
        try (SystemLookup lookup = SystemLookup.start(params.string("system"), name, type, hosts, entries)) {
            // glibc's search: an unqualified name is tried with each search domain, then as given, until one has an address
            List<Exchange> tried = new ArrayList<>();
            Inquiry.Asked asked = new Inquiry.Asked(List.of(), Map.of());
            String shown = given;
            for (String candidate : conf.candidates(name)) {
                shown = candidate.endsWith(".") ? candidate.substring(0, candidate.length() - 1) : candidate;
                ctx.progress("asking " + nameservers.size() + " nameservers about " + shown);
                try {
                    asked = Inquiry.ask(nameservers, Name.fromString(candidate, Name.root), qtypes, ctx.bound(timeout));
                } catch (TextParseException e) {
                    continue; // a search domain that makes the name too long
                }
                List<Exchange> exchanges = asked.exchanges();
                tried.addAll(exchanges);
                // stop at an address, or when nobody answers: the next domain would only wait as long again
                if (exchanges.stream().anyMatch(x -> !x.addresses().isEmpty()) || exchanges.stream().noneMatch(Exchange::answered)
                        || ctx.cancelled()) {
                    break;
                }
            }
            Inquiry.Asked last = asked;
            List<ServerSaid> said = nameservers.stream().map(ns -> ServerSaid.of(ns.toString(),
                    last.exchanges().stream().filter(x -> x.server().equals(ns)).toList(),
                    last.hosts().getOrDefault(ns.address(), HostEcho.Heard.notAsked(Addresses.text(ns.address()))))).toList();
            // the system's answer is worth its wait unless the servers' replies say it waits for a silent one
            Duration left = timeout.minus(Duration.ofNanos(System.nanoTime() - t0));
            SystemSaid system = lookup.await(ctx.bound(systemWaits(said, conf) || left.isNegative() ? SYSTEM_GRACE : left));
            return observe(classify(shown, type, system, said, conf, params.duration("slow")), shown, given, system, said,
                    nameservers, hosts, entries, tried, evidence);
        }
    }

    private static Observation observe(Judgement c, String shown, String given, SystemSaid system, List<ServerSaid> said,
                                       List<Nameserver> nameservers, HostsFile hosts, List<HostsFile.Entry> entries,
                                       List<Exchange> tried, List<String> evidence) {
        Observation.Builder b = c.observation();
        entries.forEach(e -> b.evidence("hosts " + hosts.source() + " line " + e.line() + ": " + given + " -> " + e.address()));
        if (system.method().equals("os")) {
            b.evidence("system resolver (getaddrinfo) " + given + " -> " + (system.addresses().isEmpty() ? system.error()
                    : String.join(", ", system.addresses()) + " (" + system.source() + ")") + " in " + human(system.took()));
        } else if (!system.error().isEmpty()) {
            b.evidence("system=os: " + system.error());
        }
        tried.forEach(x -> b.evidence(x.evidence()));
        said.stream().map(ServerSaid::host).filter(h -> !h.outcome().equals("not-asked")).distinct().forEach(h -> b.evidence(h.evidence()));
        evidence.forEach(b::evidence);
        ServerSaid.Leg agreed = said.stream().map(ServerSaid::best).filter(l -> l != null).findFirst().orElse(null);
        if (agreed != null) {
            b.fact("addresses", agreed.addresses()).fact("rcode", agreed.rcode()).fact("ttl", agreed.ttl() >= 0 ? agreed.ttl() : null);
            said.stream().map(ServerSaid::best).filter(l -> l != null).map(ServerSaid.Leg::took).min(Duration::compareTo)
                    .ifPresent(d -> b.fact("answer_ms", Millis.of(d)));
        }
        target(system, said).ifPresent(t -> b.fact("address", t.address()).fact("address_source", t.source()));
        if (!system.method().equals("off")) {
            b.fact("system_addresses", system.addresses()).fact("system_source", system.kind());
        }
        if (system.method().equals("os")) {
            b.fact("system_ms", Millis.of(system.took()));
        }
        return b.fact("name", shown)
                .fact("hosts_entries", entries.stream().map(e -> e.address() + " (" + hosts.source() + " line " + e.line() + ")").toList())
                .fact("nameservers", nameservers.stream().map(Nameserver::toString).toList())
                .fact("servers", said.stream().map(ServerSaid::facts).toList())
                .build();
    }

    /**
     * Judges what the system and the servers said. Pure. First the nameservers alone ({@link NameserverVerdict#judge}), then what
     * the system's answer changes: the application uses the system's answer, so when there is one, the nameservers'
     * failures are warnings (dns.mismatch for a name they do not know), and only another address from them (a stale
     * hosts line, split horizon) fails; when the system cannot resolve what the nameservers answer, that fails; a
     * system lookup still waiting, or slower than {@code slow}, while the servers answered at once is dns.slow.
     */
    static Judgement classify(String name, String type, SystemSaid system, List<ServerSaid> servers, ResolvConf resolver,
                              Duration slow) {
        if (servers.isEmpty()) {
            return new Judgement(Status.ERROR, null, "no nameserver to ask about " + name
                    + ": give server=IP[:port] or a resolv_conf with nameserver lines");
        }
        Judgement dns = NameserverVerdict.judge(name, type, servers, resolver, slow);
        Map<String, List<ServerSaid>> answers = NameserverVerdict.addressGroups(servers);
        List<ServerSaid> agree = answers.size() == 1 ? answers.values().iterator().next() : List.of();
        ServerSaid.Leg answer = agree.isEmpty() ? null : agree.getFirst().best();
        List<String> sys = system.addresses();
        if (!sys.isEmpty()) {
            boolean fromHosts = !system.hostsLine().isEmpty();
            String says = "the system resolver answers " + name + (fromHosts ? " from " + system.hostsLine() + " ("
                    + String.join(", ", sys) + ") without asking the nameservers" : " with " + String.join(", ", sys)
                    + " (" + system.source() + ")");
            if (!answers.isEmpty() && answers.values().stream().allMatch(g -> differs(sys, g.getFirst().best().addresses()))) {
                return new Judgement(Status.FAIL, "dns.mismatch", "the system resolver says " + name + " is " + String.join(", ", sys)
                        + " (" + system.source() + ") but the nameservers say " + String.join("; ", answers.values().stream()
                        .map(g -> String.join(", ", g.getFirst().best().addresses()) + " (" + NameserverVerdict.names(g) + ")").toList())
                        + ": " + (fromHosts ? "a stale line in " + system.hostsLine().replaceFirst(" line \\d+$", "")
                        : "nsswitch sends the lookup elsewhere, or split horizon"));
            }
            if (answer != null && dns.status() == Status.OK) {
                if (system.took().compareTo(slow) > 0) {
                    return new Judgement(Status.WARN, "dns.slow", "the system resolver took " + human(system.took()) + " to answer "
                            + name + " (slow=" + ParamType.format(slow) + ") although the nameservers answer at once: a slow "
                            + "nsswitch source; " + dns.summary());
                }
                return new Judgement(Status.OK, null, dns.summary() + "; the system resolver agrees (" + system.source() + ")");
            }
            // the application uses the system's answer: what the nameservers lack or dispute fails only where it could
            // change that answer (nameservers with other addresses, unless the hosts file answers without asking them)
            Status status = fromHosts || answers.isEmpty() ? Status.WARN : dns.status();
            if (answers.isEmpty() && ("dns.nxdomain".equals(dns.cause()) || "dns.nodata".equals(dns.cause()))) {
                String kind = "dns.nxdomain".equals(dns.cause()) ? "nxdomain" : "nodata";
                List<ServerSaid> saying = servers.stream()
                        .filter(s -> s.best() != null && NameserverVerdict.key(s.best()).equals(kind)).toList();
                return new Judgement(status, "dns.mismatch", says + "; the nameservers say " + (kind.equals("nxdomain") ? "NXDOMAIN"
                        : "it has no " + NameserverVerdict.wantedWords(type) + " record") + " (" + NameserverVerdict.names(saying)
                        + "): other machines cannot resolve it");
            }
            if (answer != null) {
                return new Judgement(status, dns.cause(), dns.summary() + "; " + (fromHosts ? says
                        : "the system resolver agrees (" + system.source() + ")"));
            }
            return new Judgement(status, dns.cause(), says + "; " + dns.summary());
        }
        if (system.method().equals("os") && system.outcome().equals("failed") && answer != null && dns.status() != Status.FAIL) {
            return new Judgement(Status.FAIL, "dns.mismatch", "the system resolver cannot resolve " + name + " (" + system.error()
                    + ") but the nameservers say " + String.join(", ", answer.addresses()) + " (" + NameserverVerdict.names(agree)
                    + "): check nsswitch.conf and resolv.conf against the servers asked");
        }
        if (system.outcome().equals("failed") && dns.status() == Status.FAIL) {
            return new Judgement(dns.status(), dns.cause(), dns.summary() + (system.method().equals("hosts")
                    ? "; the hosts file has no entry" : "; the system resolver has no address either"));
        }
        if (system.pending() && dns.status() == Status.OK) {
            return new Judgement(Status.WARN, "dns.slow", "the system resolver had not answered " + name + " after "
                    + human(system.took()) + " although the nameservers answer at once: a slow nsswitch source; " + dns.summary());
        }
        if (system.pending()) {
            return new Judgement(dns.status(), dns.cause(), dns.summary() + "; the system resolver was still waiting after "
                    + human(system.took()));
        }
        return dns;
    }

    /** True when the system's lookup will wait for a silent server (or fail after waiting for all): not worth awaiting. */
    static boolean systemWaits(List<ServerSaid> servers, ResolvConf resolver) {
        List<ResolvConf.Turn> turns = servers.stream().map(NameserverVerdict::turn).toList();
        return resolver.waitsBeforeAnswer(turns).stream().anyMatch(w -> w == null ? !resolver.giveUp(turns).isZero() : !w.isZero());
    }

    /** The address an application would use: the system's first, else the first nameserver's that has addresses. Pure. */
    static Optional<Target> target(SystemSaid system, List<ServerSaid> servers) {
        if (!system.addresses().isEmpty()) {
            return Optional.of(new Target(system.addresses().getFirst(), system.kind()));
        }
        return servers.stream().map(ServerSaid::best).filter(l -> l != null && !l.addresses().isEmpty()).findFirst()
                .map(l -> new Target(l.addresses().getFirst(), "nameservers"));
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
            evidence.add("hosts file " + file + " not read: " + Failures.text(e));
            return new HostsFile(file.toString(), List.of(), List.of());
        }
    }

    static boolean wanted(String address, String type) {
        return type.equals("any") || type.equals("AAAA") == address.contains(":");
    }


    /** {@code 0.21ms}, {@code 12ms}, {@code 1.4s}: as the engine writes durations for people. */
    static String human(Duration d) {
        return Millis.human(d);
    }
}
