package dev.reach.plugins.net;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static dev.reach.plugins.net.PathLab.*;
import static org.assertj.core.api.Assertions.assertThat;

/** udp.probe from the client namespace of a {@link PathLab}: closed, dropped and prohibited ports. */
class UdpProbeProbeIT {
    private static final int DROPPED_PORT = 5353;
    private static PathLab lab;

    @BeforeAll
    static void build() {
        lab = PathLab.build();
        lab.lab.exec(lab.server, "iptables", "-A", "INPUT", "-p", "udp", "--dport", String.valueOf(DROPPED_PORT), "-j", "DROP").orThrow();
    }

    @AfterAll
    static void tearDown() {
        if (lab != null) lab.close();
    }

    @Test
    void closedPortIsUdpClosedNamingTheServer() {
        var r = lab.probe(UdpProbeProbe.class, "host=" + SERVER, "port=9999", "payload=dns");
        assertThat(r.cause()).as(r.toString()).isEqualTo("udp.closed");
        assertThat(r.facts()).containsEntry("error_from", SERVER).containsEntry("icmp", "ICMP 3/3 port-unreachable from " + SERVER);
    }

    @Test
    void droppedPortIsNoResponse() {
        var r = lab.probe(UdpProbeProbe.class, "host=" + SERVER, "port=" + DROPPED_PORT, "payload=dns", "timeout=300ms");
        assertThat(r.cause()).as(r.toString()).isEqualTo("udp.no-response");
        assertThat(r.facts()).containsEntry("sent", "2").doesNotContainKey("icmp");
    }

    @Test
    void prohibitedHostIsAdminProhibitedNamingTheRouter() {
        var r = lab.probe(UdpProbeProbe.class, "host=" + PROHIBITED_HOST, "port=53");
        assertThat(r.cause()).as(r.toString()).isEqualTo("admin.prohibited");
        assertThat(r.facts()).containsEntry("error_from", ROUTER);
    }
}
