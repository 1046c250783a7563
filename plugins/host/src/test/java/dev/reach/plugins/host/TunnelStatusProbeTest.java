package dev.reach.plugins.host;

import dev.reach.spi.Status;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class TunnelStatusProbeTest {
    /** ip -d -j link show dev vx0 (iproute2 6.1, Linux 6.18), trimmed. */
    private static final String VXLAN = """
            [{"ifindex":4,"ifname":"vx0","flags":["BROADCAST","MULTICAST","UP","LOWER_UP"],"mtu":1500,"operstate":"UNKNOWN",
              "link_type":"ether","linkinfo":{"info_kind":"vxlan","info_data":{"id":42,"remote":"198.18.9.2","local":"198.18.9.1",
              "link":"v1","port":4789,"df":"unset"}}}]""";
    private static final String TUN_NO_PROGRAM = """
            [{"ifindex":5,"ifname":"tun7","flags":["NO-CARRIER","POINTOPOINT","MULTICAST","NOARP","UP"],"mtu":1500,"operstate":"DOWN",
              "linkinfo":{"info_kind":"tun","info_data":{"type":"tun","pi":false,"vnet_hdr":false,"multi_queue":false,"persist":true}}}]""";
    /** ip prints a GRE key as a dotted quad (this one is a key, not an address). */
    private static final String GRE_KEYED = """
            [{"ifindex":7,"ifname":"gre1","link":"eth0","flags":["POINTOPOINT","NOARP","UP","LOWER_UP"],"mtu":1476,"operstate":"UNKNOWN",
              "linkinfo":{"info_kind":"gre","info_data":{"remote":"198.18.9.2","local":"198.18.9.1","ttl":64,"ikey":"198.18.0.7","okey":"198.18.0.7"}}}]""";
    private static final String ETH = """
            [{"ifindex":2,"ifname":"eth0","flags":["BROADCAST","MULTICAST","UP","LOWER_UP"],"mtu":1500,"operstate":"UP","link_type":"ether"}]""";
    /** wg show wg0 dump: the interface line (private key first), then peers; keys made up for the test. */
    private static final String WG_DUMP = "cHJpdmF0ZWtleXByaXZhdGVrZXlwcml2YXRla2V5cHI=\tcHVibGlja2V5cHVibGlja2V5cHVibGlja2V5cHVibGk=\t51820\toff\n"
            + "UGVlckFQZWVyQVBlZXJBUGVlckFQZWVyQVBlZXJBUGU=\t(none)\t198.18.9.2:51820\t198.18.10.0/24\t1765000000\t1200\t3400\toff\n"
            + "UGVlckJQZWVyQlBlZXJCUGVlckJQZWVyQlBlZXJCUGU=\t(none)\t(none)\t198.18.11.0/24,fd00::/64\t0\t0\t0\t25\n";
    /** ip xfrm policy list; ip -s xfrm state list nokeys (iproute2 6.1), one SA. */
    private static final String POLICIES = """
            src 198.18.9.1/32 dst 198.18.10.0/24\s
            \tdir out priority 0 ptype main\s
            \ttmpl src 198.18.9.1 dst 198.18.9.2
            \t\tproto esp reqid 7 mode tunnel
            src 198.18.10.0/24 dst 198.18.9.1/32\s
            \tdir in priority 0 ptype main\s
            \ttmpl src 198.18.9.2 dst 198.18.9.1
            \t\tproto esp reqid 8 mode tunnel
            """;
    private static final String STATES = """
            src 198.18.9.1 dst 198.18.9.2
            \tproto esp spi 0x00000100(256) reqid 7(0x00000007) mode tunnel
            \treplay-window 0 seq 0x00000000 flag  (0x00000000)
            \tlifetime config:
            \t  limit: soft (INF)(bytes), hard (INF)(bytes)
            \t  limit: soft (INF)(packets), hard (INF)(packets)
            \tlifetime current:
            \t  8400(bytes), 70(packets)
            \t  add 2026-12-06 10:30:00 use 2026-12-06 10:31:00
            \tstats:
            \t  replay-window 0 replay 0 failed 0
            """;

    @Test
    void devicesAreReadWithTheirKindEndpointsAndOverhead() {
        TunnelDevice vx = TunnelDevice.parse(VXLAN);
        assertThat(vx).isEqualTo(new TunnelDevice("vx0", "vxlan", true, false, "UNKNOWN", 1500, "198.18.9.2", "198.18.9.1", "v1", false));
        assertThat(vx.tunnel()).isTrue();
        assertThat(vx.down()).isFalse();
        assertThat(vx.overhead(false)).isEqualTo(50);
        assertThat(vx.overhead(true)).isEqualTo(70);
        TunnelDevice gre = TunnelDevice.parse(GRE_KEYED);
        assertThat(gre.link()).isEqualTo("eth0");
        assertThat(gre.overhead(false)).as("IP 20 + GRE 4 + key 4").isEqualTo(28);
        TunnelDevice tun = TunnelDevice.parse(TUN_NO_PROGRAM);
        assertThat(tun.down()).isTrue();
        assertThat(tun.overhead(false)).isEqualTo(-1);
        assertThat(TunnelDevice.parse(ETH).tunnel()).isFalse();
    }

    @Test
    void anOverlayWithoutRoomForItsHeadersIsOverlayMtu() {
        TunnelDevice vx = TunnelDevice.parse(VXLAN);
        var j = TunnelStatusProbe.overlayMtu(vx, 50, "v1", 1400);
        assertThat(j.cause()).isEqualTo("overlay.mtu");
        assertThat(j.summary()).isEqualTo("vx0 (vxlan) passes packets up to 1500 bytes; with 50 bytes of vxlan headers they leave v1 as 1550,"
                + " more than its MTU 1400: full-size packets are fragmented or dropped on the way (small ones pass); set vx0's MTU to 1350 or less");
        assertThat(TunnelStatusProbe.overlayMtu(vx, 50, "v1", 1550)).isNull();
    }

    @Test
    void aTunNoProgramHoldsIsTunnelDown() {
        var j = TunnelStatusProbe.down(TunnelDevice.parse(TUN_NO_PROGRAM));
        assertThat(j.cause()).isEqualTo("tunnel.down");
        assertThat(j.summary()).contains("no program holds the tun device open");
    }

    @Test
    void wireguardPeersAreReadWithoutThePrivateKeyAndJudgedByHandshakeAge() {
        WgDump d = WgDump.parse(WG_DUMP);
        assertThat(d.peers()).hasSize(2);
        assertThat(d.toString()).doesNotContain("cHJpdmF0ZWtleX");
        WgDump.Peer a = d.peers().get(0);
        assertThat(a.key()).isEqualTo("UGVlckFQ...");
        assertThat(a.allowedIps()).containsExactly("198.18.10.0/24");
        assertThat(a.handshakeAge(1_765_000_100)).isEqualTo(100);
        assertThat(TunnelStatusProbe.handshake("wg0", a, 100)).isNull();
        assertThat(TunnelStatusProbe.handshake("wg0", a, 600).summary()).contains("not completed a handshake for 10m (keys expire after 180 s)");
        WgDump.Peer b = d.peers().get(1);
        assertThat(b.allowedIps()).containsExactly("198.18.11.0/24", "fd00::/64");
        assertThat(b.handshakeAge(1_765_000_100)).isEqualTo(-1);
        var never = TunnelStatusProbe.handshake("wg0", b, -1);
        assertThat(never.cause()).isEqualTo("tunnel.no-handshake");
        assertThat(never.summary()).contains("at no known endpoint has never completed a handshake");
    }

    @Test
    void theOutboundPolicyForTheFlowAndItsSaAreFound() {
        List<Xfrm.Policy> policies = Xfrm.policies(POLICIES);
        assertThat(policies).hasSize(2);
        var p = Xfrm.covering(policies, InetAddress.ofLiteral("198.18.9.1"), InetAddress.ofLiteral("198.18.10.5"), 0).orElseThrow();
        assertThat(p.dir()).isEqualTo("out");
        assertThat(p.templates()).containsExactly(new Xfrm.Template("198.18.9.1", "198.18.9.2", "esp", 7, "tunnel"));
        assertThat(Xfrm.covering(policies, InetAddress.ofLiteral("198.18.9.1"), InetAddress.ofLiteral("198.18.12.5"), 0)).isEmpty();
        List<Xfrm.Policy> web = Xfrm.policies("src 198.18.0.1/32 dst 198.18.1.2/32 proto tcp dport 8080 \n\tdir out priority 0 \n"
                + "\ttmpl src 198.18.0.1 dst 198.18.0.254\n\t\tproto esp reqid 9 mode tunnel\n");
        assertThat(web.get(0).dport()).isEqualTo(8080);
        assertThat(Xfrm.covering(web, null, InetAddress.ofLiteral("198.18.1.2"), 8080)).isPresent();
        assertThat(Xfrm.covering(web, null, InetAddress.ofLiteral("198.18.1.2"), 22)).as("another port").isEmpty();
        List<Xfrm.State> states = Xfrm.states(STATES);
        assertThat(states).containsExactly(new Xfrm.State("198.18.9.1", "198.18.9.2", "esp", "0x00000100", 7, "tunnel", 8400, 70));
        assertThat(states.get(0).serves(p.templates().get(0))).isTrue();
        assertThat(states.get(0).serves(new Xfrm.Template("198.18.9.1", "198.18.9.2", "esp", 8, "tunnel"))).isFalse();
        var j = TunnelStatusProbe.noSa(p, p.templates().get(0));
        assertThat(j.cause()).isEqualTo("ipsec.no-sa");
        assertThat(j.summary()).startsWith("the IPsec policy 198.18.9.1/32 -> 198.18.10.0/24 dir out sends this flow through esp 198.18.9.1 -> 198.18.9.2 (tunnel, reqid 7)");
    }

    @Test
    void okOnlyWhenEveryCheckThatAppliesRan() {
        TunnelDevice eth = TunnelDevice.parse(ETH);
        InetAddress host = InetAddress.ofLiteral("198.18.10.5");
        assertThat(TunnelStatusProbe.judge(eth, host, false, List.of(), List.of()).status()).isEqualTo(Status.OK);
        var noRoot = TunnelStatusProbe.judge(eth, host, false, List.of(), List.of("IPsec policies (needs root)"));
        assertThat(noRoot.status()).isEqualTo(Status.SKIPPED);
        assertThat(TunnelStatusProbe.judge(TunnelDevice.parse(VXLAN), host, true, List.of(), List.of("IPsec policies")).status()).isEqualTo(Status.WARN);
        assertThat(TunnelStatusProbe.judge(TunnelDevice.parse(VXLAN), host, false, List.of(), List.of()).summary())
                .as("no underlay MTU to compare with: no claim about room").startsWith("vx0 (vxlan) is up; no IPsec");
    }
}
