package dev.reach.plugins.net;

import dev.reach.testkit.Daemon;
import dev.reach.testkit.Netns;
import dev.reach.testkit.Root;
import dev.reach.testkit.RunProbeMain;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * quic.probe against a real QUIC server (ngtcp2's gtlsserver, Debian package ngtcp2-server) in a namespace lab:
 * cli 198.18.0.1 — 198.18.0.2 srv, wired only to each other.
 */
class QuicProbeProbeIT {
    private static final String SERVER = "198.18.0.2";
    private static final int QUIC_PORT = 4433;
    /** A UDP service that is not QUIC: it echoes every datagram. */
    private static final String ECHO = """
            import socket, sys
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind((sys.argv[1], int(sys.argv[2]))); print('ready', flush=True)
            while True:
                data, peer = s.recvfrom(65535); s.sendto(data, peer)
            """;

    private static Netns lab;
    private static String client;
    private static String server;
    private static Path dir;
    private static Netns.Spawned quic;

    @BeforeAll
    static void build() throws Exception {
        Root.assumeRootWith("ip", "iptables", "python3", "openssl", "ss");
        Path gtlsserver = Daemon.assumeTool("gtlsserver", "/usr/sbin");
        lab = Netns.create();
        client = lab.namespace("cli");
        server = lab.namespace("srv");
        lab.link(client, "198.18.0.1/24", server, SERVER + "/24");
        dir = Files.createTempDirectory("reach-quic-");
        lab.exec(client, "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", dir.resolve("k.pem").toString(), "-out", dir.resolve("c.pem").toString(), "-days", "1",
                "-subj", "/CN=quic.lab.test").orThrow();
        quic = lab.spawn(server, gtlsserver.toString(), "-q", "-d", dir.toString(), SERVER, String.valueOf(QUIC_PORT),
                dir.resolve("k.pem").toString(), dir.resolve("c.pem").toString());
        awaitUdp(QUIC_PORT);
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (quic != null) quic.close();
        if (lab != null) lab.close();
        if (dir != null) {
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }

    @AfterEach
    void reset() {
        lab.exec(server, "iptables", "-F").orThrow();
    }

    @Test
    void aQuicServerAnswersWithItsVersions() {
        var r = quic("port=" + QUIC_PORT);
        assertThat(r.status()).as(r.toString()).isEqualTo("ok");
        assertThat(r.facts()).containsEntry("outcome", "quic").containsEntry("sent", "1");
        assertThat(r.facts().get("versions")).contains("QUIC v1 (0x00000001)");
        assertThat(r.summary()).startsWith(SERVER + ":" + QUIC_PORT + " speaks QUIC: Version Negotiation in ");
    }

    @Test
    void quicDroppedOnTheWayIsNoResponseWithinTheWait() {
        lab.exec(server, "iptables", "-A", "INPUT", "-p", "udp", "--dport", String.valueOf(QUIC_PORT), "-j", "DROP").orThrow();
        long t0 = System.nanoTime();
        var r = quic("port=" + QUIC_PORT, "timeout=300ms");
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertThat(r.cause()).as(r.toString()).isEqualTo("udp.no-response");
        assertThat(r.facts()).containsEntry("sent", "2").doesNotContainKey("versions");
        assertThat(r.summary()).contains("clients fall back to TCP");
        assertThat(ms).as("two 300 ms waits and a JVM").isLessThan(20_000);
    }

    @Test
    void noQuicServerOnThePortIsUdpClosed() {
        var r = quic("port=443");
        assertThat(r.cause()).as(r.toString()).isEqualTo("udp.closed");
        assertThat(r.facts()).containsEntry("error_from", SERVER);
        assertThat(r.summary()).contains("no QUIC server (HTTP/3) listens on that UDP port");
    }

    @Test
    void anotherUdpServiceOnThePortIsNotQuic() {
        try (var echo = lab.spawn(server, "python3", "-c", ECHO, SERVER, "5443")) {
            if (!echo.awaitOutput("ready", Duration.ofSeconds(10))) throw new IllegalStateException(echo.output());
            var r = quic("port=5443");
            assertThat(r.cause()).as(r.toString()).isEqualTo("quic.not-quic");
            assertThat(r.facts()).containsEntry("reply_bytes", "1200");
            assertThat(r.evidence()).anySatisfy(e -> assertThat(e).contains("version 0x1a2a3a4a, not 0 (Version Negotiation)"));
        }
    }

    private static RunProbeMain.Line quic(String... kv) {
        String[] all = new String[kv.length + 1];
        all[0] = "host=" + SERVER;
        System.arraycopy(kv, 0, all, 1, kv.length);
        return RunProbeMain.runIn(lab, client, QuicProbeProbe.class, all);
    }

    private static void awaitUdp(int port) {
        for (int i = 0; i < 50; i++) { // at most 5 s
            if (lab.exec(server, "ss", "-Hlun", "sport = :" + port).out().contains(":" + port)) return;
            if (!quic.alive()) throw new IllegalStateException("gtlsserver exited: " + quic.output());
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        throw new IllegalStateException("gtlsserver does not listen on UDP " + port + ": " + quic.output());
    }
}
