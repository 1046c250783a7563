package dev.reach.spi;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JudgementTest {

    @Test
    void shorterShapesLeaveOutTheOutcomeAndTheEvidence() {
        assertThat(new Judgement(Status.OK, null, "all well"))
                .isEqualTo(new Judgement(Status.OK, null, null, "all well", List.of()));
        assertThat(new Judgement(Status.FAIL, "tcp.refused", "refused", "127.0.0.1:5 refused the connection"))
                .isEqualTo(new Judgement(Status.FAIL, "tcp.refused", "refused", "127.0.0.1:5 refused the connection", List.of()));
    }

    @Test
    void oneEvidenceLineIsAListOfOneAndNoLineIsNone() {
        String none = null;
        assertThat(new Judgement(Status.FAIL, "tcp.refused", "refused", "refused", "connect 127.0.0.1:5 -> Connection refused (RST)")
                .evidence()).containsExactly("connect 127.0.0.1:5 -> Connection refused (RST)");
        assertThat(new Judgement(Status.FAIL, null, "unresolved", "did not resolve", none).evidence()).isEmpty();
    }

    @Test
    void statusAndSummaryAreRequiredAndTheEvidenceIsACopy() {
        assertThatThrownBy(() -> new Judgement(null, null, "no status")).isInstanceOf(NullPointerException.class).hasMessage("status");
        assertThatThrownBy(() -> new Judgement(Status.OK, null, "ok", null)).isInstanceOf(NullPointerException.class).hasMessage("summary");
        List<String> lines = new ArrayList<>(List.of("handshake TLSv1.3"));
        Judgement j = new Judgement(Status.OK, null, "ok", "trusted", lines);
        lines.add("added later");
        assertThat(j.evidence()).containsExactly("handshake TLSv1.3");
        assertThatThrownBy(() -> j.evidence().add("more")).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void theObservationStartsWithCauseOutcomeAndEvidenceBeforeTheProbesOwn() {
        Observation o = new Judgement(Status.FAIL, "tcp.filtered", "timeout", "198.18.0.2:83 gave no answer within 500ms",
                List.of("connect 198.18.0.2:83 -> no answer within 500ms (SYN unanswered)"))
                .observation().fact("connect_ms", 500.0).evidence("resolve db01 -> 198.18.0.2").build();
        assertThat(o.status()).isEqualTo(Status.FAIL);
        assertThat(o.cause()).contains("tcp.filtered");
        assertThat(o.summary()).isEqualTo("198.18.0.2:83 gave no answer within 500ms");
        assertThat(o.facts()).containsExactly(Map.entry("outcome", "timeout"), Map.entry("connect_ms", 500.0));
        assertThat(o.evidence()).containsExactly("connect 198.18.0.2:83 -> no answer within 500ms (SYN unanswered)",
                "resolve db01 -> 198.18.0.2");
    }

    @Test
    void withoutAnOutcomeTheObservationHasNoOutcomeFact() {
        Observation o = new Judgement(Status.OK, null, "no kernel setting is risky").observation().build();
        assertThat(o.cause()).isEmpty();
        assertThat(o.facts()).isEmpty();
        assertThat(o.evidence()).isEmpty();
    }
}
