package dev.reach.plugins.net;

import dev.reach.spi.Observation;
import dev.reach.spi.Status;
import dev.reach.testkit.ProbeHarness;
import org.junit.jupiter.api.Test;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class UdpProbeProbeTest {
    private static final InetAddress LO = InetAddress.ofLiteral("127.0.0.1");

    @Test
    void answerIsOk() {
        var c = UdpProbeProbe.classify(new UdpProbeProbe.Outcome(new byte[12], null, 0, 1, 0.2), "198.18.1.2:53", "17-byte dns datagram", "dns");
        assertThat(c.status()).isEqualTo(Status.OK);
        assertThat(c.summary()).isEqualTo("198.18.1.2:53 answered a 17-byte dns datagram with 12 bytes in 0.20ms");
    }

    @Test
    void portUnreachableIsUdpClosedWithItsSender() {
        var e = new IcmpError(IcmpError.ORIGIN_ICMP, Syscalls.ECONNREFUSED, 3, 3, 0, InetAddress.ofLiteral("198.18.1.2"));
        var c = UdpProbeProbe.classify(new UdpProbeProbe.Outcome(null, e, 0, 1, 0.1), "198.18.1.2:9", "x", "");
        assertThat(c.cause()).isEqualTo("udp.closed");
        assertThat(c.summary()).contains("ICMP 3/3 port-unreachable from 198.18.1.2");
    }

    @Test
    void refusedWithoutAQueuedErrorIsStillUdpClosed() {
        var c = UdpProbeProbe.classify(new UdpProbeProbe.Outcome(null, null, Syscalls.ECONNREFUSED, 1, 0.1), "198.18.1.2:9", "x", "");
        assertThat(c.cause()).isEqualTo("udp.closed");
    }

    @Test
    void prohibitedIsAdminProhibitedNamingTheFirewall() {
        var e = new IcmpError(IcmpError.ORIGIN_ICMP, Syscalls.EHOSTUNREACH, 3, 13, 0, InetAddress.ofLiteral("198.18.0.254"));
        var c = UdpProbeProbe.classify(new UdpProbeProbe.Outcome(null, e, 0, 1, 0.1), "198.18.1.4:53", "x", "");
        assertThat(c.cause()).isEqualTo("admin.prohibited");
        assertThat(c.summary()).endsWith("ICMP 3/13 admin-prohibited from 198.18.0.254");
    }

    @Test
    void silenceIsNoResponseAndSaysOpenAndFilteredLookAlike() {
        var c = UdpProbeProbe.classify(new UdpProbeProbe.Outcome(null, null, 0, 2, 0), "198.18.1.2:9", "x", "");
        assertThat(c.cause()).isEqualTo("udp.no-response");
        assertThat(c.summary()).contains("open and filtered cannot be told apart", "payload=dns");
        var dns = UdpProbeProbe.classify(new UdpProbeProbe.Outcome(null, null, 0, 2, 0), "198.18.1.2:53", "x", "dns");
        assertThat(dns.summary()).contains("a dns service there would have answered");
    }

    @Test
    void payloadsAreParsedOrRejectedWithTheForms() {
        assertThat(UdpProbeProbe.payload("hex:de ad:be ef")).containsExactly(0xde, 0xad, 0xbe, 0xef);
        assertThat(UdpProbeProbe.payload("text:hi")).containsExactly('h', 'i');
        assertThat(UdpProbeProbe.payload("ntp")).hasSize(48).startsWith((byte) 0x23);
        assertThat(UdpProbeProbe.payload("dns")).hasSize(17);
        assertThat(UdpProbeProbe.payload("")).isEmpty();
        assertThatThrownBy(() -> UdpProbeProbe.payload("hex:abc")).hasMessageContaining("not hex");
        assertThatThrownBy(() -> UdpProbeProbe.payload("snmp")).hasMessageContaining("use dns, ntp");
    }

    @Test
    void closedLoopbackPortIsUdpClosedFromLoopback() throws Exception {
        int port;
        try (DatagramSocket d = new DatagramSocket(0, LO)) {
            port = d.getLocalPort();
        }
        Observation o = ProbeHarness.run(new UdpProbeProbe(), "host=127.0.0.1", "port=" + port, "timeout=2s");
        assertThat(o.cause()).as(o.toString()).contains("udp.closed");
        assertThat(o.facts()).containsEntry("error_from", "127.0.0.1").containsEntry("outcome", "closed");
    }

    @Test
    void answeringServiceIsOkWithTheReply() throws Exception {
        try (DatagramSocket echo = new DatagramSocket(0, LO)) {
            Thread t = Thread.ofVirtual().start(() -> {
                try {
                    var p = new DatagramPacket(new byte[512], 512);
                    echo.setSoTimeout(5000);
                    echo.receive(p);
                    echo.send(new DatagramPacket(new byte[] {1, 2, 3}, 3, p.getSocketAddress()));
                } catch (Exception e) {
                    // the assertion below fails instead
                }
            });
            Observation o = ProbeHarness.run(new UdpProbeProbe(), "host=127.0.0.1", "port=" + echo.getLocalPort(), "payload=text:hello");
            t.join(5000);
            assertThat(o.status()).as(o.toString()).isEqualTo(Status.OK);
            assertThat(o.facts()).containsEntry("reply_bytes", 3).containsEntry("reply_hex", "010203");
        }
    }

    @Test
    void boundButSilentPortIsNoResponse() throws Exception {
        try (DatagramSocket silent = new DatagramSocket(0, LO)) {
            Observation o = ProbeHarness.run(new UdpProbeProbe(), "host=127.0.0.1", "port=" + silent.getLocalPort(),
                    "count=2", "timeout=100ms");
            assertThat(o.cause()).as(o.toString()).contains("udp.no-response");
            assertThat(o.facts()).containsEntry("sent", 2);
        }
    }

    @Test
    void badHexIsAnErrorResultNotAnException() {
        Observation o = ProbeHarness.run(new UdpProbeProbe(), "host=127.0.0.1", "port=9", "payload=hex:zz");
        assertThat(o.status()).isEqualTo(Status.ERROR);
        assertThat(o.summary()).contains("payload=hex:zz", "not hex");
    }
}
