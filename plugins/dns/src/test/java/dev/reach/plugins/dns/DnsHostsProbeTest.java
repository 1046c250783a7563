package dev.reach.plugins.dns;

import dev.reach.spi.Observation;
import dev.reach.spi.Status;
import dev.reach.testkit.ProbeHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class DnsHostsProbeTest {
    @TempDir
    Path dir;

    private Observation hosts(String text, String name) throws Exception {
        Path file = Files.writeString(dir.resolve("hosts"), text);
        return ProbeHarness.run(new DnsHostsProbe(), "name=" + name, "hosts_file=" + file);
    }

    @Test
    void aStaleLineAboveTheNewOneIsAMismatchNamingWhichIsUsed() throws Exception {
        Observation o = hosts("198.18.0.50 web.lab.test\n127.0.0.1 localhost\n198.18.0.10 web.lab.test www\n", "WEB.lab.test.");
        assertThat(o.status()).isEqualTo(Status.FAIL);
        assertThat(o.cause()).contains("dns.mismatch");
        assertThat(o.summary()).endsWith("gives WEB.lab.test. two IPv4 addresses: 198.18.0.50 (line 1) is used, 198.18.0.10 (line 3) never is");
        assertThat(o.facts()).containsEntry("addresses", List.of("198.18.0.50", "198.18.0.10"))
                .containsEntry("used", List.of("198.18.0.50"))
                .containsEntry("lines", List.of("198.18.0.50 (line 1)", "198.18.0.10 (line 3)"));
    }

    @Test
    void oneAddressOfEachFamilyIsWhatTheSystemUses() throws Exception {
        Observation o = hosts("# lab\n198.18.0.10 web.lab.test\nfd00::10 web.lab.test\n198.18.0.10 web.lab.test # again\n", "web.lab.test");
        assertThat(o.status()).as(o.toString()).isEqualTo(Status.OK);
        assertThat(o.summary()).endsWith("says web.lab.test is 198.18.0.10 (line 2), fd00::10 (line 3)");
        assertThat(o.facts()).containsEntry("used", List.of("198.18.0.10", "fd00::10"));
    }

    @Test
    void noLineIsOkAndSaysTheResolverAsksOnAndAMissingFileIsAnError() throws Exception {
        Observation o = hosts("127.0.0.1 localhost\nnot-an-address web\n", "web.lab.test");
        assertThat(o.status()).isEqualTo(Status.OK);
        assertThat(o.summary()).endsWith("has no line for web.lab.test: the system resolver asks the next source (DNS)");
        assertThat(o.evidence()).anyMatch(l -> l.contains("line 2: 'not-an-address' is not an IP address"));
        Observation missing = ProbeHarness.run(new DnsHostsProbe(), "name=x", "hosts_file=" + dir.resolve("none"));
        assertThat(missing.status()).isEqualTo(Status.ERROR);
    }
}
