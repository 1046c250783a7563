package dev.reach.core.script;

import dev.reach.core.Reach;
import dev.reach.core.playbook.PlaybookException;
import dev.reach.core.run.RunEvent;
import dev.reach.core.run.RunOptions;
import dev.reach.core.run.RunResult;
import dev.reach.core.run.StepResult;
import dev.reach.core.run.TestProbes;
import dev.reach.spi.Status;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** JS playbooks through the front door (Reach.load, Reach.run), against real loopback sockets. */
class JsPlaybookTest {
    static final Reach REACH = Reach.builder().probe(new LoopbackConnectProbe()).probe(TestProbes.FIXED)
            .probe(TestProbes.SLEEP).probe(TestProbes.READ).build();

    @TempDir
    Path dir;

    @AfterAll
    static void close() {
        REACH.close();
    }

    Path write(String name, String code) throws Exception {
        Path f = dir.resolve(name);
        Files.writeString(f, code);
        return f;
    }

    RunResult run(String code, Map<String, ?> inputs) throws Exception {
        return REACH.run(REACH.load(write("t.js", code)), inputs, RunOptions.defaults());
    }

    static int closedPort() throws Exception {
        try (var s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    static final String BRANCH = """
            export const metadata = {inputs: {port: {type: 'port', required: true}}};
            export function main({port}) {
              const c = probe('tcp.connect', {host: '127.0.0.1', port, timeout: '300ms'});
              if (c.cause === 'tcp.refused') return verdict({cause: 'tcp.refused', confidence: 'certain', evidence: [c]});
              if (c.cause === 'tcp.filtered') return verdict({cause: 'tcp.filtered', summary: 'dropped: ' + c.summary, evidence: [c]});
              return verdict({cause: 'ok', summary: JSON.stringify(c)});
            }
            """;

    @Test
    void aProbeCalledWithOnServerRunsThroughTheRunsServerAndAnyOtherSideIsTheScriptsError() throws Exception {
        java.util.List<String> asked = new java.util.concurrent.CopyOnWriteArrayList<>();
        RunOptions withServer = RunOptions.defaults().withServer((probe, params, timeout, cancel) -> {
            asked.add(probe + " " + params);
            return dev.reach.spi.Observation.ok("seen on B").fact("where", "B").build();
        });
        RunResult r = REACH.run(REACH.load(write("s.js", """
                export function main() {
                  const b = probe('test.fixed', {note: 'x'}, {id: 'there', on: 'server'});
                  const a = probe('test.fixed', {}, {on: 'client'});
                  return verdict({cause: 'ok', summary: b.facts.where + ' ' + a.summary});
                }
                """)), Map.of(), withServer);
        assertThat(r.verdict().summary()).isEqualTo("B told ok");
        assertThat(asked).containsExactly("test.fixed {note=x}");
        assertThat(r.steps().getFirst().id()).isEqualTo("there");
        RunResult bad = run("""
                export function main() { return probe('test.fixed', {}, {on: 'moon'}); }
                """, Map.of());
        assertThat(bad.verdict().summary()).contains("on: 'moon' says where the probe runs: 'server' or 'client'");
    }

    @Test
    void aSecretInputReachesTheScriptButTheResultShowsItHidden() throws Exception {
        RunResult r = run("""
                export const metadata = {inputs: {token: {type: 'string', secret: true}}};
                export function main({token}) {
                  return verdict({cause: 'ok', summary: token === 'hunter2' ? 'got it' : 'no'});
                }
                """, Map.of("token", "hunter2"));
        assertThat(r.verdict().summary()).isEqualTo("got it");
        assertThat(r.inputs()).containsEntry("token", dev.reach.spi.ProbeSpec.HIDDEN);
    }

    @Test
    void closedLoopbackPortBranchesToRefused() throws Exception {
        RunResult r = run(BRANCH, Map.of("port", closedPort()));
        assertThat(r.verdict().cause()).isEqualTo("tcp.refused");
        assertThat(r.verdict().confidence().label()).isEqualTo("certain");
        assertThat(r.verdict().evidence()).anyMatch(l -> l.startsWith("probe-1: ") && l.contains("refused"));
        assertThat(r.steps()).extracting(StepResult::id).containsExactly("probe-1", "verdict");
        assertThat(r.exitCode()).isEqualTo(1);
    }

    @Test
    void fullAcceptQueueBranchesToFiltered() throws Exception {
        // a listener whose accept queue is full drops further SYNs: "filtered", on loopback, without root
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            List<java.net.Socket> fillers = new java.util.ArrayList<>();
            try {
                for (int i = 0; i < 10; i++) {
                    var s = new java.net.Socket();
                    fillers.add(s);
                    try {
                        s.connect(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), server.getLocalPort()), 200);
                    } catch (java.io.IOException full) {
                        break;
                    }
                }
                RunResult r = run(BRANCH, Map.of("port", server.getLocalPort()));
                assertThat(r.verdict().cause()).as(r.verdict().summary()).isEqualTo("tcp.filtered");
                assertThat(r.verdict().summary()).startsWith("dropped: no answer from 127.0.0.1:");
            } finally {
                for (var s : fillers) s.close();
            }
        }
    }

    @Test
    void openPortIsHealthyAndTheResultIsAPlainObject() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
            RunResult r = run(BRANCH, Map.of("port", server.getLocalPort()));
            assertThat(r.verdict().cause()).isEqualTo("ok");
            assertThat(r.verdict().summary()).contains("\"id\":\"probe-1\"", "\"status\":\"ok\"", "\"ok\":true",
                    "\"facts\":{", "\"connect_ms\":", "\"duration_ms\":");
            assertThat(r.exitCode()).isZero();
        }
    }

    @Test
    void shippedConnectTwinsAgreeOnAClosedPort() throws Exception {
        Path repo = Path.of("../../playbooks").toAbsolutePath().normalize();
        int port = closedPort();
        Map<String, Object> in = Map.of("host", "127.0.0.1", "port", port);
        RunResult yaml = REACH.run(REACH.load(repo.resolve("connect.yaml")), in, RunOptions.defaults());
        RunResult js = REACH.run(REACH.load(repo.resolve("connect.js")), in, RunOptions.defaults());
        assertThat(js.verdict().cause()).isEqualTo(yaml.verdict().cause()).isEqualTo("tcp.refused");
        assertThat(js.verdict().confidence()).isEqualTo(yaml.verdict().confidence());
        assertThat(js.verdict().summary()).isEqualTo(yaml.verdict().summary());
        assertThat(js.verdict().fix()).isEqualTo(yaml.verdict().fix());
        assertThat(js.verdict().evidence()).isEqualTo(yaml.verdict().evidence());
        assertThat(js.exitCode()).isEqualTo(yaml.exitCode());
        assertThat(js.playbook()).isEqualTo(yaml.playbook()).isEqualTo("connect");
    }

    @Test
    void shippedFleetSummarisesLoopbackTargets() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
            Path fleet = Path.of("../../playbooks/fleet.js").toAbsolutePath().normalize();
            String targets = "127.0.0.1:" + server.getLocalPort() + ",127.0.0.1:" + closedPort() + ",127.0.0.1:" + closedPort();
            RunResult r = REACH.run(REACH.load(fleet), Map.of("targets", targets), RunOptions.defaults());
            assertThat(r.verdict().cause()).isEqualTo("tcp.refused");
            assertThat(r.verdict().summary()).isEqualTo("2 of 3 targets did not answer; 2 of them with tcp.refused.");
            assertThat(r.steps().getFirst().children()).extracting(StepResult::id).containsExactly("fleet[0]", "fleet[1]", "fleet[2]");
        }
    }

    @Test
    void everyProbeCallIsAStepWithEventsAndCallerGivenIds() throws Exception {
        var events = new CopyOnWriteArrayList<RunEvent>();
        RunResult r = REACH.run(REACH.load(write("ids.js", """
                export function main() {
                  probe('test.fixed', {note: 'a'});
                  probe('test.fixed', {note: 'b'}, {id: 'second'});
                  log('between');
                  probe('test.fixed', {status: 'warn'});
                }
                """)), Map.of(), RunOptions.defaults().withListener(events::add));
        assertThat(r.steps()).extracting(StepResult::id).containsExactly("probe-1", "second", "probe-2");
        assertThat(r.verdict().cause()).isEqualTo("ok");
        assertThat(r.verdict().concluded()).isFalse();
        assertThat(events).filteredOn(e -> e instanceof RunEvent.StepStarted).hasSize(3);
        assertThat(events).anyMatch(e -> e instanceof RunEvent.StepProgress p && p.message().equals("between"));
    }

    @Test
    void parallelRunsItsCallsAtOnce() throws Exception {
        long t0 = System.nanoTime();
        RunResult r = run("""
                export function main() {
                  const rs = parallel([['test.sleep', {time: '400ms'}], {probe: 'test.sleep', params: {time: '400ms'}, id: 'b'},
                                       ['test.sleep', {time: '400ms'}]]);
                  verdict({cause: 'ok', summary: rs.map(x => x.id + '=' + x.status).join(' ')});
                }
                """, Map.of());
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertThat(r.verdict().summary()).isEqualTo("parallel-1[0]=ok b=ok parallel-1[2]=ok");
        assertThat(ms).as("three 400 ms sleeps at once").isLessThan(1100);
    }

    @Test
    void parallelUntilCutsShortTheCallsStillRunning() throws Exception {
        RunResult r = run("""
                export function main() {
                  const rs = parallel([['test.sleep', {time: '5s'}], {probe: 'test.fixed', params: {status: 'fail', cause: 'tcp.refused'}, id: 'fast'}],
                                      {id: 'race', until: (steps, results) => steps.fast?.status === 'fail' && results[0] === null});
                  verdict({cause: 'ok', summary: rs.map(x => x.id + '=' + x.status + (x.facts.cut_short ? '/cut' : '')).join(' ')});
                }
                """, Map.of());
        assertThat(r.duration()).as("the sleep is 5 s").isLessThan(java.time.Duration.ofSeconds(2));
        assertThat(r.verdict().summary()).isEqualTo("race[0]=skipped/cut fast=fail");
        StepResult race = r.steps().getFirst();
        assertThat(race.observation().summary()).isEqualTo("2 branches: 1 fail, 1 cut short");
        assertThat(race.children().getFirst().observation().summary())
                .startsWith("cut short after ").contains("the evidence had decided (until: (steps, results) => steps.fast?.status");
    }

    @Test
    void aParallelUntilThatThrowsIsTheStepsErrorAndTheScriptsWhereItThrew() throws Exception {
        RunResult r = run("""
                export function main() {
                  parallel([['test.fixed', {}], ['test.sleep', {time: '100ms'}]],
                           {id: 'race', until: steps => steps.nothing.deeper});
                }
                """, Map.of());
        Path file = dir.resolve("t.js");
        StepResult race = r.steps().getFirst();
        assertThat(race.status()).isEqualTo(Status.ERROR);
        assertThat(race.observation().summary()).startsWith("'until' could not be computed: " + file + ":3:41: TypeError: ");
        assertThat(race.children()).extracting(StepResult::status).containsExactly(Status.OK, Status.OK);
        assertThat(r.steps().getLast().observation().summary()).startsWith(file + ":3:41: TypeError: ");
        assertThat(r.verdict().cause()).isEqualTo("inconclusive");
    }

    @Test
    void badParameterNamesTheParameterAndTheAllowedValuesAtTheCallersLine() throws Exception {
        RunResult r = run("""
                export function main() {
                  const x = 1;
                  probe('tcp.connect', {host: '127.0.0.1', port: 9, family: 'ipv4'});
                }
                """, Map.of());
        StepResult s = r.steps().getLast();
        assertThat(s.status()).isEqualTo(Status.ERROR);
        assertThat(s.observation().summary()).endsWith("t.js:3:3: TypeError: bad value for parameter 'family' of tcp.connect: "
                + "'ipv4' is not allowed (allowed: any, 4, 6)");
        assertThat(s.observation().evidence()).containsExactly("at main (" + dir.resolve("t.js") + ":3:3)");
        assertThat(r.verdict().cause()).isEqualTo("inconclusive");
    }

    @Test
    void aMainThatThrowsEndsInconclusiveWithTheErrorNotAnEarlierStepsFault() throws Exception {
        RunResult r = run("""
                export const metadata = {inputs: {}};
                export function main() {
                  const c = probe('tcp.connect', {host: '127.0.0.1', port: %d, timeout: '1s'}, {id: 'connect'});
                  const x = undefined;
                  return verdict({cause: 'ok', confidence: 'certain', evidence: [c], summary: x.remote});
                }
                """.formatted(closedPort()), Map.of());
        assertThat(r.steps()).extracting(StepResult::id).containsExactly("connect", "script");
        assertThat(r.steps().getFirst().observation().cause()).contains("tcp.refused");
        String error = dir.resolve("t.js") + ":5:";
        assertThat(r.steps().getLast().observation().summary()).startsWith(error).contains("TypeError");
        assertThat(r.verdict().cause()).isEqualTo("inconclusive");
        assertThat(r.verdict().summary()).contains(error).contains("TypeError");
        assertThat(r.verdict().supportedBy()).containsExactly("script");
        assertThat(r.cancelled()).isFalse();
        assertThat(r.exitCode()).isEqualTo(1);
    }

    @Test
    void aListReadPastItsEndIsUndefinedInAScript() throws Exception {
        RunResult r = run("""
                export function main() {
                  const d = probe('test.fixed', {note: 'x'}, {id: 'd'});
                  const e = d.evidence;
                  const s = [e[0], e[5] ?? 'none', e[-1] ?? 'none', d.facts.missing ?? 'none', e.length].join(' ');
                  e.push('pushed');
                  return verdict({cause: 'ok', summary: s + ' ' + e.length});
                }
                """, Map.of());
        assertThat(r.verdict().summary()).isEqualTo("fixed ok none none none 1 2");
    }

    @Test
    void literalTyposAreRefusedAtLoadWithLineAndColumn() throws Exception {
        Path f = write("typo.js", """
                export function main() {
                  probe('tcp.conect', {host: '127.0.0.1', port: 9});
                  verdict({cause: 'tcp.refuse'});
                }
                """);
        PlaybookException e = catchThrowableOfType(PlaybookException.class, () -> REACH.load(f));
        assertThat(e.problems()).extracting(Object::toString).containsExactly(
                f + ":2:10: unknown probe 'tcp.conect'; did you mean 'tcp.connect'? (see 'reach probes' for the list)",
                f + ":3:20: unknown cause 'tcp.refuse'; did you mean 'tcp.refused'? ('reach causes' lists them)");
    }

    @Test
    void syntaxErrorIsReportedWithLineAndColumn() throws Exception {
        Path f = write("syntax.js", """
                export function main() {
                  const a = ;
                }
                """);
        PlaybookException e = catchThrowableOfType(PlaybookException.class, () -> REACH.load(f));
        assertThat(e.problems().getFirst().toString()).startsWith(f + ":2:13: SyntaxError: ").doesNotContain("syntax.js:2:12");
    }

    @Test
    void metadataInputsUseTheYamlTypes() throws Exception {
        Path f = write("meta.js", """
                export const metadata = {name: 'm', inputs: {port: 'prot'}};
                export function main() {}
                """);
        PlaybookException e = catchThrowableOfType(PlaybookException.class, () -> REACH.load(f));
        assertThat(e.problems().getFirst().toString()).isEqualTo(f + ":1:1: input 'port': unknown input type 'prot'; "
                + "did you mean 'port'? (types: string, integer, boolean, duration, port, host, ports, list, file; or give 'allowed:' values)");
        var pb = REACH.load(write("ok.js", "export const metadata = {inputs: {n: {type: 'integer', default: 2}}}; export function main(i) {}"));
        assertThat(pb.inputs().get("n").defaultValue()).contains(2L);
    }

    @Test
    void nothingRunsAfterTheVerdict() throws Exception {
        RunResult r = run("""
                export function main() {
                  verdict({cause: 'ok'});
                  probe('test.fixed', {});
                }
                """, Map.of());
        assertThat(r.steps().getLast().observation().summary()).contains("t.js:3:3: Error: the run already concluded with verdict 'ok'");
    }

    @Test
    void includeRunsAYamlPlaybookAsAStep() throws Exception {
        write("child.yaml", """
                inputs: {note: {type: string, required: true}}
                steps:
                  - id: a
                    probe: test.fixed
                    with: {status: fail, cause: tcp.refused, note: "${inputs.note}"}
                """);
        RunResult r = run("""
                export function main() {
                  const c = include('child.yaml', {note: 'hi'});
                  verdict({cause: c.cause, summary: c.facts.verdict + ' ' + c.status});
                }
                """, Map.of());
        assertThat(r.steps()).extracting(StepResult::id).containsExactly("include-1", "verdict");
        assertThat(r.steps().getFirst().children()).extracting(StepResult::id).containsExactly("a");
        assertThat(r.verdict().summary()).isEqualTo("tcp.refused fail");
    }

    @Test
    void sleepStopsAtTheRunsDeadline() throws Exception {
        long t0 = System.nanoTime();
        RunResult r = run("""
                export const metadata = {timeout: '500ms'};
                export function main() { sleep('1m'); probe('test.fixed', {}); }
                """, Map.of());
        assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(3000);
        assertThat(r.cancelled()).isTrue();
        assertThat(r.verdict().cause()).isEqualTo("inconclusive");
    }

    @Test
    void cancellingStopsAScriptInSleepOrInALoop() throws Exception {
        for (String body : List.of("sleep('1m');", SandboxTest.SLOW + "for (;;) { try { while (true) { s.indexOf('y'); } } catch (e) {} }")) {
            var cancel = new dev.reach.core.run.Cancellation();
            var pb = REACH.load(write("c.js", "export function main() { probe('test.fixed', {}); " + body + " }"));
            Thread.ofVirtual().start(() -> {
                try {
                    Thread.sleep(300);
                } catch (InterruptedException e) {
                    return;
                }
                cancel.cancel();
            });
            long t0 = System.nanoTime();
            RunResult r = REACH.run(pb, Map.of(), RunOptions.defaults().withCancellation(cancel));
            assertThat((System.nanoTime() - t0) / 1_000_000).as(body).isLessThan(3000);
            assertThat(r.cancelled()).as(body).isTrue();
            assertThat(r.steps().getFirst().status()).isEqualTo(Status.OK);
            assertThat(r.verdict().summary()).startsWith("The run stopped early: cancelled");
        }
    }
}
