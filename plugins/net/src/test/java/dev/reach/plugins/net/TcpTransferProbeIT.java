package dev.reach.plugins.net;

import dev.reach.testkit.Netns;
import dev.reach.testkit.Root;
import dev.reach.testkit.RunProbeMain;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * tcp.transfer over an established connection in a namespace lab, cli 198.18.0.1 — 198.18.0.2 srv, with the faults
 * made for real: a service that stops reading, a firewall that starts dropping the flow after 200 kB, random loss,
 * a reset mid-transfer, a server that stops sending.
 */
class TcpTransferProbeIT {
    private static final String SERVER = "198.18.0.2";
    /** Port 7007 echoes, 7008 accepts and never reads, 7009 sends 100 kB and then holds the connection, silent. */
    private static final String SERVERS = """
            import socket, sys, threading
            def listen(port, serve):
                s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                s.bind((sys.argv[1], port)); s.listen(16)
                def loop():
                    while True:
                        c, _ = s.accept(); threading.Thread(target=serve, args=(c,), daemon=True).start()
                threading.Thread(target=loop, daemon=True).start()
            def echo(c):
                with c:
                    while True:
                        d = c.recv(65536)
                        if not d: return
                        c.sendall(d)
            def mute(c):
                threading.Event().wait(30); c.close()
            def pause(c):
                c.sendall(b'x' * 100000); threading.Event().wait(30); c.close()
            listen(7007, echo); listen(7008, mute); listen(7009, pause)
            print('ready', flush=True); threading.Event().wait(600)
            """;

    private static Netns lab;
    private static String client;
    private static String server;
    private static Netns.Spawned servers;

    @BeforeAll
    static void build() {
        Root.assumeRootWith("ip", "iptables", "python3");
        lab = Netns.create();
        client = lab.namespace("cli");
        server = lab.namespace("srv");
        lab.link(client, "198.18.0.1/24", server, SERVER + "/24");
        servers = lab.spawn(server, "python3", "-c", SERVERS, SERVER);
        if (!servers.awaitOutput("ready", Duration.ofSeconds(10))) throw new IllegalStateException(servers.output());
    }

    @AfterAll
    static void tearDown() {
        if (servers != null) servers.close();
        if (lab != null) lab.close();
    }

    @AfterEach
    void reset() {
        lab.exec(server, "iptables", "-F").orThrow();
    }

    @Test
    void anEchoOfAMegabyteIsOkWithTheKernelsCounters() {
        var r = transfer("port=7007", "mode=echo", "size=1048576");
        assertThat(r.status()).as(r.toString()).isEqualTo("ok");
        assertThat(r.facts()).containsEntry("outcome", "done").containsEntry("received_bytes", "1048576")
                .containsKeys("rtt_ms", "retransmits_total", "peer_window", "throughput_mbps");
    }

    @Test
    void aServiceThatStopsReadingIsAStallWithAShutWindow() {
        var r = transfer("port=7008", "mode=echo", "size=33554432", "stall=500ms");
        assertThat(r.cause()).as(r.toString()).isEqualTo("tcp.stall");
        assertThat(r.facts()).containsEntry("stall", "zero-window").containsEntry("peer_window", "0");
        assertThat(r.summary()).contains("the application on the other end stopped reading");
    }

    /** A rule that drops the flow once 200 kB have passed: established, then nothing, as when a firewall loses the flow. */
    @Test
    void aFlowDroppedMidTransferIsAStallWithRetransmissions() {
        lab.exec(server, "iptables", "-A", "INPUT", "-p", "tcp", "--dport", "7007", "-m", "connbytes", "--connbytes", "200000:",
                "--connbytes-dir", "original", "--connbytes-mode", "bytes", "-j", "DROP").orThrow();
        var r = transfer("port=7007", "mode=echo", "size=4194304", "stall=1s");
        assertThat(r.cause()).as(r.toString()).isEqualTo("tcp.stall");
        assertThat(r.facts()).containsEntry("stall", "retransmitting");
        assertThat(Long.parseLong(r.facts().get("unacked"))).isPositive();
        assertThat(r.summary()).contains("never acknowledged: the path stopped carrying this connection");
    }

    /**
     * 10 % of what arrives at the server dropped. The receiver's GRO merges segments into few large packets before the
     * rule sees them, so the transfer must be big enough to make many of them: 4 MiB (at 512 kB one run in four saw
     * no drop).
     */
    @Test
    void randomLossThatStillCompletesIsPathLoss() {
        lab.exec(server, "iptables", "-A", "INPUT", "-p", "tcp", "--dport", "7007", "-m", "statistic", "--mode", "random",
                "--probability", "0.1", "-j", "DROP").orThrow();
        var r = transfer("port=7007", "mode=echo", "size=4194304", "stall=5s", "timeout=30s");
        assertThat(r.cause()).as(r.toString()).isEqualTo("path.loss");
        assertThat(r.status()).isEqualTo("warn");
        assertThat(Double.parseDouble(r.facts().get("retransmit_pct"))).isGreaterThan(1.0);
    }

    @Test
    void aResetMidTransferIsTcpReset() {
        lab.exec(server, "iptables", "-A", "INPUT", "-p", "tcp", "--dport", "7007", "-m", "connbytes", "--connbytes", "200000:",
                "--connbytes-dir", "original", "--connbytes-mode", "bytes", "-j", "REJECT", "--reject-with", "tcp-reset").orThrow();
        var r = transfer("port=7007", "mode=echo", "size=4194304");
        assertThat(r.cause()).as(r.toString()).isEqualTo("tcp.reset");
        assertThat(r.facts()).containsEntry("outcome", "reset");
    }

    @Test
    void aServerThatStopsSendingIsAStallWithNoData() {
        var r = transfer("port=7009", "mode=read", "size=1048576", "stall=500ms");
        assertThat(r.cause()).as(r.toString()).isEqualTo("tcp.stall");
        assertThat(r.facts()).containsEntry("stall", "no-data").containsEntry("received_bytes", "100000");
    }

    @Test
    void nothingListeningIsRefused() {
        var r = transfer("port=7010", "mode=echo");
        assertThat(r.cause()).as(r.toString()).isEqualTo("tcp.refused");
    }

    private static RunProbeMain.Line transfer(String... kv) {
        String[] all = new String[kv.length + 1];
        all[0] = "host=" + SERVER;
        System.arraycopy(kv, 0, all, 1, kv.length);
        return RunProbeMain.runIn(lab, client, TcpTransferProbe.class, all);
    }
}
