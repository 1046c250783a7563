package dev.reach.plugins.dns;

import dev.reach.spi.Observation;
import dev.reach.spi.Status;
import dev.reach.testkit.ProbeHarness;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * dns.resolve against real dnsmasq servers on loopback (see {@link DnsLab}) and a scripted one for wrong answers.
 * Every test names its servers and its hosts file, and the system answer is read from that hosts file
 * (system=hosts): no question ever goes to this host's nameserver. system=os runs getaddrinfo, which would ask
 * it: see {@link DnsResolveProbeLabIT}, where the host is a namespace with a resolv.conf of its own.
 */
class DnsResolveProbeIT {
    @TempDir
    static Path dir;
    private static DnsLab lab;
    private final DnsResolveProbe probe = new DnsResolveProbe();

    private static Path noSearch;

    @BeforeAll
    static void startServers() throws IOException, InterruptedException {
        lab = new DnsLab(dir);
        noSearch = Files.writeString(dir.resolve("resolv-empty.conf"), "# no search list\n");
    }

    @AfterAll
    static void stopServers() {
        if (lab != null) {
            lab.close();
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void existingNameIsOkWhenTheServerAndTheHostsFileAgree() throws IOException {
        Path h = hosts("198.18.0.10 web.test");
        Observation o = resolve("name=web.test", "type=A", "server=" + lab.main.server(), "hosts_file=" + h);
        assertThat(o.status()).as(o.toString()).isEqualTo(Status.OK);
        assertThat(o.summary()).startsWith("web.test is 198.18.0.10 (" + lab.main.server() + ", ")
                .endsWith(", ttl 0); the system resolver agrees (" + h + " line 1)");
        assertThat(o.facts()).containsEntry("addresses", List.of("198.18.0.10")).containsEntry("rcode", "NOERROR")
                .containsEntry("system_source", "hosts").containsEntry("ttl", 0L).containsKey("answer_ms")
                .containsEntry("address", "198.18.0.10").containsEntry("address_source", "hosts").doesNotContainKey("system_ms");
        @SuppressWarnings("unchecked")
        var servers = (List<Map<String, Object>>) o.facts().get("servers");
        assertThat(servers).singleElement().satisfies(s -> {
            assertThat(s).containsEntry("server", lab.main.server());
            assertThat((Map<String, Object>) s.get("udp")).containsEntry("outcome", "answered").containsEntry("rcode", "NOERROR");
            assertThat((Map<String, Object>) s.get("tcp")).containsEntry("outcome", "answered").containsEntry("addresses", List.of("198.18.0.10"));
        });
        assertThat(o.evidence()).anyMatch(e -> e.startsWith(lab.main.server() + " udp web.test A -> NOERROR 198.18.0.10 ttl 0 in "))
                .anyMatch(e -> e.startsWith(lab.main.server() + " tcp web.test A -> NOERROR 198.18.0.10"));
    }

    @Test
    void typeAnyAsksForBothFamilies() throws IOException {
        Observation o = resolve("name=both.test", "server=" + lab.main.server(), "hosts_file=" + hosts(""));
        assertThat(o.status()).as(o.toString()).isEqualTo(Status.OK);
        assertThat(o.facts()).containsEntry("addresses", List.of("198.18.0.12", "fd00::12"))
                .containsEntry("address", "198.18.0.12").containsEntry("address_source", "nameservers");
    }

    @Test
    void typeAnyWithOneFamilyOnlyIsAnAnswerNotNodata() throws IOException {
        Observation v4 = resolve("name=web.test", "server=" + lab.main.server(), "hosts_file=" + hosts(""));
        assertThat(v4.status()).as(v4.toString()).isEqualTo(Status.OK);
        assertThat(v4.facts()).containsEntry("addresses", List.of("198.18.0.10")).containsEntry("rcode", "NOERROR");
        Observation v6 = resolve("name=six.test", "server=" + lab.main.server(), "hosts_file=" + hosts(""));
        assertThat(v6.status()).as(v6.toString()).isEqualTo(Status.OK);
        assertThat(v6.facts()).containsEntry("addresses", List.of("fd00::6")).containsEntry("address", "fd00::6");
    }

    @Test
    void anAddressForOneFamilyAndNxdomainForTheOtherIsTheAddress() throws IOException, InterruptedException {
        // a real server that answers A with an address and AAAA with NXDOMAIN (dnsmasq will not), and its mirror image
        try (var broken = ScriptedNameserver.start(dir, "a6nx.test/A=NOERROR:198.18.0.55", "a6nx.test/AAAA=NXDOMAIN",
                "a4nx.test/A=NXDOMAIN", "a4nx.test/AAAA=NOERROR:fd00::55")) {
            Observation o = resolve("name=a6nx.test", "server=" + broken.server(), "hosts_file=" + hosts(""));
            assertThat(o.status()).as(o.toString()).isEqualTo(Status.OK);
            assertThat(o.summary()).startsWith("a6nx.test is 198.18.0.55 (" + broken.server()).endsWith("though " + broken.server()
                    + " answers AAAA NXDOMAIN");
            assertThat(o.facts()).containsEntry("rcode", "NOERROR").containsEntry("addresses", List.of("198.18.0.55"))
                    .containsEntry("address", "198.18.0.55");
            assertThat(o.evidence()).anyMatch(e -> e.startsWith(broken.server() + " udp a6nx.test AAAA -> NXDOMAIN"));
            Observation mirror = resolve("name=a4nx.test", "server=" + broken.server(), "hosts_file=" + hosts(""));
            assertThat(mirror.status()).as(mirror.toString()).isEqualTo(Status.OK);
            assertThat(mirror.facts()).containsEntry("address", "fd00::55");
            Observation inHosts = resolve("name=a6nx.test", "server=" + broken.server(), "hosts_file=" + hosts("198.18.0.55 a6nx.test"));
            assertThat(inHosts.status()).as(inHosts.toString()).isEqualTo(Status.OK);
            assertThat(inHosts.summary()).doesNotContain("other machines cannot resolve it");
        }
    }

    @Test
    void missingNameIsNxdomain() throws IOException {
        Observation o = resolve("name=nope.test", "server=" + lab.main.server(), "hosts_file=" + hosts("198.18.0.10 web.test"));
        assertThat(o.cause()).as(o.toString()).contains("dns.nxdomain");
        assertThat(o.status()).isEqualTo(Status.FAIL);
        assertThat(o.facts()).containsEntry("rcode", "NXDOMAIN");
        assertThat(o.summary()).startsWith("nope.test does not exist: " + lab.main.server() + " answers NXDOMAIN");
    }

    @Test
    void nameWithOnlyAaaaIsNodataForA() throws IOException {
        Observation o = resolve("name=six.test", "type=A", "server=" + lab.main.server(), "hosts_file=" + hosts(""));
        assertThat(o.cause()).as(o.toString()).contains("dns.nodata");
        assertThat(o.summary()).startsWith("six.test exists but has no A record");
        Observation aaaa = resolve("name=six.test", "type=AAAA", "server=" + lab.main.server(), "hosts_file=" + hosts(""));
        assertThat(aaaa.status()).as(aaaa.toString()).isEqualTo(Status.OK);
        assertThat(aaaa.facts()).containsEntry("addresses", List.of("fd00::6"));
    }

    @Test
    void forwarderWhoseAnswersFailDnssecIsServfail() throws IOException {
        Observation o = resolve("name=x.fail.example", "server=" + lab.main.server(), "hosts_file=" + hosts(""));
        assertThat(o.cause()).as(o.toString()).contains("dns.servfail");
        assertThat(o.status()).isEqualTo(Status.FAIL);
        assertThat(o.summary()).contains(lab.main.server() + " answers SERVFAIL");
        assertThat(o.facts()).containsEntry("rcode", "SERVFAIL");
    }

    @Test
    void forwarderToADeadUpstreamAnswersNothingOnUdpAndClosesTcpSoItIsServfail() throws IOException {
        // what dnsmasq really does: UDP questions wait for the dead upstream (no reply at all), TCP ones are closed
        Observation o = resolve("name=x.dead.test", "type=A", "server=" + lab.main.server(), "hosts_file=" + hosts(""), "timeout=500ms");
        assertThat(o.cause()).as(o.toString()).contains("dns.servfail");
        assertThat(o.summary()).contains("accepts TCP but closes it without an answer (udp timeout)");
        @SuppressWarnings("unchecked")
        var server = ((List<Map<String, Map<String, Object>>>) o.facts().get("servers")).getFirst();
        assertThat(server.get("udp")).containsEntry("outcome", "timeout");
        assertThat(server.get("tcp")).containsEntry("outcome", "closed");
    }

    @Test
    void deadServerListedFirstInResolvConfIsNamedWhileTheNameResolves() throws IOException {
        // nothing listens on 127.0.0.2 at main's port: ICMP port-unreachable on UDP, RST on TCP
        Path conf = Files.writeString(dir.resolve("resolv-dead-first.conf"), "nameserver 127.0.0.2\nnameserver 127.0.0.1\n");
        Observation o = resolve("name=web.test", "type=A", "resolv_conf=" + conf, "port=" + lab.main.port(), "hosts_file=" + hosts(""));
        assertThat(o.cause()).as(o.toString()).contains("dns.server-unreachable");
        assertThat(o.status()).isEqualTo(Status.WARN);
        assertThat(o.summary()).startsWith("127.0.0.2:" + lab.main.port() + " (udp refused, tcp refused); " + lab.main.server() + " answers")
                .endsWith("web.test is 198.18.0.10");
        assertThat(o.facts()).containsEntry("nameservers", List.of("127.0.0.2:" + lab.main.port(), lab.main.server()));
        @SuppressWarnings("unchecked")
        var dead = ((List<Map<String, Map<String, Object>>>) o.facts().get("servers")).getFirst();
        // refused at once (ICMP port-unreachable, RST), not a timeout: the reason is in the outcome, not the clock
        assertThat(dead.get("udp")).containsEntry("outcome", "refused");
        assertThat(dead.get("tcp")).containsEntry("outcome", "refused");
    }

    @Test
    void noServerAnsweringIsServerUnreachableWithTheReasonForEach() throws IOException {
        Observation o = resolve("name=web.test", "servers=127.0.0.2:" + lab.main.port() + ",127.0.0.1:" + lab.closed, "hosts_file=" + hosts(""));
        assertThat(o.cause()).as(o.toString()).contains("dns.server-unreachable");
        assertThat(o.status()).isEqualTo(Status.FAIL);
        assertThat(o.summary()).as(String.join("\n", o.evidence())).contains("127.0.0.2:" + lab.main.port() + " (udp refused, tcp refused)")
                .contains("127.0.0.1:" + lab.closed + " (udp refused, tcp refused)");
    }

    @Test
    void silentServerListedFirstIsSlowForEveryLookup() throws IOException {
        // a real socket that takes UDP datagrams and TCP connections and never answers
        try (DatagramSocket udp = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
             ServerSocket tcp = new ServerSocket(udp.getLocalPort(), 5, InetAddress.ofLiteral("127.0.0.1"))) {
            String silent = "127.0.0.1:" + udp.getLocalPort();
            long t0 = System.nanoTime();
            Observation o = resolve("name=web.test", "type=A", "servers=" + silent + "," + lab.main.server(), "timeout=2s", "slow=1s",
                    "hosts_file=" + hosts(""));
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertThat(o.cause()).as(o.toString()).contains("dns.slow");
            assertThat(o.summary()).startsWith(silent + " does not answer over UDP (silent for ")
                    .contains(": every lookup waits 5.0s for it (options timeout:5 attempts:2) before " + lab.main.server() + " answers in ");
            // decided once main answered and the silent one had been quiet 250 ms, not after the whole timeout=2s
            assertThat(ms).as("ms to the verdict").isLessThan(1500);
            assertThat(o.evidence()).anyMatch(e -> e.startsWith(silent + " udp web.test A -> timeout (no answer in ")
                    && e.contains("while another server answered in "));
        }
    }

    @Test
    void answerSlowerThanTheThresholdIsSlowAndNamesTheServer() throws IOException {
        Observation o = resolve("name=web.test", "type=A", "server=" + lab.main.server(), "slow=0ms", "hosts_file=" + hosts(""));
        assertThat(o.cause()).as(o.toString()).contains("dns.slow");
        assertThat(o.summary()).startsWith(lab.main.server() + " took ").contains("(slow=0ms)");
    }

    @Test
    void staleHostsLineIsMismatchNamingTheLine() throws IOException {
        Path h = hosts("# lab\n198.18.0.50 web.test www\n");
        Observation o = resolve("name=web.test", "type=A", "server=" + lab.main.server(), "hosts_file=" + h);
        assertThat(o.cause()).as(o.toString()).contains("dns.mismatch");
        assertThat(o.status()).isEqualTo(Status.FAIL);
        assertThat(o.summary()).isEqualTo("the system resolver says web.test is 198.18.0.50 (" + h + " line 2) but the nameservers say "
                + "198.18.0.10 (" + lab.main.server() + "): a stale line in " + h);
        assertThat(o.facts()).containsEntry("address", "198.18.0.50").containsEntry("address_source", "hosts");
        assertThat(o.evidence()).contains("hosts " + h + " line 2: web.test -> 198.18.0.50");
    }

    @Test
    void nameOnlyInTheHostsFileIsAWarnedMismatch() throws IOException {
        Path h = hosts("198.18.0.60 only-here.test");
        Observation o = resolve("name=only-here.test", "server=" + lab.main.server(), "hosts_file=" + h);
        assertThat(o.cause()).as(o.toString()).contains("dns.mismatch");
        assertThat(o.status()).isEqualTo(Status.WARN);
        assertThat(o.summary()).isEqualTo("the system resolver answers only-here.test from " + h + " line 1 (198.18.0.60) without asking "
                + "the nameservers; the nameservers say NXDOMAIN (" + lab.main.server() + "): other machines cannot resolve it");
        assertThat(o.facts()).containsEntry("address", "198.18.0.60").containsEntry("address_source", "hosts");
    }

    @Test
    void nameOnlyInTheHostsFileWithRefusingOrAbsentNameserversIsAWarning() throws IOException {
        Path h = hosts("198.18.0.60 only-here.example");
        Observation refused = resolve("name=only-here.example", "server=" + lab.upstream.server(), "hosts_file=" + h);
        assertThat(refused.status()).as(refused.toString()).isEqualTo(Status.WARN);
        assertThat(refused.cause()).contains("dns.servfail");
        assertThat(refused.summary()).startsWith("the system resolver answers only-here.example from " + h + " line 1 (198.18.0.60) "
                + "without asking the nameservers; no nameserver can answer for only-here.example: " + lab.upstream.server() + " answers REFUSED");
        Observation nobody = resolve("name=only-here.example", "server=127.0.0.1:" + lab.closed, "hosts_file=" + h);
        assertThat(nobody.status()).as(nobody.toString()).isEqualTo(Status.WARN);
        assertThat(nobody.cause()).contains("dns.server-unreachable");
        assertThat(nobody.summary()).contains("without asking the nameservers; no nameserver answers for only-here.example: 127.0.0.1:"
                + lab.closed + " (udp refused, tcp refused)");
    }

    @Test
    void serversThatDisagreeAreMismatch() throws IOException {
        Observation o = resolve("name=web.test", "type=A", "servers=" + lab.main.server() + "," + lab.other.server(),
                "system=off", "hosts_file=" + hosts(""));
        assertThat(o.cause()).as(o.toString()).contains("dns.mismatch");
        assertThat(o.summary()).isEqualTo("nameservers disagree about web.test: " + lab.main.server() + " says 198.18.0.10; "
                + lab.other.server() + " says 198.18.0.20: split horizon, or a server with stale data");
    }

    @Test
    void shortNameIsAskedWithTheSearchDomainsFirst() throws IOException {
        Path conf = Files.writeString(dir.resolve("resolv-search.conf"), "search nowhere.test test\nnameserver 127.0.0.1\n");
        Observation o = resolve("name=web", "type=A", "resolv_conf=" + conf, "port=" + lab.main.port(), "hosts_file=" + hosts(""));
        assertThat(o.status()).as(o.toString()).isEqualTo(Status.OK);
        assertThat(o.summary()).startsWith("web.test is 198.18.0.10");
        assertThat(o.facts()).containsEntry("name", "web.test");
        assertThat(o.evidence()).anyMatch(e -> e.startsWith(lab.main.server() + " udp web.nowhere.test A -> NXDOMAIN"))
                .noneMatch(e -> e.contains(" web A "));
    }

    @Test
    void malformedResolvConfLinesAreShownAndTheGoodOnesUsed() throws IOException {
        Path conf = Files.writeString(dir.resolve("resolv-malformed.conf"), "nameserver\nnameserver not-an-ip\nnameserver 127.0.0.1\n");
        Observation o = resolve("name=web.test", "type=A", "resolv_conf=" + conf, "port=" + lab.main.port(), "hosts_file=" + hosts(""));
        assertThat(o.status()).as(o.toString()).isEqualTo(Status.OK);
        assertThat(o.evidence()).contains(conf + " line 1: 'nameserver' without an address (ignored)",
                conf + " line 2: 'not-an-ip' is not an IP address (ignored)");
    }

    /** Runs dns.resolve; the system answer comes from the given hosts file unless the test says otherwise. */
    private Observation resolve(String... keyValues) {
        List<String> all = new java.util.ArrayList<>(List.of(keyValues));
        if (all.stream().noneMatch(k -> k.startsWith("system="))) {
            all.add("system=hosts");
        }
        if (all.stream().noneMatch(k -> k.startsWith("resolv_conf="))) {
            all.add("resolv_conf=" + noSearch); // this host's search list and ndots must not change the questions
        }
        if (all.stream().noneMatch(k -> k.startsWith("slow="))) {
            all.add("slow=10s"); // a loaded CI machine must not turn a loopback answer into dns.slow
        }
        return ProbeHarness.run(probe, all.toArray(String[]::new));
    }

    private static Path hosts(String text) throws IOException {
        return Files.writeString(Files.createTempFile(dir, "hosts-", ""), text);
    }
}
