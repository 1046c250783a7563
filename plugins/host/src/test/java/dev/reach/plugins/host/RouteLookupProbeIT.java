package dev.reach.plugins.host;

import dev.reach.testkit.Netns;
import dev.reach.testkit.Root;
import dev.reach.testkit.RunProbeMain;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * route.lookup inside a client namespace joined to one server namespace (198.18.0.1/24 and .2/24), with a
 * route through the server, one in a policy table with an MTU, and blackhole, unreachable and prohibit
 * routes, and a second link (198.18.7.1/24) that is set down. No default route: anything else has no route.
 */
class RouteLookupProbeIT {
    private static Netns lab;
    private static String client;
    private static Netns.Link off;

    @BeforeAll
    static void buildLab() {
        Root.assumeRootWith("ip");
        lab = Netns.create();
        client = lab.namespace("cli");
        String server = lab.namespace("srv");
        Netns.Link link = lab.link(client, "198.18.0.1/24", server, "198.18.0.2/24");
        lab.address(client, link.devA(), "fd00:198:18::1/64");
        lab.route(client, "198.19.4.0/24", "198.18.0.2");
        lab.ip(client, "route", "add", "blackhole", "198.19.1.0/24");
        lab.ip(client, "route", "add", "unreachable", "198.19.2.0/24");
        lab.ip(client, "route", "add", "prohibit", "198.19.3.0/24");
        lab.ip(client, "route", "add", "198.19.8.0/24", "via", "198.18.0.2", "mtu", "1400", "table", "100");
        lab.ip(client, "rule", "add", "to", "198.19.8.0/24", "table", "100", "pref", "100");
        off = lab.link(client, "198.18.7.1/24", lab.namespace("off"), "198.18.7.2/24");
        lab.ip(client, "link", "set", off.devA(), "down");
    }

    @AfterAll
    static void tearDown() {
        if (lab != null) {
            lab.close();
        }
    }

    @Test
    void routeThroughAGatewayNamesGatewayDeviceAndSource() {
        var r = probe("host=198.19.4.7");
        assertThat(r.status()).as(r.toString()).isEqualTo("ok");
        assertThat(r.outcome()).isEqualTo("gateway");
        assertThat(r.facts()).containsEntry("gateway", "198.18.0.2").containsEntry("src", "198.18.0.1")
                .containsEntry("table", "main").containsEntry("method", "netlink");
        assertThat(r.evidence()).contains("route get 198.19.4.7 (netlink) -> 198.19.4.7 via 198.18.0.2 dev v0-srv table main src 198.18.0.1");
    }

    @Test
    void onLinkDestinationIsDirect() {
        var r = probe("host=198.18.0.2");
        assertThat(r.outcome()).as(r.toString()).isEqualTo("direct");
        assertThat(r.facts()).containsEntry("dev", "v0-srv").doesNotContainKey("gateway");
    }

    @Test
    void policyRuleSendsItToAnotherTableWithItsMtu() {
        var r = probe("host=198.19.8.8");
        assertThat(r.facts()).as(r.toString()).containsEntry("table", "100").containsEntry("mtu", "1400");
    }

    @Test
    void missingRouteIsRouteNoneListingTheRoutesConsidered() {
        var r = probe("host=198.19.9.9");
        assertThat(r.cause()).as(r.toString()).isEqualTo("route.none");
        assertThat(r.evidence()).contains("route get 198.19.9.9 (netlink) -> RTNETLINK answers: Network is unreachable")
                .anyMatch(e -> e.startsWith("routes considered"))
                .anyMatch(e -> e.contains("198.18.0.0/24 dev v0-srv"));
    }

    @Test
    void destinationOnTheSubnetOfAnInterfaceSetDownIsLinkDown() {
        // setting an interface down removes its routes: the lookup fails, and the interface explains why
        var r = probe("host=198.18.7.2");
        assertThat(r.cause()).as(r.toString()).isEqualTo("link.down");
        assertThat(r.outcome()).isEqualTo("none");
        assertThat(r.summary()).startsWith("no route to 198.18.7.2: it is on the subnet of " + off.devA()
                + " (198.18.7.1/24), which is administratively down (operstate DOWN)");
        assertThat(r.evidence()).contains("down: " + off.devA() + " is administratively down (operstate DOWN), holds 198.18.7.1/24");
    }

    @Test
    void blackholeRouteIsRouteRejectNamingTheEntry() {
        var r = probe("host=198.19.1.1");
        assertThat(r.cause()).as(r.toString()).isEqualTo("route.reject");
        assertThat(r.facts()).containsEntry("type", "blackhole").containsEntry("table", "main");
        assertThat(r.evidence()).contains("matching entry: blackhole 198.19.1.0/24 table main");
    }

    @Test
    void unreachableAndProhibitRoutesAreRouteReject() {
        var u = probe("host=198.19.2.1");
        var p = probe("host=198.19.3.1");
        assertThat(u.cause()).as(u.toString()).isEqualTo("route.reject");
        assertThat(u.facts()).containsEntry("type", "unreachable");
        assertThat(p.cause()).as(p.toString()).isEqualTo("route.reject");
        assertThat(p.facts()).containsEntry("type", "prohibit");
    }

    @Test
    void ipv6WithoutARouteIsRouteNone() {
        var r = probe("host=2001:db8::5");
        assertThat(r.cause()).as(r.toString()).isEqualTo("route.none");
    }

    @Test
    void withoutNativeAccessItAsksIpAndFindsTheSame() {
        for (String host : List.of("198.19.4.7", "198.19.8.8", "198.19.9.9", "198.19.1.1", "198.19.2.1", "2001:db8::5", "198.18.0.1", "198.18.7.2")) {
            var viaNetlink = probe("host=" + host);
            var viaIp = RunProbeMain.runIn(lab, client, List.of(), RouteLookupProbe.class, "host=" + host);
            assertThat(viaIp.facts()).as(host + ": " + viaIp).containsEntry("method", "ip");
            assertThat(without(viaIp.facts(), "method")).as(host).isEqualTo(without(viaNetlink.facts(), "method"));
            assertThat(viaIp.status()).isEqualTo(viaNetlink.status());
            assertThat(viaIp.cause()).isEqualTo(viaNetlink.cause());
            assertThat(viaIp.evidence().stream().skip(1).toList()).as(host).isEqualTo(viaNetlink.evidence().stream().skip(1).toList());
        }
    }

    private static Map<String, String> without(Map<String, String> facts, String key) {
        Map<String, String> m = new TreeMap<>(facts);
        m.remove(key);
        return m;
    }

    private static RunProbeMain.Line probe(String... keyValues) {
        return RunProbeMain.runIn(lab, client, RouteLookupProbe.class, keyValues);
    }
}
