package dev.reach.shell.command;

import dev.reach.core.run.UsageException;
import dev.reach.shell.Main;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ProbeCommandTest {
    @Test
    void keyValueWordsBecomeRawParameters() throws Exception {
        assertThat(ProbeCommand.keyValues(List.of("host=::1", "port=22", "note=a=b")))
                .containsEntry("host", "::1").containsEntry("port", "22").containsEntry("note", "a=b");
    }

    @Test
    void aWordWithoutEqualsAndARepeatedNameAreUsageErrors() {
        assertThatThrownBy(() -> ProbeCommand.keyValues(List.of("127.0.0.1", "port=1", "port=2")))
                .isInstanceOf(UsageException.class)
                .hasMessageContaining("expected NAME=VALUE, got '127.0.0.1'")
                .hasMessageContaining("parameter 'port' is given twice");
    }

    @Test
    void usageErrorsExitTwoAndHelpExitsZero() {
        assertThat(Main.run("probe")).isEqualTo(2);
        assertThat(Main.run("no-such-command")).isEqualTo(2);
        assertThat(Main.run("--help")).isZero();
    }

    @Test
    void theFlagsReadWithoutPicocliAreExactlyTheCommandsBooleanOptions() {
        var spec = Main.tree().commandLine("probe", new HeadlessWorkbench()).getSubcommands().get("probe").getCommandSpec();
        Set<String> booleans = spec.options().stream()
                .filter(o -> o.arity().max() == 0 && !o.usageHelp() && !o.versionHelp())
                .flatMap(o -> Arrays.stream(o.names())).collect(Collectors.toSet());
        assertThat(ProbeCommand.FLAGS.keySet()).as("add a new flag of 'reach probe' to ProbeCommand.plainWords too").isEqualTo(booleans);
    }

    @Test
    void plainWordsAreReadIntoTheFieldsPicocliWouldSet() {
        for (List<String> words : List.of(
                List.of("probe", "tcp.scan", "hosts=127.0.0.1", "ports=1-10"),
                List.of("probe", "tcp.connect", "--json", "host=::1", "port=22", "note=a=b"),
                List.of("probe", "dns.resolve", "-q", "--no-history", "name=x.test", "--no-color", "-v"),
                List.of("probe", "tcp.connect", "--quiet", "--verbose"),
                List.of("probe", "x"))) {
            String[] args = words.toArray(String[]::new);
            ProbeCommand plain = ProbeCommand.plainWords(new HeadlessWorkbench(), args);
            var parsed = Main.tree().commandLine("probe", new HeadlessWorkbench()).parseArgs(args);
            ProbeCommand viaPicocli = (ProbeCommand) parsed.subcommand().commandSpec().userObject();
            assertThat(plain).as("%s", words).isNotNull();
            assertThat(plain.id).as("%s", words).isEqualTo(viaPicocli.id);
            assertThat(plain.words).as("%s", words).isEqualTo(viaPicocli.words);
            assertThat(List.of(plain.output.json, plain.output.quiet, plain.output.noHistory, plain.common.noColor, plain.common.verbose))
                    .as("%s", words).isEqualTo(List.of(viaPicocli.output.json, viaPicocli.output.quiet, viaPicocli.output.noHistory,
                            viaPicocli.common.noColor, viaPicocli.common.verbose));
        }
    }

    @Test
    void wordsThatNeedPicocliAreLeftToIt() {
        for (List<String> words : List.of(List.of("probe"), List.of("probe", "--help"), List.of("probe", "x", "-h"),
                List.of("probe", "x", "--timeout", "5s"), List.of("probe", "x", "--timeout=5s"), List.of("probe", "x", "--format", "json"),
                List.of("probe", "x", "--json", "--json"), List.of("probe", "x", "-q", "--quiet"), List.of("probe", "x", "-qv"),
                List.of("probe", "x", "@args.txt"), List.of("probe", "@args.txt"), List.of("probe", "x", "--", "a=b"),
                List.of("probe", "x", "127.0.0.1"), List.of("probe", "x", "=v"), List.of("probe", "x", "--plugins", "/tmp"),
                List.of("probes", "x"), List.of("run", "x"))) {
            assertThat(ProbeCommand.plainWords(new HeadlessWorkbench(), words.toArray(String[]::new))).as("%s", words).isNull();
        }
    }

    @Test
    void aPlainProbeRunsLikeAnyOther() {
        assertThat(Main.run("probe", "no.such-probe", "--no-history")).as("an unknown probe is a usage error").isEqualTo(2);
        assertThat(Main.run("probe", "no.such-probe", "port", "--no-history")).as("through picocli").isEqualTo(2);
    }

    @Test
    void versionIsWhatPicocliWouldPrint() {
        java.io.StringWriter plain = new java.io.StringWriter();
        assertThat(Main.tree().run(new HeadlessWorkbench(), new java.io.PrintWriter(plain), new java.io.PrintWriter(new java.io.StringWriter()),
                "--version")).isZero();
        java.io.StringWriter viaPicocli = new java.io.StringWriter();
        Main.tree().commandLine().printVersionHelp(new java.io.PrintWriter(viaPicocli, true));
        assertThat(plain.toString()).startsWith("reach ").isEqualTo(viaPicocli.toString());
    }
}
