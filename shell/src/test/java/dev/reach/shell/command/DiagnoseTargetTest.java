package dev.reach.shell.command;

import dev.reach.shell.Main;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What {@code reach TARGET} makes of its target: the inputs of playbooks/unreachable.yaml. */
class DiagnoseTargetTest {
    @Test
    void hostPortIsTcpWithTheDefaults() {
        assertThat(DiagnoseCommand.inputs("db01:5432")).isEqualTo(Map.of("host", "db01", "port", "5432"));
    }

    @Test
    void urlsTurnOnHttpAndTlsByScheme() {
        assertThat(DiagnoseCommand.inputs("https://web01/x")).containsEntry("port", "443").containsEntry("tls", "yes").containsEntry("http", "true");
        assertThat(DiagnoseCommand.inputs("http://web01:8080")).containsEntry("port", "8080").containsEntry("tls", "no");
    }

    @Test
    void urlsKeepTheirPathAndQueryButNotTheFragment() {
        assertThat(DiagnoseCommand.inputs("http://127.0.0.1:18080/missing")).containsEntry("path", "/missing").containsEntry("port", "18080");
        assertThat(DiagnoseCommand.inputs("https://web01/a/b?x=1&y=2#top")).containsEntry("path", "/a/b?x=1&y=2");
        assertThat(DiagnoseCommand.inputs("http://web01:8080?x=1")).containsEntry("path", "/?x=1").containsEntry("port", "8080");
        assertThat(DiagnoseCommand.inputs("http://web01")).containsEntry("path", "/");
    }

    @Test
    void udpSchemeChoosesTheDatagramBranch() {
        assertThat(DiagnoseCommand.inputs("udp://ns1:53")).containsEntry("host", "ns1").containsEntry("port", "53")
                .containsEntry("proto", "udp").containsEntry("tls", "no");
        assertThat(DiagnoseCommand.inputs("tcp://[::1]:22")).containsEntry("host", "::1").containsEntry("proto", "tcp");
        assertThat(DiagnoseCommand.looksLikeTarget("udp://ns1:53")).isTrue();
    }

    @Test
    void unknownSchemesAndMissingPortsAreExplained() {
        assertThatThrownBy(() -> DiagnoseCommand.inputs("ftp://x:21")).hasMessageContaining("http://, https://, tcp:// and udp://");
        assertThatThrownBy(() -> DiagnoseCommand.inputs("udp://ns1")).hasMessageContaining("udp:// needs a port");
    }

    @Test
    void theServicesFileFormNamesTheTransport() {
        assertThat(DiagnoseCommand.inputs("ns1:53/udp")).containsEntry("host", "ns1").containsEntry("port", "53")
                .containsEntry("proto", "udp").containsEntry("tls", "no");
        assertThat(DiagnoseCommand.inputs("[::1]:22/TCP")).containsEntry("host", "::1").containsEntry("proto", "tcp");
        assertThat(DiagnoseCommand.looksLikeTarget("ns1:53/udp")).isTrue();
        assertThatThrownBy(() -> DiagnoseCommand.inputs("ns1:53/sctp")).hasMessageContaining("write udp or tcp, like db01:53/udp");
        assertThat(DiagnoseCommand.looksLikeTarget("ns1:53/sctp")).isFalse();
    }

    @Test
    void aHostIsAnAddressOrADottedNameNotASingleWordOrAFile() {
        assertThat(List.of("127.0.0.1", "db01.lab.test", "::1", "[fd00::2]")).allMatch(DiagnoseCommand::looksLikeHost);
        assertThat(List.of("db01", "prbe", "x.yaml", "check.js", "playbooks/a", "host=198.18.0.1", "--json")).noneMatch(DiagnoseCommand::looksLikeHost);
    }

    @Test
    void targetsAfterOptionsAndBareHostsAreDiagnosesCommandsAndHelpAreNot() {
        CommandTree tree = Main.tree();
        assertThat(tree.isDiagnosis("db01:5432")).isTrue();
        assertThat(tree.isDiagnosis("--json", "db01:5432")).isTrue();
        assertThat(tree.isDiagnosis("--timeout", "5s", "-q", "https://web01/")).isTrue();
        assertThat(tree.isDiagnosis("127.0.0.1")).isTrue();
        assertThat(tree.isDiagnosis("probe", "tcp.connect", "host=127.0.0.1")).isFalse();
        assertThat(tree.isDiagnosis("--help", "db01:5432")).isFalse();
        assertThat(tree.isDiagnosis("prbe", "db01:5432")).as("a mistyped command gets picocli's suggestion").isFalse();
        assertThat(tree.isDiagnosis()).isFalse();
    }

    @Test
    void aHostWithoutAPortAsksForOneAndRunsNothing() {
        StringWriter err = new StringWriter();
        int code = Main.tree().run(new HeadlessWorkbench(), new PrintWriter(new StringWriter()), new PrintWriter(err, true), "127.0.0.1", "--json");
        assertThat(code).isEqualTo(ExitCodes.USAGE);
        assertThat(err.toString()).contains("which port of 127.0.0.1?").containsPattern("reach 127.0.0.1:22 +\\(ssh\\)").containsPattern("reach 127.0.0.1:53/udp +\\(dns\\)")
                .contains("reach probe icmp.ping host=127.0.0.1");
        StringWriter err6 = new StringWriter();
        Main.tree().run(new HeadlessWorkbench(), new PrintWriter(new StringWriter()), new PrintWriter(err6, true), "::1");
        assertThat(err6.toString()).contains("which port of [::1]?").containsPattern("reach \\[::1]:443 +\\(https\\)").contains("host=::1");
    }

    @Test
    void anUnknownOptionBeforeATargetGetsASuggestion() {
        StringWriter err = new StringWriter();
        int code = Main.tree().run(new HeadlessWorkbench(), new PrintWriter(new StringWriter()), new PrintWriter(err, true), "--jsn", "127.0.0.1:1");
        assertThat(code).isEqualTo(ExitCodes.USAGE);
        assertThat(err.toString()).contains("Unknown option: '--jsn'").contains("--json");
    }
}
