package dev.reach.plugins.net;

import dev.reach.spi.Observation;
import dev.reach.spi.Status;
import dev.reach.testkit.ProbeHarness;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class PathMtuProbeTest {
    private static final IcmpError FRAG = IcmpError.icmp(false, 3, 4, 1280, InetAddress.ofLiteral("198.18.0.254"));

    @Test
    void fullSizeArrivingIsTheInterfaceMtu() {
        var c = PathMtuProbe.classify(new PathMtuProbe.Search("eth0", 1500, 1500, 0, null, false), "198.18.1.2");
        assertThat(c.status()).isEqualTo(Status.OK);
        assertThat(c.outcome()).isEqualTo("interface-mtu");
    }

    @Test
    void smallerPathWithFragNeededIsACleanPmtuNamingTheHop() {
        var c = PathMtuProbe.classify(new PathMtuProbe.Search("eth0", 1500, 1280, 1281, FRAG, false), "198.18.1.2");
        assertThat(c.status()).isEqualTo(Status.OK);
        assertThat(c.outcome()).isEqualTo("clean-pmtu");
        assertThat(c.summary()).isEqualTo("path MTU to 198.18.1.2 is 1280 (interface eth0 1500): 198.18.0.254 says frag-needed, "
                + "next-hop mtu 1280; path MTU discovery works");
    }

    @Test
    void bigPacketsVanishingSilentlyIsABlackholeWithTheFix() {
        var c = PathMtuProbe.classify(new PathMtuProbe.Search("eth0", 1500, 1280, 1281, null, true), "198.18.1.2");
        assertThat(c.status()).isEqualTo(Status.FAIL);
        assertThat(c.cause()).isEqualTo("mtu.blackhole");
        assertThat(c.summary()).contains("above 1280 bytes", "clamp TCP MSS to 1240", "ICMP type 3 code 4");
    }

    @Test
    void noAnswerAtAllCannotMeasure() {
        var c = PathMtuProbe.classify(new PathMtuProbe.Search("eth0", 1500, 0, 576, null, true), "198.18.1.3");
        assertThat(c.status()).isEqualTo(Status.ERROR);
        assertThat(c.outcome()).isEqualTo("no-answer");
    }

    @Test
    void loopbackTakesTheLargestIpPacketWithoutPrivilege() {
        Observation o = ProbeHarness.run(new PathMtuProbe(), "host=127.0.0.1", "timeout=300ms");
        assertThat(o.status()).as(o.toString()).isEqualTo(Status.OK);
        assertThat(o.facts()).containsEntry("interface", "lo").containsEntry("path_mtu", 65535);
        @SuppressWarnings("unchecked")
        var sizes = (List<String>) o.facts().get("sizes");
        assertThat(sizes.getFirst()).isEqualTo("576 arrived (port-unreachable)");
    }
}
