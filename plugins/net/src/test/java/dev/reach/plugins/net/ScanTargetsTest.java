package dev.reach.plugins.net;

import dev.reach.spi.Addresses;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ScanTargetsTest {

    @Test
    void aRangeOfTenThousandLoopbackAddresses() {
        List<InetAddress> all = ScanTargets.expand("127.1.0.0-127.1.39.15").orElseThrow();
        assertThat(all).hasSize(10_000);
        assertThat(Addresses.text(all.getFirst())).isEqualTo("127.1.0.0");
        assertThat(Addresses.text(all.get(256))).isEqualTo("127.1.1.0");
        assertThat(Addresses.text(all.getLast())).isEqualTo("127.1.39.15");
    }

    @Test
    void lastByteShorthandAndCidrBlocks() {
        assertThat(ScanTargets.expand("198.18.1.10-20").orElseThrow()).hasSize(11);
        List<InetAddress> block = ScanTargets.expand("198.18.1.77/24").orElseThrow();
        assertThat(block).hasSize(256);
        assertThat(Addresses.text(block.getFirst())).isEqualTo("198.18.1.0");
        assertThat(Addresses.text(block.getLast())).isEqualTo("198.18.1.255");
        assertThat(ScanTargets.expand("198.18.1.2/32").orElseThrow()).hasSize(1);
        List<InetAddress> v6 = ScanTargets.expand("fd00::/120").orElseThrow();
        assertThat(v6).hasSize(256);
        assertThat(Addresses.text(v6.getLast())).isEqualTo("fd00::ff");
        assertThat(ScanTargets.expand("fd00::1-fd00::3").orElseThrow()).hasSize(3);
    }

    @Test
    void namesAndSingleAddressesAreNotRanges() {
        assertThat(ScanTargets.expand("db-01")).isEmpty();
        assertThat(ScanTargets.expand("cafe-babe.example")).isEmpty();
        assertThat(ScanTargets.expand("198.18.1.2")).isEmpty();
        assertThat(ScanTargets.expand("fd00::2")).isEmpty();
    }

    @Test
    void badRangesSayHowToWriteThem() {
        assertThatThrownBy(() -> ScanTargets.expand("198.18.1.20-10")).hasMessageContaining("write the lower address first");
        assertThatThrownBy(() -> ScanTargets.expand("198.18.1.2-fd00::1")).hasMessageContaining("first-last of one family");
        assertThatThrownBy(() -> ScanTargets.expand("198.18.1.2-300")).hasMessageContaining("first-last of one family");
        assertThatThrownBy(() -> ScanTargets.expand("198.18.0.0/33")).hasMessageContaining("prefix length 0-32");
        assertThatThrownBy(() -> ScanTargets.expand("198.18.0.0/15")).hasMessageContaining("131072 addresses; at most 65536");
    }

    @Test
    void followsIsTheNextAddressAcrossByteBoundaries() {
        assertThat(ScanTargets.follows(InetAddress.ofLiteral("127.1.0.255"), InetAddress.ofLiteral("127.1.1.0"))).isTrue();
        assertThat(ScanTargets.follows(InetAddress.ofLiteral("127.1.1.0"), InetAddress.ofLiteral("127.1.1.2"))).isFalse();
        assertThat(ScanTargets.follows(InetAddress.ofLiteral("127.0.0.1"), InetAddress.ofLiteral("::2"))).isFalse();
    }
}
