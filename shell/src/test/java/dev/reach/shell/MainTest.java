package dev.reach.shell;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Which command lines end by a halt after their output (no shutdown hook of theirs to run) and which by exit. */
class MainTest {
    @Test
    void runsEndWithoutHooksEverythingElseByExit() {
        assertThat(Main.endsWithoutHooks("probe", "tcp.connect", "host=127.0.0.1", "port=1")).isTrue();
        assertThat(Main.endsWithoutHooks("db01:5432")).isTrue();
        assertThat(Main.endsWithoutHooks("--json", "db01:5432")).isTrue();
        assertThat(Main.endsWithoutHooks("diagnose", "db01:5432")).isTrue();
        assertThat(Main.endsWithoutHooks("run", "playbooks/unreachable.yaml")).isTrue();
        // the shell (JLine restores the terminal), the resident reach (its socket and PID file), and the rest
        assertThat(Main.endsWithoutHooks("shell")).isFalse();
        assertThat(Main.endsWithoutHooks("daemon", "start")).isFalse();
        assertThat(Main.endsWithoutHooks("watch", "db01:5432")).isFalse();
        assertThat(Main.endsWithoutHooks("serve")).isFalse();
        assertThat(Main.endsWithoutHooks("--help")).isFalse();
        assertThat(Main.endsWithoutHooks()).isFalse();
    }
}
