package dev.reach.plugins.dns;

import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real dnsmasq on 127.0.0.1 and a free high port, in the foreground ({@code -k}), reading only what the test
 * gives it (no resolv.conf, no /etc/hosts), stopped by its PID. Tests skip when dnsmasq is not installed
 * ({@code apt-get install dnsmasq-base}).
 */
final class Dnsmasq implements AutoCloseable {
    private final Process process;
    private final int port;
    private final Path log;

    private Dnsmasq(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    /** Skips the calling test unless dnsmasq can be run. */
    static Path assumeInstalled() {
        for (String dir : List.of("/usr/sbin", "/usr/bin", "/sbin", "/bin", "/usr/local/sbin")) {
            Path p = Path.of(dir, "dnsmasq");
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        Assumptions.abort("skipped: needs dnsmasq (apt-get install dnsmasq-base)");
        return null;
    }

    /** Starts dnsmasq with these extra options in {@code dir} and waits (at most 10 s) until it answers. */
    static Dnsmasq start(Path dir, String... options) throws IOException, InterruptedException {
        Path binary = assumeInstalled();
        int port = freePort();
        Path log = dir.resolve("dnsmasq-" + port + ".log");
        List<String> cmd = new ArrayList<>(List.of(binary.toString(), "-k", "--port=" + port, "--listen-address=127.0.0.1",
                "--bind-interfaces", "--no-resolv", "--no-hosts", "--no-poll", "--log-queries", "--log-facility=-",
                "--pid-file=" + dir.resolve("dnsmasq-" + port + ".pid")));
        if ("root".equals(System.getProperty("user.name"))) {
            cmd.add("--user=root"); // else it drops to nobody, who cannot read the test's files
            cmd.add("--group=root");
        }
        cmd.addAll(List.of(options));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        Dnsmasq d = new Dnsmasq(p, port, log);
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!d.answers()) {
            if (!p.isAlive() || System.nanoTime() > until) {
                d.close();
                throw new IllegalStateException("dnsmasq did not start: " + cmd + "\n" + Files.readString(log));
            }
            Thread.sleep(20);
        }
        return d;
    }

    int port() {
        return port;
    }

    /** {@code 127.0.0.1:PORT}, as the probes take it. */
    String server() {
        return "127.0.0.1:" + port;
    }

    String log() throws IOException {
        return Files.readString(log);
    }

    /** A port free for both UDP and TCP on 127.0.0.1 right now: nothing listens there once it is closed. */
    static int freePort() throws IOException {
        for (int i = 0; i < 20; i++) {
            try (ServerSocket tcp = new ServerSocket(0, 1, InetAddress.ofLiteral("127.0.0.1"));
                 DatagramSocket udp = new DatagramSocket(new InetSocketAddress("127.0.0.1", tcp.getLocalPort()))) {
                return udp.getLocalPort();
            } catch (java.net.BindException e) {
                // the UDP port is taken: try another
            }
        }
        throw new IOException("no port free for both UDP and TCP on 127.0.0.1 after 20 tries");
    }

    /** Any reply to a small query (dnsmasq answers even what it refuses) means it is up. */
    private boolean answers() throws IOException {
        byte[] query = {0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 4, 'p', 'i', 'n', 'g', 0, 0, 1, 0, 1};
        try (DatagramSocket s = new DatagramSocket()) {
            s.setSoTimeout(100);
            s.send(new DatagramPacket(query, query.length, InetAddress.ofLiteral("127.0.0.1"), port));
            s.receive(new DatagramPacket(new byte[512], 512));
            return true;
        } catch (SocketTimeoutException | java.net.PortUnreachableException e) {
            return false;
        }
    }

    /** Stops it by its PID: SIGTERM, then SIGKILL after 5 s. */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    /** How long a test may wait for a server that never answers. */
    static final Duration SHORT = Duration.ofMillis(500);
}
