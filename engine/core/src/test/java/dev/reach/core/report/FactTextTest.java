package dev.reach.core.report;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class FactTextTest {
    @Test
    void mapsArePairsListsAreCommaSeparatedAndPortsAreRanges() {
        Map<String, Object> states = new LinkedHashMap<>();
        states.put("TIME_WAIT", 1);
        states.put("ESTABLISHED", 3);
        assertThat(FactText.of(states)).isEqualTo("TIME_WAIT=1, ESTABLISHED=3");
        assertThat(FactText.of(List.of("22 refused", "80 open in 0.3ms"))).isEqualTo("22 refused, 80 open in 0.3ms");
        assertThat(FactText.of(List.of(22, 80, 81, 82))).isEqualTo("22,80-82");
        assertThat(FactText.of(Duration.ofMillis(500))).isEqualTo("500ms");
        assertThat(FactText.of(List.of())).isEqualTo("none");
    }

    @Test
    void listsOfMapsReadOneAfterAnotherWithNestedValuesGrouped() {
        Map<String, Object> udp = new LinkedHashMap<>();
        udp.put("rcode", "NOERROR");
        udp.put("addresses", List.of("198.18.0.5", "198.18.0.6"));
        Map<String, Object> server = new LinkedHashMap<>();
        server.put("server", "198.18.0.2");
        server.put("udp", udp);
        Map<String, Object> other = new LinkedHashMap<>();
        other.put("server", "198.18.0.3");
        other.put("tcp", Map.of("rcode", "SERVFAIL"));
        assertThat(FactText.of(List.of(server, other))).isEqualTo("server=198.18.0.2 udp=(rcode=NOERROR "
                + "addresses=198.18.0.5,198.18.0.6); server=198.18.0.3 tcp=(rcode=SERVFAIL)");
    }
}
