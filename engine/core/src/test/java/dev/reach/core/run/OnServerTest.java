package dev.reach.core.run;

import dev.reach.core.playbook.PlaybookException;
import dev.reach.spi.Observation;
import dev.reach.spi.Status;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Steps marked {@code on: server}: where they go, what crosses, and what a run without a server says. */
class OnServerTest {
    private final RunnerTest base = new RunnerTest();

    private static final String YAML = """
            steps:
              - id: both
                parallel:
                  - {id: here, probe: test.fixed, with: {note: local}}
                  - {id: there, probe: test.fixed, on: server, with: {status: fail, cause: firewall.local, note: "a b"}}
              - id: again
                probe: test.fixed
                on: server
                with: {n: 3}
            """;

    @Test
    void aServerStepRunsThroughTheServerWithItsParametersAsTypedAndTheDefaultsLeftOut() throws Exception {
        List<String> asked = new CopyOnWriteArrayList<>();
        ServerProbes server = (probe, params, timeout, cancel) -> {
            asked.add(probe + " " + params);
            return Observation.of(Status.FAIL, "on B").cause("firewall.local").fact("where", "B").build();
        };
        RunResult r = base.runner.run(RunnerTest.playbook(YAML), Map.of(), RunOptions.defaults().withServer(server));
        assertThat(asked).containsExactlyInAnyOrder("test.fixed {status=fail, cause=firewall.local, note=a b}", "test.fixed {n=3}");
        StepResult here = r.steps().getFirst().children().getFirst();
        assertThat(here.observation().summary()).isEqualTo("told ok (local)");
        StepResult there = r.steps().getFirst().children().get(1);
        assertThat(there.observation().facts()).containsEntry("where", "B");
        assertThat(there.probe()).isEqualTo("test.fixed");
        assertThat(there.observation().duration()).isPositive();
    }

    @Test
    void withoutAServerTheStepIsSkippedSayingWhyAndNeverRunsHere() throws Exception {
        RunResult r = base.run(YAML, Map.of());
        StepResult again = r.steps().get(1);
        assertThat(again.status()).isEqualTo(Status.SKIPPED);
        assertThat(again.observation().summary()).contains("on: server").contains("--server-via");
        assertThat(r.verdict().cause()).as("a check that did not run never adds up to ok").isEqualTo(Verdicts.INCONCLUSIVE);
        assertThat(r.verdict().summary()).startsWith("A check could not run: there: this step runs on the server");
    }

    @Test
    void onTakesServerOrClientOnProbeStepsOnly() {
        assertThatThrownBy(() -> RunnerTest.playbook("""
                steps:
                  - {id: a, probe: test.fixed, on: there}
                """)).isInstanceOf(PlaybookException.class).hasMessageContaining("test.yaml:2:")
                .hasMessageContaining("allowed: server, client");
        assertThatThrownBy(() -> RunnerTest.playbook("""
                steps:
                  - id: p
                    on: server
                    parallel:
                      - {id: a, probe: test.fixed}
                """)).isInstanceOf(PlaybookException.class).hasMessageContaining("says where a probe runs");
    }
}
