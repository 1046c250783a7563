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
 * sockets.summary in a client namespace whose ephemeral range is ten ports (40000-40009), holding ten
 * connections to a server namespace's listener, and two connects to a dropped port stuck in SYN_SENT.
 */
class SocketsSummaryProbeIT {
    private static final String LISTEN = """
            import socket, time
            s = socket.socket(); s.bind(('0.0.0.0', 8080)); s.listen(64)
            print('listening', flush=True); time.sleep(120)
            """;
    private static final String CONNECT = """
            import socket, sys, time, select
            held = []
            for _ in range(int(sys.argv[3])):
                c = socket.socket(); c.setblocking(False)
                try: c.connect((sys.argv[1], int(sys.argv[2])))
                except BlockingIOError: pass
                held.append(c)
            if len(sys.argv) > 4:  # 'established': say so once every handshake is done (2 s at most)
                pending, deadline = list(held), time.time() + 2
                while pending and time.time() < deadline:
                    _, done, _ = select.select([], pending, [], max(0, deadline - time.time()))
                    pending = [c for c in pending if c not in done]
            print('connected', flush=True); time.sleep(120)
            """;
    private static Netns lab;
    private static String client;
    private static String server;

    @BeforeAll
    static void buildLab() {
        Root.assumeRootWith("ip", "python3", "iptables");
        lab = Netns.create();
        client = lab.namespace("cli");
        server = lab.namespace("srv");
        lab.link(client, "198.18.0.1/24", server, "198.18.0.2/24");
        lab.exec(client, "sysctl", "-q", "-w", "net.ipv4.ip_local_port_range=40000 40009").orThrow();
        lab.exec(server, "iptables", "-A", "INPUT", "-p", "tcp", "--dport", "8082", "-j", "DROP").orThrow();
        await(lab.spawn(server, python(), "-c", LISTEN), "listening");
        await(lab.spawn(client, python(), "-c", CONNECT, "198.18.0.2", "8080", "9", "established"), "connected");
        await(lab.spawn(client, python(), "-c", CONNECT, "198.18.0.2", "8082", "1"), "connected");
    }

    @AfterAll
    static void tearDown() {
        if (lab != null) {
            lab.close();
        }
    }

    @Test
    void connectionsUsingTheWholeSmallRangeArePortsExhausted() {
        var r = RunProbeMain.runIn(lab, client, SocketsSummaryProbe.class, "host=198.18.0.2", "port=8080");
        assertThat(r.cause()).as(r.toString()).isEqualTo("ports.exhausted");
        assertThat(r.facts()).containsEntry("ports_used", "9").containsEntry("port_range", "40000-40009")
                .containsEntry("states", "{ESTABLISHED=9}");
    }

    @Test
    void connectToADroppedPortWaitsInSynSent() {
        var r = RunProbeMain.runIn(lab, client, SocketsSummaryProbe.class, "host=198.18.0.2", "port=8082");
        assertThat(r.status()).as(r.toString()).isEqualTo("warn");
        assertThat(r.summary()).startsWith("1 connection(s) to 198.18.0.2:8082 wait in SYN_SENT");
    }

    @Test
    void onTheServerTheListenersClientsAreCountedAndNotTakenForOutgoingConnections() {
        var r = RunProbeMain.runIn(lab, server, SocketsSummaryProbe.class, "local_port=8080");
        assertThat(r.status()).as(r.toString()).isEqualTo("ok");
        assertThat(r.facts()).containsEntry("clients", "{ESTABLISHED=9}").doesNotContainKey("destination");
        assertThat(r.summary()).isEqualTo("clients of port 8080: ESTABLISHED 9; no outgoing TCP connection uses an ephemeral port");
    }

    private static void await(Netns.Spawned s, String text) {
        assertThat(s.awaitOutput(text, Duration.ofSeconds(10))).as(s.output()).isTrue();
    }

    private static String python() {
        return Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";
    }
}
