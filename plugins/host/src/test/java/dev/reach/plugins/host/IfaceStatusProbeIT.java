package dev.reach.plugins.host;

import dev.reach.testkit.Netns;
import dev.reach.testkit.Root;
import dev.reach.testkit.RunProbeMain;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * iface.status in a client namespace with three links: one whose peer is up, one whose peer end is set down
 * (198.19.1.0/24 is routed through it), and one the client itself sets down (198.19.2.0/24 was routed
 * through it: the route goes with it).
 */
class IfaceStatusProbeIT {
    private static Netns lab;
    private static String client;
    private static Netns.Link good;
    private static Netns.Link broken;
    private static Netns.Link cut;

    @BeforeAll
    static void buildLab() {
        Root.assumeRootWith("ip");
        lab = Netns.create();
        client = lab.namespace("cli");
        good = lab.link(client, "198.18.0.1/24", lab.namespace("srv"), "198.18.0.2/24");
        broken = lab.link(client, "198.18.1.1/24", lab.namespace("peer"), "198.18.1.2/24");
        lab.route(client, "198.19.1.0/24", "198.18.1.2");
        lab.ip(broken.b(), "link", "set", broken.devB(), "down");
        cut = lab.link(client, "198.18.2.1/24", lab.namespace("far"), "198.18.2.2/24");
        lab.route(client, "198.19.2.0/24", "198.18.2.2");
        lab.ip(client, "link", "set", cut.devA(), "down");
    }

    @AfterAll
    static void tearDown() {
        if (lab != null) {
            lab.close();
        }
    }

    @Test
    void healthyVethIsUpWithItsAddressAndSpeed() {
        var r = probe("interface=" + good.devA(), "interval=0ms");
        assertThat(r.status()).as(r.toString()).isEqualTo("ok");
        assertThat(r.facts()).containsEntry("operstate", "UP").containsEntry("carrier", "true").containsEntry("mtu", "1500");
        assertThat(r.facts().get("addresses")).startsWith("198.18.0.1/24");
    }

    @Test
    void egressInterfaceTowardAHostWhosePeerIsDownIsLinkDown() {
        var r = probe("host=198.18.1.2", "interval=200ms");
        assertThat(r.cause()).as(r.toString()).isEqualTo("link.down");
        assertThat(r.facts()).containsEntry("interface", broken.devA()).containsEntry("carrier", "false");
        // a veth whose peer is down reads DOWN or LOWERLAYERDOWN depending on the kernel; carrier 0 either way
        assertThat(r.evidence()).anyMatch(e -> e.matches(broken.devA() + ": admin up, operstate (LOWERLAYER)?DOWN, carrier 0, .*"));
    }

    @Test
    void destinationBehindAGatewayOnALinkWithoutCarrierIsLinkDownAtOnce() {
        // the route stays (flagged linkdown); no carrier is decisive, so the 5 s counter interval is not waited out
        long start = System.nanoTime();
        var r = probe("host=198.19.1.7", "interval=5s");
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertThat(r.status()).as(r.toString()).isEqualTo("fail");
        assertThat(r.cause()).isEqualTo("link.down");
        assertThat(r.summary()).startsWith(broken.devA() + " has no carrier (operstate ");
        assertThat(r.facts()).containsEntry("interface", broken.devA()).containsEntry("admin_up", "true").containsEntry("carrier", "false");
        assertThat(millis).as("a JVM start and the probe, without the 5 s interval").isLessThan(4_000);
    }

    @Test
    void onLinkDestinationOfAnInterfaceSetDownIsLinkDownThoughItsRouteIsGone() {
        var r = probe("host=198.18.2.2", "interval=0ms");
        assertThat(r.cause()).as(r.toString()).isEqualTo("link.down");
        assertThat(r.facts()).containsEntry("interface", cut.devA()).containsEntry("admin_up", "false");
        assertThat(r.evidence()).anyMatch(e -> e.startsWith("no route to 198.18.2.2: it is on the subnet of " + cut.devA()
                + " (198.18.2.1/24), which is administratively down"));
    }

    @Test
    void destinationWhoseRouteWentWithAnInterfaceSetDownNamesItAsTheLikelyCause() {
        var r = probe("host=198.19.2.9", "interval=0ms");
        assertThat(r.status()).as(r.toString()).isEqualTo("fail");
        assertThat(r.cause()).isEqualTo("route.none");
        assertThat(r.summary()).contains("the likely cause: " + cut.devA() + " (198.18.2.1/24) is administratively down");
        assertThat(r.evidence()).contains("down: " + cut.devA() + " is administratively down (operstate DOWN), holds 198.18.2.1/24");
    }

    @Test
    void interfaceSetDownIsLinkDown() {
        lab.ip(client, "link", "set", good.devA(), "down");
        try {
            var r = probe("interface=" + good.devA(), "interval=0ms");
            assertThat(r.cause()).as(r.toString()).isEqualTo("link.down");
            assertThat(r.facts()).containsEntry("admin_up", "false");
        } finally {
            lab.ip(client, "link", "set", good.devA(), "up");
        }
    }

    @Test
    void unknownInterfaceIsSaidPlainly() {
        var r = probe("interface=nosuch0", "interval=0ms");
        assertThat(r.status()).isEqualTo("fail");
        assertThat(r.summary()).isEqualTo("there is no interface nosuch0 in this network namespace");
    }

    private static RunProbeMain.Line probe(String... keyValues) {
        return RunProbeMain.runIn(lab, client, IfaceStatusProbe.class, keyValues);
    }
}
