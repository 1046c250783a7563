package dev.reach.testkit;

import org.junit.jupiter.api.Test;
import org.opentest4j.TestAbortedException;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DaemonTest {

    @Test
    void missingToolSkipsWithTheReason() {
        assertThatThrownBy(() -> Daemon.assumeTool("no-such-tool-here", "/nonexistent/*/bin"))
                .isInstanceOf(TestAbortedException.class)
                .hasMessageContaining("'no-such-tool-here' is not installed (not on PATH nor in /nonexistent/*/bin)");
    }

    @Test
    void startedProcessIsStoppedByItsPid() {
        var sleep = Daemon.findTool("sleep");
        org.junit.jupiter.api.Assumptions.assumeTrue(sleep.isPresent(), "no sleep on PATH");
        Daemon d = Daemon.start(sleep.get().toString(), "60");
        long pid = d.pid();
        assertThat(ProcessHandle.of(pid)).isPresent();
        d.close();
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive)).isIn(java.util.Optional.empty(), java.util.Optional.of(false));
    }

    @Test
    void processThatExitsBeforeListeningSaysWhatItPrinted() {
        var sh = Daemon.findTool("sh");
        org.junit.jupiter.api.Assumptions.assumeTrue(sh.isPresent(), "no sh on PATH");
        try (Daemon d = Daemon.start(sh.get().toString(), "-c", "echo cannot bind; exit 3")) {
            assertThatThrownBy(() -> d.awaitPort(LoopbackServer.closedPort(), Duration.ofSeconds(10)))
                    .hasMessageContaining("exited with 3 before listening").hasMessageContaining("cannot bind");
        }
    }
}
