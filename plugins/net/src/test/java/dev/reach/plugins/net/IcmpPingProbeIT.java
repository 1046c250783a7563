package dev.reach.plugins.net;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static dev.reach.plugins.net.PathLab.*;
import static org.assertj.core.api.Assertions.assertThat;

/** icmp.ping from the client namespace of a {@link PathLab}, through the router. */
class IcmpPingProbeIT {
    private static PathLab lab;

    @BeforeAll
    static void build() {
        lab = PathLab.build();
    }

    @AfterAll
    static void tearDown() {
        if (lab != null) lab.close();
    }

    @Test
    void serverBehindTheRouterAnswersWithTtlOneLess() {
        var r = lab.probe(IcmpPingProbe.class, "host=" + SERVER, "count=3", "interval=20ms");
        assertThat(r.status()).as(r.toString()).isEqualTo("ok");
        assertThat(r.facts()).containsEntry("method", "raw").containsEntry("received", "3").containsEntry("ttl", "63")
                .containsEntry("loss_pct", "0.0");
    }

    @Test
    void droppedEchoIsAllLostWithoutACause() {
        var r = lab.probe(IcmpPingProbe.class, "host=" + DROPPED_HOST, "count=2", "interval=20ms", "timeout=300ms");
        assertThat(r.status()).as(r.toString()).isEqualTo("fail");
        assertThat(r.cause()).isEmpty();
        assertThat(r.outcome()).isEqualTo("no-reply");
        assertThat(r.facts()).containsEntry("loss_pct", "100.0").containsEntry("received", "0");
    }

    @Test
    void rejectedEchoIsAdminProhibitedNamingTheRouter() {
        var r = lab.probe(IcmpPingProbe.class, "host=" + PROHIBITED_HOST, "count=2", "interval=20ms", "timeout=500ms");
        assertThat(r.cause()).as(r.toString()).isEqualTo("admin.prohibited");
        assertThat(r.facts()).containsEntry("error_from", ROUTER);
        assertThat(r.summary()).contains("ICMP 3/13 admin-prohibited from " + ROUTER);
    }

    @Test
    void unroutedNetworkIsNetUnreachableFromTheRouter() {
        // a router sends "no route" errors at most once a second per source (ip_error's token bucket, not
        // icmp_ratelimit), and a fresh peer may start with no token: four requests span more than a second
        var r = lab.probe(IcmpPingProbe.class, "host=" + NO_NET, "count=4", "interval=400ms", "timeout=1s");
        assertThat(r.cause()).as(r.toString()).isEqualTo("net.unreachable");
        assertThat(r.facts()).containsEntry("error_from", ROUTER);
    }

    @Test
    void pingSocketWorksWhereThePingGroupRangeAllowsIt() {
        lab.lab.exec(lab.client, "sysctl", "-q", "-w", "net.ipv4.ping_group_range=0 2147483647").orThrow();
        try {
            var ok = lab.probe(IcmpPingProbe.class, "host=" + SERVER, "count=2", "interval=20ms", "method=dgram");
            assertThat(ok.status()).as(ok.toString()).isEqualTo("ok");
            assertThat(ok.facts()).containsEntry("method", "dgram").containsEntry("ttl", "63");
            var rejected = lab.probe(IcmpPingProbe.class, "host=" + PROHIBITED_HOST, "count=1", "timeout=500ms", "method=dgram");
            assertThat(rejected.cause()).as(rejected.toString()).isEqualTo("admin.prohibited");
            assertThat(rejected.facts()).containsEntry("error_from", ROUTER).containsEntry("method", "dgram");
        } finally {
            lab.lab.exec(lab.client, "sysctl", "-q", "-w", "net.ipv4.ping_group_range=1 0").orThrow();
        }
    }

    @Test
    void systemPingFallbackReadsTheSameErrors() {
        org.junit.jupiter.api.Assumptions.assumeTrue(dev.reach.core.run.HostPrivileges.current().tool("ping").isPresent(),
                "no ping command on PATH");
        var r = lab.probe(IcmpPingProbe.class, "host=" + PROHIBITED_HOST, "count=1", "timeout=500ms", "method=system");
        assertThat(r.cause()).as(r.toString()).isEqualTo("admin.prohibited");
        assertThat(r.facts()).containsEntry("method", "system").containsEntry("error_from", ROUTER);
    }
}
