package dev.reach.shell.command;

import dev.reach.core.playbook.Confidence;
import dev.reach.core.run.RunResult;
import dev.reach.core.run.StepResult;
import dev.reach.core.run.Verdict;
import dev.reach.spi.Observation;
import dev.reach.spi.Status;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** What {@code reach watch} keeps: changes of verdict, the steps' table, and the time spent in each verdict. */
class WatchStateTest {
    private static final Instant T0 = Instant.parse("2026-12-06T10:00:00Z");

    private static RunResult round(String cause, Observation connect) {
        var step = new StepResult("connect", "probe", "tcp.connect", Map.of(), connect, "", List.of());
        var v = new Verdict(cause, cause.equals("ok") ? Confidence.CERTAIN : Confidence.LIKELY, "it is " + cause, "", List.of(), List.of(), true);
        return new RunResult("unreachable", "", Map.of("host", "db01", "port", 5432), List.of(step), v, T0, Duration.ofMillis(40), false);
    }

    @Test
    void changesSpansAndTheTimeInEachVerdict() {
        WatchState s = new WatchState();
        var ok = Observation.ok("connected").duration(Duration.ofMillis(2)).build();
        var refused = Observation.fail("tcp.refused", "refused").duration(Duration.ofMillis(1)).build();
        assertThat(s.add(round("ok", ok), T0)).isNull();
        assertThat(s.add(round("ok", ok), T0.plusSeconds(2))).isNull();
        WatchState.Change c = s.add(round("tcp.refused", refused), T0.plusSeconds(4));
        assertThat(c).isNotNull();
        assertThat(c.from().verdict()).isEqualTo("ok");
        assertThat(c.to().verdict()).isEqualTo("tcp.refused (likely)");
        assertThat(c.to().warning()).as("a failed step is a fault, not a warning").isFalse();
        s.add(round("ok", ok), T0.plusSeconds(6));

        WatchState.Row row = s.rows().getFirst();
        assertThat(row.probe).isEqualTo("tcp.connect");
        assertThat(row.last).isEqualTo(Status.OK);
        assertThat(row.seen).isEqualTo(4);
        assertThat(row.notOk).isEqualTo(1);
        assertThat(row.changed).isEqualTo(T0.plusSeconds(6));
        assertThat(row.meanMs()).isEqualTo(1.75);
        assertThat(s.ranLast(row)).isTrue();

        List<String> summary = s.summary("db01:5432", T0.plusSeconds(8));
        assertThat(summary.getFirst()).isEqualTo("watched db01:5432 for 8.0s, 4 rounds: ok 6.0s (2 spans), tcp.refused (likely) 2.0s (1 span); 2 changes");
        assertThat(summary).hasSize(3);
    }

    @Test
    void aVerdictWhoseStepsOnlyWarnIsAWarning() {
        WatchState s = new WatchState();
        s.add(round("tls.expiring", Observation.warn("tls.expiring", "expires in 3 days").build()), T0);
        assertThat(s.last().warning()).isTrue();
        assertThat(new WatchState().summary("db01:5432", T0)).containsExactly("watched db01:5432: no round completed");
    }
}
