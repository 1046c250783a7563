package dev.reach.plugins.dns;

import dev.reach.spi.Observation;
import dev.reach.spi.Status;
import dev.reach.testkit.ProbeHarness;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** dns.query against real dnsmasq servers on loopback (see {@link DnsLab}); every question names its server. */
class DnsQueryProbeIT {
    @TempDir
    static Path dir;
    private static DnsLab lab;
    private final DnsQueryProbe probe = new DnsQueryProbe();

    @BeforeAll
    static void startServers() throws IOException, InterruptedException {
        lab = new DnsLab(dir);
    }

    @AfterAll
    static void stopServers() {
        if (lab != null) {
            lab.close();
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void addressRecordIsOkWithTheWholeAnswerAsFacts() {
        Observation o = query("name=web.test");
        assertThat(o.status()).as(o.toString()).isEqualTo(Status.OK);
        assertThat(o.summary()).startsWith("web.test A: 198.18.0.10 (" + lab.main.server() + " udp, NOERROR, ");
        assertThat(o.facts()).containsEntry("rcode", "NOERROR").containsEntry("outcome", "answered")
                .containsEntry("transport", "udp").containsEntry("server", lab.main.server())
                .containsEntry("question", "web.test. A")
                .containsEntry("answers", List.of(Map.of("name", "web.test.", "type", "A", "ttl", 0L, "data", "198.18.0.10")));
        assertThat((List<Object>) o.facts().get("flags")).contains("qr", "aa", "rd", "ra");
    }

    @Test
    void everyRecordTypeTheLabServesComesBack() {
        assertThat(data(query("name=six.test", "type=AAAA"))).containsExactly("fd00::6");
        assertThat(data(query("name=mx.test", "type=MX"))).containsExactly("10 mail.test.");
        assertThat(data(query("name=txt.test", "type=TXT"))).containsExactly("\"hello world\"");
        assertThat(data(query("name=_http._tcp.web.test", "type=SRV"))).containsExactly("0 0 80 web.test.");
        Observation cname = query("name=alias.test", "type=CNAME");
        assertThat(data(cname)).as(cname.toString()).containsExactly("web.test.");
    }

    @Test
    void addressAsNameAsksForItsPtr() {
        Observation o = query("name=198.18.0.10");
        assertThat(o.status()).as(o.toString()).isEqualTo(Status.OK);
        assertThat(o.facts()).containsEntry("question", "10.0.18.198.in-addr.arpa. PTR");
        assertThat(data(o)).containsExactly("web.test.");
    }

    @Test
    void tcpIsAskedWhenToldTo() {
        Observation o = query("name=web.test", "proto=tcp");
        assertThat(o.status()).as(o.toString()).isEqualTo(Status.OK);
        assertThat(o.facts()).containsEntry("transport", "tcp");
        assertThat(o.evidence()).singleElement().asString().startsWith(lab.main.server() + " tcp web.test A -> NOERROR 198.18.0.10");
    }

    @Test
    void missingNameIsNxdomain() {
        Observation o = query("name=nope.test");
        assertThat(o.cause()).as(o.toString()).contains("dns.nxdomain");
        assertThat(o.facts()).containsEntry("rcode", "NXDOMAIN").containsEntry("answers", List.of());
    }

    @Test
    void typeTheNameLacksIsNodata() {
        Observation o = query("name=six.test", "type=A");
        assertThat(o.cause()).as(o.toString()).contains("dns.nodata");
        assertThat(o.summary()).startsWith("six.test has no A record (");
    }

    @Test
    void forwarderFailingDnssecIsServfail() {
        Observation o = query("name=x.fail.example");
        assertThat(o.cause()).as(o.toString()).contains("dns.servfail");
        assertThat(o.facts()).containsEntry("rcode", "SERVFAIL");
    }

    @Test
    void serverThatRefusesFailsWithoutACause() {
        Observation o = ProbeHarness.run(probe, "name=web.test", "server=" + lab.upstream.server());
        assertThat(o.status()).as(o.toString()).isEqualTo(Status.FAIL);
        assertThat(o.cause()).isEmpty();
        assertThat(o.facts()).containsEntry("rcode", "REFUSED");
        assertThat(o.summary()).contains("REFUSED the question about web.test");
    }

    @Test
    void closedPortIsServerUnreachableOnBothTransports() {
        for (String proto : List.of("udp", "tcp")) {
            Observation o = ProbeHarness.run(probe, "name=web.test", "server=127.0.0.1:" + lab.closed, "proto=" + proto);
            assertThat(o.cause()).as(o.toString()).contains("dns.server-unreachable");
            assertThat(o.facts()).containsEntry("outcome", "refused").doesNotContainKey("rcode");
            assertThat(o.summary()).endsWith("does not answer (refused): nothing listens on that port");
        }
    }

    @Test
    void deadUpstreamClosesTcpUnansweredWhichIsServfail() {
        // asked with the old tcp=true: it still works, and says what to write instead
        Observation o = query("name=x.dead.test", "tcp=true");
        assertThat(o.cause()).as(o.toString()).contains("dns.servfail");
        assertThat(o.facts()).containsEntry("outcome", "closed").containsEntry("transport", "tcp");
        assertThat(o.evidence()).contains("parameter tcp= is deprecated: write proto=tcp (the old name works until the next release)");
    }

    @Test
    void serverComesFromResolvConfWithThePortGiven() throws IOException {
        Path conf = Files.writeString(dir.resolve("resolv.conf"), "# lab\nnameserver 127.0.0.1\n");
        Observation o = ProbeHarness.run(probe, "name=web.test", "resolv_conf=" + conf, "port=" + lab.main.port());
        assertThat(o.status()).as(o.toString()).isEqualTo(Status.OK);
        assertThat(o.facts()).containsEntry("server", lab.main.server());
    }

    private Observation query(String... keyValues) {
        String[] all = java.util.Arrays.copyOf(keyValues, keyValues.length + 1);
        all[keyValues.length] = "server=" + lab.main.server();
        return ProbeHarness.run(probe, all);
    }

    @SuppressWarnings("unchecked")
    private static List<String> data(Observation o) {
        return ((List<Map<String, Object>>) o.facts().get("answers")).stream().map(r -> (String) r.get("data")).toList();
    }
}
