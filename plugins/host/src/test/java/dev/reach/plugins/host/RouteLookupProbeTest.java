package dev.reach.plugins.host;

import dev.reach.plugins.host.RouteLookupProbe.Lookup;
import dev.reach.plugins.host.RouteTable.Route;
import dev.reach.spi.Status;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class RouteLookupProbeTest {
    private static final List<Route> ALL = RouteTable.parseJson(Samples.read("ip-route-show-all.json"));

    // parsers on captured output

    @Test
    void routeGetThroughAGatewayKeepsGatewayDeviceSourceAndTable() {
        Route r = RouteTable.parseJson(Samples.read("ip-route-get-gateway.json")).getFirst();
        assertThat(r).isEqualTo(new Route("unicast", "198.19.4.1", "198.18.5.254", "d0", "198.18.5.1", "main", "", -1));
        assertThat(r.text()).isEqualTo("198.19.4.1 via 198.18.5.254 dev d0 table main src 198.18.5.1");
    }

    @Test
    void routeGetFromAPolicyTableCarriesItsMtu() {
        Route r = RouteTable.parseJson(Samples.read("ip-route-get-mtu.json")).getFirst();
        assertThat(r.table()).isEqualTo("100");
        assertThat(r.mtu()).isEqualTo(1400);
    }

    @Test
    void blackholeEntryIsTheLongestMatchForItsPrefix() {
        assertThat(RouteTable.longestMatch(ALL, ip("198.19.1.9"))).get()
                .extracting(Route::type, Route::dst, Route::table).containsExactly("blackhole", "198.19.1.0/24", "main");
    }

    @Test
    void localTableEntriesAreNotConsideredForReject() {
        assertThat(RouteTable.longestMatch(ALL, ip("198.19.9.9"))).isEmpty();
        assertThat(RouteTable.considered(ALL, ip("198.19.9.9"))).extracting(Route::dst)
                .contains("198.18.5.0/24", "198.19.1.0/24").doesNotContain("127.0.0.0/8");
    }

    @Test
    void procNetRouteIsReadInHostByteOrderAndBadLinesAreSkipped() {
        List<String> bad = new ArrayList<>();
        List<Route> routes = RouteTable.parseProc(Samples.read("proc-net-route.txt"), bad);
        assertThat(routes).extracting(Route::text).containsExactly(
                "default via 198.18.5.254 dev eth0 table main",
                "198.18.5.0/24 dev eth0 table main",
                "unreachable 198.19.1.0/24 table main",
                "198.19.4.0/24 via 198.18.5.254 dev eth0 table main mtu 1400");
        assertThat(bad).hasSize(2).allMatch(l -> l.startsWith("eth0"));
        assertThat(RouteTable.longestMatch(routes, ip("198.19.4.7")).get().gateway()).isEqualTo("198.18.5.254");
        assertThat(RouteTable.longestMatch(routes, ip("203.0.113.1")).get().dst()).isEqualTo("default");
    }

    // classify

    @Test
    void blackholeIsRouteRejectNamingTheEntryAndHowToRemoveIt() {
        var c = RouteLookupProbe.classify(refused("198.19.1.1", "RTNETLINK answers: Invalid argument",
                RouteTable.longestMatch(ALL, ip("198.19.1.1"))));
        assertThat(c.status()).isEqualTo(Status.FAIL);
        assertThat(c.cause()).isEqualTo("route.reject");
        assertThat(c.summary()).isEqualTo("198.19.1.1 matches blackhole route 198.19.1.0/24 (table main): the kernel silently "
                + "discards what is sent there; remove it with ip route del blackhole 198.19.1.0/24");
    }

    @Test
    void unreachableAndProhibitRoutesAreRouteRejectWithTheErrnoTheyCause() {
        var u = RouteLookupProbe.classify(refused("198.19.2.1", "RTNETLINK answers: No route to host",
                RouteTable.longestMatch(ALL, ip("198.19.2.1"))));
        var p = RouteLookupProbe.classify(refused("198.19.3.1", "RTNETLINK answers: Permission denied",
                RouteTable.longestMatch(ALL, ip("198.19.3.1"))));
        assertThat(u.cause()).isEqualTo("route.reject");
        assertThat(u.summary()).contains("unreachable route 198.19.2.0/24").contains("EHOSTUNREACH");
        assertThat(p.cause()).isEqualTo("route.reject");
        assertThat(p.summary()).contains("prohibit route 198.19.3.0/24").contains("EACCES");
    }

    @Test
    void noMatchingEntryIsRouteNone() {
        var c = RouteLookupProbe.classify(refused("198.19.9.9", "RTNETLINK answers: Network is unreachable", Optional.empty()));
        assertThat(c.cause()).isEqualTo("route.none");
        assertThat(c.outcome()).isEqualTo("none");
        assertThat(c.summary()).startsWith("no route to 198.19.9.9: no routing table entry matches and there is no default route");
    }

    @Test
    void noRouteToTheSubnetOfAnInterfaceSetDownIsLinkDown() {
        List<IpAddr.Iface> down = IpAddr.interfaces(Samples.read("ip-addr-down.json")).stream().filter(IpAddr.Iface::down).toList();
        var c = RouteLookupProbe.classify(new Lookup(ip("198.18.2.2"), Optional.empty(), "Network is unreachable", "ip", List.of(), down));
        assertThat(c.cause()).isEqualTo("link.down");
        assertThat(c.outcome()).isEqualTo("none");
        assertThat(c.summary()).isEqualTo("no route to 198.18.2.2: it is on the subnet of vc (198.18.2.1/24), which is administratively"
                + " down (operstate DOWN): its routes went with it; bring it up (ip link set vc up) and check its routes");
    }

    @Test
    void noRouteWhileAnInterfaceIsSetDownNamesItAsTheLikelyCause() {
        List<IpAddr.Iface> down = IpAddr.interfaces(Samples.read("ip-addr-down.json")).stream().filter(IpAddr.Iface::down).toList();
        var c = RouteLookupProbe.classify(new Lookup(ip("198.19.4.4"), Optional.empty(), "Network is unreachable", "ip", List.of(), down));
        assertThat(c.cause()).isEqualTo("route.none");
        assertThat(c.summary()).endsWith("the likely cause: vc (198.18.2.1/24) is administratively down, and the routes through an"
                + " interface go when it is set down; bring it up, then check the routes");
    }

    @Test
    void throwRouteEndsTheLookupAsRouteNone() {
        var c = RouteLookupProbe.classify(refused("198.19.6.1", "RTNETLINK answers: Network is unreachable",
                RouteTable.longestMatch(ALL, ip("198.19.6.1"))));
        assertThat(c.cause()).isEqualTo("route.none");
        assertThat(c.summary()).contains("throw 198.19.6.0/24");
    }

    @Test
    void gatewayRouteIsOkAndSaysWhichWay() {
        Route r = RouteTable.parseJson(Samples.read("ip-route-get-gateway.json")).getFirst();
        var c = RouteLookupProbe.classify(new Lookup(ip("198.19.4.1"), Optional.of(r), "", "ip", List.of()));
        assertThat(c.status()).isEqualTo(Status.OK);
        assertThat(c.outcome()).isEqualTo("gateway");
        assertThat(c.summary()).isEqualTo("198.19.4.1 is reached via 198.18.5.254 on d0 from 198.18.5.1 (table main)");
    }

    @Test
    void ownAddressIsLocal() {
        Route r = RouteTable.parseJson(Samples.read("ip-route-get-local.json")).getFirst();
        var c = RouteLookupProbe.classify(new Lookup(ip("127.0.0.1"), Optional.of(r), "", "ip", List.of()));
        assertThat(c.outcome()).isEqualTo("local");
    }

    @Test
    void anUnexplainedRefusalIsAnErrorNotAGuess() {
        var c = RouteLookupProbe.classify(refused("198.19.9.9", "RTNETLINK answers: Operation not supported", Optional.empty()));
        assertThat(c.status()).isEqualTo(Status.ERROR);
        assertThat(c.cause()).isNull();
    }

    private static Lookup refused(String dst, String why, Optional<Route> match) {
        return new Lookup(ip(dst), match, why, "ip", List.of());
    }

    static InetAddress ip(String literal) {
        return InetAddress.ofLiteral(literal);
    }
}
