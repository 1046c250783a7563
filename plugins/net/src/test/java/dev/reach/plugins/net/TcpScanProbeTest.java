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
    void largeScansAreSplitOverTheCoresSmallOnesAreNot() {
        assertThat(ScanEngine.workers(2, 65_535, 1024, 0)).isEqualTo(2);
        assertThat(ScanEngine.workers(8, 65_535, 1024, 0)).isEqualTo(8);
        assertThat(ScanEngine.workers(8, 3 * ScanEngine.ATTEMPTS_PER_WORKER, 1024, 0)).as("each worker gets enough ports").isEqualTo(3);
        assertThat(ScanEngine.workers(2, 1000, 1024, 0)).as("a small scan").isEqualTo(1);
        assertThat(ScanEngine.workers(4, 65_535, 1, 0)).as("concurrency=1 means one connect in flight").isEqualTo(1);
        assertThat(ScanEngine.workers(2, 10_000, 10_000, 0)).as("10000 hosts on one port are split too").isEqualTo(2);
        assertThat(ScanEngine.workers(4, 65_535, 1024, 2)).as("a rate of 2/s is not split into 4 rates of 0").isEqualTo(2);
    }

    @Test
    void soErrorIsReadAtOnceWhileItPaysAndNowAndThenWhenItDoesNot() {
        assertThat(ScanEngine.askAtOnce(0, 0)).isTrue();
        assertThat(ScanEngine.askAtOnce(63, 0)).as("the first 64 always").isTrue();
        assertThat(ScanEngine.askAtOnce(65, 0)).as("silent hosts: no answer was ever in").isFalse();
        assertThat(ScanEngine.askAtOnce(128, 0)).as("every 64th anyway").isTrue();
        assertThat(ScanEngine.askAtOnce(1000, 990)).as("refusing hosts on loopback").isTrue();
        assertThat(ScanEngine.askAtOnce(1000, 100)).as("a mix: one in ten is not worth it").isFalse();
    }

    @Test
    void consecutiveHostsAlikeAreOneRunOthersStandAlone() {
        List<InetAddress> a = List.of(InetAddress.ofLiteral("127.1.0.254"), InetAddress.ofLiteral("127.1.0.255"),
                InetAddress.ofLiteral("127.1.1.0"), InetAddress.ofLiteral("127.1.1.2"), InetAddress.ofLiteral("127.1.1.3"));
        byte filtered = (byte) TcpScanProbe.State.FILTERED.ordinal();
        byte open = (byte) TcpScanProbe.State.OPEN.ordinal();
        byte[][] states = {{filtered}, {filtered}, {filtered}, {filtered} /* not next to .1.0: a new run */, {open} /* not alike */};
        var runs = TcpScanProbe.runs(a, List.of(80), states);
        assertThat(runs).extracting(TcpScanProbe.HostResult::address).containsExactly("127.1.0.254-127.1.1.0", "127.1.1.2", "127.1.1.3");
        assertThat(runs).extracting(TcpScanProbe.HostResult::count).containsExactly(3, 1, 1);
        assertThat(TcpScanProbe.line(runs.getFirst())).isEqualTo("127.1.0.254-127.1.1.0 (3 hosts, each) no open port, 1 filtered (80)");
        assertThat(TcpScanProbe.line(runs.getLast())).isEqualTo("127.1.1.3 open 80");
        var c = TcpScanProbe.classify(runs, 2100);
        assertThat(c.status()).isEqualTo(Status.OK);
        assertThat(c.summary()).startsWith("scanned 5 ports on 5 hosts in 2.1s: ");
    }

    @Test
    void manyRunsAreCutInTheSummary() {
        List<TcpScanProbe.HostResult> runs = new java.util.ArrayList<>();
        for (int i = 0; i < TcpScanProbe.SUMMARY_RUNS + 3; i++) runs.add(new TcpScanProbe.HostResult("198.18.1." + (2 * i), List.of(), 1, List.of(), 0));
        assertThat(TcpScanProbe.classify(runs, 10).summary()).endsWith("; and 3 more (in the hosts fact)");
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

    /** A scan big enough to be split over the cores still finds every listener once and tallies every port. */
    @Test
    void splitScanFindsEveryListenerAndTalliesEveryPort() throws IOException {
        try (ServerSocket a = new ServerSocket(0, 50, InetAddress.ofLiteral("127.0.0.1"));
             ServerSocket b = new ServerSocket(0, 50, InetAddress.ofLiteral("127.0.0.1"))) {
            int lo = Math.max(1, Math.min(a.getLocalPort(), b.getLocalPort()) - 3000);
            int hi = Math.min(65535, lo + 6000);
            String ports = lo + "-" + hi + "," + a.getLocalPort() + "," + b.getLocalPort();
            Observation o = ProbeHarness.run(new TcpScanProbe(), "hosts=127.0.0.1", "ports=" + ports);
            assertThat(o.status()).as(o.toString()).isEqualTo(Status.OK);
            @SuppressWarnings("unchecked")
            var open = (List<String>) o.facts().get("open"); // other listeners on this machine may be in the range too
            assertThat(open).contains("127.0.0.1:" + a.getLocalPort(), "127.0.0.1:" + b.getLocalPort()).doesNotHaveDuplicates();
            long scanned = ((Number) o.facts().get("scanned")).longValue();
            @SuppressWarnings("unchecked")
            var host = ((List<Map<String, Object>>) o.facts().get("hosts")).getFirst();
            assertThat(((Number) host.get("closed")).longValue() + open.size()).as("every port tallied once").isEqualTo(scanned);
            assertThat(o.facts().get("workers")).isEqualTo(ScanEngine.workers(Runtime.getRuntime().availableProcessors(), scanned,
                    ((Number) o.facts().get("in_flight_max")).intValue(), 0));
        }
    }
}
