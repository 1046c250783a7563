package org.example.reach.banner;

import dev.reach.spi.Observation;
import dev.reach.spi.Status;
import dev.reach.spi.Tcp;
import dev.reach.testkit.LoopbackServer;
import dev.reach.testkit.ProbeHarness;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static dev.reach.testkit.ObservationAssert.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

/** The probe run for real (ProbeHarness: a real context and deadline) against real loopback listeners. */
class BannerReadProbeTest {
    private final BannerReadProbe probe = new BannerReadProbe();

    @Test
    void greetingWithTheExpectedTextIsOk() {
        try (LoopbackServer server = LoopbackServer.greeting("220 acme ready\r\n")) {
            Observation o = ProbeHarness.run(probe, "host=127.0.0.1", "port=" + server.port(), "expect=ready");
            assertThat(o).isOk().hasFact("banner", "220 acme ready").summaryContains("greeted with \"220 acme ready\"");
        }
    }

    @Test
    void greetingWithoutTheExpectedTextIsUnexpected() {
        try (LoopbackServer server = LoopbackServer.greeting("SSH-2.0-OpenSSH_9.2\r\n")) {
            Observation o = ProbeHarness.run(probe, "host=127.0.0.1", "port=" + server.port(), "expect=ready");
            assertThat(o).isFail().hasCause("banner.unexpected").hasFact("outcome", "unexpected");
        }
    }

    @Test
    void silentServerIsNoResponseWithinTheTimeout() {
        try (LoopbackServer server = LoopbackServer.silent()) {
            Observation o = ProbeHarness.run(probe, Duration.ofSeconds(5), "host=127.0.0.1", "port=" + server.port(), "timeout=200ms");
            assertThat(o).isFail().hasCause("tcp.no-response").summaryContains("within 200ms");
        }
    }

    @Test
    void closedPortIsRefused() {
        Observation o = ProbeHarness.run(probe, "host=127.0.0.1", "port=" + LoopbackServer.closedPort());
        assertThat(o).isFail().hasCause("tcp.refused");
    }

    @Test
    void classifyNeedsNoNetwork() {
        var c = BannerReadProbe.classify(new Tcp.Silent(Duration.ofMillis(200), ""), "127.0.0.1:1", "");
        assertThat(c.cause()).isEqualTo("tcp.no-response");
        assertThat(BannerReadProbe.classify(new Tcp.Line("220 hi", Duration.ofMillis(1)), "127.0.0.1:1", "hi").status()).isEqualTo(Status.OK);
    }
}
