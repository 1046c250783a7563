package dev.reach.plugins.host;

import dev.reach.testkit.Netns;
import dev.reach.testkit.Root;
import dev.reach.testkit.RunProbeMain;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * flow.watch and kernel.drops on a server namespace while a client in another keeps connecting (one attempt every
 * 0.2-0.5 s, at most 40): a listener that completes the handshake, a port nothing listens on (reset), and a port the
 * server's INPUT chain drops (the kernel's NETFILTER_DROP).
 */
class FlowWatchProbeIT {
    private static final int OPEN = 8080, CLOSED = 8081, DROPPED = 8082;
    private static final String LISTEN = """
            import socket, sys, time
            s = socket.socket(socket.AF_INET)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(('0.0.0.0', int(sys.argv[1])))
            s.listen(64)
            print('listening', flush=True)
            end = time.time() + 120
            s.settimeout(1)
            while time.time() < end:
                try: s.accept()[0].close()
                except OSError: pass
            """;
    private static final String CONNECT = """
            import socket, sys, time
            print('connecting', flush=True)
            for i in range(40):
                c = socket.socket(); c.settimeout(0.3)
                try: c.connect((sys.argv[1], int(sys.argv[2])))
                except OSError: pass
                c.close(); time.sleep(0.2)
            """;

    private static Netns lab;
    private static String server;
    private static String client;
    private static Netns.Link link;

    @BeforeAll
    static void buildLab() {
        Root.assumeRootWith("ip", "iptables", "python3");
        lab = Netns.create();
        server = lab.namespace("srv");
        client = lab.namespace("cli");
        link = lab.link(server, "198.18.0.2/24", client, "198.18.0.1/24");
        Netns.Spawned s = lab.spawn(server, python(), "-c", LISTEN, String.valueOf(OPEN));
        assertThat(s.awaitOutput("listening", Duration.ofSeconds(10))).as(s.output()).isTrue();
        lab.exec(server, "iptables", "-A", "INPUT", "-p", "tcp", "--dport", String.valueOf(DROPPED), "-j", "DROP").orThrow();
    }

    @AfterAll
    static void tearDown() {
        if (lab != null) {
            lab.close();
        }
    }

    @Test
    void aHandshakeThatCompletesIsEstablishedOnTheInterfaceItArrivedOn() {
        var r = watching(OPEN, "port=" + OPEN, "src=198.18.0.1", "timeout=10s");
        assertThat(r.status()).as(r.toString()).isEqualTo("ok");
        assertThat(r.facts()).containsEntry("outcome", "established").containsEntry("in_interfaces", link.devA())
                .containsEntry("out_interfaces", link.devA());
        assertThat(Double.parseDouble(r.facts().get("watched_ms"))).as("it stops once decided").isLessThan(9000);
    }

    @Test
    void aResetIsRefused() {
        var r = watching(CLOSED, "port=" + CLOSED, "timeout=10s");
        assertThat(r.cause()).as(r.toString()).isEqualTo("tcp.refused");
        assertThat(r.facts()).containsEntry("client", "198.18.0.1");
    }

    @Test
    void aSynTheFirewallDropsIsNamedByTheKernelsReason() {
        var r = watching(DROPPED, "port=" + DROPPED, "src=198.18.0.1", "timeout=10s");
        assertThat(r.cause()).as(r.toString()).isEqualTo("firewall.local");
        assertThat(r.facts()).containsEntry("outcome", "unanswered").containsEntry("drops", "read");
        assertThat(r.facts().get("drop_reasons")).contains("NETFILTER_DROP=");
        assertThat(r.summary()).contains("NETFILTER_DROP");
    }

    @Test
    void kernelDropsCountsTheFirewallsDropsByReason() {
        try (Netns.Spawned c = lab.spawn(client, python(), "-c", CONNECT, "198.18.0.2", String.valueOf(DROPPED))) {
            assertThat(c.awaitOutput("connecting", Duration.ofSeconds(10))).as(c.output()).isTrue();
            var r = RunProbeMain.runIn(lab, server, KernelDropsProbe.class, "timeout=1500ms");
            assertThat(r.cause()).as(r.toString()).isEqualTo("firewall.local");
            assertThat(r.facts().get("reasons")).contains("NETFILTER_DROP=");
            assertThat(r.evidence()).anyMatch(e -> e.startsWith("NETFILTER_DROP ×") && e.contains(" at nf"));
        }
        assertThat(Path.of("/sys/kernel/tracing/instances")).satisfiesAnyOf(
                p -> assertThat(Files.exists(p)).isFalse(),
                p -> assertThat(Files.list(p).map(x -> x.getFileName().toString()).filter(n -> n.startsWith("reach-"))).isEmpty());
    }

    private static RunProbeMain.Line watching(int port, String... keyValues) {
        try (Netns.Spawned c = lab.spawn(client, python(), "-c", CONNECT, "198.18.0.2", String.valueOf(port))) {
            assertThat(c.awaitOutput("connecting", Duration.ofSeconds(10))).as(c.output()).isTrue();
            return RunProbeMain.runIn(lab, server, FlowWatchProbe.class, keyValues);
        }
    }

    private static String python() {
        return Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";
    }
}
