package dev.reach.shell.command;

import org.junit.jupiter.api.Test;

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
}
