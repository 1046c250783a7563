package dev.reach.plugins.host;

import dev.reach.plugins.host.SysClassNet.Link;
import dev.reach.spi.Status;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class IfaceStatusProbeTest {
    private static final Duration S = Duration.ofSeconds(1);

    // readers on captured /sys/class/net and ip -j addr

    @Test
    void vethWhosePeerIsDownIsUpWithoutCarrier() {
        Link l = SysClassNet.read(sample("d0"));
        assertThat(l.adminUp()).isTrue();
        assertThat(l.operstate()).isEqualTo("LOWERLAYERDOWN");
        assertThat(l.carrier()).isFalse();
        assertThat(l.speed()).isEqualTo(10000);
        assertThat(l.counters()).containsEntry("rx_packets", 14L).containsEntry("tx_errors", 0L);
    }

    @Test
    void adminDownInterfaceHasNoCarrierReading() {
        Link l = SysClassNet.read(sample("d1"));
        assertThat(l.adminUp()).isFalse();
        assertThat(l.carrier()).isNull(); // the kernel refuses to read carrier on a down link
        assertThat(l.speed()).isEqualTo(-1);
    }

    @Test
    void garbageInSysfsIsUnknownNotAnException() {
        Link l = SysClassNet.read(sample("bad"));
        assertThat(l.mtu()).isEqualTo(-1);
        assertThat(l.adminUp()).isTrue();
        assertThat(l.counters()).doesNotContainKey("rx_errors");
    }

    @Test
    void adminStateIsIffUpOfTheSysFlagsWhateverTheCarrier() {
        assertThat(IpAddr.adminUp("0x1003")).as("up, running").isTrue();
        assertThat(IpAddr.adminUp("0x1002")).as("down").isFalse();
        assertThat(IpAddr.adminUp("0x1")).as("up, no carrier").isTrue();
        assertThat(IpAddr.adminUp("")).as("unreadable").isFalse();
    }

    @Test
    void theJdksViewOfThisHostListsNoLoopback() {
        assertThat(IpAddr.local()).extracting(IpAddr.Iface::name).doesNotContain("lo");
    }

    @Test
    void ipAddrTellsAnInterfaceSetDownFromOneWithoutCarrier() {
        var all = IpAddr.interfaces(Samples.read("ip-addr-down.json"));
        assertThat(all).extracting(IpAddr.Iface::name).containsExactly("va", "vc"); // loopback left out
        assertThat(all.get(0)).extracting(IpAddr.Iface::adminUp, IpAddr.Iface::carrier, IpAddr.Iface::down).containsExactly(true, false, true);
        assertThat(all.get(1)).extracting(IpAddr.Iface::adminUp, IpAddr.Iface::down).containsExactly(false, true);
        assertThat(all.get(1).onSubnet(InetAddress.ofLiteral("198.18.2.77"))).contains("198.18.2.1/24");
        assertThat(all.get(1).onSubnet(InetAddress.ofLiteral("198.18.1.77"))).isEmpty();
    }

    // classify

    @Test
    void adminDownIsLinkDownWithTheCommandThatFixesIt() {
        var c = IfaceStatusProbe.classify(SysClassNet.read(sample("d1")), Map.of(), List.of(), S);
        assertThat(c.cause()).isEqualTo("link.down");
        assertThat(c.summary()).isEqualTo("d1 is administratively down: bring it up with ip link set d1 up (and find what took it down)");
    }

    @Test
    void noCarrierIsLinkDown() {
        var c = IfaceStatusProbe.classify(SysClassNet.read(sample("d0")), Map.of(), List.of("198.18.5.1/24"), S);
        assertThat(c.status()).isEqualTo(Status.FAIL);
        assertThat(c.summary()).startsWith("d0 has no carrier (operstate LOWERLAYERDOWN)");
    }

    @Test
    void risingErrorCountersWarnButPacketsDoNot() {
        Link up = link(Map.of("rx_errors", 5L, "rx_packets", 100L));
        Link later = link(Map.of("rx_errors", 9L, "rx_packets", 180L));
        Map<String, Long> rising = IfaceStatusProbe.rising(up, later);
        assertThat(rising).containsEntry("rx_errors", 4L).containsEntry("rx_packets", 80L);
        var c = IfaceStatusProbe.classify(later, rising, List.of("198.18.0.1/24"), S);
        assertThat(c.status()).isEqualTo(Status.WARN);
        assertThat(c.cause()).isEqualTo("link.down");
        assertThat(c.summary()).contains("{rx_errors=4}");
        var quiet = IfaceStatusProbe.classify(later, Map.of("rx_packets", 80L), List.of("198.18.0.1/24"), S);
        assertThat(quiet.status()).isEqualTo(Status.OK);
        assertThat(quiet.summary()).isEqualTo("eth0 is up with carrier, mtu 1500, 1000Mb/s full, 198.18.0.1/24");
    }

    @Test
    void upWithoutAddressWarns() {
        var c = IfaceStatusProbe.classify(link(Map.of()), Map.of(), List.of(), S);
        assertThat(c.status()).isEqualTo(Status.WARN);
        assertThat(c.cause()).isNull();
    }

    private static Link link(Map<String, Long> counters) {
        return new Link("eth0", true, "UP", true, 1500, 1000, "full", "aa:bb:cc:dd:ee:ff", 1, counters);
    }

    private static Path sample(String name) {
        try {
            return Path.of(IfaceStatusProbeTest.class.getResource("/samples/sys-class-net/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
