package dev.reach.plugins.ntp;

import com.sun.net.httpserver.HttpServer;
import dev.reach.spi.Observation;
import dev.reach.spi.Status;
import dev.reach.testkit.ProbeHarness;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * time.compare against real HTTP servers on 127.0.0.1: the JDK's HttpServer (which always stamps its own,
 * correct, Date), and a bare socket server in this test whose Date runs thirty seconds ahead.
 */
class TimeCompareProbeIT {

    @Test
    void serverOnThisClockIsInSync() throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 4);
        server.createContext("/", ex -> {
            ex.sendResponseHeaders(200, -1);
            ex.close();
        });
        server.start();
        try {
            Observation o = compare("http://127.0.0.1:" + server.getAddress().getPort() + "/");
            assertThat(o.status()).as(o.toString()).isEqualTo(Status.OK);
            double offset = ((Number) o.facts().get("offset_ms")).doubleValue();
            double uncertainty = ((Number) o.facts().get("uncertainty_ms")).doubleValue();
            assertThat(Math.abs(offset)).isLessThanOrEqualTo(uncertainty + 50);
        } finally {
            server.stop(0);
        }
    }

    @Test
    void serverThirtySecondsAheadIsTimeSkew() throws Exception {
        try (ServerSocket listener = new ServerSocket(0, 4, InetAddress.getLoopbackAddress())) {
            Thread server = Thread.ofVirtual().start(() -> {
                try (Socket s = listener.accept()) {
                    InputStream in = s.getInputStream();
                    byte[] head = new byte[4096];
                    int n = 0;
                    while (n < head.length && !new String(head, 0, n, StandardCharsets.ISO_8859_1).contains("\r\n\r\n")) {
                        int r = in.read(head, n, head.length - n);
                        if (r < 0) return;
                        n += r;
                    }
                    String date = DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now(ZoneOffset.UTC).plusSeconds(30));
                    s.getOutputStream().write(("HTTP/1.1 200 OK\r\nDate: " + date + "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                            .getBytes(StandardCharsets.ISO_8859_1));
                } catch (IOException e) {
                    // the test failed first; nothing to answer
                }
            });
            Observation o = compare("http://127.0.0.1:" + listener.getLocalPort() + "/");
            server.join(Duration.ofSeconds(5));
            assertThat(o.cause()).as(o.toString()).contains("time.skew");
            assertThat(((Number) o.facts().get("offset_ms")).doubleValue()).isCloseTo(30_000, org.assertj.core.data.Offset.offset(1_100.0));
        }
    }

    /** address= dials the address given; the name in the URL (which exists nowhere) is never looked up. */
    @Test
    void addressIsDialledInsteadOfTheName() throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 4);
        server.createContext("/", ex -> {
            ex.sendResponseHeaders(200, -1);
            ex.close();
        });
        server.start();
        try {
            Observation o = ProbeHarness.run(new TimeCompareProbe(), "url=http://web.lab.test:" + server.getAddress().getPort() + "/",
                    "address=127.0.0.1");
            assertThat(o.status()).as(o.toString()).isEqualTo(Status.OK);
        } finally {
            server.stop(0);
        }
    }

    @Test
    void closedPortIsRefused() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        assertThat(compare("http://127.0.0.1:" + port + "/").cause()).contains("tcp.refused");
    }

    private static Observation compare(String url) {
        return ProbeHarness.run(new TimeCompareProbe(), "url=" + url);
    }
}
