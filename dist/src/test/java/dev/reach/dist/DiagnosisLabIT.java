package dev.reach.dist;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.reach.testkit.Netns;
import dev.reach.testkit.Root;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The real distribution, run inside the client namespace of {@link LabTopology} as {@code reach HOST:PORT --json},
 * against real faults built with iptables, routes, links, frozen and stopped services; each test asserts the
 * verdict's cause, and the class as a whole that no fault ends {@code ok} while every healthy scenario does.
 * Name resolution uses the lab's dnsmasq: most scenarios give resolv_conf and hosts_file (system=hosts); those
 * named "system" run with reach's defaults against the client namespace's own /etc/resolv.conf and /etc/hosts,
 * through the real system resolver.
 */
class DiagnosisLabIT {
    /** One scenario's outcome, for the table printed at the end and the class-wide assertions. */
    private record Row(String scenario, String expected, String cause, double ms) {
    }

    private static final List<Row> ROWS = java.util.Collections.synchronizedList(new ArrayList<>());
    /** The distribution to run; -Dlab.home/-Dlab.cp point at another layout (a REACH home with every plugin). */
    private static final String HOME = System.getProperty("lab.home", Cli.HOME.toString());
    private static final String CP = System.getProperty("lab.cp", Path.of(HOME, "lib") + "/*");
    private static LabTopology lab;

    @BeforeAll
    static void build() throws Exception {
        Root.assumeRootWith("ip", "iptables", "dnsmasq", "python3", "openssl", "ss");
        lab = new LabTopology();
    }

    @AfterAll
    static void tearDown() {
        if (lab != null) lab.close();
        if (ROWS.isEmpty()) return;
        System.out.println("\nlab table: scenario | expected | verdict | ms");
        ROWS.forEach(r -> System.out.printf("| %s | %s | %s | %.0f |%n", r.scenario(), r.expected(), r.cause(), r.ms()));
        assertThat(ROWS.stream().filter(r -> !r.expected().equals("ok") && r.cause().equals("ok")).map(Row::scenario))
                .as("fault scenarios that ended ok").isEmpty();
        assertThat(ROWS.stream().filter(r -> r.expected().equals("ok") && !r.cause().equals("ok")).map(Row::scenario))
                .as("healthy scenarios that did not end ok").isEmpty();
    }

    @BeforeEach
    void cleanRules() {
        lab.reset();
    }

    // healthy

    @Test
    void healthyServiceIsOk() throws Exception {
        expect("healthy", "ok", diagnose("web.lab.test:8080"));
    }

    @Test
    void healthyServiceThroughTheSystemResolverIsOk() throws Exception {
        lab.systemResolver("");
        expect("healthy (system)", "ok", diagnoseAsSystem("web.lab.test:8080"));
    }

    /** The bug: a name only in /etc/hosts got the nameservers' REFUSED as its verdict, though the application connects. */
    @Test
    void nameOnlyInTheHostsFileIsOk() throws Exception {
        lab.systemResolver(LabTopology.SERVER + " web.example.test\n");
        expect("hosts-only name (system)", "ok", diagnoseAsSystem("web.example.test:8080"));
    }

    /**
     * The server answers echo through a token bucket (a burst of 6, then one a minute), as hardening guides and routers'
     * control planes do: the first pings answered, the rest not. The service works: no path.loss.
     */
    @Test
    void rateLimitedIcmpIsNoFalseAlarm() throws Exception {
        lab.iptables(lab.server, "-A", "INPUT", "-p", "icmp", "--icmp-type", "echo-request", "-m", "limit", "--limit", "1/minute",
                "--limit-burst", "6", "-j", "ACCEPT");
        lab.iptables(lab.server, "-A", "INPUT", "-p", "icmp", "--icmp-type", "echo-request", "-j", "DROP");
        Verdict v = diagnose("web.lab.test:8080");
        expect("icmp-rate-limited", "ok", v);
        assertThat(v.summary()).contains("ICMP echo is rate-limited (");
    }

    /**
     * SYNs to the port rate-limited on the server (one a second, a burst of one), pings untouched: the service answers,
     * but connections wait for the kernel to send their SYN again. Not ok: the application's connects take 1 s or 3 s
     * more, or time out.
     */
    @Test
    void synsDroppedByARateLimitArePathLossNotOk() throws Exception {
        lab.iptables(lab.server, "-A", "INPUT", "-p", "tcp", "--dport", "8080", "--syn", "-m", "limit", "--limit", "1/s",
                "--limit-burst", "1", "-j", "ACCEPT");
        lab.iptables(lab.server, "-A", "INPUT", "-p", "tcp", "--dport", "8080", "--syn", "-j", "DROP");
        Verdict v = diagnose("web.lab.test:8080");
        expect("syn-rate-limited", "path.loss", v);
        assertThat(v.summary()).contains("SYN(s) of reach's connections to it went unanswered", "while pings lost 0");
    }

    /**
     * A name with two addresses (round-robin DNS, two backends): while both answer it is ok; with the second dead
     * (nobody holds 198.18.1.88 behind the router) every client given that one first fails, so it is not ok, though
     * the address reach tried first works. The router's ARP for it gives up after ~3 s: the verdict comes from the
     * silence (host.down) or, on a router that already knows, from its ICMP (host.unreachable).
     */
    @Test
    void aNameWhoseOtherAddressIsDeadIsNotOk() throws Exception {
        Path hosts = lab.dir.resolve("hosts-two-addresses");
        Files.writeString(hosts, LabTopology.SERVER + " two.lab.test\n" + LabTopology.SERVER_SECOND + " two.lab.test\n");
        expect("two-addresses-both-up", "ok", diagnose("two.lab.test:8080", "hosts_file=" + hosts));

        Files.writeString(hosts, LabTopology.SERVER + " two.lab.test\n198.18.1.88 two.lab.test\n");
        Verdict v = diagnose("two.lab.test:8080", "hosts_file=" + hosts);
        ROWS.add(new Row("second-address-dead", "host.down|host.unreachable", v.cause(), v.ms()));
        assertThat(v.cause()).as(v.summary()).isIn("host.down", "host.unreachable");
        assertThat(v.exit()).isEqualTo(1);
        assertThat(v.summary()).contains("two.lab.test has 2 addresses: " + LabTopology.SERVER + " answers, but 198.18.1.88 ");
        assertThat(v.fix()).contains("reach 198.18.1.88:8080 diagnoses that address alone");
    }

    @Test
    void blockedIcmpIsNoFalseAlarm() throws Exception {
        lab.iptables(lab.server, "-A", "INPUT", "-p", "icmp", "-j", "DROP");
        expect("icmp-blocked", "ok", diagnose("web.lab.test:8080"));
        // nor for monitoring: Nagios OK, not CRITICAL (the ping step fails; the verdict weighed it as not the cause)
        Netns.Result nagios = reach(lab.client, "web.lab.test:8080", "--format", "nagios", "--set", "resolv_conf=" + lab.resolvConf,
                "--set", "hosts_file=" + lab.hosts, "--set", "system=hosts");
        assertThat(nagios.exit()).as(nagios.toString()).isZero();
        assertThat(nagios.out()).startsWith("ok - ");
    }

    @Test
    void goodCertificateIsOk() throws Exception {
        try (var tls = lab.tlsServer("good")) {
            expect("tls-good", "ok", diagnose("web.lab.test:8443", "ca=" + lab.ca));
        }
    }

    /**
     * The run history over one target, healthy → fault → healthy four times: the name's answer changes (a hosts file),
     * the route changes (the client's route to the server's network goes via a box that does not forward), the
     * certificate is swapped for an expired one, and a delay of 30 ms is added beyond the router (under the 250 ms
     * threshold: only the target's own baseline can see it). Each fault's verdict says what changed since it last
     * worked; {@code reach history} shows the transitions; {@code reach diff} names exactly the certificate.
     */
    @Test
    void theHistorySaysWhatChangedSinceItLastWorked() throws Exception {
        Path history = lab.dir.resolve("history-" + System.nanoTime() + ".db");
        Path hosts = lab.dir.resolve("hosts-history");
        Files.writeString(hosts, "198.18.1.2 web.lab.test\n");
        String target = "web.lab.test:8443";
        List<String> env = List.of("REACH_HISTORY=" + history);
        java.util.function.Supplier<JsonNode> run = () -> json(reachWith(env, lab.client, target, "--json", "--set", "hosts_file=" + hosts,
                "--set", "system=hosts", "--set", "resolv_conf=" + lab.resolvConf, "--set", "ca=" + lab.ca));
        var tls = lab.tlsServer("good");
        try {
            for (int i = 0; i < 5; i++) assertThat(cause(run.get())).as("healthy run " + i).isEqualTo("ok");

            Files.writeString(hosts, "198.18.1.9 web.lab.test\n");       // nothing answers there
            JsonNode dns = run.get();
            assertThat(cause(dns)).isNotEqualTo("ok");
            assertThat(evidence(dns)).contains("  DNS answer: 198.18.1.2 (hosts) → 198.18.1.9 (hosts)")
                    .anyMatch(l -> l.startsWith("since it last worked ") && l.endsWith("changed:"));
            Files.writeString(hosts, "198.18.1.2 web.lab.test\n");
            assertThat(cause(run.get())).isEqualTo("ok");

            String dev = lab.lab.exec(lab.client, "ip", "-o", "route", "get", LabTopology.SERVER).orThrow().out().replaceAll(".* dev (\\S+).*\\s*", "$1");
            lab.lab.exec(lab.client, "ip", "route", "replace", "198.18.1.0/24", "via", "198.18.4.254").orThrow();
            JsonNode route = run.get();
            lab.lab.exec(lab.client, "ip", "route", "replace", "198.18.1.0/24", "via", LabTopology.ROUTER_CLIENT_SIDE).orThrow();
            assertThat(cause(route)).isNotEqualTo("ok");
            assertThat(evidence(route)).anyMatch(l -> l.startsWith("  route: via " + LabTopology.ROUTER_CLIENT_SIDE + " dev " + dev)
                    && l.contains("→ via 198.18.4.254 dev "));
            assertThat(cause(run.get())).isEqualTo("ok");

            tls.close();
            tls = lab.tlsServer("expired");
            JsonNode cert = run.get();
            assertThat(cause(cert)).isEqualTo("tls.expired");
            assertThat(evidence(cert)).anyMatch(l -> l.startsWith("  certificate: sha256 ") && l.contains(" → sha256 "));
            long certRun = lastRun(history, env);
            Netns.Result diff = reachWith(env, lab.client, "diff", target, "--json");
            assertThat(diff.exit()).as(diff.toString()).isEqualTo(1);
            JsonNode d = new ObjectMapper().readTree(diff.out());
            assertThat(d.path("to").path("run").asLong()).isEqualTo(certRun);
            List<String> facts = new ArrayList<>();
            d.path("changes").forEach(c -> {
                if (c.path("kind").asText().equals("fact")) facts.add(c.path("key").asText());
            });
            assertThat(facts).as(diff.out()).containsExactly("certificate");   // figures (round trips) vary run to run
            tls.close();
            tls = lab.tlsServer("good");
            assertThat(cause(run.get())).isEqualTo("ok");

            JsonNode slow;
            try (var delay = lab.delayBeyondTheRouter(30)) {
                slow = run.get();
            }
            assertThat(cause(slow)).as(slow.path("verdict").toString()).isEqualTo("path.latency");
            assertThat(slow.path("exit_code").asInt()).isEqualTo(1);
            assertThat(evidence(slow).getFirst()).startsWith("baseline: ICMP round trip ").contains("usually");
            assertThat(cause(run.get())).isEqualTo("ok");

            // ICMP dropped by the router from now on, while the service answers: every echo unanswered is a filter
            // (icmp.blocked), not a loss of 100 % against a baseline of 0 %
            lab.iptables(lab.router, "-A", "FORWARD", "-p", "icmp", "-j", "DROP");
            JsonNode blocked = run.get();
            lab.iptables(lab.router, "-D", "FORWARD", "-p", "icmp", "-j", "DROP");
            assertThat(cause(blocked)).as(blocked.path("verdict").toString()).isEqualTo("ok");
            assertThat(blocked.path("exit_code").asInt()).isZero();

            Netns.Result listed = reachWith(env, lab.client, "history", target, "--json");
            List<String> changedFrom = new ArrayList<>();
            List<String> causes = new ArrayList<>();
            for (JsonNode r : new ObjectMapper().readTree(listed.out()).path("runs")) {
                causes.add(r.path("cause").asText());
                if (!r.path("changed_from").isNull()) changedFrom.add(r.path("changed_from").asText() + ">" + r.path("cause").asText());
            }
            assertThat(causes).hasSize(14);
            assertThat(changedFrom).hasSize(8).containsSubsequence("ok>" + cause(dns), cause(dns) + ">ok", "ok>tls.expired", "tls.expired>ok",
                    "ok>path.latency", "path.latency>ok");
            Netns.Result text = reachWith(env, lab.client, "history", "web.lab.test:8443");
            assertThat(text.out()).as(text.toString()).contains("(was ok)").contains("tls.expired (certain)");
        } finally {
            tls.close();
        }
    }

    private static JsonNode json(Netns.Result r) {
        try {
            JsonNode j = new ObjectMapper().readTree(r.out());
            if (!j.has("verdict")) throw new IllegalStateException("no verdict");
            System.out.printf("lab history %-20s %6.0f ms exit %d%s%n", cause(j), j.path("duration_ms").asDouble(), r.exit(),
                    r.err().isBlank() ? "" : "\n" + r.err().strip());
            return j;
        } catch (Exception e) {
            throw new AssertionError("reach printed no JSON report: " + r, e);
        }
    }

    private static String cause(JsonNode run) {
        return run.path("verdict").path("cause").asText();
    }

    private static List<String> evidence(JsonNode run) {
        List<String> lines = new ArrayList<>();
        run.path("verdict").path("evidence").forEach(e -> lines.add(e.asText()));
        return lines;
    }

    private static long lastRun(Path history, List<String> env) throws Exception {
        Netns.Result r = reachWith(env, lab.client, "history", "--limit", "1", "--json");
        return new ObjectMapper().readTree(r.out()).path("runs").get(0).path("run").asLong();
    }

    /** Mutual TLS: the handshake completes on the client's side, then the server refuses a client without a certificate. */
    @Test
    void serverRequiringAClientCertificateIsHandshakeFailure() throws Exception {
        try (var tls = lab.tlsServer("good", 8443, "-Verify", "1", "-CAfile", lab.ca.toString())) {
            Verdict v = diagnose("web.lab.test:8443", "ca=" + lab.ca);
            expect("tls-client-cert-required", "tls.handshake-failure", v);
            assertThat(v.summary()).contains("requires a client certificate (mutual TLS)");
            assertThat(v.fix()).contains("client certificate and key");
        }
    }

    /** Mutual TLS, optional: the server asks, goes on without one: the application gets through. */
    @Test
    void serverAskingForAnOptionalClientCertificateIsOk() throws Exception {
        try (var tls = lab.tlsServer("good", 8443, "-verify", "1", "-CAfile", lab.ca.toString())) {
            expect("tls-client-cert-optional", "ok", diagnose("web.lab.test:8443", "ca=" + lab.ca));
        }
    }

    /** The same server with an honest Date: HTTP answers, the clocks agree, no false alarm. */
    @Test
    void webServerWithTheRightDateIsOk() throws Exception {
        try (var web = lab.python(LabTopology.HTTP, LabTopology.SERVER, "8082", "0")) {
            expect("http-dated-right", "ok", diagnose("http://web.lab.test:8082/"));
        }
    }

    // the service

    @Test
    void stoppedServiceIsRefused() throws Exception {
        expect("service-down", "tcp.refused", diagnose("web.lab.test:8081"));
    }

    @Test
    void rejectWithTcpResetIsRefused() throws Exception {
        lab.iptables(lab.server, "-A", "INPUT", "-p", "tcp", "--dport", "8080", "-j", "REJECT", "--reject-with", "tcp-reset");
        expect("reject-reset", "tcp.refused", diagnose("web.lab.test:8080"));
    }

    /** The kernel completes the handshake for a SIGSTOPped server; no byte ever comes back. */
    /** A proxy whose backends are down answers 503 on the service's own port: the path works, the service does not. */
    @Test
    void serviceAnsweringServiceUnavailableIsNotOk() throws Exception {
        String unavailable = """
                import sys, http.server
                class H(http.server.BaseHTTPRequestHandler):
                    def do_HEAD(self):
                        self.send_response(503); self.send_header('Content-Length', '0'); self.end_headers()
                    do_GET = do_HEAD
                    def log_message(self, *a):
                        pass
                s = http.server.HTTPServer((sys.argv[1], int(sys.argv[2])), H)
                print('ready', flush=True)
                s.serve_forever()
                """;
        try (var web = lab.python(unavailable, LabTopology.SERVER, "8081")) {
            Verdict v = diagnose("web.lab.test:8081");
            expect("http-503", "inconclusive", v);
            assertThat(v.summary()).contains("the service does not", "503 Service Unavailable");
        }
    }

    /** An HTTP server holds Redis' port: the path works, but a Redis client would not get through. */
    @Test
    void anotherProgramOnAWellKnownPortIsNotOk() throws Exception {
        try (var web = lab.python(LabTopology.HTTP, LabTopology.SERVER, "6379", "0")) {
            Verdict v = diagnose("web.lab.test:6379");
            expect("http-on-redis-port", "inconclusive", v);
            assertThat(v.summary()).contains("answers, but in http, not in redis");
            expect("http-on-redis-port, said", "ok", diagnose("web.lab.test:6379", "protocol=http"));
        }
    }

    @Test
    void frozenServiceIsNoResponse() throws Exception {
        try (var web = lab.python(LabTopology.HTTP, "0.0.0.0", "8088", "0")) {
            lab.lab.exec(lab.server, "kill", "-STOP", Long.toString(web.pid())).orThrow();
            try {
                expect("frozen-process", "tcp.no-response", diagnose("web.lab.test:8088", "timeout=1s"));
            } finally {
                lab.lab.exec(lab.server, "kill", "-CONT", Long.toString(web.pid()));
            }
        }
    }

    /** A rule on the server resets every connection at its first data segment (PSH), after the handshake. */
    @Test
    void resetAtTheFirstDataSegmentIsTcpReset() throws Exception {
        lab.iptables(lab.server, "-A", "INPUT", "-p", "tcp", "--dport", "8080", "--tcp-flags", "PSH", "PSH",
                "-j", "REJECT", "--reject-with", "tcp-reset");
        expect("reset-at-first-data", "tcp.reset", diagnose("web.lab.test:8080"));
    }

    /** The bug: a URL's path was dropped, so a path the server does not have answered ok. */
    @Test
    void urlPathTheServerDoesNotHaveIsNotOk() throws Exception {
        Verdict v = diagnose("http://web.lab.test:8080/missing?x=1");
        expect("url-path-404", "inconclusive", v);
        assertThat(v.summary()).contains("404");
    }

    // firewalls and hosts

    @Test
    void firewallDropIsFiltered() throws Exception {
        lab.iptables(lab.server, "-A", "INPUT", "-p", "tcp", "--dport", "8080", "-j", "DROP");
        expect("firewall-drop", "tcp.filtered", diagnose("web.lab.test:8080", "timeout=1s"));
    }

    @Test
    void hostDroppingTcpAndPingIsFilteredWhenTheTraceReachesIt() throws Exception {
        lab.iptables(lab.server, "-A", "INPUT", "-p", "tcp", "-j", "DROP");
        lab.iptables(lab.server, "-A", "INPUT", "-p", "icmp", "--icmp-type", "echo-request", "-j", "DROP");
        expect("tcp-ping-dropped", "tcp.filtered", diagnose("198.18.1.2:8080", "timeout=1s")); // the UDP trace got its port-unreachable
    }

    @Test
    void hostDroppingEverythingIsHostDown() throws Exception {
        lab.iptables(lab.server, "-A", "INPUT", "-j", "DROP");
        expect("all-dropped", "host.down", diagnose("198.18.1.2:8080", "timeout=1s"));
    }

    /** This host's own OUTPUT chain rejects the SYN (iptables' default: ICMP port-unreachable, sent by this host). */
    @Test
    void localOutputRejectIsFirewallLocal() throws Exception {
        lab.iptables(lab.client, "-A", "OUTPUT", "-p", "tcp", "--dport", "8080", "-j", "REJECT");
        expect("local-output-reject", "firewall.local", diagnose("web.lab.test:8080"));
    }

    /** The server's INPUT rejects with iptables' default ICMP port-unreachable: refused, and by a rule, not a closed port. */
    @Test
    void rejectWithPortUnreachableIsRefusedByARule() throws Exception {
        lab.iptables(lab.server, "-A", "INPUT", "-p", "tcp", "--dport", "8080", "-j", "REJECT");
        Verdict v = diagnose("web.lab.test:8080");
        expect("reject-port-unreachable", "tcp.refused", v);
        assertThat(v.summary()).contains("refused by a firewall: " + LabTopology.SERVER + " answered ICMP port-unreachable");
    }

    /** This host's own OUTPUT chain drops the SYN: the kernel resends it, nothing leaves the client, the host answers ping. */
    @Test
    void localOutputRuleIsFirewallLocal() throws Exception {
        lab.iptables(lab.client, "-A", "OUTPUT", "-p", "tcp", "--dport", "8080", "-j", "DROP");
        Verdict v = diagnose("web.lab.test:8080");
        expect("local-output-drop", "firewall.local", v);
        assertThat(v.summary()).as("names the rule").contains("8080", "OUTPUT");
    }

    /** Nobody holds 198.18.1.99: nothing answers from it, and the trace ends at the router. */
    @Test
    void missingHostBehindTheRouterIsHostDown() throws Exception {
        expect("host-off-behind-router", "host.down", diagnose("198.18.1.99:8080"));
    }

    /** The same, waited out: the router's ARP fails and it answers ICMP host-unreachable after ~3 s. */
    @Test
    void missingHostBehindTheRouterIsHostUnreachableWhenPatient() throws Exception {
        expect("host-off-behind-router (patient)", "host.unreachable", diagnose("198.18.1.99:8080", "timeout=5s", "patient=true"));
    }

    /** Nobody on the client's own link holds 198.18.0.99: its ARP goes unanswered, no router is involved. */
    @Test
    void missingHostOnTheClientsLinkIsHostUnreachable() throws Exception {
        expect("host-off-on-link", "host.unreachable", diagnose("198.18.0.99:8080", "timeout=2s"));
    }

    @Test
    void rejectWithIcmpOnTheRouterIsProhibited() throws Exception {
        lab.iptables(lab.router, "-A", "FORWARD", "-p", "tcp", "--dport", "8080", "-j", "REJECT", "--reject-with", "icmp-admin-prohibited");
        expect("reject-icmp", "admin.prohibited", diagnose("web.lab.test:8080"));
    }

    // routes and links

    /**
     * The same right after other traffic to it: the router's errors for this source are spent (Linux sends a burst
     * of five, then one a second), so most of the diagnosis's packets, the SYN's among them, get no word at all.
     */
    @Test
    void routerWithoutARouteOnwardAndItsErrorsSpentIsNetUnreachable() throws Exception {
        lab.lab.route(lab.client, "198.18.6.0/24", LabTopology.ROUTER_CLIENT_SIDE);
        lab.lab.exec(lab.client, "ping", "-q", "-n", "-c", "10", "-i", "0.002", "-W", "1", "198.18.6.7"); // fails: that is the point
        expect("no-route-onward (errors spent)", "net.unreachable", diagnose("198.18.6.6:8080"));
    }

    /**
     * The router drops TCP to the server and answers everything else for it with ICMP host-unreachable: the SYN hears
     * nothing, but the router's word on the whole host, heard by the echo or the pings, stands for the SYN too.
     */
    @Test
    void routersWordOnTheHostHeardBesideASilentSynIsHostUnreachable() throws Exception {
        lab.iptables(lab.router, "-A", "FORWARD", "-d", LabTopology.SERVER, "-p", "tcp", "-j", "DROP");
        lab.iptables(lab.router, "-A", "FORWARD", "-d", LabTopology.SERVER, "-j", "REJECT", "--reject-with", "icmp-host-unreachable");
        expect("host-unreachable beside a silent SYN", "host.unreachable", diagnose(LabTopology.SERVER + ":8080"));
    }

    @Test
    void missingRouteIsRouteNone() throws Exception {
        expect("no-route", "route.none", diagnose("198.19.5.5:8080"));
    }

    /** The client routes 198.18.6.0/24 to the router, which has no route onward and answers ICMP net-unreachable. */
    @Test
    void routerWithoutARouteOnwardIsNetUnreachable() throws Exception {
        lab.lab.route(lab.client, "198.18.6.0/24", LabTopology.ROUTER_CLIENT_SIDE);
        expect("no-route-onward", "net.unreachable", diagnose("198.18.6.6:8080"));
    }

    @Test
    void prohibitRouteIsRouteReject() throws Exception {
        lab.lab.exec(lab.client, "ip", "route", "replace", "prohibit", "198.18.8.0/24").orThrow();
        expect("prohibit-route", "route.reject", diagnose("198.18.8.8:8080"));
    }

    @Test
    void deadGatewayIsGatewayUnreachable() throws Exception {
        lab.lab.route(lab.client, "198.18.7.0/24", "198.18.0.77");
        expect("gateway-down", "gateway.unreachable", diagnose("198.18.7.2:8080", "timeout=2s"));
    }

    /** The peer of the client's egress veth goes down: no carrier here, the route stays (linkdown). */
    @Test
    void egressInterfaceWithoutCarrierIsLinkDown() throws Exception {
        lab.lab.ip(lab.dead, "link", "set", lab.deadLink.devB(), "down");
        expect("no-carrier", "link.down", diagnose(LabTopology.LINK_DOWN_TARGET + ":8080", "timeout=2s"));
    }

    /** A second machine on the LAN claims the gateway's address, and the client's neighbour entry holds its MAC. */
    @Test
    void secondMachineAnsweringForTheGatewayIsArpConflict() throws Exception {
        lab.lab.exec(lab.client, "ip", "neigh", "replace", "198.18.10.254", "lladdr", lab.imposterMac(), "dev", lab.lanDevice(),
                "nud", "reachable").orThrow();
        expect("arp-conflict", "arp.conflict", diagnose(LabTopology.BEHIND_LAN_GATEWAY + ":8080", "timeout=1s"));
    }

    // the path

    /** 30% of packets either way through the router are dropped at random (this kernel has no netem). */
    @Test
    void randomDropOnTheRouterIsPathLoss() throws Exception {
        lab.iptables(lab.router, "-A", "FORWARD", "-m", "statistic", "--mode", "random", "--probability", "0.3", "-j", "DROP");
        expect("loss-30", "path.loss", diagnose(LabTopology.SERVER + ":8080", "timeout=3s"));
    }

    /** The router's onward route shrinks to MTU 1280 and it drops its own frag-needed: handshakes pass, big packets vanish. */
    @Test
    void swallowedBigPacketsAreMtuBlackhole() throws Exception {
        lab.mtuStep();
        Verdict v = diagnose("web.lab.test:8080");
        expect("mtu-blackhole", "mtu.blackhole", v);
        assertThat(v.summary()).contains("largest packet that passes is 1280", "the frag-needed should come from " + LabTopology.ROUTER_CLIENT_SIDE);
    }

    /** Every packet toward the server waits 300 ms in a userspace delay box beyond the router; the router answers at once. */
    @Test
    void delayBeyondTheFirstRouterIsPathLatency() throws Exception {
        try (var box = lab.delayBeyondTheRouter(300)) {
            expect("latency+300ms", "path.latency", diagnose(LabTopology.SERVER + ":8080"));
        }
    }

    // tunnels, overlays, and data over an established connection

    /** A tun device no program holds open (the VPN client is not running), with the route to the target through it. */
    @Test
    void tunDeviceNoProgramHoldsIsTunnelDown() throws Exception {
        lab.lab.ip(lab.client, "tuntap", "add", "mode", "tun", "dev", "tun9").orThrow();
        try {
            lab.lab.ip(lab.client, "link", "set", "tun9", "up").orThrow();
            lab.lab.ip(lab.client, "route", "add", "198.18.30.0/24", "dev", "tun9").orThrow();
            Verdict v = diagnose("198.18.30.5:8080");
            expect("tun-no-program", "tunnel.down", v);
            assertThat(v.summary()).contains("tun9 (tun) has no carrier: no program holds the tun device open");
        } finally {
            lab.lab.exec(lab.client, "ip", "link", "del", "tun9");
        }
    }

    /** An IPsec policy sends the flow to the web port through ESP, and no SA exists: the kernel holds its packets. */
    @Test
    void ipsecPolicyWithoutItsSaIsIpsecNoSa() throws Exception {
        lab.lab.exec(lab.client, "ip", "xfrm", "policy", "add", "src", "198.18.0.1/32", "dst", LabTopology.SERVER + "/32", "proto", "tcp",
                "dport", "8080", "dir", "out", "tmpl", "src", "198.18.0.1", "dst", LabTopology.ROUTER_CLIENT_SIDE, "proto", "esp",
                "reqid", "9", "mode", "tunnel").orThrow();
        try {
            Verdict v = diagnose(LabTopology.SERVER + ":8080");
            expect("ipsec-no-sa", "ipsec.no-sa", v);
            assertThat(v.summary()).contains("no SA exists for it");
        } finally {
            lab.lab.exec(lab.client, "ip", "xfrm", "policy", "flush");
        }
    }

    /**
     * A VXLAN between the client and the router (198.18.20.1 - 198.18.20.254) over their 1500-byte link: with MTU 1500
     * inside, every full-size packet leaves as 1550 bytes (fragmented outside); with 1450 it fits.
     */
    @Test
    void vxlanWithoutRoomForItsHeadersIsOverlayMtuAndWithRoomIsOk() throws Exception {
        lab.lab.ip(lab.client, "link", "add", "vx9", "type", "vxlan", "id", "9", "remote", LabTopology.ROUTER_CLIENT_SIDE, "local", "198.18.0.1", "dstport", "4789").orThrow();
        lab.lab.ip(lab.router, "link", "add", "vx9", "type", "vxlan", "id", "9", "remote", "198.18.0.1", "local", LabTopology.ROUTER_CLIENT_SIDE, "dstport", "4789").orThrow();
        lab.lab.ip(lab.client, "addr", "add", "198.18.20.1/24", "dev", "vx9").orThrow();
        lab.lab.ip(lab.router, "addr", "add", "198.18.20.254/24", "dev", "vx9").orThrow();
        for (String ns : List.of(lab.client, lab.router)) lab.lab.ip(ns, "link", "set", "vx9", "mtu", "1500", "up").orThrow();
        try (var web = lab.pythonIn(lab.router, LabTopology.HTTP, "198.18.20.254", "8080", "0")) {
            Verdict v = diagnose("198.18.20.254:8080");
            expect("vxlan-mtu-1500", "overlay.mtu", v);
            assertThat(v.summary()).contains("with 50 bytes of vxlan headers they leave");
            assertThat(v.fix()).contains("ip link set vx9 mtu 1450");
            for (String ns : List.of(lab.client, lab.router)) lab.lab.ip(ns, "link", "set", "vx9", "mtu", "1450").orThrow();
            expect("vxlan-mtu-1450", "ok", diagnose("198.18.20.254:8080"));
        } finally {
            for (String ns : List.of(lab.client, lab.router)) lab.lab.exec(ns, "ip", "link", "del", "vx9");
        }
    }

    /** WireGuard (wireguard-go: in user space) toward a peer whose endpoint never answers: no handshake, nothing passes. */
    @Test
    void wireguardPeerThatNeverAnswersIsNoHandshake() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(lab.lab.exec(lab.client, "sh", "-c", "command -v wireguard-go && command -v wg").ok(),
                "wireguard-go and wg (packages wireguard-go, wireguard-tools) are not installed");
        String wg = "wgl" + ProcessHandle.current().pid() % 100_000;
        Path key = Files.createTempFile("reach-wg-", ".key");
        try (var go = lab.lab.spawn(lab.client, "wireguard-go", "-f", wg)) {
            for (int i = 0; i < 50 && !lab.lab.exec(lab.client, "ip", "link", "show", "dev", wg).ok(); i++) Thread.sleep(100);
            Files.writeString(key, lab.lab.exec(lab.client, "wg", "genkey").orThrow().out());
            String peer = lab.lab.exec(lab.client, "sh", "-c", "wg genkey | wg pubkey").orThrow().out().strip();
            lab.lab.exec(lab.client, "wg", "set", wg, "private-key", key.toString(), "peer", peer, "endpoint",
                    LabTopology.ROUTER_CLIENT_SIDE + ":51899", "allowed-ips", "198.18.50.0/24").orThrow();
            lab.lab.ip(lab.client, "link", "set", wg, "mtu", "1420", "up").orThrow();
            lab.lab.ip(lab.client, "route", "add", "198.18.50.0/24", "dev", wg).orThrow();
            Verdict v = diagnose("198.18.50.2:8080");
            expect("wireguard-silent-peer", "tunnel.no-handshake", v);
            assertThat(v.summary()).contains("has never completed a handshake");
        } finally {
            Files.deleteIfExists(key);
        }
    }

    /** A service that accepts and never reads: the handshake passes, data stops once the buffers are full. */
    @Test
    void serviceThatStopsReadingIsTcpStallAndAnEchoIsOk() throws Exception {
        try (var mute = lab.python(STOPS_READING, LabTopology.SERVER, "7008"); var echo = lab.python(ECHO, LabTopology.SERVER, "7007")) {
            Verdict v = diagnose(LabTopology.SERVER + ":7008", "protocol=none", "transfer=echo", "transfer_size=33554432");
            expect("stops-reading", "tcp.stall", v);
            assertThat(v.summary()).contains("the peer's receive window is shut");
            expect("echo-transfer", "ok", diagnose(LabTopology.SERVER + ":7007", "protocol=none", "transfer=echo"));
        }
    }

    /**
     * The echo's data toward the server meets a rule: reset once 200 kB have passed, or 10 % of what arrives after the SYN dropped (after
     * the router's GRO a packet can hold many segments: 4 MB make enough packets for the loss to show every time).
     */
    @Test
    void resetMidTransferIsTcpResetAndLossOnTheDataIsPathLoss() throws Exception {
        try (var echo = lab.python(ECHO, LabTopology.SERVER, "7007")) {
            lab.iptables(lab.server, "-A", "INPUT", "-p", "tcp", "--dport", "7007", "-m", "connbytes", "--connbytes", "200000:",
                    "--connbytes-dir", "original", "--connbytes-mode", "bytes", "-j", "REJECT", "--reject-with", "tcp-reset");
            Verdict reset = diagnose(LabTopology.SERVER + ":7007", "protocol=none", "transfer=echo");
            expect("reset-mid-transfer", "tcp.reset", reset);
            assertThat(reset.summary()).contains("moving data over it");
            lab.iptables(lab.server, "-F");
            // not the SYNs: two of them lost in a row (1 % of runs) leave a port that is silent while the host answers,
            // which is tcp.filtered (likely) by design, and this scenario is about the data
            lab.iptables(lab.server, "-A", "INPUT", "-p", "tcp", "--dport", "7007", "!", "--syn", "-m", "statistic", "--mode", "random",
                    "--probability", "0.1", "-j", "DROP");
            Verdict loss = diagnose(LabTopology.SERVER + ":7007", "protocol=none", "transfer=echo", "transfer_size=4194304", "timeout=5s");
            expect("loss-on-the-data", "path.loss", loss);
            assertThat(loss.summary()).contains("of the data segments were sent again");
        }
    }

    /** An HTTP server that answers with headers and 100 kB of a 10 MB body, then holds the connection without a word. */
    @Test
    void anHttpAnswerThatStopsHalfwayIsTcpStall() throws Exception {
        try (var web = lab.python(STOPS_SENDING, LabTopology.SERVER, "7010")) {
            Verdict v = diagnose("http://" + LabTopology.SERVER + ":7010/", "timeout=1s");
            expect("http-stops-sending", "tcp.stall", v);
            assertThat(v.summary()).contains("stalls").contains("the peer stopped sending");
        }
    }

    // names

    @Test
    void nameWithNoAddressIsNodata() throws Exception {
        expect("dns-nodata", "dns.nodata", diagnose("txt-only.lab.test:8080"));
    }

    @Test
    void unknownNameIsNxdomain() throws Exception {
        expect("dns-nxdomain", "dns.nxdomain", diagnose("nope.lab.test:8080"));
    }

    /** A name outside the lab's zone: the nameserver has no forwarder and answers REFUSED. */
    @Test
    void nameTheResolverCannotResolveIsServfail() throws Exception {
        expect("dns-refused-upstream", "dns.servfail", diagnose("web.upstream.example:8080"));
    }

    @Test
    void silentNameserverIsServerUnreachable() throws Exception {
        expect("dns-down", "dns.server-unreachable", diagnose("web.lab.test:8080", "resolv_conf=" + lab.deadResolvConf));
    }

    /** The first nameserver drops queries silently; the second answers, after the resolver's 1 s timeout. */
    @Test
    void silentFirstNameserverIsDnsSlow() throws Exception {
        for (String proto : List.of("udp", "tcp")) {
            lab.iptables(lab.server, "-A", "INPUT", "-d", LabTopology.SILENT_NAMESERVER, "-p", proto, "--dport", "53", "-j", "DROP");
        }
        expect("dns-first-silent", "dns.slow", diagnose("web.lab.test:8080", "resolv_conf=" + lab.slowResolvConf));
    }

    /** A stale /etc/hosts line points the name at a dead address while DNS has the right one. */
    @Test
    void staleHostsLineIsDnsMismatch() throws Exception {
        lab.systemResolver("198.18.1.99 web.lab.test\n");
        Verdict v = diagnoseAsSystem("web.lab.test:8080", "timeout=1s");
        expect("stale-hosts-line (system)", "dns.mismatch", v);
        assertThat(v.summary()).contains("198.18.1.99", LabTopology.SERVER);
    }

    // TLS

    @Test
    void expiredCertificateIsTlsExpired() throws Exception {
        try (var tls = lab.tlsServer("expired")) {
            expect("tls-expired", "tls.expired", diagnose("web.lab.test:8443", "ca=" + lab.ca));
        }
    }

    @Test
    void certificateForAnotherNameIsHostnameMismatch() throws Exception {
        try (var tls = lab.tlsServer("other")) {
            expect("tls-wrong-name", "tls.hostname-mismatch", diagnose("web.lab.test:8443", "ca=" + lab.ca));
        }
    }

    @Test
    void selfSignedCertificateIsUntrusted() throws Exception {
        try (var tls = lab.tlsServer("selfsigned")) {
            Verdict v = diagnose("web.lab.test:8443", "ca=" + lab.ca);
            expect("tls-self-signed", "tls.untrusted", v);
            assertThat(v.fix()).as("the fix names the fault, in reach's own syntax").startsWith("The certificate is self-signed")
                    .contains("--set ca=FILE").doesNotContain("full chain");
        }
    }

    /** The server sends its certificate without the intermediate that signed it; the client trusts the root. */
    @Test
    void aChainWithoutItsIntermediateIsUntrustedAndTheFixIsTheFullChain() throws Exception {
        try (var tls = lab.tlsServer("chained")) {
            Verdict v = diagnose("web.lab.test:8443", "ca=" + lab.ca);
            expect("tls-missing-intermediate", "tls.untrusted", v);
            assertThat(v.fix()).startsWith("Serve the full chain").doesNotContain("self-signed");
        }
    }

    /** A complete chain to a root this client does not trust (here: trusting only an unrelated certificate). */
    @Test
    void aChainToAnUnknownRootIsUntrustedAndTheFixNamesTheTrustStore() throws Exception {
        try (var tls = lab.tlsServer("chained", 8443, "-cert_chain", lab.ca.resolveSibling("interchain.pem").toString())) {
            Verdict v = diagnose("web.lab.test:8443", "ca=" + lab.ca.resolveSibling("selfsigned.pem"));
            expect("tls-unknown-ca", "tls.untrusted", v);
            assertThat(v.fix()).startsWith("The chain ends at a CA this host does not trust")
                    .contains("reach web.lab.test:8443 --set ca=FILE").doesNotContain("full chain");
        }
    }

    /** The bug: TLS on a port outside the known list was never looked at. */
    @Test
    void tlsOnAnOddPortIsJudged() throws Exception {
        try (var tls = lab.tlsServer("selfsigned", 18443)) {
            expect("tls-odd-port", "tls.untrusted", diagnose("web.lab.test:18443", "ca=" + lab.ca));
        }
    }

    /** The certificate is valid now but expires in 5 days: the request gets through, and the verdict warns. */
    @Test
    void certificateExpiringSoonIsTlsExpiring() throws Exception {
        try (var tls = lab.tlsServer("expiring")) {
            Verdict v = diagnose("web.lab.test:8443", "ca=" + lab.ca);
            expect("tls-expiring", "tls.expiring", v);
            assertThat(v.summary()).contains("gets requests through now", "expires in");
            // as a monitoring check: WARNING (exit 1), the days left as performance data
            var check = reach(lab.client, "web.lab.test:8443", "--format", "nagios", "--set", "resolv_conf=" + lab.resolvConf,
                    "--set", "hosts_file=" + lab.hosts, "--set", "system=hosts", "--set", "ca=" + lab.ca);
            assertThat(check.exit()).as(check.toString()).isEqualTo(1);
            assertThat(check.out()).startsWith("tls.expiring - ").contains("'tls_days_left'=");
        }
    }

    /** A server that speaks only TLS 1.0, which the client no longer accepts. */
    @Test
    void tls10OnlyServerIsHandshakeFailure() throws Exception {
        try (var tls = lab.tlsServer("good", 8443, "-tls1", "-cipher", "DEFAULT@SECLEVEL=0")) {
            expect("tls-1.0-only", "tls.handshake-failure", diagnose("web.lab.test:8443", "ca=" + lab.ca));
        }
    }

    // time, UDP, the server's side

    /** An SNTP responder on the server answers with its clock one hour ahead. */
    @Test
    void clockAnHourOffIsTimeSkew() throws Exception {
        try (var ntp = lab.python(SNTP_AHEAD, LabTopology.SERVER)) {
            expect("ntp-ahead", "time.skew", verdict(reach(lab.client, "run", HOME + "/playbooks/time.yaml", "--json", "--set", "server=" + LabTopology.SERVER)));
        }
    }

    /** reach http://HOST:PORT/ against a web server whose Date header is an hour ahead of this clock. */
    @Test
    void webServerDateAnHourOffIsTimeSkew() throws Exception {
        try (var web = lab.python(LabTopology.HTTP, LabTopology.SERVER, "8082", "3600")) {
            expect("http-dated-ahead", "time.skew", diagnose("http://web.lab.test:8082/"));
        }
    }

    /** The environment names a proxy for http:// (as curl reads it) where none listens: the server answers, the application cannot. */
    @Test
    void deadProxyInTheEnvironmentIsProxyEnv() throws Exception {
        String proxy = "http://" + LabTopology.SERVER + ":3128";
        Verdict v = verdict(reachWith(List.of("http_proxy=" + proxy), lab.client, "http://web.lab.test:8080/", "--json",
                "--set", "resolv_conf=" + lab.resolvConf, "--set", "hosts_file=" + lab.hosts, "--set", "system=hosts"));
        expect("proxy-env-dead", "proxy.env", v);
        assertThat(v.summary()).contains(proxy.substring("http://".length()));
    }

    /** reach udp://HOST:PORT: a datagram to a closed UDP port gets ICMP port-unreachable. */
    @Test
    void closedUdpPortIsUdpClosed() throws Exception {
        expect("udp-closed", "udp.closed", diagnose("udp://web.lab.test:9999"));
    }

    /** reach udp://HOST:PORT where the server drops the datagram: no answer, no ICMP. */
    @Test
    void droppedUdpPortIsUdpNoResponse() throws Exception {
        lab.iptables(lab.server, "-A", "INPUT", "-p", "udp", "--dport", "9999", "-j", "DROP");
        expect("udp-dropped", "udp.no-response", diagnose("udp://web.lab.test:9999"));
    }

    /** reach udp://HOST:443 where a QUIC server (ngtcp2's gtlsserver) listens: version negotiation answers, ok; dropped: no response. */
    @Test
    void quicServerOnUdp443IsOkAndDroppedIsNoResponse() throws Exception {
        Path gtlsserver = dev.reach.testkit.Daemon.assumeTool("gtlsserver", "/usr/sbin");
        try (var quic = lab.lab.spawn(lab.server, gtlsserver.toString(), "-q", "-d", lab.dir.toString(), LabTopology.SERVER, "443",
                lab.dir.resolve("server.key").toString(), lab.dir.resolve("good.pem").toString())) {
            for (int i = 0; i < 50 && !lab.lab.exec(lab.server, "ss", "-Hlun", "sport = :443").out().contains(":443"); i++) Thread.sleep(100);
            Verdict ok = diagnose("udp://web.lab.test:443");
            expect("quic-443", "ok", ok);
            assertThat(ok.summary()).contains("speaks QUIC");
            lab.iptables(lab.server, "-A", "INPUT", "-p", "udp", "--dport", "443", "-j", "DROP");
            Verdict dropped = diagnose("udp://web.lab.test:443");
            expect("quic-443-dropped", "udp.no-response", dropped);
            assertThat(dropped.fix()).contains("QUIC is often dropped where only");
        }
        try (var echo = lab.python(UDP_ECHO, LabTopology.SERVER, "4443")) {
            expect("quic-port-echo", "quic.not-quic", diagnose("udp://web.lab.test:4443", "protocol=quic"));
        }
    }

    /** listen.yaml run on the server itself, where a service listens on 127.0.0.1 only. */
    @Test
    void serviceBoundToLoopbackIsLocalhostOnly() throws Exception {
        try (var local = lab.python(LOOPBACK_LISTENER)) {
            expect("listen-localhost-only", "listen.localhost-only",
                    verdict(reach(lab.server, "run", HOME + "/playbooks/listen.yaml", "--json", "--set", "port=9090")));
            assertThat(verdict(reach(lab.server, "listen", "9090", "--json")).cause()).as("reach listen PORT runs the same playbook")
                    .isEqualTo("listen.localhost-only");
        }
    }

    /**
     * Run on the server: clients come in by its second link (198.18.3.2), its route back to them leaves by the first,
     * and that second link's rp_filter is strict, so the kernel drops their SYNs. A client keeps trying meanwhile.
     */
    @Test
    void strictRpFilterWithAnAsymmetricRouteIsRpfilterDrop() throws Exception {
        lab.lab.exec(lab.server, "sysctl", "-qw", "net.ipv4.conf." + lab.serverSecondLink.devB() + ".rp_filter=1").orThrow();
        try (var retrying = lab.pythonIn(lab.client, RETRYING_CLIENT, LabTopology.SERVER_SECOND, "8080")) {
            expect("rpfilter-asymmetric (listen --from)", "rpfilter.drop",
                    verdict(reach(lab.server, "listen", "8080", "--from", "198.18.0.1", "--json")));
            expect("rpfilter-asymmetric (listen)", "rpfilter.drop", verdict(reach(lab.server, "listen", "8080", "--json")));
        }
    }

    // both ends: reach HOST:PORT --server-via 'ip netns exec SERVER', the server's reach started by the client's

    @Test
    void bothEndsHealthyIsOkWithTheServersViewAttached() throws Exception {
        JsonNode json = report(diagnoseWithServer(LabTopology.SERVER + ":8080"));
        expect("both-ends healthy", "ok", verdict(json, "both-ends healthy"));
        JsonNode server = serverStep(json);
        assertThat(server.path("facts").path("flow_outcome").asText()).as(server.toString()).isEqualTo("established");
        assertThat(server.path("facts").path("flow_in_interfaces").toString()).contains(lab.serverLink.devB());
        assertThat(json.path("verdict").path("evidence").toString()).contains("[B] flow.watch: the handshake from 198.18.0.1 completed");
    }

    @Test
    void bothEndsFirewallDropOnTheServerIsNamedFromTheServersSideWithTheKernelsReason() throws Exception {
        lab.iptables(lab.server, "-A", "INPUT", "-p", "tcp", "--dport", "8080", "-j", "DROP");
        JsonNode json = report(diagnoseWithServer(LabTopology.SERVER + ":8080"));
        Verdict v = verdict(json, "both-ends server firewall");
        expect("both-ends server firewall", "firewall.local", v);
        assertThat(v.summary()).startsWith("On B: SYN from 198.18.0.1").contains("NETFILTER_DROP").contains("dport 8080").contains("(A alone: tcp.filtered)")
                .containsPattern("its counter rose by [1-9]\\d* packets? while the client connected");
        assertThat(json.path("verdict").path("evidence").toString()).contains("[B] ").contains("[A] tcp.filtered")
                .containsPattern("\\[B\\] +at -?\\d+\\.\\d ms of A's run: in " + lab.serverLink.devB() + " SYN 198\\.18\\.0\\.1:");
    }

    @Test
    void bothEndsDropOnTheRouterNeverReachedTheServer() throws Exception {
        lab.iptables(lab.router, "-A", "FORWARD", "-p", "tcp", "--dport", "8080", "-j", "DROP");
        Verdict v = verdict(report(diagnoseWithServer(LabTopology.SERVER + ":8080")), "both-ends router drop");
        expect("both-ends router drop", "path.filtered", v);
        assertThat(v.summary()).contains("left A and never reached B").contains("saw nothing from 198.18.0.1");
        assertThat(v.fix()).contains("B's own firewall is not the cause");
    }

    /**
     * A rule in the client's own netdev egress hook (which its firewall reading does not evaluate) drops the SYNs before
     * they leave: the server sees nothing, and so it would look like a drop on the way, but the client's own watch saw
     * no SYN leave and its kernel named the drop.
     */
    @Test
    void bothEndsASynThatNeverLeftTheClientIsTheClientsOwnDropNotThePaths() throws Exception {
        lab.lab.exec(lab.client, "nft", "add", "table", "netdev", "egress_lab").orThrow();
        try {
            lab.lab.exec(lab.client, "nft", "add", "chain", "netdev", "egress_lab", "e",
                    "{ type filter hook egress device " + lab.clientLink.devA() + " priority 0; }").orThrow();
            lab.lab.exec(lab.client, "nft", "add", "rule", "netdev", "egress_lab", "e", "tcp", "dport", "8080", "drop").orThrow();
            Verdict v = verdict(report(diagnoseWithServer(LabTopology.SERVER + ":8080")), "both-ends dropped on the client");
            expect("both-ends dropped on the client", "firewall.local", v);
            assertThat(v.summary()).startsWith("A's packets to port 8080 never left A").contains("NETFILTER_DROP").contains("B saw nothing");
        } finally {
            lab.lab.exec(lab.client, "nft", "delete", "table", "netdev", "egress_lab");
        }
    }

    @Test
    void bothEndsStrictRpFilterWithAnAsymmetricRouteIsRpfilterDrop() throws Exception {
        lab.lab.exec(lab.server, "sysctl", "-qw", "net.ipv4.conf." + lab.serverSecondLink.devB() + ".rp_filter=1").orThrow();
        Verdict v = verdict(report(diagnoseWithServer(LabTopology.SERVER_SECOND + ":8080")), "both-ends rp_filter");
        expect("both-ends rp_filter", "rpfilter.drop", v);
        assertThat(v.summary()).contains("IP_RPFILTER").contains(lab.serverSecondLink.devB());
    }

    /**
     * The server answers from the other link: clients come in by 198.18.3.2, the server's route back leaves by its first
     * link, and a firewall on the router drops what comes back that way (as a stateful box that saw only one direction
     * would). A alone sees silence; B sees its SYN-ACK leave and A's SYN come again.
     */
    @Test
    void bothEndsAnAnswerLostOnTheWayBackIsPathReplyLost() throws Exception {
        lab.iptables(lab.router, "-A", "FORWARD", "-i", lab.serverLink.devA(), "-s", LabTopology.SERVER_SECOND, "-j", "DROP");
        Verdict v = verdict(report(diagnoseWithServer(LabTopology.SERVER_SECOND + ":8080")), "both-ends reply lost");
        expect("both-ends reply lost", "path.reply-lost", v);
        assertThat(v.summary()).contains("arrived on " + lab.serverSecondLink.devB()).contains("SYN-ACK out on " + lab.serverLink.devB())
                .contains("the route back");
    }

    @Test
    void bothEndsListenerOnLoopbackOnlyIsNamedFromTheClientsCommand() throws Exception {
        try (var local = lab.python(LOOPBACK_LISTENER)) {
            Verdict v = verdict(report(diagnoseWithServer(LabTopology.SERVER + ":9090")), "both-ends loopback listener");
            expect("both-ends loopback listener", "listen.localhost-only", v);
            assertThat(v.summary()).contains("127.0.0.1:9090").contains("(A alone: tcp.refused)");
        }
    }

    /** Without root on the server nothing is watched there, and what the server can read still names the cause. */
    @Test
    void bothEndsWithoutRootOnTheServerTheServersOwnReadingStillNamesALoopbackListener() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(lab.lab.exec(lab.server, "sh", "-c", "command -v setpriv").ok(), "needs setpriv (util-linux)");
        try (var local = lab.python(LOOPBACK_LISTENER)) {
            String java = ProcessHandle.current().info().command().orElse("java");
            String serverReach = String.join(" ", java, "--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow",
                    "-Dreach.home=" + HOME, "-cp", CP, "dev.reach.shell.Main");
            JsonNode json = report(reach(lab.client, LabTopology.SERVER + ":9090", "--json", "--set", "resolv_conf=" + lab.resolvConf,
                    "--set", "hosts_file=" + lab.hosts, "--set", "system=hosts", "--server-reach", serverReach, "--server-via",
                    "ip netns exec " + lab.server + " setpriv --reuid=65534 --regid=65534 --clear-groups env HOME=/tmp REACH_HISTORY=off"));
            Verdict v = verdict(json, "both-ends, no root on the server");
            expect("both-ends, no root on the server", "listen.localhost-only", v);
            assertThat(json.path("verdict").path("evidence").toString()).contains("[B] the packets were not watched there: flow.watch cannot run here: needs root or CAP_NET_RAW");
        }
    }

    @Test
    void bothEndsWithAServerCommandThatFailsIsTheClientsVerdictWithWhy() throws Exception {
        Netns.Result r = reach(lab.client, LabTopology.SERVER + ":8080", "--json", "--server-via", "ip netns exec no-such-namespace");
        JsonNode json = report(r);
        expect("both-ends server command fails", "ok", verdict(json, "both-ends server command fails"));
        assertThat(json.path("verdict").path("evidence").toString()).contains("[B] the server's view is absent: it ended (exit");
        assertThat(serverStep(json).path("status").asText()).isEqualTo("skipped");
    }

    /**
     * Over real OpenSSH: an sshd the test starts in the server namespace (on the lab's server address only; host key,
     * user key, known_hosts and configs made here), reached from the client as {@code --server-via 'ssh -F CONFIG b'};
     * the server's reach is a wrapper script, as an installed reach is (ssh hands the remote shell one line).
     */
    @Test
    void bothEndsOverOpenSshNameTheServersFirewall() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(
                lab.lab.exec(lab.client, "sh", "-c", "command -v ssh && (command -v sshd || test -x /usr/sbin/sshd)").ok(),
                "needs ssh and sshd (openssh-client, openssh-server)");
        Path ssh = Files.createDirectories(lab.dir.resolve("ssh"));
        for (String key : List.of("host", "user")) {
            lab.lab.exec(lab.client, "ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", ssh.resolve(key).toString()).orThrow();
        }
        Files.copy(ssh.resolve("user.pub"), ssh.resolve("authorized_keys"));
        Files.writeString(ssh.resolve("known_hosts"), LabTopology.SERVER + " " + Files.readString(ssh.resolve("host.pub")));
        Files.writeString(ssh.resolve("sshd_config"), String.join("\n", "ListenAddress " + LabTopology.SERVER, "Port 22",
                "HostKey " + ssh.resolve("host"), "AuthorizedKeysFile " + ssh.resolve("authorized_keys"), "PasswordAuthentication no",
                "KbdInteractiveAuthentication no", "UsePAM no", "StrictModes no", "PidFile none", "PermitRootLogin prohibit-password", ""));
        Path config = Files.writeString(ssh.resolve("ssh_config"), String.join("\n", "Host b", "  HostName " + LabTopology.SERVER,
                "  User root", "  IdentityFile " + ssh.resolve("user"), "  IdentitiesOnly yes", "  UserKnownHostsFile " + ssh.resolve("known_hosts"),
                "  StrictHostKeyChecking yes", "  BatchMode yes", "  ConnectTimeout 5", ""));
        String java = ProcessHandle.current().info().command().orElse("java");
        Path wrapper = Files.writeString(ssh.resolve("reach-on-b"), "#!/bin/sh\nexec " + java
                + " --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow -Dreach.home=" + HOME + " -cp '" + CP
                + "' dev.reach.shell.Main \"$@\"\n");
        wrapper.toFile().setExecutable(true);
        Files.createDirectories(Path.of("/run/sshd"));   // sshd's privilege separation folder
        String sshd = lab.lab.exec(lab.server, "sh", "-c", "command -v sshd || echo /usr/sbin/sshd").out().strip();
        try (Netns.Spawned daemon = lab.lab.spawn(lab.server, sshd, "-D", "-e", "-f", ssh.resolve("sshd_config").toString())) {
            boolean listening = false;
            for (int i = 0; i < 50 && !listening; i++) {   // at most 5 s
                listening = lab.lab.exec(lab.server, "ss", "-Hltn", "sport = :22").out().contains(":22");
                if (!listening) Thread.sleep(100);
            }
            assertThat(listening).as("sshd listens: " + daemon.output()).isTrue();
            lab.iptables(lab.server, "-A", "INPUT", "-p", "tcp", "--dport", "8080", "-j", "DROP");
            JsonNode json = report(reach(lab.client, LabTopology.SERVER + ":8080", "--json", "--set", "resolv_conf=" + lab.resolvConf,
                    "--set", "hosts_file=" + lab.hosts, "--set", "system=hosts", "--server-via", "ssh -F " + config + " b",
                    "--server-reach", wrapper.toString()));
            Verdict v = verdict(json, "both-ends over ssh");
            expect("both-ends over ssh", "firewall.local", v);
            assertThat(v.summary()).startsWith("On B: SYN from 198.18.0.1").contains("NETFILTER_DROP");
            assertThat(serverStep(json).path("evidence").toString()).contains("ran: ssh -F " + config + " b " + wrapper + " listen 8080 --from 198.18.0.1");
        }
    }

    /** The shell's {@code target HOST:PORT --server-via CMD}: the diagnoses that follow look from both ends. */
    @Test
    void bothEndsFromTheShellsTarget() throws Exception {
        lab.iptables(lab.server, "-A", "INPUT", "-p", "tcp", "--dport", "8080", "-j", "DROP");
        String java = ProcessHandle.current().info().command().orElse("java");
        String reach = String.join(" ", java, "--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow",
                "-Dreach.home=" + HOME, "-cp", "'" + CP + "'", "dev.reach.shell.Main");
        Path script = Files.writeString(lab.dir.resolve("shell-input"), "target " + LabTopology.SERVER + ":8080 --server-via 'ip netns exec "
                + lab.server + "' --server-reach \"" + reach.replace("'", "") + "\"\ndiagnose -q --no-history\nexit\n");
        Netns.Result r = lab.lab.exec(Duration.ofSeconds(60), lab.client, "sh", "-c", reach + " shell < " + script);
        assertThat(r.out()).as(r.toString()).contains("the server's side runs through: ip netns exec " + lab.server)
                .contains("firewall.local (certain): On B: SYN from 198.18.0.1");
    }

    /** A playbook of the user's own whose step says {@code on: server}: it runs there, the step beside it here. */
    @Test
    void bothEndsAPlaybookStepMarkedOnServerRunsOnTheServer() throws Exception {
        Path pb = Files.writeString(lab.dir.resolve("two-sided.yaml"), """
                name: two-sided
                description: the route from here, and who listens there
                inputs:
                  port: {type: port, required: true}
                steps:
                  - id: both
                    parallel:
                      - {id: here, probe: sockets.listen, with: {port: "${inputs.port}"}}
                      - {id: there, probe: sockets.listen, on: server, with: {port: "${inputs.port}"}}
                """);
        String java = ProcessHandle.current().info().command().orElse("java");
        String serverReach = String.join(" ", java, "--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow",
                "-Dreach.home=" + HOME, "-cp", CP, "dev.reach.shell.Main");
        JsonNode json = report(reach(lab.client, "run", pb.toString(), "--set", "port=8080", "--json",
                "--server-via", "ip netns exec " + lab.server, "--server-reach", serverReach));
        JsonNode both = json.path("steps").path(0).path("children");
        assertThat(both.path(0).path("cause").asText()).as("nothing listens on 8080 in the client namespace").isEqualTo("listen.none");
        assertThat(both.path(1).path("status").asText()).as(both.path(1).toString()).isEqualTo("ok");
        assertThat(both.path(1).path("facts").path("addresses").toString()).contains("0.0.0.0:8080");
        assertThat(both.path(1).path("evidence").toString()).contains("on the server: ip netns exec " + lab.server);
        JsonNode alone = report(reach(lab.client, "run", pb.toString(), "--set", "port=8080", "--json"));
        assertThat(alone.path("steps").path(0).path("children").path(1).path("status").asText()).isEqualTo("skipped");
    }

    /** {@code reach TARGET --server-via 'ip netns exec SERVER'} in the client namespace, the server's reach the same distribution. */
    private static Netns.Result diagnoseWithServer(String target) {
        String java = ProcessHandle.current().info().command().orElse("java");
        String serverReach = String.join(" ", java, "--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow",
                "-Dreach.home=" + HOME, "-cp", CP, "dev.reach.shell.Main");
        return reach(lab.client, target, "--json", "--set", "resolv_conf=" + lab.resolvConf, "--set", "hosts_file=" + lab.hosts,
                "--set", "system=hosts", "--server-via", "ip netns exec " + lab.server, "--server-reach", serverReach);
    }

    private static JsonNode serverStep(JsonNode json) {
        for (JsonNode s : json.path("steps")) {
            if (s.path("id").asText().equals("server")) return s;
        }
        throw new AssertionError("no server step in " + json);
    }

    /** Connects to ADDRESS PORT every 100 ms for at most 60 s (stopped by PID before that), one SYN at a time. */
    private static final String RETRYING_CLIENT = """
            import socket, sys, time
            print('ready', flush=True)
            end = time.time() + 60
            while time.time() < end:
                s = socket.socket(); s.settimeout(0.1)
                try: s.connect((sys.argv[1], int(sys.argv[2])))
                except OSError: pass
                finally: s.close()
                time.sleep(0.1)
            """;

    private static final String SNTP_AHEAD = """
            import socket, struct, sys, time
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind((sys.argv[1], 123)); print('ready', flush=True)
            while True:
                d, a = s.recvfrom(512)
                t = time.time() + 3600 + 2208988800
                ts = struct.pack('!II', int(t), int((t - int(t)) * 2**32))
                s.sendto(bytes([0x24, 2, 0, 0xec]) + bytes(8) + b'LOCL' + ts + d[40:48] + ts + ts, a)
            """;

    private static final String STOPS_READING = """
            import socket, sys, threading
            s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind((sys.argv[1], int(sys.argv[2]))); s.listen(8); print('ready', flush=True)
            held = []
            while True:
                c, _ = s.accept(); held.append(c)
            """;

    private static final String STOPS_SENDING = """
            import socket, sys, threading
            s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind((sys.argv[1], int(sys.argv[2]))); s.listen(8); print('ready', flush=True)
            def serve(c):
                c.recv(4096)
                c.sendall(b'HTTP/1.1 200 OK\\r\\nContent-Type: application/octet-stream\\r\\nContent-Length: 10000000\\r\\n\\r\\n' + b'x' * 100000)
                threading.Event().wait(30); c.close()
            while True:
                c, _ = s.accept(); threading.Thread(target=serve, args=(c,), daemon=True).start()
            """;

    private static final String UDP_ECHO = """
            import socket, sys
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind((sys.argv[1], int(sys.argv[2]))); print('ready', flush=True)
            while True:
                d, a = s.recvfrom(65535); s.sendto(d, a)
            """;

    private static final String ECHO = """
            import socket, sys, threading
            s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind((sys.argv[1], int(sys.argv[2]))); s.listen(8); print('ready', flush=True)
            def serve(c):
                with c:
                    while True:
                        d = c.recv(65536)
                        if not d: return
                        c.sendall(d)
            while True:
                c, _ = s.accept(); threading.Thread(target=serve, args=(c,), daemon=True).start()
            """;

    private static final String LOOPBACK_LISTENER = """
            import socket, time
            s = socket.socket(); s.bind(('127.0.0.1', 9090)); s.listen(8); print('ready', flush=True)
            time.sleep(60)
            """;

    /** Records a scenario's verdict for the class-wide checks, and asserts its cause. */
    private static void expect(String scenario, String cause, Verdict v) {
        ROWS.add(new Row(scenario, cause, v.cause(), v.ms()));
        assertThat(v.cause()).as(scenario + ": " + v.summary()).isEqualTo(cause);
        // the exit code and JSON's healthy follow the verdict: an ok verdict beside a failed ping must not page anyone
        assertThat(v.exit()).as(scenario + ": the exit code of verdict " + v.cause()).isEqualTo(cause.equals("ok") ? 0 : 1);
        assertThat(v.healthy()).as(scenario + ": healthy").isEqualTo(cause.equals("ok"));
    }

    /** Runs {@code reach TARGET --json} in the client namespace with the lab's resolv.conf and hosts file given. */
    private static Verdict diagnose(String target, String... inputs) {
        List<String> args = new ArrayList<>(List.of(target, "--json",
                "--set", "resolv_conf=" + lab.resolvConf, "--set", "hosts_file=" + lab.hosts, "--set", "system=hosts"));
        for (String in : inputs) {
            args.add("--set");
            args.add(in);
        }
        return verdict(reach(lab.client, args.toArray(String[]::new)));
    }

    /** Runs {@code reach TARGET --json} with reach's defaults: the namespace's own /etc/resolv.conf and /etc/hosts. */
    private static Verdict diagnoseAsSystem(String target, String... inputs) {
        List<String> args = new ArrayList<>(List.of(target, "--json"));
        for (String in : inputs) {
            args.add("--set");
            args.add(in);
        }
        return verdict(reach(lab.client, args.toArray(String[]::new)));
    }

    /** Runs the distribution inside a lab namespace. */
    private static Netns.Result reach(String ns, String... args) {
        return reachWith(List.of(), ns, args);
    }

    /** {@link #reach} with NAME=VALUE words added to its environment. */
    private static Netns.Result reachWith(List<String> environment, String ns, String... args) {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new ArrayList<>(List.of("env"));
        cmd.addAll(environment);
        cmd.addAll(List.of(java, "--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow",
                "-Dreach.home=" + HOME, "-cp", CP, "dev.reach.shell.Main"));
        cmd.addAll(List.of(args));
        return lab.lab.exec(Duration.ofSeconds(60), ns, cmd.toArray(String[]::new));
    }

    /** What a run concluded, and what its exit code and JSON's healthy said. */
    private record Verdict(String cause, String summary, String fix, double ms, int exit, boolean healthy) {
    }

    /** The verdict of a --json report, printed with the run's duration and summary (for a scenario that flakes). */
    private static Verdict verdict(Netns.Result r) {
        String target = String.join(" ", r.command().subList(r.command().indexOf("dev.reach.shell.Main") + 1, r.command().size()));
        return verdict(report(r), target);
    }

    private static JsonNode report(Netns.Result r) {
        try {
            JsonNode json = new ObjectMapper().readTree(r.out());
            ((com.fasterxml.jackson.databind.node.ObjectNode) json).put("exit", r.exit());
            return json;
        } catch (Exception e) {
            throw new AssertionError("reach printed no JSON report: " + r, e);
        }
    }

    private static Verdict verdict(JsonNode json, String what) {
        Verdict v = new Verdict(json.path("verdict").path("cause").asText(), json.path("verdict").path("summary").asText(),
                json.path("verdict").path("fix").asText(),
                json.path("duration_ms").asDouble(), json.path("exit").asInt(), json.path("healthy").asBoolean());
        System.out.printf("lab %-24s %6.0f ms  %s%n    %s%n", v.cause(), v.ms(), what, v.summary());
        return v;
    }
}
