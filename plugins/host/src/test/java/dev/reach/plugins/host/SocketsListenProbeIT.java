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
 * sockets.listen inside one namespace: a service bound to 127.0.0.1 only, one on all addresses, and one
 * with a backlog of 1 that never accepts while a flooder in the same namespace keeps connecting to it.
 */
class SocketsListenProbeIT {
    private static final int LOCAL_ONLY = 8080;
    private static final int NOTHING = 8081;
    private static final int EVERYWHERE = 8082;
    private static final int TINY = 8083;
    /** Listens with the given backlog, never accepts, exits by itself after two minutes. */
    private static final String LISTEN = """
            import socket, sys, time
            s = socket.socket(socket.AF_INET)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind((sys.argv[1], int(sys.argv[2])))
            s.listen(int(sys.argv[3]))
            print('listening', flush=True)
            time.sleep(120)
            """;
    /** Opens a non-blocking connection every 20ms (at most 1500, for at most 60s), keeping them open. */
    private static final String FLOOD = """
            import socket, sys, time
            held = []
            print('flooding', flush=True)
            end = time.time() + 60
            while len(held) < 1500 and time.time() < end:
                c = socket.socket(); c.setblocking(False)
                try: c.connect((sys.argv[1], int(sys.argv[2])))
                except BlockingIOError: pass
                held.append(c); time.sleep(0.02)
            time.sleep(max(0, end - time.time()))
            """;

    private static Netns lab;
    private static String server;

    @BeforeAll
    static void buildLab() {
        Root.assumeRootWith("ip", "python3");
        lab = Netns.create();
        server = lab.namespace("srv");
        String other = lab.namespace("cli");
        lab.link(server, "198.18.0.2/24", other, "198.18.0.1/24");
        listen("127.0.0.1", LOCAL_ONLY, 16);
        listen("0.0.0.0", EVERYWHERE, 16);
        listen("0.0.0.0", TINY, 1);
    }

    @AfterAll
    static void tearDown() {
        if (lab != null) {
            lab.close();
        }
    }

    @Test
    void serviceBoundToLoopbackOnlyIsListenLocalhostOnly() {
        var r = probe("port=" + LOCAL_ONLY, "interval=0ms");
        assertThat(r.cause()).as(r.toString()).isEqualTo("listen.localhost-only");
        assertThat(r.facts()).containsEntry("addresses", "127.0.0.1:" + LOCAL_ONLY);
        assertThat(r.facts().get("owners")).startsWith("python3 (pid ");
    }

    @Test
    void portNobodyListensOnIsListenNone() {
        var r = probe("port=" + NOTHING, "interval=0ms");
        assertThat(r.cause()).as(r.toString()).isEqualTo("listen.none");
    }

    @Test
    void serviceOnAllAddressesIsOkWithItsBacklog() {
        var r = probe("port=" + EVERYWHERE, "host=198.18.0.2", "interval=0ms");
        assertThat(r.status()).as(r.toString()).isEqualTo("ok");
        assertThat(r.facts()).containsEntry("addresses", "0.0.0.0:" + EVERYWHERE).containsEntry("accept_queue", "0");
        if (dev.reach.core.run.HostPrivileges.current().tool("ss").isPresent()) {
            assertThat(r.facts()).containsEntry("backlog", "16");
        }
    }

    @Test
    void listenerThatNeverAcceptsFloodedWithConnectsIsListenOverflow() throws InterruptedException {
        try (Netns.Spawned flood = lab.spawn(server, python(), "-c", FLOOD, "127.0.0.1", String.valueOf(TINY))) {
            assertThat(flood.awaitOutput("flooding", Duration.ofSeconds(10))).as(flood.output()).isTrue();
            long overflows = 0;
            for (int i = 0; i < 100 && overflows == 0; i++) {
                Thread.sleep(100);
                overflows = NetstatCounters.parse(lab.exec(server, "cat", "/proc/net/netstat").orThrow().out(), new java.util.ArrayList<>())
                        .getOrDefault("TcpExt.ListenOverflows", 0L);
            }
            assertThat(overflows).as("ListenOverflows never rose").isPositive();
            var r = probe("port=" + TINY, "interval=1s");
            assertThat(r.cause()).as(r.toString()).isEqualTo("listen.overflow");
            assertThat(Long.parseLong(r.facts().get("accept_queue"))).isGreaterThanOrEqualTo(1);
            assertThat(Long.parseLong(r.facts().get("overflows_delta"))).isPositive();
            assertThat(r.evidence()).anyMatch(e -> e.startsWith("TcpExt ListenOverflows "));
        }
    }

    private static void listen(String address, int port, int backlog) {
        Netns.Spawned s = lab.spawn(server, python(), "-c", LISTEN, address, String.valueOf(port), String.valueOf(backlog));
        assertThat(s.awaitOutput("listening", Duration.ofSeconds(10))).as(s.output()).isTrue();
    }

    private static String python() {
        return Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";
    }

    private static RunProbeMain.Line probe(String... keyValues) {
        return RunProbeMain.runIn(lab, server, SocketsListenProbe.class, keyValues);
    }
}
