package dev.reach.plugins.net;

import dev.reach.spi.Observation;
import dev.reach.spi.Status;
import dev.reach.testkit.ProbeHarness;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class TcpScanProbeTest {

    @Test
    void scanThatFoundAnythingIsOkAndListsOpenPorts() {
        var h = new TcpScanProbe.HostResult("198.18.1.2", List.of(22, 8080), 100, List.of(9000, 9001, 9002, 9005), 0);
        var c = TcpScanProbe.classify(List.of(h), 1234);
        assertThat(c.status()).isEqualTo(Status.OK);
        assertThat(c.summary()).isEqualTo("scanned 106 ports on 1 host in 1.2s: 198.18.1.2 open 22,8080, 100 closed, 4 filtered (9000-9002,9005)");
    }

    @Test
    void nothingAnsweringAnywhereIsFiltered() {
        var h = new TcpScanProbe.HostResult("198.18.1.3", List.of(), 0, List.of(1, 2), 0);
        assertThat(TcpScanProbe.classify(List.of(h), 10).cause()).isEqualTo("tcp.filtered");
    }

    @Test
    void everyPortUnreachableIsHostUnreachable() {
        var h = new TcpScanProbe.HostResult("198.18.1.9", List.of(), 0, List.of(), 2);
        assertThat(TcpScanProbe.classify(List.of(h), 10).cause()).isEqualTo("host.unreachable");
    }

    @Test
    void rangesAreCompactedAndCut() {
        assertThat(TcpScanProbe.ranges(List.of(5, 1, 2, 3, 9), 10)).isEqualTo("1-3,5,9");
        assertThat(TcpScanProbe.ranges(List.of(1, 3, 5, 7), 2)).isEqualTo("1,3,...");
    }

    @Test
    void errnoMapsToPortStates() {
        assertThat(ScanEngine.state(0)).isEqualTo(TcpScanProbe.State.OPEN);
        assertThat(ScanEngine.state(Syscalls.ECONNREFUSED)).isEqualTo(TcpScanProbe.State.CLOSED);
        assertThat(ScanEngine.state(Syscalls.EHOSTUNREACH)).isEqualTo(TcpScanProbe.State.UNREACHABLE);
        assertThat(ScanEngine.state(Syscalls.ENETUNREACH)).isEqualTo(TcpScanProbe.State.UNREACHABLE);
        assertThat(ScanEngine.state(Syscalls.ETIMEDOUT)).isEqualTo(TcpScanProbe.State.FILTERED);
    }

    @Test
    void waitAdaptsToAFewRttsAfterTheFirstAnswersButNeverBelowTheFloor() {
        var rtt = new ScanEngine.Rtt();
        assertThat(rtt.waitMs(1000)).isEqualTo(1000); // nothing known yet: the cap
        for (int i = 0; i < 10; i++) rtt.sample(20);
        assertThat(rtt.waitMs(1000)).isBetween(40.0, 60.0);
        var fast = new ScanEngine.Rtt();
        for (int i = 0; i < 10; i++) fast.sample(0.05);
        assertThat(fast.waitMs(1000)).isEqualTo(ScanEngine.FLOOR_MS);
        assertThat(fast.waitMs(10)).isEqualTo(10); // the cap wins over the floor
    }

    @Test
    void loopbackScanFindsTheListenersAndNothingElse() throws IOException {
        try (ServerSocket a = new ServerSocket(0, 50, InetAddress.ofLiteral("127.0.0.1"));
             ServerSocket b = new ServerSocket(0, 50, InetAddress.ofLiteral("127.0.0.1"))) {
            int lo = Math.min(a.getLocalPort(), b.getLocalPort());
            int hi = Math.max(a.getLocalPort(), b.getLocalPort());
            String ports = Math.max(1, lo - 100) + "-" + Math.min(65535, lo + 100) + "," + hi;
            Observation o = ProbeHarness.run(new TcpScanProbe(), "hosts=127.0.0.1", "ports=" + ports);
            assertThat(o.status()).as(o.toString()).isEqualTo(Status.OK);
            @SuppressWarnings("unchecked")
            var open = (List<String>) o.facts().get("open");
            assertThat(open).contains("127.0.0.1:" + a.getLocalPort(), "127.0.0.1:" + b.getLocalPort());
            @SuppressWarnings("unchecked")
            var host = ((List<Map<String, Object>>) o.facts().get("hosts")).getFirst();
            assertThat(host).containsEntry("filtered", 0).containsEntry("unreachable", 0);
        }
    }
}
