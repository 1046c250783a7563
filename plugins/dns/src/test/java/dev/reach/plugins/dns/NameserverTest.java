package dev.reach.plugins.dns;

import dev.reach.spi.Addresses;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class NameserverTest {

    @Test
    void addressWithAndWithoutPort() {
        assertThat(Nameserver.parse("127.0.0.1:5353", 53)).isEqualTo(new Nameserver(InetAddress.ofLiteral("127.0.0.1"), 5353));
        assertThat(Nameserver.parse("198.18.0.53", 53).toString()).isEqualTo("198.18.0.53:53");
        assertThat(Nameserver.parse("198.18.0.53", 5300).toString()).isEqualTo("198.18.0.53:5300");
    }

    @Test
    void ipv6NeedsBracketsOnlyWithAPort() {
        assertThat(Nameserver.parse("[::1]:5353", 53).toString()).isEqualTo("[::1]:5353");
        assertThat(Nameserver.parse("fd00::53", 53).toString()).isEqualTo("[fd00::53]:53");
        assertThat(Nameserver.parse("[fd00::53]", 53).port()).isEqualTo(53);
    }

    @Test
    void namesAndBadPortsAreRefusedWithHowToWriteIt() {
        assertThatThrownBy(() -> Nameserver.parse("ns1.example", 53)).hasMessageContaining("like 127.0.0.1:5353 or [::1]:53");
        assertThatThrownBy(() -> Nameserver.parse("127.0.0.1:99999", 53)).hasMessage("'127.0.0.1:99999' has a bad port '99999' (allowed: 1..65535)");
        assertThatThrownBy(() -> Nameserver.parse("[::1", 53)).hasMessageContaining("no closing ']'");
    }

    @Test
    void ipv6IsWrittenCompressed() {
        assertThat(Addresses.text(InetAddress.ofLiteral("fd00:0:0:0:0:0:0:6"))).isEqualTo("fd00::6");
        assertThat(Addresses.text(InetAddress.ofLiteral("2001:db8:0:1:0:0:1:1"))).isEqualTo("2001:db8:0:1::1:1");
        assertThat(Addresses.text(InetAddress.ofLiteral("198.18.0.1"))).isEqualTo("198.18.0.1");
    }
}
