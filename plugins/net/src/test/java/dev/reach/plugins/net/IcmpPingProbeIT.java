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

    /** A token bucket on the router (iptables' limit match, a burst of 4): four answers in a row, then silence. */
    @Test
    void echoLetThroughInABurstThenDroppedIsARateLimitNotPathLoss() {
        String limit = "FORWARD -d " + SERVER + " -p icmp --icmp-type echo-request -m limit --limit 1/minute --limit-burst 4 -j ACCEPT";
        String drop = "FORWARD -d " + SERVER + " -p icmp --icmp-type echo-request -j DROP";
        iptables("-I " + limit);
        iptables("-I " + drop.replace("FORWARD", "FORWARD 2"));
        try {
            var r = lab.probe(IcmpPingProbe.class, "host=" + SERVER, "count=20", "interval=5ms", "timeout=300ms");
            assertThat(r.status()).as(r.toString()).isEqualTo("warn");
            assertThat(r.cause()).as(r.toString()).isEmpty();
            assertThat(r.facts()).as(r.toString()).containsEntry("outcome", "rate-limited").containsEntry("received", "4")
                    .containsEntry("replies", "!!!!................");
        } finally {
            iptables("-D " + limit);
            iptables("-D " + drop);
        }
    }

    /** Every other request dropped (iptables' statistic match, nth): loss spread over the round is the path's loss. */
    @Test
    void echoLostEveryOtherTimeIsPathLoss() {
        String nth = "FORWARD -d " + SERVER + " -p icmp --icmp-type echo-request -m statistic --mode nth --every 2 --packet 0 -j DROP";
        iptables("-I " + nth);
        try {
            var r = lab.probe(IcmpPingProbe.class, "host=" + SERVER, "count=20", "interval=5ms", "timeout=300ms");
            assertThat(r.status()).as(r.toString()).isEqualTo("warn");
            assertThat(r.cause()).as(r.toString()).isEqualTo("path.loss");
            assertThat(r.facts()).as(r.toString()).containsEntry("outcome", "partial-loss").containsEntry("received", "10");
            assertThat(r.facts().get("replies")).matches("(!\\.){10}|(\\.!){10}");
        } finally {
            iptables("-D " + nth);
        }
    }

    /** Runs {@code iptables} in the router with these words (no quoting: none has a space). */
    private static void iptables(String words) {
        java.util.List<String> cmd = new java.util.ArrayList<>(java.util.List.of("iptables"));
        cmd.addAll(java.util.List.of(words.split(" ")));
        lab.lab.exec(lab.router, cmd.toArray(String[]::new)).orThrow();
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
