package dev.reach.plugins.dns;

import dev.reach.testkit.Netns;
import dev.reach.testkit.Root;
import dev.reach.testkit.RunProbeMain;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * dns.resolve with system=os for real: getaddrinfo (through getent) in a namespace whose /etc/resolv.conf and
 * /etc/hosts are the test's ({@code ip netns exec} mounts /etc/netns/NS/* over /etc), the probe in a JVM inside that
 * namespace, the nameservers in another one:
 * <pre>
 * cli 198.18.0.1 ── dns 198.18.0.2  silent: iptables DROP on port 53 (it answers ping)
 *                       198.18.0.3  dnsmasq: web.test A .10, rr.test A .21 .22, six.test AAAA fd00::6; REFUSED outside .test
 *                       198.18.0.4  silent: iptables DROP on port 53 (it answers ping)
 *                       198.18.0.5  scripted: a6nx.test A .55 and NXDOMAIN for AAAA; py-only.test A .56
 *                       198.18.0.6  mute: takes UDP datagrams and TCP connections on 53, never answers (a server stuck recursing)
 *                       198.18.0.7  nothing listens (ICMP port unreachable, RST)
 *                       198.18.0.8  gone: iptables DROP of everything to it, ping too
 *                       198.18.0.9  gone: iptables DROP of everything to it, ping too
 * </pre>
 * Nothing leaves the lab: the namespaces have no link to the host's, and every lookup goes to the lab's resolv.conf.
 */
class DnsResolveProbeLabIT {
    private static final String SILENT = "198.18.0.2";
    private static final String DNSMASQ = "198.18.0.3";
    private static final String SILENT_TOO = "198.18.0.4";
    private static final String SCRIPTED = "198.18.0.5";
    private static final String MUTE = "198.18.0.6";
    private static final String NOBODY = "198.18.0.7";
    private static final String GONE = "198.18.0.8";
    private static final String GONE_TOO = "198.18.0.9";
    private static final Pattern AFTER = Pattern.compile(" after ([0-9.]+)(ms|s)$");

    private static Netns lab;
    private static String client;
    private static Path etc;

    @BeforeAll
    static void buildLab() throws IOException {
        Root.assumeRootWith("ip", "iptables", "python3", "getent");
        Path dnsmasq = Dnsmasq.assumeInstalled();
        lab = Netns.create();
        client = lab.namespace("cli");
        String servers = lab.namespace("dns");
        Netns.Link link = lab.link(client, "198.18.0.1/24", servers, SILENT + "/24");
        for (String a : List.of(DNSMASQ, SILENT_TOO, SCRIPTED, MUTE, NOBODY, GONE, GONE_TOO)) {
            lab.address(servers, link.devB(), a + "/24");
        }
        // an IPv6 address beside the IPv4 one, so that getaddrinfo (AI_ADDRCONFIG) asks for both families
        lab.address(client, link.devA(), "fd00:198:18::1/64");
        for (String silent : List.of(SILENT, SILENT_TOO)) {
            for (String proto : List.of("udp", "tcp")) {
                lab.exec(servers, "iptables", "-A", "INPUT", "-d", silent, "-p", proto, "--dport", "53", "-j", "DROP").orThrow();
            }
        }
        for (String gone : List.of(GONE, GONE_TOO)) {
            lab.exec(servers, "iptables", "-A", "INPUT", "-d", gone, "-j", "DROP").orThrow();
        }
        // refusals at once however many runs came before (the kernel's default allows about one ICMP error a second)
        lab.exec(servers, "sysctl", "-qw", "net.ipv4.icmp_ratelimit=0").orThrow();
        Path dir = Files.createTempDirectory("reach-dns-lab-");
        var d = lab.spawn(servers, dnsmasq.toString(), "-k", "--port=53", "--listen-address=" + DNSMASQ, "--bind-interfaces",
                "--no-resolv", "--no-hosts", "--no-poll", "--log-facility=-", "--user=root", "--group=root",
                "--pid-file=" + dir.resolve("dnsmasq.pid"), "--local=/test/", "--host-record=web.test,198.18.0.10",
                "--host-record=rr.test,198.18.0.21", "--host-record=rr.test,198.18.0.22", "--host-record=six.test,fd00::6");
        var s = lab.spawn(servers, "python3", "-c", ScriptedNameserver.SCRIPT, SCRIPTED, "53",
                "a6nx.test/A=NOERROR:198.18.0.55", "a6nx.test/AAAA=NXDOMAIN", "py-only.test/A=NOERROR:198.18.0.56",
                "py-only.test/AAAA=NOERROR");
        var mute = lab.spawn(servers, "python3", "-c", "import socket, time\n"
                + "u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(('" + MUTE + "', 53))\n"
                + "t = socket.socket(); t.bind(('" + MUTE + "', 53)); t.listen(16)\n"
                + "print('ready', flush=True); time.sleep(600)");
        assertThat(d.awaitOutput("started", Duration.ofSeconds(10))).as(d.output()).isTrue();
        assertThat(mute.awaitOutput("ready", Duration.ofSeconds(10))).as(mute.output()).isTrue();
        assertThat(s.awaitOutput("ready", Duration.ofSeconds(10))).as(s.output()).isTrue();
        etc = Path.of("/etc/netns", client);
        Files.createDirectories(etc);
    }

    @AfterAll
    static void removeLab() throws IOException {
        if (etc != null && Files.isDirectory(etc)) {
            try (Stream<Path> files = Files.walk(etc)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
        if (lab != null) {
            lab.close();
        }
    }

    /** What one run printed, and how long the JVM that ran it took from start to exit. */
    private record Run(RunProbeMain.Line line, Duration wall) {
        @Override
        public String toString() {
            return line + " in " + wall.toMillis() + "ms";
        }
    }

    /** Runs dns.resolve with system=os in the client namespace, over these resolv.conf nameservers and hosts lines. */
    private static Run resolve(List<String> nameservers, String hostsLines, String... keyValues) throws IOException {
        StringBuilder conf = new StringBuilder("# the lab's\n");
        nameservers.forEach(ns -> conf.append("nameserver ").append(ns).append('\n'));
        Files.writeString(etc.resolve("resolv.conf"), conf);
        Files.writeString(etc.resolve("hosts"), "127.0.0.1 localhost\n" + hostsLines);
        List<String> all = new ArrayList<>(List.of("system=os"));
        all.addAll(List.of(keyValues));
        long t0 = System.nanoTime();
        var line = RunProbeMain.runIn(lab, client, DnsResolveProbe.class, all.toArray(String[]::new));
        return new Run(line, Duration.ofNanos(System.nanoTime() - t0));
    }

    @Test
    void silentFirstNameserverIsSlowAndTheVerdictWaitsNeitherForItNorForGetaddrinfo() throws IOException {
        Run r = resolve(List.of(SILENT, DNSMASQ), "", "name=web.test");
        assertThat(r.line().cause()).as(r.toString()).isEqualTo("dns.slow");
        assertThat(r.line().status()).isEqualTo("warn");
        assertThat(r.line().summary()).startsWith(SILENT + ":53 does not answer over UDP (silent for ")
                .contains(": every lookup waits 5.0s for it (options timeout:5 attempts:2) before " + DNSMASQ + ":53 answers in ")
                .contains(": web.test is 198.18.0.10; the system resolver was still waiting after ");
        assertThat(r.line().facts()).containsEntry("address", "198.18.0.10").containsEntry("address_source", "nameservers")
                .containsEntry("system_source", "none");
        assertThat(Double.parseDouble(r.line().facts().get("system_ms"))).isLessThan(1000);
        // getaddrinfo alone takes 5 s here (options timeout:5); the JVM starts in about 1 s
        assertThat(r.wall()).as(r.toString()).isLessThan(Duration.ofMillis(5000));
    }

    /** How long the probe waited for this server's slowest question, from its evidence lines ({@code ... after 251ms}). */
    private static Duration waited(Run r, String server) {
        return r.line().evidence().stream().filter(e -> e.startsWith(server + ":53 ")).map(AFTER::matcher).filter(Matcher::find)
                .map(m -> Duration.ofNanos((long) (Double.parseDouble(m.group(1)) * (m.group(2).equals("s") ? 1e9 : 1e6))))
                .max(Duration::compareTo).orElseThrow(() -> new AssertionError("no exchange with " + server + " in " + r));
    }

    @Test
    void bothNameserversDroppedWhileTheirHostsAnswerPingIsServerUnreachableInAbout250msNotTheTimeout() throws IOException {
        Run r = resolve(List.of(SILENT, SILENT_TOO), "", "name=web.test", "timeout=10s");
        assertThat(r.line().cause()).as(r.toString()).isEqualTo("dns.server-unreachable");
        assertThat(r.line().status()).isEqualTo("fail");
        assertThat(r.line().summary()).startsWith("no nameserver answers for web.test: " + SILENT + " answers ping in ")
                .containsPattern(SILENT + " answers ping in [0-9.]+ms but not DNS in [0-9.]+ms: UDP and TCP 53 dropped; "
                        + SILENT_TOO + " answers ping in [0-9.]+ms but not DNS in [0-9.]+ms: UDP and TCP 53 dropped \\(a host that answers")
                .contains("; a lookup fails after 20.0s (options timeout:5 attempts:2); the system resolver was still waiting after ");
        assertThat(r.line().evidence()).anyMatch(e -> e.matches("host " + SILENT + " icmp echo -> answered in [0-9.]+ms"))
                .anyMatch(e -> e.startsWith(SILENT + ":53 tcp web.test A -> timeout (no answer in ") && e.contains(" while " + SILENT
                        + " answers ping in "));
        assertThat(r.line().facts()).doesNotContainKey("address");
        // decided 250 ms after the questions (20 round trips of 0.1 ms, at least 250 ms), not at timeout=10s
        assertThat(waited(r, SILENT)).as(r.toString()).isLessThan(Duration.ofSeconds(1));
        assertThat(waited(r, SILENT_TOO)).as(r.toString()).isLessThan(Duration.ofSeconds(1));
        assertThat(Double.parseDouble(r.line().facts().get("system_ms"))).isLessThan(1000);
        // getaddrinfo gives up after 20 s here and is not waited for; the JVM starts in about 1 s
        assertThat(r.wall()).as(r.toString()).isLessThan(Duration.ofMillis(5000));
    }

    @Test
    void bothNameserverHostsSilentIsServerUnreachableAfterTheProbesTimeout() throws IOException {
        Run r = resolve(List.of(GONE, GONE_TOO), "", "name=web.test", "timeout=2s");
        assertThat(r.line().cause()).as(r.toString()).isEqualTo("dns.server-unreachable");
        assertThat(r.line().status()).isEqualTo("fail");
        assertThat(r.line().summary()).startsWith("no nameserver answers for web.test: " + GONE + ":53 (udp timeout, tcp timeout): "
                        + "nothing answers, not even ping, in 2.0s; " + GONE_TOO + ":53 (udp timeout, tcp timeout): nothing answers, not even "
                        + "ping, in 2.0s (timeout: down or filtered; ")
                .contains("(the whole timeout waited: where nothing answers, there is nothing to measure silence against)");
        assertThat(r.line().evidence()).anyMatch(e -> e.equals("host " + GONE + " icmp echo -> no answer in 2.0s"));
        // nothing to measure the silence against: the probe's timeout is waited, and no longer
        assertThat(waited(r, GONE)).as(r.toString()).isBetween(Duration.ofMillis(1990), Duration.ofMillis(3000));
        assertThat(Double.parseDouble(r.line().facts().get("system_ms"))).isLessThan(3000);
        // getaddrinfo gives up after 20 s here; the getent left waiting is ended, and holds neither the probe nor the
        // JVM's exit (before: 15 s, the step's deadline, and an error)
        assertThat(r.wall()).as(r.toString()).isLessThan(Duration.ofMillis(8000));
    }

    @Test
    void serverThatAcceptsTcpButNeverAnswersIsWaitedForTheTimeoutThoughItsHostAnswersPing() throws IOException {
        // the kernel completes the handshake: something listens there, and may yet answer (a server recursing slowly)
        Run r = resolve(List.of(MUTE), "", "name=web.test", "timeout=1s");
        assertThat(r.line().cause()).as(r.toString()).isEqualTo("dns.server-unreachable");
        assertThat(r.line().summary()).startsWith("no nameserver answers for web.test: " + MUTE + ":53 (udp timeout, tcp timeout)")
                .doesNotContain("dropped");
        assertThat(waited(r, MUTE)).as(r.toString()).isGreaterThanOrEqualTo(Duration.ofMillis(990));
        assertThat(r.line().facts().get("servers")).contains("connect_ms=");
    }

    @Test
    void refusingFirstNameserverIsDecidedAtOnce() throws IOException {
        Run r = resolve(List.of(NOBODY, DNSMASQ), "", "name=web.test", "timeout=10s");
        assertThat(r.line().cause()).as(r.toString()).isEqualTo("dns.server-unreachable");
        assertThat(r.line().status()).isEqualTo("warn");
        assertThat(r.line().summary()).startsWith(NOBODY + ":53 (udp refused, tcp refused); " + DNSMASQ + ":53 answers: web.test is 198.18.0.10");
        // ICMP port unreachable and a reset: no wait at all, let alone 250 ms
        assertThat(waited(r, NOBODY)).as(r.toString()).isLessThan(Duration.ofMillis(200));
        assertThat(r.wall()).as(r.toString()).isLessThan(Duration.ofMillis(5000));
    }

    @Test
    void nameOnlyInTheHostsFileIsAWarningWhateverTheNameserversSay() throws IOException {
        String hosts = "198.18.0.60 only-here.test only-here.example\n";
        Run nx = resolve(List.of(DNSMASQ), hosts, "name=only-here.test");
        assertThat(nx.line().status()).as(nx.toString()).isEqualTo("warn");
        assertThat(nx.line().cause()).isEqualTo("dns.mismatch");
        assertThat(nx.line().summary()).isEqualTo("the system resolver answers only-here.test from /etc/hosts line 2 (198.18.0.60) "
                + "without asking the nameservers; the nameservers say NXDOMAIN (" + DNSMASQ + ":53): other machines cannot resolve it");
        assertThat(nx.line().facts()).containsEntry("address", "198.18.0.60").containsEntry("address_source", "hosts")
                .containsEntry("system_source", "hosts");

        Run refused = resolve(List.of(DNSMASQ), hosts, "name=only-here.example");
        assertThat(refused.line().status()).as(refused.toString()).isEqualTo("warn");
        assertThat(refused.line().cause()).isEqualTo("dns.servfail");
        assertThat(refused.line().summary()).contains("without asking the nameservers; no nameserver can answer for only-here.example: "
                + DNSMASQ + ":53 answers REFUSED");

        Run nobody = resolve(List.of(NOBODY), hosts, "name=only-here.test");
        assertThat(nobody.line().status()).as(nobody.toString()).isEqualTo("warn");
        assertThat(nobody.line().cause()).isEqualTo("dns.server-unreachable");
        assertThat(nobody.line().summary()).contains("no nameserver answers for only-here.test: " + NOBODY + ":53 (udp refused, tcp refused)");
        assertThat(nobody.line().facts()).containsEntry("address", "198.18.0.60");
    }

    @Test
    void staleHostsLineIsMismatchNamingBothAnswersAndWhereEachComesFrom() throws IOException {
        Run r = resolve(List.of(DNSMASQ), "198.18.0.50 web.test\n", "name=web.test");
        assertThat(r.line().status()).as(r.toString()).isEqualTo("fail");
        assertThat(r.line().cause()).isEqualTo("dns.mismatch");
        assertThat(r.line().summary()).isEqualTo("the system resolver says web.test is 198.18.0.50 (/etc/hosts line 2) but the "
                + "nameservers say 198.18.0.10 (" + DNSMASQ + ":53): a stale line in /etc/hosts");
        assertThat(r.line().facts()).containsEntry("address", "198.18.0.50").containsEntry("address_source", "hosts");
    }

    @Test
    void roundRobinAnswerFromDnsIsNoMismatchWhateverItsOrder() throws IOException {
        Run r = resolve(List.of(DNSMASQ), "", "name=rr.test");
        assertThat(r.line().status()).as(r.toString()).isEqualTo("ok");
        assertThat(r.line().summary()).endsWith("; the system resolver agrees (DNS or another nsswitch source)");
        assertThat(r.line().facts()).containsEntry("system_source", "dns").containsEntry("address_source", "dns");
        assertThat(r.line().facts().get("address")).isIn("198.18.0.21", "198.18.0.22");
        assertThat(r.line().facts().get("system_addresses")).contains("198.18.0.21").contains("198.18.0.22");
    }

    @Test
    void typeAnyWithOneFamilyOnlyIsAnAnswerForTheSystemToo() throws IOException {
        Run v6 = resolve(List.of(DNSMASQ), "", "name=six.test");
        assertThat(v6.line().status()).as(v6.toString()).isEqualTo("ok");
        assertThat(v6.line().facts()).containsEntry("address", "fd00::6").containsEntry("address_source", "dns");
        Run v4 = resolve(List.of(DNSMASQ), "", "name=web.test");
        assertThat(v4.line().status()).as(v4.toString()).isEqualTo("ok");
        assertThat(v4.line().facts()).containsEntry("address", "198.18.0.10");
    }

    @Test
    void anAddressBesideNxdomainForTheOtherFamilyIsWhatTheSystemResolverUses() throws IOException {
        Run r = resolve(List.of(SCRIPTED), "", "name=a6nx.test");
        assertThat(r.line().status()).as(r.toString()).isEqualTo("ok");
        assertThat(r.line().summary()).startsWith("a6nx.test is 198.18.0.55 (" + SCRIPTED + ":53")
                .contains("though " + SCRIPTED + ":53 answers AAAA NXDOMAIN; the system resolver agrees");
        assertThat(r.line().facts()).containsEntry("rcode", "NOERROR").containsEntry("address", "198.18.0.55")
                .containsEntry("address_source", "dns");
    }

    @Test
    void systemResolverThatCannotResolveWhatTheNameserversAnswerIsMismatch() throws IOException {
        // the system asks dnsmasq (NXDOMAIN), the probe is told to ask the scripted server, which has the name
        Run r = resolve(List.of(DNSMASQ), "", "name=py-only.test", "server=" + SCRIPTED);
        assertThat(r.line().status()).as(r.toString()).isEqualTo("fail");
        assertThat(r.line().cause()).isEqualTo("dns.mismatch");
        assertThat(r.line().summary()).startsWith("the system resolver cannot resolve py-only.test (getaddrinfo has no address for "
                + "py-only.test (getent ahosts)) but the nameservers say 198.18.0.56 (" + SCRIPTED + ":53)");
        assertThat(r.line().facts()).containsEntry("address", "198.18.0.56").containsEntry("address_source", "nameservers");
    }
}
