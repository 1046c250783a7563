package dev.reach.plugins.host;

import dev.reach.plugins.host.Sysctls.Finding;
import dev.reach.spi.Status;
import org.junit.jupiter.api.Test;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class SysctlCheckProbeTest {
    private static final Map<String, String> RISKY = Sysctls.read(sample());

    @Test
    void settingsAreReadFromTheTreeWithTabsAsSpaces() {
        assertThat(RISKY).containsEntry("net.core.somaxconn", "64").containsEntry("net.ipv4.ip_local_port_range", "61000 61999")
                .containsEntry("net.ipv4.conf.eth0.rp_filter", "1").containsEntry("net.netfilter.nf_conntrack_count", "65000")
                .doesNotContainKey("net.ipv6.icmp.ratelimit");
    }

    @Test
    void effectiveRpFilterIsTheLargerOfAllAndTheInterface() {
        assertThat(Sysctls.rpFilter(RISKY, "eth0")).isEqualTo(1);
        assertThat(Sysctls.rpFilter(RISKY, "eth1")).isEqualTo(2);
        assertThat(Sysctls.rpFilter(Map.of("net.ipv4.conf.all.rp_filter", "1"), "eth9")).isEqualTo(1);
    }

    @Test
    void riskyValuesAreEachNamedWithWhatToSet() {
        List<Finding> f = Sysctls.judge(RISKY, false);
        assertThat(f).extracting(Finding::setting).containsExactly("net.core.somaxconn", "net.ipv4.tcp_syncookies",
                "net.ipv4.ip_local_port_range", "net.netfilter.nf_conntrack_count");
        assertThat(f.getFirst().text()).isEqualTo("net.core.somaxconn = 64: every listen backlog is cut to this, so accept queues "
                + "overflow under load; set net.core.somaxconn=4096");
        assertThat(f.getLast().cause()).isEqualTo("conntrack.full");
    }

    @Test
    void forwardingOffIsRiskyOnlyOnARouter() {
        assertThat(Sysctls.judge(RISKY, true)).extracting(Finding::setting).contains("net.ipv4.ip_forward");
        assertThat(Sysctls.judge(RISKY, false)).extracting(Finding::setting).doesNotContain("net.ipv4.ip_forward");
    }

    @Test
    void garbageValuesAreIgnoredNotThrown() {
        assertThat(Sysctls.judge(Map.of("net.core.somaxconn", "lots", "net.ipv4.ip_local_port_range", "1 2 3"), false)).isEmpty();
    }

    @Test
    void conntrackFullOutweighsOtherFindingsAndFails() {
        var c = SysctlCheckProbe.classify(Sysctls.judge(RISKY, false), "");
        assertThat(c.status()).isEqualTo(Status.FAIL);
        assertThat(c.cause()).isEqualTo("conntrack.full");
        assertThat(c.summary()).endsWith("(and 3 more finding(s))");
    }

    @Test
    void inferredRpFilterDropWarnsAndTheKernelsWordOrItsCounterFails() {
        Finding rp = new Finding("rpfilter.drop", "net.ipv4.conf.eth0.rp_filter", "1", "2", "packets from 198.18.0.1 arriving on eth0 ...");
        assertThat(SysctlCheckProbe.classify(List.of(rp), "rpfilter-asymmetric").status()).isEqualTo(Status.WARN);
        assertThat(SysctlCheckProbe.classify(List.of(rp), "rpfilter-dropped").status()).isEqualTo(Status.WARN);
        assertThat(SysctlCheckProbe.classify(List.of(rp), "rpfilter-dropping").status()).isEqualTo(Status.FAIL);
        var certain = SysctlCheckProbe.classify(List.of(rp), "rpfilter-confirmed");
        assertThat(certain.status()).isEqualTo(Status.FAIL);
        assertThat(certain.cause()).isEqualTo("rpfilter.drop");
    }

    @Test
    void nothingRiskyIsOk() {
        var c = SysctlCheckProbe.classify(List.of(), "");
        assertThat(c.status()).isEqualTo(Status.OK);
    }

    private static Path sample() {
        try {
            return Path.of(SysctlCheckProbeTest.class.getResource("/samples/proc-sys").toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
