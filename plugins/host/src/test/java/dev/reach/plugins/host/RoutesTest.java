package dev.reach.plugins.host;

import dev.reach.plugins.host.RouteTable.Route;
import dev.reach.plugins.host.Routes.Lookup;
import dev.reach.spi.Status;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** How a lookup is judged, on routes parsed from captured output; the kernel's own answers are in RouteLookupProbeIT. */
class RoutesTest {
    private static final List<Route> ALL = RouteTable.parseJson(Samples.read("ip-route-show-all.json"));
    private static final List<IpAddr.Iface> DOWN = IpAddr.interfaces(Samples.read("ip-addr-down.json")).stream()
            .filter(IpAddr.Iface::down).toList();

    @Test
    void blackholeIsRouteRejectNamingTheEntryAndHowToRemoveIt() {
        var c = Routes.classify(refusedAtItsEntry("198.19.1.1", "RTNETLINK answers: Invalid argument"));
        assertThat(c.status()).isEqualTo(Status.FAIL);
        assertThat(c.cause()).isEqualTo("route.reject");
        assertThat(c.summary()).isEqualTo("198.19.1.1 matches blackhole route 198.19.1.0/24 (table main): the kernel silently "
                + "discards what is sent there; remove it with ip route del blackhole 198.19.1.0/24");
    }

    @Test
    void unreachableAndProhibitRoutesAreRouteRejectWithTheErrnoTheyCause() {
        var u = Routes.classify(refusedAtItsEntry("198.19.2.1", "RTNETLINK answers: No route to host"));
        var p = Routes.classify(refusedAtItsEntry("198.19.3.1", "RTNETLINK answers: Permission denied"));
        assertThat(u.cause()).isEqualTo("route.reject");
        assertThat(u.summary()).contains("unreachable route 198.19.2.0/24").contains("EHOSTUNREACH");
        assertThat(p.cause()).isEqualTo("route.reject");
        assertThat(p.summary()).contains("prohibit route 198.19.3.0/24").contains("EACCES");
    }

    @Test
    void noMatchingEntryIsRouteNone() {
        var c = Routes.classify(refused("198.19.9.9", "RTNETLINK answers: Network is unreachable", Optional.empty()));
        assertThat(c.cause()).isEqualTo("route.none");
        assertThat(c.outcome()).isEqualTo("none");
        assertThat(c.summary()).startsWith("no route to 198.19.9.9: no routing table entry matches and there is no default route");
    }

    @Test
    void noRouteToTheSubnetOfAnInterfaceSetDownIsLinkDown() {
        var c = Routes.classify(new Lookup(ip("198.18.2.2"), Optional.empty(), "Network is unreachable", "ip", List.of(), DOWN));
        assertThat(c.cause()).isEqualTo("link.down");
        assertThat(c.outcome()).isEqualTo("none");
        assertThat(c.summary()).isEqualTo("no route to 198.18.2.2: it is on the subnet of vc (198.18.2.1/24), which is administratively"
                + " down (operstate DOWN): its routes went with it; bring it up (ip link set vc up) and check its routes");
    }

    @Test
    void noRouteWhileAnInterfaceIsSetDownNamesItAsTheLikelyCause() {
        var c = Routes.classify(new Lookup(ip("198.19.4.4"), Optional.empty(), "Network is unreachable", "ip", List.of(), DOWN));
        assertThat(c.cause()).isEqualTo("route.none");
        assertThat(c.summary()).endsWith("the likely cause: vc (198.18.2.1/24) is administratively down, and the routes through an"
                + " interface go when it is set down; bring it up, then check the routes");
    }

    @Test
    void throwRouteEndsTheLookupAsRouteNone() {
        var c = Routes.classify(refusedAtItsEntry("198.19.6.1", "RTNETLINK answers: Network is unreachable"));
        assertThat(c.cause()).isEqualTo("route.none");
        assertThat(c.summary()).contains("throw 198.19.6.0/24");
    }

    @Test
    void gatewayRouteIsOkAndSaysWhichWay() {
        Route r = RouteTable.parseJson(Samples.read("ip-route-get-gateway.json")).getFirst();
        var c = Routes.classify(new Lookup(ip("198.19.4.1"), Optional.of(r), "", "ip", List.of()));
        assertThat(c.status()).isEqualTo(Status.OK);
        assertThat(c.outcome()).isEqualTo("gateway");
        assertThat(c.summary()).isEqualTo("198.19.4.1 is reached via 198.18.5.254 on d0 from 198.18.5.1 (table main)");
    }

    @Test
    void ownAddressIsLocal() {
        Route r = RouteTable.parseJson(Samples.read("ip-route-get-local.json")).getFirst();
        var c = Routes.classify(new Lookup(ip("127.0.0.1"), Optional.of(r), "", "ip", List.of()));
        assertThat(c.outcome()).isEqualTo("local");
    }

    @Test
    void anUnexplainedRefusalIsAnErrorNotAGuess() {
        var c = Routes.classify(refused("198.19.9.9", "RTNETLINK answers: Operation not supported", Optional.empty()));
        assertThat(c.status()).isEqualTo(Status.ERROR);
        assertThat(c.cause()).isNull();
    }

    private static Lookup refused(String dst, String why, Optional<Route> match) {
        return new Lookup(ip(dst), match, why, "ip", List.of());
    }

    /** The kernel refused the lookup, and the tables hold the entry that explains it. */
    private static Lookup refusedAtItsEntry(String dst, String why) {
        return refused(dst, why, RouteTable.longestMatch(ALL, ip(dst)));
    }

    private static InetAddress ip(String literal) {
        return InetAddress.ofLiteral(literal);
    }
}
