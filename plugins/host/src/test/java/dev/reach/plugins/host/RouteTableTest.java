package dev.reach.plugins.host;

import dev.reach.plugins.host.RouteTable.Route;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Routing tables parsed from captured output of ip -j and /proc/net/route, and matched against destinations. */
class RouteTableTest {
    private static final List<Route> ALL = RouteTable.parseJson(Samples.read("ip-route-show-all.json"));

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

    private static InetAddress ip(String literal) {
        return InetAddress.ofLiteral(literal);
    }
}
