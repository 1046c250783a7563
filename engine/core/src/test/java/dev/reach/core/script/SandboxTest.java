package dev.reach.core.script;

import dev.reach.core.playbook.PlaybookException;
import dev.reach.core.run.RunOptions;
import dev.reach.core.run.RunResult;
import dev.reach.core.run.StepResult;
import dev.reach.spi.Status;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** Every way out of the sandbox we could think of, each denied with a message that says what happened and where. */
class SandboxTest {
    /** Makes each loop iteration slow (a 100 kB scan), so a loop meets the deadline long before the statement limit. */
    static final String SLOW = "const s = 'x'.repeat(100000); ";
    @TempDir
    Path dir;

    /** Runs main's body; returns the error step the script ended in. */
    StepResult denied(String body) throws Exception {
        return denied("", body);
    }

    StepResult denied(String meta, String body) throws Exception {
        Path f = dir.resolve("escape.js");
        Files.writeString(f, meta + "export function main() {\n" + body + "\n}\n");
        RunResult r = JsPlaybookTest.REACH.run(JsPlaybookTest.REACH.load(f), Map.of(), RunOptions.defaults());
        StepResult last = r.steps().getLast();
        assertThat(last.id()).isEqualTo("script");
        assertThat(last.status()).isEqualTo(Status.ERROR);
        assertThat(last.observation().summary()).startsWith(f + ":");
        assertThat(r.verdict().cause()).isEqualTo("inconclusive");
        return last;
    }

    static String summary(StepResult s) {
        return s.observation().summary();
    }

    /** A file a hostile script wants: its line must never reach the script, through a probe or an error. */
    private Path secret() throws Exception {
        return Files.writeString(dir.resolve("secret.txt"), "root:s3cr3t-hash:19000:0:99999:7:::\n");
    }

    @Test
    void aScriptCannotReadAFileThroughIncludeOrItsErrors() throws Exception {
        Path secret = secret();
        assertThat(summary(denied("try { include('" + secret + "'); } catch (e) { throw new Error('got ' + e.message); }")))
                .contains("only playbooks can be included").doesNotContain("s3cr3t");
        Path disguised = Files.copy(secret, dir.resolve("disguised.yaml"));
        assertThat(summary(denied("try { include('" + disguised + "'); } catch (e) { throw new Error('got ' + e.message); }")))
                .contains("not a playbook that loads").contains(disguised + ":1:").doesNotContain("s3cr3t");
    }

    @Test
    void aScriptGivesAProbeOnlyTheFilesTheUserGaveUnlessItsMetadataAllowsFiles() throws Exception {
        Path secret = secret();
        assertThat(summary(denied("probe('test.read', {file: '" + secret + "'});")))
                .contains("probe('test.read'): file=" + secret + " is a file of the script's choosing").doesNotContain("s3cr3t");
        assertThat(summary(denied("export const metadata = {inputs: {f: {type: 'file', default: '" + secret + "'}}};\n",
                "probe('test.read', {file: arguments[0]?.f ?? '" + secret + "'});"))).as("its own default is its own choice")
                .contains("is a file of the script's choosing");
        Path yaml = Files.writeString(dir.resolve("reader.yaml"), """
                inputs:
                  file: {type: file, default: /etc/hostname}
                steps:
                  - id: read
                    probe: test.read
                    with: {file: "${inputs.file}"}
                """);
        assertThat(summary(denied("include('" + yaml + "', {file: '" + secret + "'});"))).as("nor through a YAML playbook it includes")
                .contains("include('" + yaml + "'): file=" + secret + " is a file of the script's choosing");

        Path allowed = Files.writeString(dir.resolve("allowed.js"), "export const metadata = {allow: ['files']};\n"
                + "export function main() { return probe('test.read', {file: '" + secret + "'}); }\n");
        RunResult r = JsPlaybookTest.REACH.run(JsPlaybookTest.REACH.load(allowed), Map.of(), RunOptions.defaults());
        assertThat(r.steps().getFirst().observation().facts()).containsEntry("line", "root:s3cr3t-hash:19000:0:99999:7:::");

        Path given = Files.writeString(dir.resolve("given.js"), "export const metadata = {inputs: {f: 'file'}};\n"
                + "export function main(inputs) { return probe('test.read', {file: inputs.f}); }\n");
        RunResult byUser = JsPlaybookTest.REACH.run(JsPlaybookTest.REACH.load(given), Map.of("f", secret.toString()), RunOptions.defaults());
        assertThat(byUser.steps().getFirst().status()).as("the user gave it").isEqualTo(Status.OK);
    }

    @Test
    void aStepIdThatIsNotTextIsTheScriptsErrorNotAJavaOne() throws Exception {
        for (String call : List.of("probe('test.fixed', {}, {id: 5});", "parallel([['test.fixed', {}, {id: 7}]]);",
                "parallel([{probe: 'test.fixed', params: {}, id: 8}]);", "verdict({cause: 'ok', id: 3});")) {
            assertThat(summary(denied(call))).as(call).contains("(not text) must start with a lower-case letter")
                    .doesNotContain("ClassCastException", "java.");
        }
    }

    @Test
    void aScriptHasTheStepBudgetAYamlPlaybookHas() throws Exception {
        Path f = dir.resolve("many.js");
        Files.writeString(f, "export function main() { for (let i = 0; i < 5000; i++) probe('test.fixed', {}); }\n");
        RunResult r = JsPlaybookTest.REACH.run(JsPlaybookTest.REACH.load(f), Map.of(), RunOptions.defaults());
        assertThat(r.steps().stream().filter(st -> "test.fixed".equals(st.probe())).count()).isEqualTo(1000);
        assertThat(r.verdict().cause()).isEqualTo("inconclusive");
        assertThat(r.verdict().summary() + r.steps().getLast().observation().summary()).contains("step budget of 1000");
    }

    @Test
    void anAsyncMainThatNeverSettlesSaysSo() throws Exception {
        Path f = dir.resolve("forever.js");
        Files.writeString(f, "export async function main() { await new Promise(() => {}); }\n");
        RunResult r = JsPlaybookTest.REACH.run(JsPlaybookTest.REACH.load(f), Map.of(), RunOptions.defaults());
        assertThat(r.steps().getLast().observation().summary()).contains("main returned a promise that never settles");
        assertThat(r.verdict().cause()).isEqualTo("inconclusive");
        assertThat(r.verdict().summary()).doesNotContain("every step was skipped");
    }

    @Test
    void javaTypeIsDenied() throws Exception {
        assertThat(summary(denied("Java.type('java.lang.Runtime').getRuntime().exec('id');")))
                .contains(":2:1: ").containsAnyOf("not allowed", "not defined", "not found");
    }

    @Test
    void polyglotEvalIsDenied() throws Exception {
        assertThat(summary(denied("Polyglot.eval('js', '1');"))).contains(":2:1: ");
    }

    @Test
    void loadIsDenied() throws Exception {
        assertThat(summary(denied("load('/etc/hostname');"))).contains(":2:1: ReferenceError: load is not defined");
    }

    @Test
    void readingAFileIsDenied() throws Exception {
        Files.writeString(dir.resolve("secret.txt"), "x");
        Path f = dir.resolve("read.js");
        Files.writeString(f, "import secret from './secret.txt';\nexport function main() {}\n");
        PlaybookException e = catchThrowableOfType(PlaybookException.class, () -> JsPlaybookTest.REACH.load(f));
        assertThat(e).as("a module import is file IO").isNotNull();
        assertThat(e.getMessage()).startsWith(f.toString()).doesNotContain("Exception:");
        assertThat(summary(denied("readFile('/etc/hostname');"))).contains("ReferenceError: readFile is not defined");
        assertThat(summary(denied("return import('/etc/hostname');"))).contains(":2:8: Error: Operation is not allowed for: /etc/hostname");
    }

    @Test
    void spawningAProcessIsDenied() throws Exception {
        assertThat(summary(denied("const pb = Java.type('java.lang.ProcessBuilder'); new pb(['id']).start();")))
                .contains(":2:");
        assertThat(summary(denied("require('child_process').execSync('id');"))).contains("ReferenceError: require is not defined");
    }

    @Test
    void readingTheEnvironmentIsDenied() throws Exception {
        assertThat(summary(denied("process.env.HOME;"))).contains(":2:1: ReferenceError: process is not defined");
        assertThat(summary(denied("Java.type('java.lang.System').getenv('HOME');"))).contains(":2:1: ");
    }

    @Test
    void anEndlessLoopIsInterruptedAtTheDeadline() throws Exception {
        long t0 = System.nanoTime();
        StepResult s = denied("export const metadata = {timeout: '150ms'};\n", SLOW + "while (true) { s.indexOf('y'); }");
        assertThat((System.nanoTime() - t0) / 1_000_000).as("ms until stopped").isLessThan(3000);
        assertThat(summary(s)).containsPattern(":3:\\d+: the script was stopped: the run's deadline passed$");
    }

    @Test
    void anEndlessLoopThatCatchesEverythingIsStillInterrupted() throws Exception {
        StepResult s = denied("export const metadata = {timeout: '150ms'};\n", SLOW + "for (;;) { try { while (true) { s.indexOf('y'); } } catch (e) {} }");
        assertThat(summary(s)).contains("the script was stopped: the run's deadline passed");
    }

    @Test
    void theStatementLimitStopsABusyLoopBeforeTheDeadline() throws Exception {
        StepResult s = denied("let n = 0; for (;;) { n++; }");
        assertThat(summary(s)).contains("more than " + Sandbox.STATEMENT_LIMIT + " statements");
    }

    @Test
    void aHugeAllocationIsStopped() throws Exception {
        StepResult s = denied("const keep = []; for (;;) { keep.push(new Array(1000000).fill(1.5)); }");
        assertThat(summary(s)).contains("the script was stopped: the script allocated more than 512 MB");
        assertThat(summary(denied("'x'.repeat(2 ** 31);"))).contains("RangeError");
    }

    @Test
    void deepRecursionIsARangeErrorWithTheStackTrimmedToThePlaybook() throws Exception {
        StepResult s = denied("function f(n) { return f(n + 1) + 1; }\nf(0);");
        assertThat(summary(s)).containsPattern(":[23]:\\d+: RangeError: Maximum call stack size exceeded");
        assertThat(s.observation().evidence()).hasSizeLessThanOrEqualTo(12).allMatch(l -> l.startsWith("at f (") || l.startsWith("at main ("));
    }
}
