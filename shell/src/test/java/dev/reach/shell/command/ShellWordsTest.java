package dev.reach.shell.command;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ShellWordsTest {
    @Test
    void splitsAsAShellWouldWithoutExpandingAnything() {
        assertThat(ShellWords.split("ssh -F /tmp/my\\ config  b")).containsExactly("ssh", "-F", "/tmp/my config", "b");
        assertThat(ShellWords.split("kubectl exec -i -n db pg-0 --")).containsExactly("kubectl", "exec", "-i", "-n", "db", "pg-0", "--");
        assertThat(ShellWords.split("ssh -o 'ProxyJump=jump host' \"a b\\\"c\" $HOME *")).containsExactly("ssh", "-o", "ProxyJump=jump host", "a b\"c", "$HOME", "*");
        assertThat(ShellWords.split("  ")).isEmpty();
        assertThat(ShellWords.split("a''b \"\"")).containsExactly("ab", "");
    }

    @Test
    void anOpenQuoteIsAnErrorThatSaysSo() {
        assertThatThrownBy(() -> ShellWords.split("ssh 'b")).hasMessageContaining("unterminated '");
        assertThatThrownBy(() -> ShellWords.split("ssh \"b")).hasMessageContaining("unterminated \"");
        assertThatThrownBy(() -> ShellWords.split("ssh b\\")).hasMessageContaining("backslash");
    }

    @Test
    void theServersCommandIsThePrefixThenReachListenWithOnlyThePortTheClientAndDurations() {
        List<String> argv = ServerVia.argv(ServerCommand.of("ip netns exec B", "reach"), 5432, "198.18.0.1", Duration.ofSeconds(5), "tcp");
        assertThat(argv).containsExactly("ip", "netns", "exec", "B", "reach", "listen", "5432", "--from", "198.18.0.1", "--watch", "5s",
                "--json", "--no-history", "--no-color");
        assertThat(ServerVia.argv(ServerCommand.of("ssh b", "/opt/reach/bin/reach"), 53, "198.18.0.1", Duration.ofSeconds(5), "udp"))
                .startsWith("ssh", "b", "/opt/reach/bin/reach", "listen").endsWith("--proto", "udp");
        assertThatThrownBy(() -> ServerCommand.of(" ", "reach")).hasMessageContaining("--server-via needs a command");
    }
}
