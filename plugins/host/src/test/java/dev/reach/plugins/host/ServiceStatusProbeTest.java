package dev.reach.plugins.host;

import dev.reach.plugins.host.ServiceStatusProbe.State;
import dev.reach.spi.Observation;
import dev.reach.spi.Status;
import dev.reach.testkit.ProbeHarness;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ServiceStatusProbeTest {

    @Test
    void systemctlShowIsReadAsPropertiesSkippingOtherLines() {
        Map<String, String> p = ServiceStatusProbe.parseShow(Samples.read("systemctl-show-failed.txt"));
        assertThat(p).containsEntry("ActiveState", "failed").containsEntry("Result", "exit-code")
                .containsEntry("StateChangeTimestamp", "Wed 2026-11-25 17:02:11 UTC").hasSize(8);
    }

    @Test
    void failedUnitIsServiceInactiveWithItsResult() {
        var c = ServiceStatusProbe.classify(new State("systemd", "nginx.service",
                ServiceStatusProbe.parseShow(Samples.read("systemctl-show-failed.txt")), List.of()));
        assertThat(c.status()).isEqualTo(Status.FAIL);
        assertThat(c.cause()).isEqualTo("service.inactive");
        assertThat(c.summary()).startsWith("nginx.service is failed (failed), last result exit-code (exit status 1): it is not running");
    }

    @Test
    void activeUnitIsOkAndAStartingOneIsAWarning() {
        var ok = ServiceStatusProbe.classify(new State("systemd", "sshd.service",
                Map.of("ActiveState", "active", "SubState", "running"), List.of(812L)));
        assertThat(ok.status()).isEqualTo(Status.OK);
        assertThat(ok.summary()).isEqualTo("sshd.service is active (running), main pid 812");
        var starting = ServiceStatusProbe.classify(new State("systemd", "db.service",
                Map.of("ActiveState", "activating", "SubState", "start"), List.of()));
        assertThat(starting.status()).isEqualTo(Status.WARN);
    }

    @Test
    void withoutSystemdAMissingProcessIsServiceInactive() {
        var c = ServiceStatusProbe.classify(new State("process", "nosuchd", Map.of(), List.of()));
        assertThat(c.cause()).isEqualTo("service.inactive");
        assertThat(c.summary()).startsWith("no process named nosuchd runs");
    }

    @Test
    void thisJvmIsFoundByItsProcessName() {
        String comm = SysClassNet.value(Path.of("/proc/self/comm"));
        assertThat(ServiceStatusProbe.processes(Path.of("/proc"), comm)).isNotEmpty();
    }

    @Test
    void probeRunsWithoutSystemdAndSaysWhichWayItLooked() {
        Observation o = ProbeHarness.run(new ServiceStatusProbe(), "service=reach-no-such-daemon");
        assertThat(o.status()).as(o.toString()).isEqualTo(Status.FAIL);
        assertThat(o.cause()).contains("service.inactive");
        assertThat(o.facts()).containsKey("mode");
    }

    /** {@code service=-Hattacker@127.0.0.1} would make systemctl run on another host over ssh. */
    @Test
    void aServiceNameStartingWithADashIsRefusedBeforeAnythingRuns() {
        var service = ServiceStatusProbe.SPEC.param("service").orElseThrow();
        assertThatThrownBy(() -> service.convert("-Hattacker@127.0.0.1"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("'-Hattacker@127.0.0.1' is not a unit or process name: a name does not start with '-'");
        assertThat(service.convert("nginx")).isEqualTo("nginx");
        assertThat(service.convert("getty@tty1.service")).isEqualTo("getty@tty1.service");
    }

    @Test
    void theUnitReachesSystemctlAfterDashDashAndJournalctlAsTheValueOfUnit() {
        assertThat(ServiceStatusProbe.showCommand("-Hattacker@127.0.0.1")).containsExactly("systemctl", "show", "--no-pager",
                "-p", "LoadState,ActiveState,SubState,Result,ExecMainStatus,MainPID,NRestarts,StateChangeTimestamp",
                "--", "-Hattacker@127.0.0.1");
        assertThat(ServiceStatusProbe.journalCommand("-Hattacker@127.0.0.1", 10)).containsExactly("journalctl",
                "--unit=-Hattacker@127.0.0.1", "-n", "10", "--no-pager", "-o", "short-iso");
    }
}
