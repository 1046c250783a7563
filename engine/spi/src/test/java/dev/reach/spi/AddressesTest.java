package dev.reach.spi;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.UnknownHostException;

import static org.assertj.core.api.Assertions.assertThat;

class AddressesTest {
    @Test
    void ipv6IsCompressedAtTheLongestRunOfZeroGroups() {
        assertThat(Addresses.text(InetAddress.ofLiteral("0:0:0:0:0:0:0:1"))).isEqualTo("::1");
        assertThat(Addresses.text(InetAddress.ofLiteral("fd00:0:0:0:0:0:0:6"))).isEqualTo("fd00::6");
        assertThat(Addresses.text(InetAddress.ofLiteral("2001:db8:0:1:0:0:1:1"))).isEqualTo("2001:db8:0:1::1:1");
        assertThat(Addresses.text(InetAddress.ofLiteral("2001:db8:1:0:1:1:1:1"))).isEqualTo("2001:db8:1:0:1:1:1:1");
    }

    @Test
    void ipv4StaysAsItIsAndEndpointsBracketIpv6() {
        assertThat(Addresses.text(InetAddress.ofLiteral("198.18.0.1"))).isEqualTo("198.18.0.1");
        assertThat(Addresses.endpoint(InetAddress.ofLiteral("::1"), 22)).isEqualTo("[::1]:22");
        assertThat(Addresses.endpoint(InetAddress.ofLiteral("127.0.0.1"), 80)).isEqualTo("127.0.0.1:80");
    }

    @Test
    void aServerIsHostAndAnOptionalPort() {
        assertThat(Addresses.hostPort("127.0.0.1:5353", 53)).isEqualTo(new Addresses.HostPort("127.0.0.1", 5353));
        assertThat(Addresses.hostPort(" [::1]:53 ", 123)).isEqualTo(new Addresses.HostPort("::1", 53));
        assertThat(Addresses.hostPort("[::1]", 123)).isEqualTo(new Addresses.HostPort("::1", 123));
        assertThat(Addresses.hostPort("::1", 123)).isEqualTo(new Addresses.HostPort("::1", 123));
        assertThat(Addresses.hostPort("ntp.lab.test:1123", 123)).isEqualTo(new Addresses.HostPort("ntp.lab.test", 1123));
        assertThat(Addresses.hostPort("ntp.lab.test", 123)).isEqualTo(new Addresses.HostPort("ntp.lab.test", 123));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Addresses.hostPort("ntp.lab.test:99999", 123))
                .hasMessage("'ntp.lab.test:99999' has a bad port '99999' (allowed: 1..65535)");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Addresses.hostPort("[::1:53", 123))
                .hasMessage("'[::1:53' has no closing ']'; write [::1]:5353");
    }

    @Test
    void resolveTakesTheFirstAddressOfTheWantedFamily() throws UnknownHostException {
        assertThat(Addresses.resolve("127.0.0.1", "any")).isEqualTo(InetAddress.ofLiteral("127.0.0.1"));
        assertThat(Addresses.resolve("127.0.0.1", "4")).isEqualTo(InetAddress.ofLiteral("127.0.0.1"));
        assertThat(Addresses.resolve("::1", "6")).isEqualTo(InetAddress.ofLiteral("::1"));
    }

    @Test
    void aHostWithoutAnAddressOfTheFamilySaysWhatItHas() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Addresses.resolve("::1", "4"))
                .isInstanceOf(UnknownHostException.class).hasMessage("::1 has no IPv4 address (it resolves to ::1)");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Addresses.resolve("198.18.0.2", "6"))
                .isInstanceOf(UnknownHostException.class).hasMessage("198.18.0.2 has no IPv6 address (it resolves to 198.18.0.2)");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Addresses.resolve("::1", "5"))
                .hasMessage("family '5' is not an address family (allowed: any, 4, 6)");
    }
}
