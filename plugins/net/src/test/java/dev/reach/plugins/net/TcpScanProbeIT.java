package dev.reach.plugins.net;

import dev.reach.testkit.Netns;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static dev.reach.plugins.net.PathLab.*;
import static org.assertj.core.api.Assertions.assertThat;

/** tcp.scan from the client namespace of a {@link PathLab} against a server with open, closed and DROPped ports. */
class TcpScanProbeIT {
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

    @BeforeAll
    static void build() {
        lab = PathLab.build();
        Netns.Spawned l = lab.lab.spawn(lab.server, python(), "-c", LISTEN, SERVER, "22", "8080");
        assertThat(l.awaitOutput("listening", Duration.ofSeconds(10))).as(l.output()).isTrue();
        lab.lab.exec(lab.server, "iptables", "-A", "INPUT", "-p", "tcp", "--dport", "9000:9199", "-j", "DROP").orThrow();
    }

    @AfterAll
    static void tearDown() {
        if (lab != null) lab.close();
    }

    @Test
    void openClosedAndDroppedPortsAreToldApartQuickly() {
        var r = lab.probe(TcpScanProbe.class, "hosts=" + SERVER + "," + DROPPED_HOST, "ports=1-10000", "timeout=2s");
        assertThat(r.status()).as(r.toString()).isEqualTo("ok");
        assertThat(r.facts().get("open")).isEqualTo(SERVER + ":22," + SERVER + ":8080");
        assertThat(r.summary()).contains(SERVER + " open 22,8080, 9798 closed, 200 filtered (9000-9199)")
                .contains(DROPPED_HOST + " no open port, 10000 filtered (1-10000)");
        // adaptive waits: 10200 silent ports at 1024 in flight cost a few RTT-based waits, not 2s each
        assertThat(Double.parseDouble(r.facts().get("final_timeout_ms"))).isLessThan(500);
        assertThat(Double.parseDouble(r.facts().get("scan_ms"))).isLessThan(15_000);
    }

    private static String python() {
        return Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";
    }
}
