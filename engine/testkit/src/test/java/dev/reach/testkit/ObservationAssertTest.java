package dev.reach.testkit;

import dev.reach.spi.Observation;
import org.junit.jupiter.api.Test;

import static dev.reach.testkit.ObservationAssert.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ObservationAssertTest {
    private final Observation refused = Observation.fail("tcp.refused", "127.0.0.1:5 refused the connection")
            .fact("outcome", "refused").fact("connect_ms", 0.21).fact("port", 5L)
            .evidence("connect 127.0.0.1:5 -> Connection refused (RST)").build();

    @Test
    void matchingObservationPasses() {
        assertThat(refused).isFail().hasCause("tcp.refused").hasFact("outcome", "refused").hasFact("port", 5)
                .hasFact("connect_ms").summaryContains("refused").hasEvidenceContaining("(RST)");
    }

    @Test
    void failureMessagePrintsTheWholeObservation() {
        assertThatThrownBy(() -> assertThat(refused).isOk())
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("expected status ok but was:")
                .hasMessageContaining("fail [tcp.refused]: 127.0.0.1:5 refused the connection")
                .hasMessageContaining("fact outcome=refused")
                .hasMessageContaining("evidence connect 127.0.0.1:5 -> Connection refused (RST)");
    }

    @Test
    void wrongCauseMissingFactAndNoCauseFail() {
        assertThatThrownBy(() -> assertThat(refused).hasCause("tcp.filtered")).hasMessageContaining("expected cause tcp.filtered");
        assertThatThrownBy(() -> assertThat(refused).hasFact("local")).hasMessageContaining("expected a fact local");
        assertThatThrownBy(() -> assertThat(refused).hasNoCause()).hasMessageContaining("expected no cause");
        assertThatThrownBy(() -> assertThat(refused).hasFact("outcome", "ok")).hasMessageContaining("expected fact outcome=ok");
    }
}
