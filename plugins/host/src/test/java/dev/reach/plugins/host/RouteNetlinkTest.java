package dev.reach.plugins.host;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The netlink answer parser on datagrams the kernel could send; the real kernel's answers are in RouteLookupProbeIT. */
class RouteNetlinkTest {

    @Test
    void anErrorMessageIsTheKernelsRefusalInStrerrorWords() {
        ByteBuffer b = header(36, 2).putInt(-101).put(new byte[16]).flip();
        assertThat(RouteNetlink.parse(b, new ArrayList<>(), false)).isEqualTo("Network is unreachable");
    }

    @Test
    void doneAndAckEndTheAnswerWell() {
        assertThat(RouteNetlink.parse(header(20, 3).putInt(0).flip(), new ArrayList<>(), true)).isEmpty();
        assertThat(RouteNetlink.parse(header(36, 2).putInt(0).put(new byte[16]).flip(), new ArrayList<>(), false)).isEmpty();
    }

    @Test
    void aRouteMessageBecomesARouteAsIpPrintsIt() {
        // rtmsg: AF_INET, /24, table main, protocol static, type blackhole; then RTA_DST 198.19.1.0 and RTA_PRIORITY
        ByteBuffer b = header(16 + 12 + 8 + 8, 24).put(new byte[]{2, 24, 0, 0, (byte) 254, 4, 0, 6}).putInt(0)
                .putShort((short) 8).putShort((short) 1).put(new byte[]{(byte) 198, 19, 1, 0})
                .putShort((short) 8).putShort((short) 6).putInt(100).flip();
        List<RouteTable.Route> routes = new ArrayList<>();
        assertThat(RouteNetlink.parse(b, routes, true)).isNull();
        assertThat(routes).singleElement().satisfies(r -> {
            assertThat(r.text()).isEqualTo("blackhole 198.19.1.0/24 table main");
            assertThat(r.protocol()).isEqualTo("static");
        });
    }

    @Test
    void aMessageLongerThanItsDatagramIsRefusedNotReadPastTheEnd() {
        ByteBuffer b = header(400, 24).put(new byte[12]).flip();
        assertThatThrownBy(() -> RouteNetlink.parse(b, new ArrayList<>(), true)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("400 bytes");
    }

    private static ByteBuffer header(int len, int type) {
        return ByteBuffer.allocate(Math.min(len, 64)).order(ByteOrder.nativeOrder())
                .putInt(len).putShort((short) type).putShort((short) 0).putInt(1).putInt(0);
    }
}
