package dev.reach.shell.command;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code reach run FILE --check} says what it checked: steps and inputs of YAML, the names a JS playbook writes. */
class RunCheckTest {
    @Test
    void aJavaScriptPlaybookSaysWhatItNamesNotZeroSteps(@TempDir Path dir) throws Exception {
        Path js = Files.writeString(dir.resolve("sure.js"), """
                export const metadata = {name: 'sure', inputs: {host: {type: 'host', required: true}}};
                export function main(inputs) {
                  return verdict({cause: 'tcp.refused', summary: `${inputs.host} refused`});
                }
                """);
        StringWriter out = new StringWriter();
        int code = HeadlessWorkbench.check(new CommonOptions(), js, new PrintWriter(out, true), new PrintWriter(new StringWriter(), true));
        assertThat(code).isEqualTo(ExitCodes.HEALTHY);
        assertThat(out.toString()).contains("sure.js: ok (a JavaScript playbook: it loads and exports main; inputs: host;")
                .contains("probes it names: none; causes: tcp.refused; includes: none").doesNotContain("0 steps");
    }

    @Test
    void aYamlPlaybookCountsItsSteps(@TempDir Path dir) throws Exception {
        Path yaml = Files.writeString(dir.resolve("v.yaml"), """
                inputs:
                  host: {type: host, default: 127.0.0.1}
                steps:
                  - id: done
                    verdict: {cause: ok}
                """);
        StringWriter out = new StringWriter();
        assertThat(HeadlessWorkbench.check(new CommonOptions(), yaml, new PrintWriter(out, true), new PrintWriter(new StringWriter(), true)))
                .isEqualTo(ExitCodes.HEALTHY);
        assertThat(out.toString()).contains("v.yaml: ok (1 step, inputs: host)");
    }
}
