package dev.reach.dist;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.reach.testkit.Netns;
import dev.reach.testkit.Root;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The real distribution, run inside the client namespace of {@link LabTopology} as {@code reach HOST:PORT --json},
 * against real faults built with iptables, routes and stopped services; each test asserts the verdict's cause.
 * Name resolution uses the lab's dnsmasq only (resolv_conf and hosts_file are given, system=hosts).
 */
class DiagnosisLabIT {
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
    }

    @BeforeEach
    void cleanRules() {
        lab.reset();
    }

    @Test
    void healthyServiceIsOk() throws Exception {
        assertThat(diagnose("web.lab.test:8080")).isEqualTo("ok");
    }

    @Test
    void stoppedServiceIsRefused() throws Exception {
        assertThat(diagnose("web.lab.test:8081")).isEqualTo("tcp.refused");
    }

    @Test
    void firewallDropIsFiltered() throws Exception {
        lab.iptables(lab.server, "-A", "INPUT", "-p", "tcp", "--dport", "8080", "-j", "DROP");
        assertThat(diagnose("web.lab.test:8080", "timeout=1s")).isEqualTo("tcp.filtered");
    }

    @Test
    void hostDroppingTcpAndPingIsFilteredWhenTheTraceReachesIt() throws Exception {
        lab.iptables(lab.server, "-A", "INPUT", "-p", "tcp", "-j", "DROP");
        lab.iptables(lab.server, "-A", "INPUT", "-p", "icmp", "--icmp-type", "echo-request", "-j", "DROP");
        assertThat(diagnose("198.18.1.2:8080", "timeout=1s")).isEqualTo("tcp.filtered"); // the UDP trace got its port-unreachable
    }

    @Test
    void hostDroppingEverythingIsHostDown() throws Exception {
        lab.iptables(lab.server, "-A", "INPUT", "-j", "DROP");
        assertThat(diagnose("198.18.1.2:8080", "timeout=1s")).isEqualTo("host.down");
    }

    @Test
    void missingHostBehindTheRouterIsHostUnreachable() throws Exception {
        // nobody holds 198.18.1.99: the router's ARP fails and it answers ICMP host-unreachable after ~3 s
        assertThat(diagnose("198.18.1.99:8080", "timeout=5s")).isEqualTo("host.unreachable");
    }

    @Test
    void rejectWithTcpResetIsRefused() throws Exception {
        lab.iptables(lab.server, "-A", "INPUT", "-p", "tcp", "--dport", "8080", "-j", "REJECT", "--reject-with", "tcp-reset");
        assertThat(diagnose("web.lab.test:8080")).isEqualTo("tcp.refused");
    }

    @Test
    void rejectWithIcmpOnTheRouterIsProhibited() throws Exception {
        lab.iptables(lab.router, "-A", "FORWARD", "-p", "tcp", "--dport", "8080", "-j", "REJECT", "--reject-with", "icmp-admin-prohibited");
        assertThat(diagnose("web.lab.test:8080")).isEqualTo("admin.prohibited");
    }

    @Test
    void blockedIcmpIsNoFalseAlarm() throws Exception {
        lab.iptables(lab.server, "-A", "INPUT", "-p", "icmp", "-j", "DROP");
        assertThat(diagnose("web.lab.test:8080")).isEqualTo("ok");
    }

    @Test
    void missingRouteIsRouteNone() throws Exception {
        assertThat(diagnose("198.19.5.5:8080")).isEqualTo("route.none");
    }

    @Test
    void prohibitRouteIsRouteReject() throws Exception {
        lab.lab.exec(lab.client, "ip", "route", "replace", "prohibit", "198.18.8.0/24").orThrow();
        assertThat(diagnose("198.18.8.8:8080")).isEqualTo("route.reject");
    }

    @Test
    void nameWithNoAddressIsNodata() throws Exception {
        assertThat(diagnose("txt-only.lab.test:8080")).isEqualTo("dns.nodata");
    }

    @Test
    void deadGatewayIsGatewayUnreachable() throws Exception {
        lab.lab.route(lab.client, "198.18.7.0/24", "198.18.0.77");
        assertThat(diagnose("198.18.7.2:8080", "timeout=2s")).isEqualTo("gateway.unreachable");
    }

    @Test
    void unknownNameIsNxdomain() throws Exception {
        assertThat(diagnose("nope.lab.test:8080")).isEqualTo("dns.nxdomain");
    }

    @Test
    void silentNameserverIsServerUnreachable() throws Exception {
        assertThat(diagnose("web.lab.test:8080", "resolv_conf=" + lab.deadResolvConf)).isEqualTo("dns.server-unreachable");
    }

    /** 30% of packets from the client toward the server are dropped at random on the router (one direction, so the
     * handshake still gets through within the 8 s allowed: four SYNs all lost is 0.8%). The target is the server's
     * address: a silent nameserver is silentNameserverIsServerUnreachable's business, and losing every question to the
     * nameserver (about one run in a hundred) made this scenario end in dns.server-unreachable. */
    @Test
    void randomDropOnTheRouterIsPathLoss() throws Exception {
        lab.iptables(lab.router, "-A", "FORWARD", "-s", "198.18.0.0/24", "-m", "statistic", "--mode", "random",
                "--probability", "0.3", "-j", "DROP");
        assertThat(diagnose(LabTopology.SERVER + ":8080", "timeout=8s")).isEqualTo("path.loss");
    }

    @Test
    void goodCertificateIsOk() throws Exception {
        try (var tls = lab.tlsServer("good")) {
            assertThat(diagnose("web.lab.test:8443", "ca=" + lab.ca)).isEqualTo("ok");
        }
    }

    @Test
    void expiredCertificateIsTlsExpired() throws Exception {
        try (var tls = lab.tlsServer("expired")) {
            assertThat(diagnose("web.lab.test:8443", "ca=" + lab.ca)).isEqualTo("tls.expired");
        }
    }

    @Test
    void certificateForAnotherNameIsHostnameMismatch() throws Exception {
        try (var tls = lab.tlsServer("other")) {
            assertThat(diagnose("web.lab.test:8443", "ca=" + lab.ca)).isEqualTo("tls.hostname-mismatch");
        }
    }

    @Test
    void selfSignedCertificateIsUntrusted() throws Exception {
        try (var tls = lab.tlsServer("selfsigned")) {
            assertThat(diagnose("web.lab.test:8443", "ca=" + lab.ca)).isEqualTo("tls.untrusted");
        }
    }

    /** The router's link to the server gets MTU 1280 and the router drops its own ICMP frag-needed. */
    @Test
    void swallowedBigPacketsAreMtuBlackhole() throws Exception {
        lab.lab.ip(lab.router, "link", "set", lab.serverLink.devA(), "mtu", "1280");
        lab.lab.ip(lab.server, "link", "set", lab.serverLink.devB(), "mtu", "1280");
        lab.iptables(lab.router, "-A", "OUTPUT", "-p", "icmp", "--icmp-type", "fragmentation-needed", "-j", "DROP");
        assertThat(diagnose("web.lab.test:8080", "mtu=true")).isEqualTo("mtu.blackhole");
    }

    /** An SNTP responder on the server answers with its clock one hour ahead. */
    @Test
    void clockAnHourOffIsTimeSkew() throws Exception {
        try (var ntp = lab.python(SNTP_AHEAD, LabTopology.SERVER)) {
            assertThat(cause(reach(lab.client, "run", HOME + "/playbooks/time.yaml", "--json", "--set", "server=" + LabTopology.SERVER)))
                    .isEqualTo("time.skew");
        }
    }

    /** reach udp://HOST:PORT: a datagram to a closed UDP port gets ICMP port-unreachable. */
    @Test
    void closedUdpPortIsUdpClosed() throws Exception {
        assertThat(diagnose("udp://web.lab.test:9999")).isEqualTo("udp.closed");
    }

    /** reach http://HOST:PORT/ against a web server whose Date header is an hour ahead of this clock. */
    @Test
    void webServerDateAnHourOffIsTimeSkew() throws Exception {
        try (var web = lab.python(HTTP_DATED, LabTopology.SERVER, "8082", "3600")) {
            assertThat(diagnose("http://web.lab.test:8082/")).isEqualTo("time.skew");
        }
    }

    /** The same server with an honest Date: HTTP answers, the clocks agree, no false alarm. */
    @Test
    void webServerWithTheRightDateIsOk() throws Exception {
        try (var web = lab.python(HTTP_DATED, LabTopology.SERVER, "8082", "0")) {
            assertThat(diagnose("http://web.lab.test:8082/")).isEqualTo("ok");
        }
    }

    /** listen.yaml run on the server itself, where a service listens on 127.0.0.1 only. */
    @Test
    void serviceBoundToLoopbackIsLocalhostOnly() throws Exception {
        try (var local = lab.python(LOOPBACK_LISTENER)) {
            assertThat(cause(reach(lab.server, "run", HOME + "/playbooks/listen.yaml", "--json", "--set", "port=9090")))
                    .isEqualTo("listen.localhost-only");
            assertThat(cause(reach(lab.server, "listen", "9090", "--json"))).as("reach listen PORT runs the same playbook")
                    .isEqualTo("listen.localhost-only");
        }
    }

    private static final String SNTP_AHEAD = """
            import socket, struct, sys, time
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind((sys.argv[1], 123)); print('ready', flush=True)
            while True:
                d, a = s.recvfrom(512)
                t = time.time() + 3600 + 2208988800
                ts = struct.pack('!II', int(t), int((t - int(t)) * 2**32))
                s.sendto(bytes([0x24, 2, 0, 0xec]) + bytes(8) + b'LOCL' + ts + d[40:48] + ts + ts, a)
            """;

    /** An HTTP server on ADDRESS PORT whose Date header is its clock plus OFFSET seconds. */
    private static final String HTTP_DATED = """
            import sys, time, email.utils, http.server
            offset = int(sys.argv[3])
            class H(http.server.BaseHTTPRequestHandler):
                def date_time_string(self, timestamp=None):
                    return email.utils.formatdate(time.time() + offset, usegmt=True)
                def do_HEAD(self):
                    self.send_response(200); self.send_header('Content-Length', '2'); self.end_headers()
                def do_GET(self):
                    self.do_HEAD(); self.wfile.write(b'ok')
                def log_message(self, *a):
                    pass
            s = http.server.HTTPServer((sys.argv[1], int(sys.argv[2])), H); print('ready', flush=True); s.serve_forever()
            """;

    private static final String LOOPBACK_LISTENER = """
            import socket, time
            s = socket.socket(); s.bind(('127.0.0.1', 9090)); s.listen(8); print('ready', flush=True)
            time.sleep(60)
            """;

    /** Runs {@code reach TARGET --json} in the client namespace and returns the verdict's cause. */
    private static String diagnose(String target, String... inputs) throws Exception {
        List<String> args = new ArrayList<>(List.of(target, "--json",
                "--set", "resolv_conf=" + lab.resolvConf, "--set", "hosts_file=" + lab.hosts, "--set", "system=hosts"));
        for (String in : inputs) {
            args.add("--set");
            args.add(in);
        }
        return cause(reach(lab.client, args.toArray(String[]::new)));
    }

    /** Runs the distribution inside a lab namespace. */
    private static Netns.Result reach(String ns, String... args) {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow",
                "-Dreach.home=" + HOME, "-cp", CP, "dev.reach.shell.Main"));
        cmd.addAll(List.of(args));
        return lab.lab.exec(Duration.ofSeconds(60), ns, cmd.toArray(String[]::new));
    }

    /** The verdict's cause in a --json report, printed with the run's duration. */
    private static String cause(Netns.Result r) {
        String target = String.join(" ", r.command().subList(r.command().indexOf("dev.reach.shell.Main") + 1, r.command().size()));
        JsonNode json;
        try {
            json = new ObjectMapper().readTree(r.out());
        } catch (Exception e) {
            throw new AssertionError("reach printed no JSON report: " + r, e);
        }
        String cause = json.path("verdict").path("cause").asText();
        System.out.printf("lab %-24s %6.0f ms  %s%n    %s%n", cause, json.path("duration_ms").asDouble(), target,
                json.path("verdict").path("summary").asText());   // what it saw, for a scenario that flakes
        return cause;
    }
}
