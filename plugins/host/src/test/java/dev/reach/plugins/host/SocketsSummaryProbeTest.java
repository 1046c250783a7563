package dev.reach.plugins.host;

import dev.reach.plugins.host.SocketsSummaryProbe.Input;
import dev.reach.spi.Status;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class SocketsSummaryProbeTest {

    @Test
    void nearlyAllEphemeralPortsTowardOneDestinationIsPortsExhausted() {
        var c = SocketsSummaryProbe.classify(new Input("198.18.0.2:8080", Map.of("ESTABLISHED", 4L, "TIME_WAIT", 5L), 9, 40000, 40009, -1, -1));
        assertThat(c.status()).isEqualTo(Status.FAIL);
        assertThat(c.cause()).isEqualTo("ports.exhausted");
        assertThat(c.summary()).startsWith("connections to 198.18.0.2:8080 use 9 of the 10 ephemeral ports (40000-40009), 5 of them in TIME_WAIT");
    }

    @Test
    void conntrackNearItsMaxIsConntrackFull() {
        var c = SocketsSummaryProbe.classify(new Input("", Map.of(), 0, 32768, 60999, 950, 1000));
        assertThat(c.cause()).isEqualTo("conntrack.full");
    }

    @Test
    void connectionsStuckInSynSentWarnWithoutACause() {
        var c = SocketsSummaryProbe.classify(new Input("198.18.0.2:8082", Map.of("SYN_SENT", 2L), 2, 32768, 60999, 10, 1000));
        assertThat(c.status()).isEqualTo(Status.WARN);
        assertThat(c.cause()).isNull();
        assertThat(c.summary()).startsWith("2 connection(s) to 198.18.0.2:8082 wait in SYN_SENT");
    }

    @Test
    void fewConnectionsAreOk() {
        var c = SocketsSummaryProbe.classify(new Input("198.18.0.2:8080", Map.of("ESTABLISHED", 3L), 3, 32768, 60999, -1, -1));
        assertThat(c.status()).isEqualTo(Status.OK);
        assertThat(c.summary()).isEqualTo("outgoing connections to 198.18.0.2:8080: ESTABLISHED 3; 3 of 28232 ephemeral ports in use");
    }

    @Test
    void aListenersClientsAreCountedApartFromTheHostsOwnConnections() {
        var c = SocketsSummaryProbe.classify(new Input("198.18.0.53:53", Map.of("TIME_WAIT", 1L), 1, 32768, 60999, -1, -1,
                5432, new java.util.TreeMap<>(Map.of("ESTABLISHED", 3L, "SYN_RECV", 1L))));
        assertThat(c.status()).isEqualTo(Status.OK);
        assertThat(c.summary()).isEqualTo("clients of port 5432: ESTABLISHED 3, SYN_RECV 1; outgoing connections to 198.18.0.53:53: "
                + "TIME_WAIT 1; 1 of 28232 ephemeral ports in use");
        assertThat(SocketsSummaryProbe.classify(new Input("", Map.of(), 0, 32768, 60999, -1, -1, 80, Map.of())).summary())
                .isEqualTo("clients of port 80: none; no outgoing TCP connection uses an ephemeral port");
    }
}
