package dev.reach.plugins.ntp;

import dev.reach.core.run.HostPrivileges;
import dev.reach.spi.Observation;
import dev.reach.spi.Status;
import dev.reach.testkit.ProbeHarness;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * ntp.offset against real UDP servers on 127.0.0.1: chronyd (Debian's chrony) serving its own clock with
 * {@code local stratum 8} and clock control off, and an SNTP responder in this test that answers with a
 * known offset, a kiss-o'-death, or not at all.
 */
class NtpOffsetProbeIT {

    @Test
    void chronyOnLoopbackAgreesWithThisClock() throws Exception {
        HostPrivileges host = HostPrivileges.current();
        assumeTrue(host.root() && host.tool("chronyd").isPresent(),
                "skipped: needs root and chronyd on PATH (apt-get install chrony) to run a private chronyd on 127.0.0.1");
        Path dir = Files.createTempDirectory("reach-chrony");
        int port = freeUdpPort();
        Files.writeString(dir.resolve("chrony.conf"), String.join("\n",
                "port " + port, "bindaddress 127.0.0.1", "local stratum 8", "allow 127.0.0.1", "cmdport 0",
                "pidfile " + dir.resolve("chronyd.pid"), "driftfile " + dir.resolve("drift"), ""));
        // -d: foreground, so it is ours to stop by PID; -x: never touch the system clock
        Process chronyd = new ProcessBuilder(host.tool("chronyd").get().toString(), "-d", "-x", "-u", "root", "-f",
                dir.resolve("chrony.conf").toString()).redirectErrorStream(true).redirectOutput(dir.resolve("log").toFile()).start();
        try {
            Observation o = null;
            for (int i = 0; i < 20; i++) { // until it answers: at most 20 tries, about 6 s
                o = ntp(port, "timeout=300ms");
                if (!"no-response".equals(o.facts().get("outcome")) && !"closed".equals(o.facts().get("outcome"))) {
                    break;
                }
                Thread.sleep(Duration.ofMillis(300));
            }
            assertThat(o.status()).as("%s; chronyd log: %s", o, Files.readString(dir.resolve("log"))).isEqualTo(Status.OK);
            assertThat(o.facts()).containsEntry("stratum", 8).containsEntry("reference_id", "127.127.1.1").containsEntry("leap", 0);
            assertThat(Math.abs(((Number) o.facts().get("offset_ms")).doubleValue())).isLessThan(50);
        } finally {
            chronyd.destroy();
            if (!chronyd.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) {
                chronyd.destroyForcibly();
            }
            try (var files = Files.list(dir)) {
                for (Path f : files.toList()) Files.deleteIfExists(f);
            }
            Files.deleteIfExists(dir);
        }
    }

    @Test
    void serverThirtySecondsAheadIsTimeSkewOfThirtySeconds() throws Exception {
        try (Responder r = new Responder(Duration.ofSeconds(30), 2)) {
            Observation o = ntp(r.port());
            assertThat(o.cause()).as(o.toString()).contains("time.skew");
            assertThat(((Number) o.facts().get("offset_ms")).doubleValue()).isCloseTo(30_000, org.assertj.core.data.Offset.offset(100.0));
            assertThat(o.facts()).containsEntry("stratum", 2).containsEntry("reference_id", "127.0.0.1");
            assertThat(o.summary()).startsWith("this clock is 30.0s behind 127.0.0.1:" + r.port());
        }
    }

    @Test
    void serverOneSecondBehindIsWithinTheDefaultThresholdButNotATighterOne() throws Exception {
        try (Responder r = new Responder(Duration.ofSeconds(-1), 2)) {
            Observation o = ntp(r.port());
            assertThat(o.status()).as(o.toString()).isEqualTo(Status.OK);
            assertThat(((Number) o.facts().get("offset_ms")).doubleValue()).isCloseTo(-1_000, org.assertj.core.data.Offset.offset(100.0));
            assertThat(ntp(r.port(), "max_offset=500ms").cause()).contains("time.skew");
        }
    }

    @Test
    void kissOfDeathIsReportedWithItsCode() throws Exception {
        try (Responder r = new Responder(Duration.ZERO, 0)) {
            Observation o = ntp(r.port());
            assertThat(o.facts()).as(o.toString()).containsEntry("outcome", "kiss").containsEntry("reference_id", "RATE");
        }
    }

    @Test
    void silentServerIsNoResponse() throws Exception {
        try (DatagramSocket silent = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            Observation o = ntp(silent.getLocalPort(), "timeout=300ms");
            assertThat(o.cause()).as(o.toString()).contains("udp.no-response");
        }
    }

    @Test
    void theServerMayCarryItsPortAsTheVocabularyWritesIt() throws Exception {
        try (Responder r = new Responder(Duration.ZERO, 2)) {
            Observation o = ProbeHarness.run(new NtpOffsetProbe(), "server=127.0.0.1:" + r.port());
            assertThat(o.status()).as(o.toString()).isEqualTo(dev.reach.spi.Status.OK);
            assertThat(o.summary()).contains("127.0.0.1:" + r.port());
        }
        Observation bad = ProbeHarness.run(new NtpOffsetProbe(), "server=127.0.0.1:0");
        assertThat(bad.status()).isEqualTo(dev.reach.spi.Status.ERROR);
        assertThat(bad.summary()).isEqualTo("server='127.0.0.1:0' has a bad port '0' (allowed: 1..65535)");
    }

    @Test
    void closedPortIsUdpClosed() throws Exception {
        Observation o = ntp(freeUdpPort(), "timeout=1s");
        assertThat(o.cause()).as(o.toString()).contains("udp.closed");
    }

    private static Observation ntp(int port, String... more) {
        String[] args = new String[more.length + 2];
        args[0] = "server=127.0.0.1";
        args[1] = "port=" + port;
        System.arraycopy(more, 0, args, 2, more.length);
        return ProbeHarness.run(new NtpOffsetProbe(), args);
    }

    private static int freeUdpPort() throws SocketException {
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            return s.getLocalPort();
        }
    }

    /** An SNTP server on 127.0.0.1 whose clock runs {@code ahead} of this one; stratum 0 sends a RATE kiss. */
    private static final class Responder implements AutoCloseable {
        private final DatagramSocket socket;
        private final Thread thread;

        Responder(Duration ahead, int stratum) throws IOException {
            socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            thread = Thread.ofVirtual().start(() -> {
                byte[] buf = new byte[512];
                while (!socket.isClosed()) {
                    try {
                        DatagramPacket in = new DatagramPacket(buf, buf.length);
                        socket.receive(in);
                        long received = NtpPacket.toNtp(Instant.now().plus(ahead));
                        NtpPacket q = NtpPacket.decode(in.getData(), in.getLength());
                        int refId = stratum == 0 ? ascii("RATE") : 0x7f000001;
                        byte[] out = new NtpPacket(stratum == 0 ? 3 : 0, 4, 4, stratum, 6, -20, 0, 0, refId, received,
                                q.transmitTime(), received, NtpPacket.toNtp(Instant.now().plus(ahead))).encode();
                        socket.send(new DatagramPacket(out, out.length, in.getSocketAddress()));
                    } catch (SocketTimeoutException e) {
                        // loop and look at isClosed again
                    } catch (IOException | IllegalArgumentException e) {
                        return;
                    }
                }
            });
        }

        int port() {
            return socket.getLocalPort();
        }

        private static int ascii(String code) {
            byte[] b = code.getBytes(StandardCharsets.US_ASCII);
            return (b[0] & 0xff) << 24 | (b[1] & 0xff) << 16 | (b[2] & 0xff) << 8 | b[3] & 0xff;
        }

        @Override
        public void close() throws InterruptedException {
            socket.close();
            thread.join(Duration.ofSeconds(2));
        }
    }
}
