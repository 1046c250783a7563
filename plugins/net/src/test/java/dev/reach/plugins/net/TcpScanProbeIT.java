package dev.reach.plugins.net;

import dev.reach.testkit.Netns;
import dev.reach.testkit.RunProbeMain;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static dev.reach.plugins.net.PathLab.*;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * tcp.scan from the client namespace of a {@link PathLab} against a server with open, closed and DROPped ports, and
 * across hundreds of loopback addresses in a namespace of its own ({@code lo} only): 200 DROPped by iptables,
 * 200 refusing, 20 with a listener, all on port {@value #PORT}.
 */
class TcpScanProbeIT {
    private static final int PORT = 80;
    private static final String DROPPED = "127.3.0.0-127.3.0.199";
    private static final String REFUSING = "127.3.1.0-127.3.1.199";
    private static final String OPEN = "127.3.2.0-127.3.2.19";
    private static final String LISTEN_EACH = """
            import socket, sys, time
            socks = []
            for a in sys.argv[2:]:
                s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                s.bind((a, int(sys.argv[1]))); s.listen(64); socks.append(s)
            print('listening', flush=True)
            time.sleep(120)
            """;
    private static final String LISTEN = """
            import socket, sys, time
            socks = []
            for p in sys.argv[2:]:
                s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                s.bind((sys.argv[1], int(p))); s.listen(64); socks.append(s)
            print('listening', flush=True)
            time.sleep(120)
            """;
    private static PathLab lab;
    private static Netns loop;
    private static String ns;

    @BeforeAll
    static void build() {
        lab = PathLab.build();
        loop = Netns.create();
        ns = loop.namespace("scan");
        loop.exec(ns, "iptables", "-A", "INPUT", "-p", "tcp", "-d", "127.3.0.0/24", "--dport", "" + PORT, "-j", "DROP").orThrow();
        List<String> listen = new ArrayList<>(List.of(python(), "-c", LISTEN_EACH, "" + PORT));
        for (int i = 0; i < 20; i++) listen.add("127.3.2." + i);
        Netns.Spawned s = loop.spawn(ns, listen.toArray(String[]::new));
        assertThat(s.awaitOutput("listening", Duration.ofSeconds(10))).as(s.output()).isTrue();
        Netns.Spawned l = lab.lab.spawn(lab.server, python(), "-c", LISTEN, SERVER, "22", "8080");
        assertThat(l.awaitOutput("listening", Duration.ofSeconds(10))).as(l.output()).isTrue();
        lab.lab.exec(lab.server, "iptables", "-A", "INPUT", "-p", "tcp", "--dport", "9000:9199", "-j", "DROP").orThrow();
    }

    @AfterAll
    static void tearDown() {
        if (lab != null) lab.close();
        if (loop != null) loop.close();
    }

    @Test
    void openClosedAndDroppedPortsAreToldApartQuickly() {
        var r = lab.probe(TcpScanProbe.class, "hosts=" + SERVER + "," + DROPPED_HOST, "ports=1-10000", "timeout=2s");
        assertThat(r.status()).as(r.toString()).isEqualTo("ok");
        assertThat(r.facts().get("open")).isEqualTo(SERVER + ":22," + SERVER + ":8080");
        assertThat(r.summary()).contains(SERVER + " open 22,8080, 9798 closed, 200 filtered (9000-9199)")
                .contains(DROPPED_HOST + " no open port, 10000 filtered (1-10000)");
        // adaptive waits: 10200 silent ports, all in flight at once, cost two RTT-based waits, not 2s each
        assertThat(Double.parseDouble(r.facts().get("final_timeout_ms"))).isLessThan(500);
        assertThat(Double.parseDouble(r.facts().get("scan_ms"))).isLessThan(15_000);
    }

    /**
     * Refusals teach the wait the loopback RTT, so the DROPped hosts are given up after the adapted wait (50 ms,
     * the floor), tried once more, and called filtered: about two adapted waits, not two of 1 s.
     */
    @Test
    void hundredsOfLoopbackHostsDroppedRefusingAndOpenAreEachToldApart() {
        var r = RunProbeMain.runIn(loop, ns, TcpScanProbe.class, "hosts=" + DROPPED + "," + REFUSING + "," + OPEN, "ports=" + PORT);
        assertThat(r.status()).as(r.toString()).isEqualTo("ok");
        assertThat(r.summary()).contains("scanned 420 ports on 420 hosts")
                .contains(DROPPED + " (200 hosts, each) no open port, 1 filtered (80)")
                .contains(REFUSING + " (200 hosts, each) no open port, 1 closed")
                .contains(OPEN + " (20 hosts, each) open 80");
        assertThat(r.facts().get("open").split(",")).hasSize(20).contains("127.3.2.0:80", "127.3.2.19:80");
        assertThat(r.evidence().getFirst()).startsWith("620 connects (200 retries)"); // exactly one retry of each silent host
        double waitMs = Double.parseDouble(r.facts().get("final_timeout_ms"));
        double silenceMs = Double.parseDouble(r.facts().get("silence_ms"));
        assertThat(waitMs).as("adapted to loopback RTTs").isEqualTo(ScanTiming.FLOOR_MS);
        assertThat(silenceMs).as("two adapted waits (and scheduling), less than one wait of 1 s").isBetween(2 * waitMs, ScanTiming.INITIAL_MS);
        assertThat(Integer.parseInt(r.facts().get("in_flight_peak"))).isGreaterThanOrEqualTo(200);
    }

    /** With nothing answering, nothing is learnt: the wait stays the initial one (here timeout=300ms) and the scan takes two. */
    @Test
    void silentHostsAreDecidedAfterOneWaitAndOneRetryAllAtOnce() {
        var r = RunProbeMain.runIn(loop, ns, TcpScanProbe.class, "hosts=" + DROPPED, "ports=" + PORT, "timeout=300ms");
        assertThat(r.status()).as(r.toString()).isEqualTo("fail");
        assertThat(r.cause()).isEqualTo("tcp.filtered");
        assertThat(r.evidence().getFirst()).startsWith("400 connects (200 retries)");
        assertThat(Double.parseDouble(r.facts().get("silence_ms"))).as("two waits of 300 ms").isBetween(600.0, 600.0 + 1000);
        assertThat(Double.parseDouble(r.facts().get("scan_ms"))).as("all 200 at once, not in batches").isLessThan(600.0 + 1000);
        assertThat(r.facts().get("in_flight_peak")).isEqualTo("200");
    }

    /** A soft descriptor limit too small for the scan is raised to the hard limit (the JVM told not to do it itself). */
    @Test
    void aSoftDescriptorLimitTooSmallIsRaisedToTheHardOne() {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Netns.Result run = loop.exec(Duration.ofSeconds(60), ns, "prlimit", "--nofile=300:4096", java, "-XX:-MaxFDLimit",
                "--enable-native-access=ALL-UNNAMED", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                RunProbeMain.class.getName(), TcpScanProbe.class.getName(), "hosts=" + DROPPED + "," + REFUSING, "ports=" + PORT,
                "timeout=200ms").orThrow();
        var r = RunProbeMain.Line.parse(run.out(), run.err());
        assertThat(r.facts().get("nofile_limit")).as(r.toString()).isEqualTo("4096");
        assertThat(r.evidence()).anyMatch(e -> e.startsWith("descriptors: soft limit 300 raised to the hard limit 4096"));
        assertThat(r.facts().get("in_flight_max")).isEqualTo("400");
        assertThat(r.summary()).contains(DROPPED + " (200 hosts, each) no open port, 1 filtered (80)");
    }

    private static String python() {
        return Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";
    }
}
