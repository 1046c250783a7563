package dev.reach.core.run;

import dev.reach.core.playbook.Fixtures;
import dev.reach.core.playbook.Playbook;
import dev.reach.core.playbook.PlaybookLoader;
import dev.reach.core.playbook.PlaybookValidator;
import dev.reach.core.report.JsonReport;
import dev.reach.core.report.TextReport;
import dev.reach.spi.Observation;
import dev.reach.spi.Params;
import dev.reach.spi.Probe;
import dev.reach.spi.ProbeContext;
import dev.reach.spi.ProbeSpec;
import dev.reach.spi.Status;
import org.junit.jupiter.api.Test;

import java.io.StringReader;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** A parallel step's {@code until:}: the run concludes as soon as the evidence decides, and says what it cut short. */
class ParallelUntilTest {
    /** {@code test.watch}: waits until its context says cancelled, and counts down {@link #noticed} when it does. */
    final CountDownLatch noticed = new CountDownLatch(1);
    /** Counted down when {@code test.watch} runs: {@code test.after-watch} waits for it, so the cut finds it running. */
    final CountDownLatch watching = new CountDownLatch(1);
    final Probe watch = new Probe() {
        final ProbeSpec spec = ProbeSpec.builder("test.watch", "Waits for ctx.cancelled()").build();

        public ProbeSpec spec() { return spec; }

        public Observation run(ProbeContext ctx, Params p) {
            watching.countDown();
            while (!ctx.cancelled()) Thread.onSpinWait();
            noticed.countDown();
            return Observation.ok("saw cancelled").build();
        }
    };

    /** {@code test.after-watch}: fails with tcp.refused once {@code test.watch} runs (2 s at most). */
    final Probe afterWatch = new Probe() {
        final ProbeSpec spec = ProbeSpec.builder("test.after-watch", "Fails once test.watch runs").build();

        public ProbeSpec spec() { return spec; }

        public Observation run(ProbeContext ctx, Params p) throws InterruptedException {
            watching.await(2, TimeUnit.SECONDS);
            return Observation.fail("tcp.refused", "refused").build();
        }
    };

    final Runner runner = new Runner(id -> id.equals("test.watch") ? Optional.of(watch)
            : id.equals("test.after-watch") ? Optional.of(afterWatch) : TestProbes.lookup().apply(id),
            new ProbeInvoker(HostPrivileges.current()), Fixtures.expressions(), new Verdicts(c -> Optional.of("fix for " + c)));

    Playbook playbook(String yaml) throws Exception {
        Playbook pb = new PlaybookLoader().load(new StringReader(yaml), "test.yaml", null);
        new PlaybookValidator(id -> id.equals("test.watch") ? Optional.of(watch.spec())
                : id.equals("test.after-watch") ? Optional.of(afterWatch.spec()) : TestProbes.specs().apply(id),
                Stream.concat(TestProbes.ids().stream(), Stream.of("test.watch", "test.after-watch")).toList(), Fixtures.CAUSES, Fixtures.expressions()).validate(pb);
        return pb;
    }

    RunResult run(String yaml) throws Exception {
        return runner.run(playbook(yaml), Map.of(), RunOptions.defaults());
    }

    static StepResult find(List<StepResult> steps, String id) {
        for (StepResult s : steps) {
            if (s.id().equals(id)) return s;
            StepResult inner = s.children().isEmpty() ? null : find(s.children(), id);
            if (inner != null) return inner;
        }
        return null;
    }

    static final String RACE = """
            steps:
              - id: race
                parallel:
                  - {id: slow, probe: test.sleep, with: {time: 5s, stubborn: true}}
                  - {id: fast, probe: test.fixed, with: {status: fail, cause: tcp.refused}}
                  - {id: watch, probe: test.watch}
                until: "steps.fast?.status == 'fail'"
              - id: refused
                when: steps.race.cause == 'tcp.refused'
                verdict: {cause: tcp.refused, evidence: [fast, slow, watch]}
            """;

    @Test
    void aSlowBranchIsCutShortWhenAFastOneDecidesAndTheRunDoesNotWaitForIt() throws Exception {
        RunResult r = run(RACE);
        assertThat(r.duration()).as("the slow branch sleeps 5 s, ignoring interrupts").isLessThan(Duration.ofMillis(1500));
        StepResult race = r.steps().getFirst();
        assertThat(race.status()).isEqualTo(Status.FAIL);
        assertThat(race.observation().cause()).contains("tcp.refused");
        assertThat(race.observation().summary()).isEqualTo("3 branches: 1 fail, 2 cut short");
        assertThat(race.observation().facts()).containsEntry("cut_short", 2).containsEntry("decided_by", "fast");
        assertThat(race.observation().evidence()).containsExactly("until held when 'fast' finished; cut short: slow, watch");
        StepResult slow = find(r.steps(), "slow");
        assertThat(slow.status()).isEqualTo(Status.SKIPPED);
        assertThat(slow.cutShort()).isTrue();
        assertThat(slow.observation().summary()).matches("cut short after [0-9.]+ms: the evidence had decided "
                + "\\(until: steps.fast\\?.status == 'fail'\\)");
        assertThat(slow.observation().facts()).containsEntry("cut_short", true);
        assertThat(slow.observation().evidence()).containsExactly("until held when 'fast' finished");
        assertThat(slow.params()).containsEntry("time", Duration.ofSeconds(5));
        assertThat(r.cancelled()).isFalse();
        assertThat(r.verdict().cause()).isEqualTo("tcp.refused");
        assertThat(r.verdict().supportedBy()).as("a cut step supports nothing").containsExactly("fast");
    }

    @Test
    void theCutProbeSeesItsContextCancelled() throws Exception {
        // the deciding branch waits until the watching one runs: cut before it started, it would never look
        run(RACE.replace("{id: fast, probe: test.fixed, with: {status: fail, cause: tcp.refused}}", "{id: fast, probe: test.after-watch}"));
        assertThat(noticed.await(2, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void theVerdictIsDerivedFromWhatDecidedNeverFromWhatWasCut() throws Exception {
        RunResult ok = run("""
                steps:
                  - id: race
                    parallel:
                      - {id: slow, probe: test.sleep, with: {time: 5s}}
                      - {id: fast, probe: test.fixed}
                    until: steps.fast?.ok
                """);
        assertThat(ok.steps().getFirst().status()).isEqualTo(Status.OK);
        assertThat(ok.verdict().cause()).isEqualTo("ok");
        assertThat(ok.verdict().supportedBy()).containsExactly("race");
        RunResult nothing = run("""
                steps:
                  - id: race
                    parallel:
                      - {id: slow, probe: test.sleep, with: {time: 5s}}
                      - {id: needy, probe: test.needy}
                    until: "steps.needy?.status == 'skipped'"
                """);
        assertThat(nothing.steps().getFirst().status()).as("no branch that saw anything").isEqualTo(Status.SKIPPED);
        assertThat(nothing.verdict().cause()).isEqualTo(Verdicts.INCONCLUSIVE);
        assertThat(nothing.healthy()).isFalse();
    }

    @Test
    void anUntilThatNeverHoldsWaitsForEveryBranch() throws Exception {
        RunResult r = run("""
                steps:
                  - id: race
                    parallel:
                      - {id: a, probe: test.sleep, with: {time: 300ms}}
                      - {id: b, probe: test.fixed}
                    until: "steps.b?.status == 'fail' || steps.a?.status == 'fail'"
                """);
        assertThat(r.duration()).isGreaterThanOrEqualTo(Duration.ofMillis(300));
        StepResult race = r.steps().getFirst();
        assertThat(race.children()).extracting(StepResult::status).containsExactly(Status.OK, Status.OK);
        assertThat(race.observation().summary()).isEqualTo("2 branches: 2 ok");
        assertThat(race.observation().facts()).doesNotContainKey("decided_by");
        assertThat(r.verdict().cause()).isEqualTo("ok");
    }

    @Test
    void anEnclosingUntilCutsNestedParallelsAndForeachItemsIncludingThoseNotStarted() throws Exception {
        RunResult r = run("""
                steps:
                  - id: race
                    parallel:
                      - {id: fast, probe: test.sleep, with: {time: 300ms}}
                      - id: inner
                        parallel:
                          - {id: x, probe: test.sleep, with: {time: 5s}}
                          - {id: y, probe: test.sleep, with: {time: 5s}}
                        until: "steps.x?.ok"
                      - id: each
                        foreach: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18]
                        probe: test.sleep
                        with: {time: 5s}
                    until: steps.fast?.ok
                """);
        assertThat(r.duration()).isLessThan(Duration.ofMillis(1500));
        StepResult race = r.steps().getFirst();
        assertThat(race.observation().summary()).isEqualTo("3 branches: 1 ok, 2 cut short");
        StepResult inner = find(r.steps(), "inner");
        assertThat(inner.cutShort()).isTrue();
        assertThat(inner.observation().evidence()).contains("when cut: 2 branches: 2 cut short");
        assertThat(inner.children()).allMatch(StepResult::cutShort);
        StepResult each = find(r.steps(), "each");
        assertThat(each.cutShort()).isTrue();
        assertThat(each.children()).hasSize(18).allMatch(StepResult::cutShort);
        assertThat(each.children().stream().filter(c -> c.observation().summary().startsWith("cut short before it started"))
                .map(StepResult::id)).as("16 run at once: the last two waited for their turn (on a busy machine, more may not have started)")
                .contains("each[16]", "each[17]").hasSizeBetween(2, 18);
        assertThat(r.verdict().cause()).isEqualTo("ok");
    }

    @Test
    void aNestedUntilDecidesItsOwnStepWhileTheOuterOneWaits() throws Exception {
        RunResult r = run("""
                steps:
                  - id: both
                    parallel:
                      - id: inner
                        parallel:
                          - {id: x, probe: test.fixed}
                          - {id: y, probe: test.sleep, with: {time: 5s}}
                        until: steps.x?.ok
                      - {id: z, probe: test.sleep, with: {time: 200ms}}
                """);
        assertThat(r.duration()).isBetween(Duration.ofMillis(200), Duration.ofMillis(1500));
        StepResult inner = find(r.steps(), "inner");
        assertThat(inner.cutShort()).isFalse();
        assertThat(inner.status()).isEqualTo(Status.OK);
        assertThat(inner.observation().summary()).isEqualTo("2 branches: 1 ok, 1 cut short");
        assertThat(find(r.steps(), "y").cutShort()).isTrue();
        assertThat(r.steps().getFirst().observation().summary()).isEqualTo("2 branches: 2 ok");
        assertThat(r.verdict().cause()).isEqualTo("ok");
    }

    @Test
    void runCancellationIsStillReportedAsCancelledNotCut() throws Exception {
        Cancellation cancel = new Cancellation();
        RunOptions options = RunOptions.defaults().withCancellation(cancel).withListener(e -> {
            if (e instanceof RunEvent.StepStarted s && s.id().equals("a")) {
                Thread.ofVirtual().start(() -> {
                    try {
                        Thread.sleep(100);
                    } catch (InterruptedException ignored) {
                    }
                    cancel.cancel();
                });
            }
        });
        RunResult r = runner.run(playbook("""
                steps:
                  - id: race
                    parallel:
                      - {id: a, probe: test.sleep, with: {time: 10s}}
                      - {id: b, probe: test.sleep, with: {time: 10s}}
                    until: steps.a?.ok
                  - {id: after, probe: test.fixed}
                """), Map.of(), options);
        assertThat(r.cancelled()).isTrue();
        assertThat(r.duration()).isLessThan(Duration.ofSeconds(3));
        assertThat(r.steps()).extracting(StepResult::id).containsExactly("race");
        assertThat(r.steps().getFirst().children()).allSatisfy(c -> {
            assertThat(c.status()).isEqualTo(Status.ERROR);
            assertThat(c.observation().summary()).isEqualTo("cancelled");
            assertThat(c.cutShort()).isFalse();
        });
        assertThat(r.verdict().summary()).contains("The run stopped early: cancelled");
    }

    @Test
    void anUntilThatThrowsMakesTheStepAnErrorWithWhereAndTheBranchesRunToTheEnd() throws Exception {
        RunResult r = run("""
                steps:
                  - id: race
                    parallel:
                      - {id: a, probe: test.sleep, with: {time: 200ms}}
                      - {id: b, probe: test.fixed}
                    until: steps.a.facts.missing.deeper
                """);
        StepResult race = r.steps().getFirst();
        assertThat(race.status()).isEqualTo(Status.ERROR);
        assertThat(race.observation().summary()).startsWith("'until' could not be computed: test.yaml:6:12: in 'steps.a.facts.missing.deeper': TypeError");
        assertThat(race.children()).extracting(StepResult::status).containsExactly(Status.OK, Status.OK);
        assertThat(r.verdict().cause()).isEqualTo(Verdicts.INCONCLUSIVE);
    }

    @Test
    void aBranchIsNotInStepsUntilItFinishesAgainWhenTheRunComesBack() throws Exception {
        RunResult r = run("""
                steps:
                  - id: race
                    parallel:
                      - {id: a, probe: test.fixed}
                      - {id: b, probe: test.sleep, with: {time: 200ms}}
                    until: steps.b?.ok
                    on: {ok: {goto: race, max: 1}}
                """);
        assertThat(r.steps()).extracting(StepResult::id).containsExactly("race", "race");
        assertThat(r.steps()).allSatisfy(s -> assertThat(s.children()).noneMatch(StepResult::cutShort));
    }

    @Test
    void reportsShowCutShortSteps() throws Exception {
        RunResult r = run(RACE);
        String text = TextReport.plain().withWidth(200).withVerbose(true).render(r);
        assertThat(text).containsPattern("\n  – slow +test\\.sleep +cut short after [0-9.]+ms: the evidence had decided \\(until: ")
                .contains("✘ race     parallel    3 branches: 1 fail, 2 cut short");
        String json = new JsonReport().render(r);
        assertThat(json).contains("\"cut_short\": true", "\"decided_by\": \"fast\"", "\"summary\": \"3 branches: 1 fail, 2 cut short\"");
    }
}
