package dev.reach.plugins.host;

import dev.reach.plugins.host.ReversePath.Peer;
import dev.reach.plugins.host.ReversePath.Seen;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class ReversePathTest {
    private static final String SETTING = "net.ipv4.conf.eth1.rp_filter";
    private static final Duration S = Duration.ofSeconds(1);
    private static final String PATH = "eth1 (198.18.3.2/24) routes back only to 198.18.3.0/24; the default route leaves by eth0 (...)";
    private static final String WHY = "packets from 198.18.1.2 arriving on eth1 are dropped by strict rp_filter: the route back leaves by eth0"
            + " (asymmetric path); the kernel refuses that reverse path";

    @Test
    void theKernelRefusingAKnownArrivalIsConfirmed() {
        var j = ReversePath.judge(peer(Peer.REFUSED, 0, 0));
        assertThat(j.outcome()).isEqualTo("rpfilter-confirmed");
        assertThat(j.finding().cause()).isEqualTo("rpfilter.drop");
        assertThat(j.finding().text()).startsWith(SETTING + " = 1: " + WHY + "; TcpExt IPReversePathFilter 0")
                .endsWith("; set " + SETTING + "=2");
    }

    @Test
    void aRisingCounterOnAStrictMultiHomedHostIsDropping() {
        var j = ReversePath.judge(none(4, 17));
        assertThat(j.outcome()).isEqualTo("rpfilter-dropping");
        assertThat(j.finding().text()).isEqualTo(SETTING + " = 1: strict reverse-path filtering drops packets; " + PATH
                + "; the kernel dropped 4 packets by reverse-path filtering in 1s (TcpExt IPReversePathFilter 17)"
                + "; make the route back leave by the interface the packets arrive on, or use loose mode; set " + SETTING + "=2");
    }

    @Test
    void dropsCountedBeforeButNotWhileSamplingAreDropped() {
        var j = ReversePath.judge(none(0, 17));
        assertThat(j.outcome()).isEqualTo("rpfilter-dropped");
        assertThat(j.finding().cause()).isEqualTo("rpfilter.drop");
        assertThat(j.finding().why()).contains("TcpExt IPReversePathFilter 17, none in the last 1s");
    }

    @Test
    void strictWithNoDropCountedIsOnlyRisky() {
        var j = ReversePath.judge(none(0, 0));
        assertThat(j.outcome()).isEqualTo("risky");
        assertThat(j.finding().cause()).isEqualTo("sysctl.risky");
        assertThat(j.finding().why()).contains(PATH).endsWith("no packet was dropped by it so far (TcpExt IPReversePathFilter 0)");
    }

    @Test
    void aGuessedArrivalIsDroppingWhenDropsAreCountedAsymmetricWhenCountedBefore() {
        assertThat(ReversePath.judge(peer(Peer.INFERRED, 2, 2)).outcome()).isEqualTo("rpfilter-dropping");
        assertThat(ReversePath.judge(peer(Peer.INFERRED, 0, 5)).outcome()).isEqualTo("rpfilter-asymmetric");
        assertThat(ReversePath.judge(peer(Peer.INFERRED, -1, -1)).outcome()).as("no counter to read").isEqualTo("rpfilter-asymmetric");
    }

    @Test
    void aGuessedArrivalWithNothingEverDroppedIsOnlyRisky() {
        var j = ReversePath.judge(peer(Peer.INFERRED, 0, 0));
        assertThat(j.outcome()).isEqualTo("risky");
        assertThat(j.finding().why()).startsWith("packets from 198.18.1.2 arriving on eth1 would be dropped by strict rp_filter")
                .endsWith("; no packet was dropped by it so far (TcpExt IPReversePathFilter 0)");
    }

    @Test
    void aSymmetricPeerIsNotDroppingThoughOthersAre() {
        var j = ReversePath.judge(new Seen(Peer.SYMMETRIC, SETTING, "198.18.1.2", "", "eth1", false, 3, 9, S, PATH));
        assertThat(j.outcome()).isEqualTo("rpfilter-dropped");
        assertThat(j.finding().why()).contains("(not the given peer's: its route back is symmetric)");
    }

    private static Seen peer(Peer peer, long drops, long total) {
        return new Seen(peer, SETTING, "198.18.1.2", "eth1", "eth0", true, drops, total, S, PATH);
    }

    private static Seen none(long drops, long total) {
        return new Seen(Peer.NONE, SETTING, "", "", "", false, drops, total, S, PATH);
    }

    @Test
    void pathNamesWhatTheInterfaceRoutesBackToAndWhereTheDefaultLeaves() {
        var routes = RouteTable.parseJson("""
                [{"dst":"default","gateway":"198.18.2.1","dev":"eth0"},
                 {"dst":"198.18.2.0/24","dev":"eth0","prefsrc":"198.18.2.2"},
                 {"dst":"198.18.3.0/24","dev":"eth1","prefsrc":"198.18.3.2"}]""");
        assertThat(ReversePath.path(routes, "eth1", Map.of("eth1", List.of("198.18.3.2/24")))).isEqualTo(
                "eth1 (198.18.3.2/24) routes back only to 198.18.3.0/24; the routes to other networks leave by eth0 (default via 198.18.2.1"
                        + " dev eth0): a client there that connects to eth1's address gets no answer");
        assertThat(ReversePath.path(routes, "eth0", Map.of())).as("the default route leaves by it").isEmpty();
    }
}
