package dev.reach.plugins.host;

import dev.reach.testkit.Netns;
import dev.reach.testkit.Root;
import dev.reach.testkit.RunProbeMain;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** iface.status in a client namespace with two links: one whose peer is up, one whose peer end is set down. */
class IfaceStatusProbeIT {
    private static Netns lab;
    private static String client;
    private static Netns.Link good;
    private static Netns.Link broken;

    @BeforeAll
    static void buildLab() {
        Root.assumeRootWith("ip");
        lab = Netns.create();
        client = lab.namespace("cli");
        good = lab.link(client, "198.18.0.1/24", lab.namespace("srv"), "198.18.0.2/24");
        broken = lab.link(client, "198.18.1.1/24", lab.namespace("peer"), "198.18.1.2/24");
        lab.ip(broken.b(), "link", "set", broken.devB(), "down");
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
