package dev.reach.core.run;

import dev.reach.core.playbook.Fixtures;
import dev.reach.core.playbook.Playbook;
import dev.reach.core.playbook.PlaybookLoader;
import dev.reach.core.playbook.PlaybookValidator;
import dev.reach.spi.Status;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RunnerTest {
    final Runner runner = new Runner(TestProbes.lookup(), new ProbeInvoker(HostPrivileges.current()),
            Fixtures.expressions(), new Verdicts(c -> Optional.of("fix for " + c)));

    static Playbook playbook(String yaml) throws Exception {
        return playbook(yaml, null);
    }

    static Playbook playbook(String yaml, Path dir) throws Exception {
        Playbook pb = new PlaybookLoader().load(new StringReader(yaml), "test.yaml", dir);
        new PlaybookValidator(TestProbes.specs(), TestProbes.ids(), Fixtures.CAUSES, Fixtures.expressions()).validate(pb);
        return pb;
    }

    RunResult run(String yaml, Map<String, ?> inputs) throws Exception {
        return runner.run(playbook(yaml), inputs, RunOptions.defaults());
    }

    static List<String> ids(RunResult r) {
        return r.steps().stream().map(StepResult::id).toList();
    }

    @Test
    void aSecretCopiedIntoAParameterThatIsNotSecretIsMaskedInEveryResultAndEvent() throws Exception {
        Playbook pb = playbook("""
                inputs:
                  pin: {type: string, required: true, secret: true}
                steps:
                  - id: leak
                    probe: test.fixed
                    with: {status: fail, cause: tcp.refused, note: "pin is ${inputs.pin}"}
                  - id: v
                    verdict: {cause: tcp.refused, summary: "tried ${inputs.pin}", fix: "use ${inputs.pin} again"}
                """);
        List<RunEvent> events = new CopyOnWriteArrayList<>();
        RunResult r = runner.run(pb, Map.of("pin", "s3cr3t-pin"), RunOptions.defaults().withListener(events::add));
        String all = r.toString() + events;
        assertThat(all).doesNotContain("s3cr3t-pin").contains("pin is (hidden)");
        assertThat(r.steps().getFirst().params()).containsEntry("note", "pin is (hidden)");
        assertThat(r.steps().getFirst().observation().facts()).containsEntry("note", "pin is (hidden)");
        assertThat(r.verdict().summary()).isEqualTo("tried (hidden)");
        assertThat(r.verdict().fix()).isEqualTo("use (hidden) again");
        assertThat(r.inputs()).containsEntry("pin", "(hidden)");
    }

    @Test
    void whenTrueAndFalseAreTheValuesNotNames() throws Exception {
        RunResult r = run("""
                steps:
                  - {id: yes, when: true, probe: test.fixed}
                  - {id: no, when: false, probe: test.fixed}
                """, Map.of());
        assertThat(r.steps().get(0).status()).isEqualTo(Status.OK);
        assertThat(r.steps().get(1).status()).isEqualTo(Status.SKIPPED);
        assertThat(r.steps().get(1).observation().summary()).startsWith("condition false");
    }

    @Test
    void timeoutCapsAProbeWhoseOwnTimeoutIsLonger() throws Exception {
        var waits = new dev.reach.spi.Probe() {
            final dev.reach.spi.ProbeSpec spec = dev.reach.spi.ProbeSpec.builder("test.wait", "Waits its timeout")
                    .param(dev.reach.spi.Param.duration("timeout", "how long").defaultValue("20s")).build();

            public dev.reach.spi.ProbeSpec spec() { return spec; }

            public dev.reach.spi.Observation run(dev.reach.spi.ProbeContext ctx, dev.reach.spi.Params p) throws Exception {
                Thread.sleep(p.duration("timeout").toMillis());
                return dev.reach.spi.Observation.ok("waited").build();
            }
        };
        long t0 = System.nanoTime();
        RunResult r = runner.runProbe(waits, Map.of("timeout", "20s"), RunOptions.defaults().withTimeout(Duration.ofMillis(300)));
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).as("--timeout 300ms over timeout=20s").isLessThan(Duration.ofSeconds(5));
        assertThat(r.steps().getFirst().status()).isEqualTo(Status.ERROR);
        assertThat(r.steps().getFirst().observation().summary()).contains("did not finish within");
    }

    @Test
    void aRelativeFileInputAndParameterMeanTheRunsWorkingDirectory() throws Exception {
        Playbook pb = playbook("""
                inputs:
                  ca: {type: file, default: /etc/ssl/ca.pem}
                steps:
                  - id: echo
                    probe: test.fixed
                    with: {status: ok, cause: "${inputs.ca}"}
                """);
        RunResult r = runner.run(pb, Map.of("ca", "certs/ca.pem"), RunOptions.defaults().withWorkingDirectory(Path.of("/home/ops")));
        assertThat(r.inputs()).containsEntry("ca", "/home/ops/certs/ca.pem");
        assertThat(runner.run(pb, Map.of(), RunOptions.defaults().withWorkingDirectory(Path.of("/home/ops"))).inputs())
                .containsEntry("ca", "/etc/ssl/ca.pem");
        assertThatThrownBy(() -> RunOptions.defaults().withWorkingDirectory(Path.of("relative")))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void branchOnCauseJumpsAndTheVerdictStepConcludes() throws Exception {
        RunResult r = run("""
                steps:
                  - id: connect
                    probe: test.fixed
                    with: {status: fail, cause: tcp.refused}
                    on:
                      tcp.refused: refused
                      fail: filtered
                  - id: filtered
                    verdict: {cause: tcp.filtered}
                  - id: refused
                    verdict:
                      cause: tcp.refused
                      confidence: certain
                      summary: "refused after ${steps.connect.duration_ms >= 0 ? 'a' : 'no'} try"
                      evidence: [connect]
                """, Map.of());
        assertThat(ids(r)).containsExactly("connect", "refused");
        assertThat(r.steps().getFirst().branch()).isEqualTo("goto refused (on tcp.refused)");
        assertThat(r.verdict().cause()).isEqualTo("tcp.refused");
        assertThat(r.verdict().concluded()).isTrue();
        assertThat(r.verdict().summary()).isEqualTo("refused after a try");
        assertThat(r.verdict().fix()).isEqualTo("fix for tcp.refused");
        assertThat(r.verdict().evidence()).contains("connect: told fail", "  fixed fail");
        assertThat(r.exitCode()).isEqualTo(1);
    }

    @Test
    void statusBranchAppliesWhenNoCauseMatches() throws Exception {
        RunResult r = run("""
                steps:
                  - id: a
                    probe: test.fixed
                    with: {status: fail}
                    on: {tcp.refused: stop, fail: c}
                  - id: b
                    probe: test.fixed
                  - id: c
                    probe: test.fixed
                """, Map.of());
        assertThat(ids(r)).containsExactly("a", "c");
    }

    @Test
    void whenFalseSkipsAndTemplatesSeeInputsAndEarlierFacts() throws Exception {
        RunResult r = run("""
                inputs:
                  n: {type: integer, default: 4}
                steps:
                  - id: a
                    probe: test.fixed
                    with: {note: "n=${inputs.n}", n: "${inputs.n * 2}"}
                  - id: b
                    when: steps.a.facts.n > 100
                    probe: test.fixed
                  - id: c
                    when: "${steps.a.facts.n == 8 && steps.b.status == 'skipped'}"
                    probe: test.fixed
                    with: {note: "${steps.a.facts.note}"}
                """, Map.of());
        assertThat(r.steps()).extracting(StepResult::status).containsExactly(Status.OK, Status.SKIPPED, Status.OK);
        assertThat(r.steps().get(0).observation().facts()).containsEntry("n", 8L).containsEntry("note", "n=4");
        assertThat(r.steps().get(2).observation().facts()).containsEntry("note", "n=4");
        assertThat(r.verdict().cause()).isEqualTo("ok");
        assertThat(r.exitCode()).isZero();
    }

    @Test
    void foreachRunsEachItemAndTakesTheWorstStatus() throws Exception {
        RunResult r = run("""
                steps:
                  - id: each
                    foreach: ["ok", "fail", "ok"]
                    as: s
                    probe: test.fixed
                    with: {status: "${s}", cause: "${s == 'fail' ? 'tcp.filtered' : 'ok'}"}
                """, Map.of());
        StepResult each = r.steps().getFirst();
        assertThat(each.children()).extracting(StepResult::id).containsExactly("each[0]", "each[1]", "each[2]");
        assertThat(each.status()).isEqualTo(Status.FAIL);
        assertThat(each.observation().cause()).contains("tcp.filtered");
        assertThat(each.observation().summary()).isEqualTo("3 items: 2 ok, 1 fail");
        assertThat(r.verdict().cause()).isEqualTo("tcp.filtered");
    }

    @Test
    void foreachOverAnExpressionListAndItsItemsAreVisible() throws Exception {
        RunResult r = run("""
                inputs:
                  notes: {type: list, default: "x,y"}
                steps:
                  - id: each
                    foreach: "${inputs.notes}"
                    probe: test.fixed
                    with: {note: "${item}"}
                  - id: after
                    probe: test.fixed
                    with: {note: "${steps.each.items.map(i => i.facts.note).join('+')}"}
                """, Map.of());
        assertThat(r.steps().get(1).observation().facts()).containsEntry("note", "x+y");
    }

    @Test
    void parallelBranchesRunAtOnce() throws Exception {
        long t0 = System.nanoTime();
        RunResult r = run("""
                steps:
                  - id: both
                    parallel:
                      - {id: a, probe: test.sleep, with: {time: 400ms}}
                      - {id: b, probe: test.sleep, with: {time: 400ms}}
                      - {id: c, probe: test.fixed, with: {status: warn}}
                  - id: after
                    probe: test.fixed
                    with: {note: "${steps.a.status}/${steps.c.status}"}
                """, Map.of());
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertThat(r.steps().getFirst().children()).extracting(StepResult::id).containsExactly("a", "b", "c");
        assertThat(r.steps().getFirst().status()).isEqualTo(Status.WARN);
        assertThat(r.steps().get(1).observation().facts()).containsEntry("note", "ok/warn");
        assertThat(ms).as("two 400ms sleeps in parallel").isLessThan(790);
    }

    @Test
    void hangingProbeBecomesAnErrorAtItsDeadlineAndTheRunGoesOn() throws Exception {
        RunResult r = run("""
                steps:
                  - id: hang
                    probe: test.sleep
                    timeout: 300ms
                    with: {time: 20s, stubborn: true}
                    on: {error: recover}
                  - id: skipped
                    probe: test.fixed
                  - id: recover
                    probe: test.fixed
                """, Map.of());
        assertThat(ids(r)).containsExactly("hang", "recover");
        assertThat(r.steps().getFirst().status()).isEqualTo(Status.ERROR);
        assertThat(r.steps().getFirst().observation().summary()).contains("did not finish within 300ms");
        assertThat(r.steps().getFirst().observation().duration()).isLessThan(Duration.ofSeconds(2));
    }

    @Test
    void throwingProbeBecomesAnErrorObservation() throws Exception {
        RunResult r = run("""
                steps:
                  - {id: boom, probe: test.throw}
                  - {id: later, probe: test.fixed}
                """, Map.of());
        assertThat(r.steps().getFirst().status()).isEqualTo(Status.ERROR);
        assertThat(r.steps().getFirst().observation().summary())
                .isEqualTo("test.throw broke: boom (a bug in the probe: it threw instead of returning what it saw)");
        assertThat(r.steps().getFirst().observation().facts()).containsEntry("exception", "java.lang.IllegalStateException");
        assertThat(r.steps()).hasSize(2);
        assertThat(r.verdict().cause()).isEqualTo(Verdicts.INCONCLUSIVE);
        assertThat(r.exitCode()).isEqualTo(1);
    }

    @Test
    void unmetNeedsSkipTheProbeWithTheReasonAndNeverPass() throws Exception {
        RunResult r = run("steps: [{id: n, probe: test.needy}]", Map.of());
        assertThat(r.steps().getFirst().status()).isEqualTo(Status.SKIPPED);
        assertThat(r.steps().getFirst().observation().summary()).contains("needs 'no-such-tool-reach' on PATH");
        assertThat(r.verdict().cause()).isEqualTo(Verdicts.INCONCLUSIVE);
        assertThat(r.healthy()).isFalse();
    }

    @Test
    void runDeadlineStopsTheRunAndSaysSo() throws Exception {
        RunResult r = runner.run(playbook("""
                steps:
                  - {id: a, probe: test.sleep, with: {time: 10s}}
                  - {id: b, probe: test.fixed}
                """), Map.of(), RunOptions.defaults().withTimeout(Duration.ofMillis(300)));
        assertThat(r.cancelled()).isTrue();
        assertThat(r.steps().getFirst().status()).isEqualTo(Status.ERROR);
        assertThat(r.verdict().summary()).contains("deadline");
        assertThat(r.duration()).isLessThan(Duration.ofSeconds(3));
    }

    @Test
    void cancellationStopsARunningProbeAndTheRest() throws Exception {
        Cancellation cancel = new Cancellation();
        List<RunEvent> events = new CopyOnWriteArrayList<>();
        RunOptions options = RunOptions.defaults().withCancellation(cancel).withListener(e -> {
            events.add(e);
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
                  - {id: a, probe: test.sleep, with: {time: 10s}}
                  - {id: b, probe: test.fixed}
                """), Map.of(), options);
        assertThat(ids(r)).containsExactly("a");
        assertThat(r.steps().getFirst().observation().summary()).isEqualTo("cancelled");
        assertThat(r.cancelled()).isTrue();
        assertThat(events).first().isInstanceOf(RunEvent.RunStarted.class);
        assertThat(events).last().isInstanceOf(RunEvent.RunFinished.class);
    }

    @Test
    void boundedBackwardJumpRunsAtMostMaxTimes() throws Exception {
        RunResult r = run("""
                steps:
                  - id: try
                    probe: test.fixed
                    with: {status: fail}
                  - id: again
                    probe: test.fixed
                    with: {status: fail}
                    on: {fail: {goto: try, max: 2}}
                """, Map.of());
        assertThat(ids(r)).containsExactly("try", "again", "try", "again", "try", "again");
        assertThat(r.steps().getLast().branch()).contains("already taken 2 times");
    }

    @Test
    void includeRunsAnotherPlaybookAndItsVerdictIsTheStepsCause(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("child.yaml"), """
                inputs:
                  status: {type: string, required: true}
                steps:
                  - id: inner
                    probe: test.fixed
                    with: {status: "${inputs.status}", cause: tcp.refused}
                """);
        Playbook pb = playbook("""
                steps:
                  - id: sub
                    include: child.yaml
                    with: {status: fail}
                    on: {tcp.refused: done}
                  - id: never
                    probe: test.fixed
                  - id: done
                    verdict: {cause: tcp.refused, evidence: [sub]}
                """, dir);
        RunResult r = runner.run(pb, Map.of(), RunOptions.defaults());
        assertThat(ids(r)).containsExactly("sub", "done");
        assertThat(r.steps().getFirst().children()).extracting(StepResult::id).containsExactly("inner");
        assertThat(r.steps().getFirst().observation().cause()).contains("tcp.refused");
    }

    @Test
    void expressionErrorAtRunTimeIsAnErrorForThatStepOnly() throws Exception {
        RunResult r = run("""
                steps:
                  - id: a
                    probe: test.fixed
                  - id: b
                    probe: test.fixed
                    with: {note: "${steps.a.facts.nothing.deeper}"}
                  - id: c
                    probe: test.fixed
                """, Map.of());
        assertThat(r.steps()).extracting(StepResult::status).containsExactly(Status.OK, Status.ERROR, Status.OK);
        assertThat(r.steps().get(1).observation().summary()).contains("test.yaml:6:").contains("TypeError");
    }

    @Test
    void templatedValueOfTheWrongTypeIsAnErrorNamingTheParameter() throws Exception {
        RunResult r = run("""
                inputs:
                  p: {type: string, default: "not-a-port"}
                steps:
                  - id: a
                    probe: tcp.connect
                    with: {host: 127.0.0.1, port: "${inputs.p}"}
                """, Map.of());
        assertThat(r.steps().getFirst().status()).isEqualTo(Status.ERROR);
        assertThat(r.steps().getFirst().observation().summary()).contains("parameter 'port'").contains("not a port number");
        assertThat(r.steps().getFirst().observation().evidence().getFirst()).startsWith("test.yaml:6:");
    }

    @Test
    void wrongInputsAreUsageErrorsAndNothingRuns() {
        assertThatThrownBy(() -> run("""
                inputs:
                  host: {type: host, required: true}
                steps: [{id: a, probe: test.fixed}]
                """, Map.of("hots", "x")))
                .isInstanceOf(UsageException.class)
                .hasMessageContaining("unknown input 'hots'; did you mean 'host'?")
                .hasMessageContaining("missing required input 'host'");
    }

    @Test
    void singleProbeRunReportsLikeAPlaybook() throws Exception {
        RunResult r = runner.runProbe(TestProbes.FIXED, Map.of("status", "fail", "cause", "tcp.refused"), RunOptions.defaults());
        assertThat(r.playbook()).isEqualTo("probe test.fixed");
        assertThat(r.verdict().cause()).isEqualTo("tcp.refused");
        assertThat(r.exitCode()).isEqualTo(1);
        assertThatThrownBy(() -> runner.runProbe(TestProbes.FIXED, Map.of("stauts", "ok"), RunOptions.defaults()))
                .isInstanceOf(UsageException.class).hasMessageContaining("did you mean 'status'?");
    }

    @Test
    void aWhenThatThrowsIsAnErrorForItsStepWithFileLineAndColumn() throws Exception {
        RunResult r = run("""
                steps:
                  - id: a
                    probe: test.fixed
                  - id: b
                    when: "steps.a.status == 'ok' && steps.a.facts.missing.deeper > 1"
                    probe: test.fixed
                  - id: c
                    when: steps.a.facts.missing.deeper
                    probe: test.fixed
                  - id: d
                    probe: test.fixed
                """, Map.of());
        assertThat(r.steps()).extracting(StepResult::status).containsExactly(Status.OK, Status.ERROR, Status.ERROR, Status.OK);
        assertThat(r.steps().get(1).observation().summary())
                .startsWith("condition failed: test.yaml:5:")
                .contains("TypeError: Cannot read property 'deeper' of undefined");
        assertThat(r.steps().get(2).observation().summary())
                .startsWith("condition failed: test.yaml:8:11: in 'steps.a.facts.missing.deeper': TypeError");
        assertThat(r.verdict().cause()).isEqualTo("inconclusive");
        assertThat(r.exitCode()).isEqualTo(1);
    }

    @Test
    void aRunawayWhenIsStoppedByTheStatementLimit() throws Exception {
        RunResult r = run("""
                steps:
                  - id: a
                    when: "(() => { let n = 0; for (;;) n++; })()"
                    probe: test.fixed
                """, Map.of());
        assertThat(r.steps().getFirst().status()).isEqualTo(Status.ERROR);
        assertThat(r.steps().getFirst().observation().summary()).contains("test.yaml:3:12").contains("an endless loop?");
    }

    @Test
    void anIndexPastTheEndOfAFactsListIsUndefinedSoADefaultApplies() throws Exception {
        RunResult r = run("""
                name: idx
                steps:
                  - id: d
                    probe: test.list
                  - id: r
                    probe: tcp.connect
                    with: {host: "${steps.d.facts.addresses[0] ?? '127.0.0.1'}", port: 9}
                  - id: v
                    verdict: {cause: ok, confidence: certain, summary: "x ${steps.d.facts.addresses[0] ?? 'none'} y"}
                """, Map.of());
        assertThat(r.steps()).extracting(StepResult::status).containsExactly(Status.OK, Status.OK, Status.OK);
        assertThat(r.steps().get(1).params()).containsEntry("host", "127.0.0.1");
        assertThat(r.verdict().summary()).isEqualTo("x none y");
        assertThat(r.exitCode()).isZero();
    }

    @Test
    void aVerdictWhoseSummaryCannotBeComputedIsAnErrorAndTheRunInconclusiveWithWhere() throws Exception {
        RunResult r = run("""
                steps:
                  - id: a
                    probe: test.fixed
                    with: {status: fail, cause: tcp.refused}
                  - id: v
                    verdict: {cause: ok, confidence: certain, summary: "x ${steps.a.facts.missing.deeper} y"}
                """, Map.of());
        StepResult v = r.steps().getLast();
        assertThat(v.id()).isEqualTo("v");
        assertThat(v.status()).isEqualTo(Status.ERROR);
        assertThat(v.observation().summary()).startsWith("summary could not be computed: test.yaml:6:61: ").contains("TypeError");
        assertThat(r.verdict().cause()).as("not ok, nor the earlier step's fault").isEqualTo(Verdicts.INCONCLUSIVE);
        assertThat(r.verdict().summary()).contains("test.yaml:6:61: ").contains("TypeError");
        assertThat(r.verdict().supportedBy()).containsExactly("v");
        assertThat(r.exitCode()).isEqualTo(1);
    }

    @Test
    void aVerdictWhoseFixOrConditionCannotBeComputedIsInconclusiveToo() throws Exception {
        RunResult fix = run("""
                steps:
                  - id: v
                    verdict: {cause: tcp.refused, fix: "${steps.v.facts.x.y}"}
                """, Map.of());
        assertThat(fix.steps().getLast().observation().summary()).startsWith("fix could not be computed: test.yaml:3:43: ")
                .contains("TypeError");
        assertThat(fix.verdict().cause()).isEqualTo(Verdicts.INCONCLUSIVE);
        RunResult when = run("""
                steps:
                  - id: v
                    when: steps.v.facts.x.y
                    verdict: {cause: ok}
                """, Map.of());
        assertThat(when.steps().getLast().observation().summary()).startsWith("condition failed: test.yaml:3:11: ");
        assertThat(when.verdict().cause()).isEqualTo(Verdicts.INCONCLUSIVE);
        assertThat(when.exitCode()).isEqualTo(1);
    }

    @Test
    void aParameterThatCannotBeComputedIsAStepThatBrokeSoAnOkVerdictStillExitsOne() throws Exception {
        RunResult r = run("""
                steps:
                  - id: a
                    probe: test.fixed
                  - id: b
                    probe: test.fixed
                    with: {note: "${steps.a.facts.missing[0]}"}
                  - id: v
                    verdict: {cause: ok}
                """, Map.of());
        assertThat(r.steps().get(1).status()).isEqualTo(Status.ERROR);
        assertThat(r.steps().get(1).observation().summary()).startsWith("parameter 'note' could not be computed: test.yaml:6:")
                .contains("TypeError");
        assertThat(r.verdict().cause()).as("the playbook concluded").isEqualTo("ok");
        assertThat(r.healthy()).isFalse();
        assertThat(r.exitCode()).isEqualTo(1);
    }
}
