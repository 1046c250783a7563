package dev.reach.plugins.net;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static dev.reach.plugins.net.PathLab.*;
import static org.assertj.core.api.Assertions.assertThat;

/** path.mtu across the {@link PathLab} router, whose far link has MTU {@value PathLab#FAR_MTU}. */
class PathMtuProbeIT {
    private static final String[] DROP_FRAG_NEEDED = {"OUTPUT", "-p", "icmp", "--icmp-type", "fragmentation-needed", "-j", "DROP"};
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
    void smallerLinkThatSaysSoIsACleanPathMtu() {
        var r = lab.probe(PathMtuProbe.class, "host=" + SERVER, "timeout=300ms");
        assertThat(r.status()).as(r.toString()).isEqualTo("ok");
        assertThat(r.outcome()).isEqualTo("clean-pmtu");
        assertThat(r.facts()).containsEntry("path_mtu", String.valueOf(FAR_MTU)).containsEntry("frag_needed_from", ROUTER)
                .containsEntry("next_hop_mtu", String.valueOf(FAR_MTU)).containsEntry("interface_mtu", "1500");
    }

    @Test
    void smallerLinkWhoseIcmpIsDroppedIsABlackhole() {
        lab.lab.exec(lab.router, concat("iptables", "-I", DROP_FRAG_NEEDED)).orThrow();
        try {
            var r = lab.probe(PathMtuProbe.class, "host=" + SERVER, "timeout=150ms", "count=1");
            assertThat(r.cause()).as(r.toString()).isEqualTo("mtu.blackhole");
            assertThat(r.facts()).containsEntry("path_mtu", String.valueOf(FAR_MTU)).doesNotContainKey("frag_needed_from")
                    .containsEntry("blackhole_after", ROUTER);   // the router takes big packets, then cannot forward them
            assertThat(r.summary()).contains("frag-needed should come from " + ROUTER);
        } finally {
            lab.lab.exec(lab.router, concat("iptables", "-D", DROP_FRAG_NEEDED)).orThrow();
        }
    }

    private static String[] concat(String tool, String op, String[] rule) {
        String[] all = new String[rule.length + 2];
        all[0] = tool;
        all[1] = op;
        System.arraycopy(rule, 0, all, 2, rule.length);
        return all;
    }
}
