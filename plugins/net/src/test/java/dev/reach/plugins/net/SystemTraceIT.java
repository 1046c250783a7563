package dev.reach.plugins.net;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The system tool's child process: bounded, killed by its PID at the deadline, what it printed kept. No root, no network. */
class SystemTraceIT {
    @Test
    void toolOutlivingItsDeadlineIsKilledAndItsHopsSoFarKept() throws Exception {
        long t0 = System.nanoTime();
        var ran = SystemTrace.run(List.of("/bin/sh", "-c", "echo ' 1:  198.18.0.254   0.089ms '; exec sleep 30"), Duration.ofMillis(500));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertThat(ms).isBetween(400L, 3000L);
        assertThat(ran.stopped()).isTrue();
        assertThat(ran.output()).contains("198.18.0.254");
        assertThat(new SystemTrace.Ran("tracepath", ran.command(), ran.output(), ran.exit()).hops("198.18.1.2"))
                .singleElement().satisfies(h -> assertThat(h.address()).isEqualTo("198.18.0.254"));
    }

    @Test
    void commandLinesAreNumericAndBoundedForEachTool() {
        var target = InetAddress.ofLiteral("198.18.1.2");
        assertThat(SystemTrace.command(Path.of("/usr/bin/tracepath"), target, 8, 3, Duration.ofMillis(300), null))
                .containsExactly("/usr/bin/tracepath", "-n", "-m", "8", "198.18.1.2");
        assertThat(SystemTrace.command(Path.of("/usr/sbin/traceroute"), target, 8, 2, Duration.ofMillis(300), 443))
                .containsExactly("/usr/sbin/traceroute", "-n", "-m", "8", "-q", "2", "-w", "0.300", "-p", "443", "198.18.1.2");
    }

    @Test
    void toolThatCannotOpenItsSocketIsAFailureNotATrace() throws Exception {
        var ran = SystemTrace.run(List.of("/bin/sh", "-c", "echo 'tracepath: socket: Operation not permitted' >&2; exit 1"), Duration.ofSeconds(5));
        var asTracepath = new SystemTrace.Ran("tracepath", ran.command(), ran.output(), ran.exit());
        assertThat(asTracepath.failure()).isEqualTo("tracepath exited 1: tracepath: socket: Operation not permitted");
    }
}
