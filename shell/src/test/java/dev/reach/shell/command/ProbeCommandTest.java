package dev.reach.shell.command;

import dev.reach.core.run.UsageException;
import dev.reach.shell.Main;
import org.junit.jupiter.api.Test;

import java.util.List;

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
}
