package dev.reach.shell.command;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HostPortTest {
    @Test
    void hostWithAndWithoutPort() {
        assertThat(HostPort.parse("db01:5432")).isEqualTo(new HostPort("db01", "5432"));
        assertThat(HostPort.parse("127.0.0.1")).isEqualTo(new HostPort("127.0.0.1", null));
    }

    @Test
    void ipv6InBracketsOrBare() {
        assertThat(HostPort.parse("[::1]:22")).isEqualTo(new HostPort("::1", "22"));
        assertThat(HostPort.parse("[::1]")).isEqualTo(new HostPort("::1", null));
        assertThat(HostPort.parse("fd00::1")).isEqualTo(new HostPort("fd00::1", null));
        assertThat(new HostPort("::1", "22")).hasToString("[::1]:22");
    }

    @Test
    void missingPartsAreExplained() {
        assertThatThrownBy(() -> HostPort.parse(":22")).hasMessageContaining("the host is missing");
        assertThatThrownBy(() -> HostPort.parse("db01:")).hasMessageContaining("the port after ':' is missing");
        assertThatThrownBy(() -> HostPort.parse("[::1")).hasMessageContaining("']' is missing");
    }
}
